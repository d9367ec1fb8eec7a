"""Requests per second for Kwissle's home page, next to a bare Tornado handler, in the same run.

    python -m benchmarks.pages [--seconds 5] [--connections 20] [--load-processes 1]

Two server processes on 127.0.0.1, one after the other:

- `kwissle`: `python -m kwissle web --port 0` on a fresh data folder (the pages
  role: the home page as a guest sees it, every header, the XSRF cookie, the
  template, gzip when asked for; the benchmark does not ask for it);
- `bare`: a Tornado application with one handler that writes a fixed body as
  long as the home page just fetched: the floor any Tornado page pays.

The load comes from other processes (`--load-processes`), each holding
`--connections` keep-alive HTTP/1.1 connections on raw asyncio sockets and
sending `GET /` on each as soon as the previous answer is in, for `--seconds`.
Printed: requests per second, latency p50/p99, the server's CPU per request,
and the ratio kwissle / bare (the target is at least 50%).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UP_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/")
BARE = """
import asyncio, sys
from tornado.web import Application, RequestHandler
from tornado.httpserver import HTTPServer
BODY = b"x" * int(sys.argv[1])
class Home(RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.write(BODY)
async def main():
    server = HTTPServer(Application([(r"/", Home)]))
    server.listen(0, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    print(f"Bare is up on http://127.0.0.1:{port}/", flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_connection(port: int, until: float, latencies: list[float], statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: kwissle-bench\r\n\r\n".encode()
    try:
        while time.perf_counter() < until:
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def load_process(port: int, connections: int, start_at: float, seconds: float, results) -> None:
    async def run() -> tuple[list[float], dict[int, int]]:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        await asyncio.sleep(max(0.0, start_at - time.time()))
        until = time.perf_counter() + seconds
        await asyncio.gather(*(one_connection(port, until, latencies, statuses) for _ in range(connections)))
        return latencies, statuses

    results.put(asyncio.run(run()))


async def start(command: list[str], env: dict[str, str]) -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    match = UP_LINE.search(line)
    if not match:
        process.kill()
        raise RuntimeError(f"unexpected first line: {line!r}")
    return process, int(match.group(1))


async def home_page_size(port: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    writer.close()
    return int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))


def measure(name: str, process_pid: int, port: int, args: argparse.Namespace) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 1.0  # every load process starts at the same moment
    workers = [context.Process(target=load_process, args=(port, args.connections, start_at, args.seconds, results))
               for _ in range(args.load_processes)]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu_before = cpu_seconds(process_pid)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    for _ in workers:
        part, codes = results.get(timeout=args.seconds + 60)
        latencies += part
        for code, count in codes.items():
            statuses[code] = statuses.get(code, 0) + count
    cpu = cpu_seconds(process_pid) - cpu_before
    for worker in workers:
        worker.join(5)
    rate = len(latencies) / args.seconds
    print(f"{name:<8} {rate:8,.0f} requests/s   p50 {percentile(latencies, 50) * 1000:6.2f} ms   "
          f"p99 {percentile(latencies, 99) * 1000:6.2f} ms   server CPU {cpu * 1000 / max(1, len(latencies)):.3f} ms "
          f"per request   statuses {statuses}")
    return {"rate": rate}


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="kwissle-pages-bench-") as tmp:
        env = {**os.environ, "KWISSLE_DATA_DIR": tmp, "KWISSLE_ENV": "development", "KWISSLE_ADDRESS": "127.0.0.1"}
        for name in ("KWISSLE_DATABASE_URL", "KWISSLE_COOKIE_SECRET", "KWISSLE_PORT"):
            env.pop(name, None)
        figures = {}
        kwissle, port = await start([sys.executable, "-m", "kwissle", "web", "--port", "0"], env)
        try:
            size = await home_page_size(port)
            figures["kwissle"] = await asyncio.to_thread(measure, "kwissle", kwissle.pid, port, args)
        finally:
            kwissle.send_signal(signal.SIGTERM)
            await kwissle.wait()
        bare, port = await start([sys.executable, "-c", BARE, str(size)], env)
        try:
            figures["bare"] = await asyncio.to_thread(measure, "bare", bare.pid, port, args)
        finally:
            bare.kill()
            await bare.wait()
    ratio = figures["kwissle"]["rate"] / figures["bare"]["rate"]
    print(f"home page / bare handler = {ratio:.0%} (target >= 50%: {'met' if ratio >= 0.5 else 'MISSED'}); "
          f"home page {size:,} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--load-processes", type=int, default=1)
    arguments = parser.parse_args()
    print(f"Kwissle pages benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
          f"{time.strftime('%Y-%m-%d %H:%M')}; {arguments.load_processes} load process(es) x "
          f"{arguments.connections} keep-alive connections, {arguments.seconds:g} s each")
    asyncio.run(main(arguments))
