"""The floor: a bare sockjs-tornado server speaking Kwissle's protocol, and nothing more.

    python -m benchmarks.floor_server [--port 0] [--question-seconds 2] [--reveal-seconds 0.2] [--questions 10]

It is what any sockjs-tornado game server of this protocol must spend at least:
`GET /api/ticket` (a random id, no cookie, no signature), `hello` -> `welcome`
(the ticket is taken as the id, unchecked), `play` -> `waiting`, pairing in
arrival order, then the questions of the starter bank in memory, one timer per
battle, `answer` judged by exact match (`wrong` or `reveal` to both), the
reveal pause, and `end` with the same review the real server sends. No store,
no judge, no rate limits, no metrics on the hot path. Messages are encoded and
decoded with orjson, like the real server.

`GET /metrics` answers with the same instruments the real server exports for
the benchmark: the IOLoop lag histogram (kwissle/looplag.py, ten samples a
second) and the longest garbage-collection pause (kwissle/gctuning.py), so both
are measured the same way. The first stdout line gives the port.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import secrets
import signal

import orjson
from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from sockjs.tornado import SockJSConnection, SockJSRouter
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.web import Application, RequestHandler

from kwissle.bank.starter import load_starter_bank
from kwissle.gctuning import PauseRecorder
from kwissle.looplag import LoopLagMonitor
from kwissle.metrics import GC_BUCKETS, LAG_BUCKETS


class Floor:
    """Everything the server knows: the bank, who is connected, who waits, the battles."""

    def __init__(self, question_seconds: float, reveal_seconds: float, questions: int) -> None:
        self.bank = load_starter_bank()
        self.question_seconds = question_seconds
        self.reveal_seconds = reveal_seconds
        self.questions = questions
        self.waiting: list[Player] = []
        self.rng = random.Random()
        self.registry = CollectorRegistry()
        self.loop_lag = Histogram("kwissle_ioloop_lag_seconds", "IOLoop lag", buckets=LAG_BUCKETS,
                                  registry=self.registry)
        self.gc_pause_max = Gauge("kwissle_gc_pause_max_seconds", "longest GC pause", registry=self.registry)
        self.gc_pause = Histogram("kwissle_gc_pause_seconds", "GC pauses", ["generation"], buckets=GC_BUCKETS,
                                  registry=self.registry)
        self.longest_gc = 0.0

    def gc_paused(self, generation: int, seconds: float) -> None:
        self.gc_pause.labels(str(generation)).observe(seconds)
        if seconds > self.longest_gc:
            self.longest_gc = seconds
            self.gc_pause_max.set(seconds)

    def play(self, player: Player) -> None:
        self.waiting.append(player)
        player.send({"type": "waiting", "online": 0})
        if len(self.waiting) >= 2:
            first, second = self.waiting.pop(0), self.waiting.pop(0)
            FloorBattle(self, (first, second)).start()


class FloorBattle:
    __slots__ = ("by", "floor", "id", "players", "q", "questions", "review", "scores", "timer", "typed")

    def __init__(self, floor: Floor, players: tuple[Player, Player]) -> None:
        self.floor = floor
        self.id = secrets.token_hex(8)
        self.players = players
        self.questions = floor.rng.sample(floor.bank, floor.questions)
        self.q = -1
        self.by: str | None = None
        self.scores = {players[0].id: 0, players[1].id: 0}
        self.typed: dict[str, list[str]] = {}
        self.timer: object | None = None
        self.review: list[dict] = []
        for player in players:
            player.battle = self

    def start(self) -> None:
        for player, opponent in (self.players, self.players[::-1]):
            player.send({"type": "battle", "id": self.id, "opponent": {"id": opponent.id, "name": opponent.id},
                         "questions": len(self.questions), "seconds": self.floor.question_seconds,
                         "scores": self.scores, "opponent_away": False})
        self.open()

    def at(self, delay: float, callback) -> None:
        loop = IOLoop.current()
        if self.timer is not None:
            loop.remove_timeout(self.timer)
        self.timer = loop.call_later(delay, callback)

    def open(self) -> None:
        self.q += 1
        if self.q >= len(self.questions):
            self.end()
            return
        self.by = None
        self.typed = {player.id: [] for player in self.players}
        question = self.questions[self.q]
        text = orjson.dumps({"type": "question", "q": self.q, "text": question.text,
                             "category": question.category, "seconds": self.floor.question_seconds,
                             "tries_left": 3, "choice": None, "locked_out": False}).decode()
        for player in self.players:
            player.send_text(text)
        self.at(self.floor.question_seconds, self.close)

    def answer(self, player: Player, q: int, text: str) -> None:
        if q != self.q or self.by is not None:
            player.send({"type": "error", "code": "too_late", "message": "that question is closed"})
            return
        self.typed[player.id].append(text)
        question = self.questions[q]
        if text != question.answer:
            player.send({"type": "wrong", "q": q, "tries_left": 2})
            return
        self.by = player.id
        self.scores[player.id] += 10
        self.close()

    def close(self) -> None:
        question = self.questions[self.q]
        reveal = {"type": "reveal", "q": self.q, "answer": question.answer, "by": self.by,
                  "points": 10 if self.by else 0, "how": "typed" if self.by else None, "scores": self.scores}
        self.review.append({"q": self.q, "text": question.text, "answer": question.answer, "by": self.by,
                            "how": reveal["how"], "typed": self.typed})
        text = orjson.dumps(reveal).decode()
        for player in self.players:
            player.send_text(text)
        self.by = self.by or ""  # closed: no more answers
        self.at(self.floor.reveal_seconds, self.open)

    def end(self) -> None:
        self.timer = None
        text = orjson.dumps({"type": "end", "id": self.id, "scores": self.scores, "winner": None,
                             "reason": "complete", "review": self.review}).decode()
        for player in self.players:
            player.send_text(text)
            player.battle = None


class Player(SockJSConnection):
    floor: Floor
    id = ""
    battle: FloorBattle | None = None

    def send_text(self, text: str) -> None:
        self.send(text)

    def send(self, message, binary: bool = False) -> None:  # a dict here; sockjs's own send takes text
        super().send(message if isinstance(message, str) else orjson.dumps(message).decode(), binary)

    def on_message(self, raw) -> None:
        message = orjson.loads(raw)
        kind = message["type"]
        if kind == "answer" and self.battle is not None:
            self.battle.answer(self, message["q"], message["text"])
        elif kind == "hello":
            self.id = message["ticket"]
            self.send({"type": "welcome", "player": {"id": self.id, "name": self.id, "guest": True},
                       "resumed": None})
        elif kind == "play":
            self.floor.play(self)


_ids = itertools.count(1)


class TicketHandler(RequestHandler):
    def get(self) -> None:
        player_id = f"p{next(_ids)}"
        self.write({"player": {"id": player_id, "name": player_id, "guest": True}, "ticket": player_id})


class MetricsHandler(RequestHandler):
    def initialize(self, floor: Floor) -> None:
        self.floor = floor

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; version=0.0.4")
        self.write(generate_latest(self.floor.registry))


async def main(args: argparse.Namespace) -> None:
    floor = Floor(args.question_seconds, args.reveal_seconds, args.questions)
    Player.floor = floor
    router = SockJSRouter(Player, "/sockjs")
    app = Application([(r"/api/ticket", TicketHandler), (r"/metrics", MetricsHandler, {"floor": floor}),
                       *router.urls])
    server = HTTPServer(app)
    server.listen(args.port, "127.0.0.1")
    port = next(iter(server._sockets.values())).getsockname()[1]
    lag = LoopLagMonitor(floor.loop_lag.observe)
    lag.start()
    pauses = PauseRecorder(floor.gc_paused)
    pauses.install()
    print(f"Floor is up on http://127.0.0.1:{port}/ ({len(floor.bank)} published questions, in memory)",
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    lag.stop()
    server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor_server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--question-seconds", type=float, default=2.0)
    parser.add_argument("--reveal-seconds", type=float, default=0.2)
    parser.add_argument("--questions", type=int, default=10)
    asyncio.run(main(parser.parse_args()))
