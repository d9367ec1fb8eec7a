"""Driving the hub directly in tests: a hand-held clock, fake connections, a real SQLite store.

The hub reads the time and arms its timers through a `Scheduler`; `FakeClock` is one
that fires deadlines only when a test advances it. `FakeConnection` records what the
hub sends, as the channel would write it. `GatedStore` and `FailingSaves` are fakes
around the real store, labelled as such, for the two faults a real store cannot be
made to show on demand (a slow question pick, a save that fails until told otherwise).
"""


from __future__ import annotations

import asyncio
import json
import random

from kwissle.game.rules import Rules
from kwissle.model import NewQuestion, QuestionStatus
from kwissle.realtime.hub import Hub
from kwissle.realtime.protocol import ClientMessage
from kwissle.realtime.results import ResultsWriter
from kwissle.realtime.tickets import TicketHolder
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from tests.support.waiting import eventually

RULES = Rules(questions=10, question_seconds=15, reveal_seconds=3, resume_seconds=15, typed_tries=3)
START = 1000.0


class FakeClock:
    """A Scheduler on a hand-held clock: timers fire only when the test advances time."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.timers: dict[object, tuple[float, object]] = {}
        self.armed_count = 0
        self.cancelled_count = 0

    def time(self) -> float:
        return self.now

    def call_at(self, when, callback):
        handle = object()
        self.timers[handle] = (when, callback)
        self.armed_count += 1
        return handle

    def cancel(self, handle) -> None:
        del self.timers[handle]  # a KeyError here means the hub cancelled a timer twice
        self.cancelled_count += 1

    def call_soon(self, callback) -> None:
        asyncio.get_running_loop().call_soon(callback)

    @property
    def deadlines(self) -> list[float]:
        return sorted(when for when, _ in self.timers.values())

    def advance(self, to: float) -> None:
        """Move the clock to `to`, firing every timer due on the way, in time order."""
        while True:
            due = [(when, handle) for handle, (when, _) in self.timers.items() if when <= to]
            if not due:
                break
            when, handle = min(due, key=lambda item: item[0])
            self.now = max(self.now, when)
            _, callback = self.timers.pop(handle)
            callback()
        self.now = to

    def next_deadline(self) -> None:
        self.advance(self.deadlines[0])


class FakeConnection:
    """A connection as the channel is one: sends UTF-8 text, and closing it parts it from the hub."""

    def __init__(self, hub: Hub, holder: TicketHolder, fail_on: str | None = None) -> None:
        self.hub = hub
        self.holder = holder
        self.fail_on = fail_on  # a message type whose sending raises
        self.sent: list[dict] = []
        self.closed = False

    def send_text(self, text: str) -> None:
        if self.closed:
            raise RuntimeError("send on a closed connection")
        message = json.loads(text)
        if message["type"] == self.fail_on:
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        text.encode("utf-8")  # what a WebSocket does before writing
        self.sent.append(message)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub.part(self, self.holder.id)

    def of(self, kind: str) -> list[dict]:
        return [m for m in self.sent if m["type"] == kind]


class GatedStore:
    """A fake store: the real SQLite store, except that picking questions (the one store call
    of a pairing: what the players saw lately) waits for `gate`."""

    def __init__(self, store) -> None:
        self._store = store
        self.gate = asyncio.Event()
        self.picking = asyncio.Event()

    async def last_seen_questions(self, player_ids, battles=20):
        self.picking.set()
        await self.gate.wait()
        return await self._store.last_seen_questions(player_ids, battles)

    def __getattr__(self, name):
        return getattr(self._store, name)


class FailingSaves:
    """A fake store: the real SQLite store, except that `save_battle` fails until `healthy`."""

    def __init__(self, store) -> None:
        self._store = store
        self.healthy = False
        self.attempts = 0

    async def save_battle(self, record):
        self.attempts += 1
        if not self.healthy:
            raise StorageError("database or disk is full")
        await self._store.save_battle(record)

    def __getattr__(self, name):
        return getattr(self._store, name)



async def make_store(tmp_path, questions: int = 30):
    store = await open_store(f"sqlite:///{tmp_path / 'hub.db'}")
    await store.add_questions([
        NewQuestion(text=f"Hub question number {n}?", answer=f"Answer{n} Canberra", variants=(),
                    wrong=(f"Sydney{n}", f"Perth{n}", f"Darwin{n}"), category="Test")
        for n in range(questions)
    ], QuestionStatus.PUBLISHED)
    return store




def make_hub(store, clock, **kwargs) -> Hub:
    kwargs.setdefault("results", ResultsWriter(store))
    return Hub(store, RULES, random.Random(7), scheduler=clock, **kwargs)


def connect(hub: Hub, player: str, **kwargs) -> FakeConnection:
    conn = FakeConnection(hub, TicketHolder(id=player, name=player.title(), guest=True), **kwargs)
    hub.join(conn, conn.holder)
    return conn


def send(hub: Hub, conn: FakeConnection, kind: str, **fields) -> None:
    hub.handle(conn, conn.holder.id, ClientMessage(kind, fields))


async def paired(hub: Hub, first: FakeConnection, second: FakeConnection) -> str:
    send(hub, first, "play")
    send(hub, second, "play")
    await eventually(lambda: hub.battle_of(first.holder.id) is not None)
    return hub.battle_of(first.holder.id).id


def answer_to(conn: FakeConnection, q: int) -> str:
    text = next(m for m in conn.of("question") if m["q"] == q)["text"]
    return f"Answer{text.removeprefix('Hub question number ').removesuffix('?')} Canberra"
