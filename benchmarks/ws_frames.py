"""The WebSocket frame paths alone: server CPU per message read and written, three ways.

    python -m benchmarks.ws_frames [--connections 50] [--messages 200] [--rounds 2] [--uvloop]

An echo server in this process, clients in another (so only the server's CPU is counted):
each of `--connections` WebSockets sends a reveal-sized text message and waits for its
echo, `--messages` times. The server's CPU (`time.process_time`, user + system) over the
whole exchange, divided by the messages it read, is printed for:

- **tornado**: Tornado's own paths, as the floor (benchmarks/floor_server.py) runs them:
  `_receive_frame` (three awaits per frame) and `write_message` (a coroutine and a Task per write);
- **direct writes**: Tornado's read path, each write through `_write_frame` (the previous
  round's `transports._write_text`: no Task, but `IOStream.write`'s Future per write);
- **lean**: `kwissle.realtime.lean_websocket.LeanProtocol13`, as the game runs it now.

The ways alternate, `--rounds` times each, on the same machine state.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time

from tornado.httpserver import HTTPServer
from tornado.web import Application
from tornado.websocket import WebSocketHandler

from kwissle.realtime.lean_websocket import TEXT, lean_protocol

MESSAGE = json.dumps({"type": "reveal", "q": 3, "answer": "Leonardo da Vinci", "by": "g-4f1c2a9e",
                      "points": 10, "how": "typed", "scores": {"g-4f1c2a9e": 30, "g-77d0be12": 20}})


class TornadoEcho(WebSocketHandler):
    def on_message(self, message) -> None:
        self.write_message(message)


class DirectWritesEcho(WebSocketHandler):
    def on_message(self, message) -> None:
        data = message.encode()
        self.ws_connection._message_bytes_out += len(data)
        self.ws_connection._write_frame(True, 0x1, data)


class LeanEcho(WebSocketHandler):
    def get_websocket_protocol(self):
        return lean_protocol(self, super().get_websocket_protocol())

    def on_message(self, message) -> None:
        self.ws_connection.send_frame(message.encode(), TEXT)


WAYS = {"tornado": TornadoEcho, "direct writes": DirectWritesEcho, "lean": LeanEcho}


def _clients(port: int, connections: int, messages: int, ready, go, done) -> None:
    from tornado.websocket import websocket_connect

    async def one(ws) -> None:
        for _ in range(messages):
            await ws.write_message(MESSAGE)
            assert await ws.read_message() == MESSAGE

    async def main() -> None:
        sockets = [await websocket_connect(f"ws://127.0.0.1:{port}/ws") for _ in range(connections)]
        ready.put(True)
        while not go.is_set():
            await asyncio.sleep(0.005)
        await asyncio.gather(*(one(ws) for ws in sockets))
        done.put(True)
        for ws in sockets:
            ws.close()

    asyncio.run(main())


async def measure(handler: type, connections: int, messages: int) -> float:
    """Server CPU seconds per message read (and echoed)."""
    server = HTTPServer(Application([(r"/ws", handler)]))
    server.listen(0, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    context = multiprocessing.get_context("spawn")
    ready, go, done = context.Queue(), context.Event(), context.Queue()
    process = context.Process(target=_clients, args=(port, connections, messages, ready, go, done), daemon=True)
    process.start()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, ready.get, True, 60)
    began = time.process_time()
    go.set()
    # Polled, not awaited in a thread: a waiting thread would add its own CPU.
    while done.empty():
        await asyncio.sleep(0.01)
    used = time.process_time() - began
    process.join(10)
    server.stop()
    return used / (connections * messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ws_frames", description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--uvloop", action="store_true", help="the server on uvloop, as the game runs")
    args = parser.parse_args(argv)
    if args.uvloop:
        from kwissle.server import install_fast_loop

        install_fast_loop()
    print(f"{args.connections} WebSockets x {args.messages} echoes of {len(MESSAGE)} bytes, "
          f"{args.rounds} rounds, server on {'uvloop' if args.uvloop else 'asyncio'}'s loop; "
          "server CPU per message read and written back")
    figures: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(args.rounds):
        for name, handler in WAYS.items():
            figures[name].append(asyncio.run(measure(handler, args.connections, args.messages)))
    for name, values in figures.items():
        shown = " ".join(f"{value * 1e6:6.1f}" for value in values)
        print(f"  {name:<14} {shown} µs per message")
    tornado, lean = min(figures["tornado"]), min(figures["lean"])
    print(f"  lean / tornado = {lean / tornado:.2f} (best of each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
