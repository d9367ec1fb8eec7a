"""What one connected player costs the game process in objects and memory, counted from inside.

    python -m benchmarks.per_player [--players 200] [--top 25] [--queued]

Starts the game (the `serve` role, on a temporary SQLite file) in this process, takes a
census, then connects `--players` raw-WebSocket clients from another process (so their
objects are not counted): a ticket, `hello`, `welcome`; with `--queued` also `play`, until
`battle` (the census is then taken during the intro of their battles, which lasts a
minute here, as does each question). Once every client is there and the loop is quiet, a
second census. Printed per connected player:

- objects the collector tracks (`gc.get_objects()`), in all and by type, the biggest first;
- memory allocated by Python (tracemalloc: the snapshot difference), by file:line;
- the process's RSS growth.

Nothing here is timed. It answers "what is held per player, and whose is it".
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import multiprocessing
import re
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def census() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def rss() -> int:
    match = re.search(r"^VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0


def _clients(base_url: str, players: int, queued: bool, ready, done) -> None:
    """Another process: connect the players, say so, hold them until told to stop."""
    from tornado.httpclient import AsyncHTTPClient
    from tornado.websocket import websocket_connect

    AsyncHTTPClient.configure(None, max_clients=1000)

    async def one() -> object:
        response = await AsyncHTTPClient().fetch(base_url + "/api/ticket", request_timeout=60)
        ticket = json.loads(response.body)["ticket"]
        ws = await asyncio.wait_for(websocket_connect(base_url.replace("http", "ws", 1) + "/sockjs/websocket"), 60)
        await ws.write_message(json.dumps({"type": "hello", "ticket": ticket}))
        want = "welcome"
        while True:
            message = json.loads(await asyncio.wait_for(ws.read_message(), 60))
            if message["type"] == want:
                if not queued or want == "battle":
                    return ws
                await ws.write_message(json.dumps({"type": "play"}))
                want = "battle"

    async def main() -> None:
        sockets = await asyncio.gather(*(one() for _ in range(players)))
        ready.put(True)
        while not done.is_set():
            await asyncio.sleep(0.05)
        for ws in sockets:
            ws.close()

    asyncio.run(main())


async def measure(players: int, queued: bool, top: int) -> None:
    from tornado.httpserver import HTTPServer

    from kwissle.app import MAX_BODY_BYTES, make_app
    from kwissle.bank.starter import seed_if_empty
    from kwissle.server import bound_port
    from kwissle.settings import from_env
    from kwissle.storage.open import open_store

    with tempfile.TemporaryDirectory(prefix="kwissle-per-player-") as tmp:
        # A question lasts long enough that no battle moves while the census is taken.
        settings = from_env({}, env="development", data_dir=Path(tmp), address="127.0.0.1",
                            max_connections_per_ip=100_000, tickets_per_minute=1_000_000,
                            limit_guests_per_ip="1000000/minute",
                            question_seconds=60, intro_seconds=60.0)
        store = await open_store(settings.database_url)
        await seed_if_empty(store)
        app = make_app(settings, store)
        await app.hub.load_lexicon()
        await app.hub.questions.refresh()
        http = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
        http.listen(0, "127.0.0.1")
        base_url = f"http://127.0.0.1:{bound_port(http)}"
        loop = asyncio.get_running_loop()
        # One client first, so what is built once (caches, the first connection's lazy imports) is not counted.
        context = multiprocessing.get_context("spawn")
        for count in (2, players):
            ready, done = context.Queue(), context.Event()
            if count == players:
                await asyncio.sleep(0.5)
                before, rss_before = census(), rss()
                tracemalloc.start(1)
                snapshot_before = tracemalloc.take_snapshot()
            process = context.Process(target=_clients, args=(base_url, count, queued, ready, done), daemon=True)
            process.start()
            await loop.run_in_executor(None, ready.get, True, 120 + count)
            if count != players:
                done.set()
                await loop.run_in_executor(None, process.join, 10)
                await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)  # every `welcome` (and `battle`) sent and settled
        snapshot_after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        after, rss_after = census(), rss()
        connected = app.hub.status()["online"]
        done.set()
        await loop.run_in_executor(None, process.join, 10)
        http.stop()
        await app.hub.shutdown()
        await store.close()

    grown = {name: after[name] - before[name] for name in after if after[name] - before[name] > 0}
    total = sum(after.values()) - sum(before.values())
    print(f"{players} players connected ({connected} online in the hub), "
          f"{'queued and paired' if queued else 'welcomed, idle'}")
    print(f"tracked objects    {total / players:.1f} per player ({total} in all)")
    for name, count in sorted(grown.items(), key=lambda item: -item[1])[:top]:
        print(f"  {count / players:6.2f}  {name}")
    stats = snapshot_after.compare_to(snapshot_before, "lineno")
    allocated = sum(stat.size_diff for stat in stats)
    print(f"Python memory      {allocated / players / 1024:.1f} KiB per player (tracemalloc), by line:")
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        print(f"  {stat.size_diff / players:8.0f} B  {stat.count_diff / players:5.2f} blocks  {where}:{frame.lineno}")
    print(f"RSS                {(rss_after - rss_before) / players / 1024:.1f} KiB per player "
          f"(with tracemalloc's own bookkeeping)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.per_player", description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--queued", action="store_true", help="the players also press Play and get paired")
    args = parser.parse_args(argv)
    if not 2 <= args.players <= 5000 or args.players % 2:
        parser.error("--players must be even, between 2 and 5000")
    asyncio.run(measure(args.players, args.queued, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
