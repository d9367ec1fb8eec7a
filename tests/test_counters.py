"""Counters (kwissle/counters.py) on a real SQLite store: batching, partitions, hourly statistics,
sliding windows, callbacks every n hits, failed flushes, and the flush at a clean shutdown."""

import asyncio
import logging
import random
import time
from datetime import UTC, datetime

import pytest

from kwissle.counters import Counters, Milestone
from kwissle.server import shut_down
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from tests.conftest import start_server
from tests.realtime.test_battle_over_sockjs import answer_book, pair
from tests.support.clients import WebSocketClient

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingStore:
    """A real store, wrapped: every call of the port is counted (and counts added are recorded)."""

    def __init__(self, store) -> None:
        self._store = store
        self.calls: dict[str, int] = {}
        self.batches: list[dict[str, int]] = []
        self.healthy = True

    def __getattr__(self, name):
        method = getattr(self._store, name)

        async def counted(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return await method(*args, **kwargs)

        return counted

    async def add_counts(self, counts):
        self.calls["add_counts"] = self.calls.get("add_counts", 0) + 1
        self.batches.append(dict(counts))
        await asyncio.sleep(0.001)  # hits may arrive while the write is in flight
        if not self.healthy:
            raise StorageError("database or disk is full")
        await self._store.add_counts(counts)


@pytest.fixture
async def store(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'counters.db'}")
    yield store
    await store.close()


async def test_a_hit_counts_overall_per_partition_value_and_in_its_hour(store):
    counters = Counters(store, clock=Clock(NOON + 15 * 60))
    counters.hit("reports", player="p1", question="q1")
    counters.hit("reports", player="p1", question="q2")
    counters.hit("reports", 3, player="p2")
    await counters.flush()
    assert await store.counters_with_prefix("reports") == {
        "reports": 5, "reports|player=p1": 2, "reports|player=p2": 3, "reports|question=q1": 1,
        "reports|question=q2": 1}
    assert await store.counters_with_prefix("stat|") == {"stat|reports|2026-11-23T12": 5}


async def test_hourly_gives_every_hour_of_the_range_stored_and_pending(store):
    clock = Clock(NOON - 1)  # 11:59:59
    counters = Counters(store, clock=clock)
    counters.hit("sign_ins")
    clock.now = NOON  # 12:00:00 is the next hour's
    counters.hit("sign_ins", 2)
    await counters.flush()
    clock.now = NOON + 2 * 3600 + 5
    counters.hit("sign_ins", 4)  # 14:00, not flushed yet
    counters.hit("reviews")
    series = await counters.hourly("sign_ins", datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
                                   datetime(2026, 11, 23, 15, tzinfo=UTC))
    assert [(hour.hour, count) for hour, count in series] == [(10, 0), (11, 1), (12, 2), (13, 0), (14, 4), (15, 0)]
    assert all(hour.tzinfo is UTC and hour.minute == 0 for hour, _ in series)


async def test_hits_batch_in_memory_and_each_flush_writes_each_key_once(store):
    counting = CountingStore(store)
    counters = Counters(counting, clock=Clock())
    for n in range(1000):
        counters.hit("typed_answers")
        counters.hit("alternatives", player=f"p{n % 2}")
    assert counting.calls == {}  # hitting never touches the store
    assert await counters.flush() == 6
    assert counting.calls == {"add_counts": 1}
    assert counting.batches == [{
        "typed_answers": 1000, "stat|typed_answers|2026-11-23T12": 1000,
        "alternatives": 1000, "stat|alternatives|2026-11-23T12": 1000,
        "alternatives|player=p0": 500, "alternatives|player=p1": 500}]
    assert await counters.flush() == 0  # nothing pending: no write at all
    assert counting.calls == {"add_counts": 1}
    assert await store.get_counter("typed_answers") == 1000
    assert await store.get_counter("alternatives|player=p1") == 500


async def test_concurrent_hits_with_a_running_timer_land_exactly(store):
    """Many coroutines hit while the timer flushes every few ms, and a second process's counters
    flush into the same store: after the last flush, every hit is stored exactly once."""
    first = Counters(store, flush_seconds=0.003)
    second = Counters(store, flush_seconds=0.005)
    first.start()
    second.start()
    rng = random.Random(3)

    def flushed() -> int:
        return first.flushes + second.flushes

    async def player(n: int) -> int:
        # At least 60 hits each, and on until the timers have flushed a few times meanwhile
        # (a loaded machine runs fewer timer ticks per millisecond); bounded in time.
        hits, rounds, give_up = 0, 0, time.monotonic() + 10
        while rounds < 60 or (flushed() < 6 and time.monotonic() < give_up):
            counters = first if rng.random() < 0.7 else second
            by = rng.randint(1, 3)
            counters.hit("steals", by, player=f"p{n}")
            hits += by
            rounds += 1
            await asyncio.sleep(rng.random() / 1000)
        return hits

    totals = await asyncio.gather(*(player(n) for n in range(40)))
    assert flushed() >= 6  # the timers did flush while they played
    await first.close()
    await second.close()
    assert await store.get_counter("steals") == sum(totals)
    for n, total in enumerate(totals):
        assert await store.get_counter(f"steals|player=p{n}") == total
    assert sum((await store.counters_with_prefix("stat|steals|")).values()) == sum(totals)


async def test_a_failing_flush_loses_nothing_even_hits_made_while_it_failed(store, caplog):
    counting = CountingStore(store)
    counters = Counters(counting, clock=Clock())
    counters.hit("reviews", player="p1")
    counting.healthy = False
    flush = asyncio.ensure_future(counters.flush())
    await asyncio.sleep(0)
    counters.hit("reviews", player="p1")  # while the failing write is in flight
    with pytest.raises(StorageError):
        await flush
    assert counters.pending("reviews") == 2 and counters.failed_flushes == 1
    with caplog.at_level(logging.ERROR, logger="kwissle.counters"):
        await counters._flush_on_timer()  # what the timer runs: logged, kept, not raised
    assert "counters not written (database or disk is full)" in caplog.text
    assert await store.get_counter("reviews") == 0
    counting.healthy = True
    counters.hit("reviews")
    await counters.flush()
    assert await store.get_counter("reviews") == 3
    assert await store.get_counter("reviews|player=p1") == 2
    assert counters.pending("reviews") == 0


async def test_a_sliding_window_counts_only_recent_hits_and_forgets_the_rest(store):
    clock = Clock()
    counters = Counters(store, clock=clock)
    counters.keep_window("sign_ins", 60)
    counters.hit("sign_ins", ip="10.0.0.1")
    clock.now += 30
    counters.hit("sign_ins", 2, ip="10.0.0.1")
    counters.hit("sign_ins", ip="10.0.0.2")
    assert counters.window_count("sign_ins", 60) == 4
    assert counters.window_count("sign_ins", 60, ip="10.0.0.1") == 3
    assert counters.window_count("sign_ins", 10, ip="10.0.0.1") == 2
    clock.now += 30  # the first hit is now exactly 60 s old: out of the window
    assert counters.window_count("sign_ins", 60, ip="10.0.0.1") == 2
    clock.now += 31
    assert counters.window_count("sign_ins", 60) == 0
    assert counters.window_count("sign_ins", 60, ip="never") == 0
    await counters.flush()  # a flush also drops the windows that emptied
    assert counters._windows == {}
    assert await store.get_counter("sign_ins") == 4  # the stored totals are not windowed
    with pytest.raises(ValueError, match="keep_window"):
        counters.window_count("sign_ins", 61)
    with pytest.raises(ValueError, match="keep_window"):
        counters.window_count("reports", 1)


async def test_callbacks_fire_every_n_hits_overall_and_per_partition_value(store):
    counters = Counters(store, clock=Clock())
    overall: list[Milestone] = []
    per_question: list[Milestone] = []
    counters.on_every("reports", 3, overall.append)
    counters.on_every("reports", 2, per_question.append, partition="question")
    for question in ["q1", "q2", "q1", "q1", "q2", "q1"]:
        counters.hit("reports", question=question)
    counters.hit("reports")  # no question: only the overall callback sees it
    counters.hit("reports", 2, question="q3")  # crossing a multiple with one hit of 2
    assert overall == [Milestone("reports", 3), Milestone("reports", 6), Milestone("reports", 9)]
    assert per_question == [Milestone("reports", 2, "question", "q1"), Milestone("reports", 2, "question", "q2"),
                            Milestone("reports", 4, "question", "q1"), Milestone("reports", 2, "question", "q3")]


async def test_a_callback_that_raises_is_logged_and_never_breaks_a_hit(store, caplog):
    counters = Counters(store, clock=Clock())
    called: list[int] = []

    def broken(milestone):
        raise RuntimeError("the pager is down")

    async def failing_later(milestone):
        called.append(milestone.count)
        raise RuntimeError("the mail is down")

    counters.on_every("reports", 1, broken)
    counters.on_every("reports", 2, failing_later)
    with caplog.at_level(logging.ERROR, logger="kwissle.counters"):
        for _ in range(2):
            counters.hit("reports")
        await asyncio.sleep(0.01)
    assert counters.pending("reports") == 2
    assert called == [2]
    failures = [str(record.exc_info[1]) for record in caplog.records]
    assert failures == ["the pager is down", "the pager is down", "the mail is down"]


async def test_a_clean_shutdown_of_a_real_app_flushes_what_its_battles_counted(tmp_path):
    """A battle over the real channel, counted by the hub; the timer never fires (an hour), so
    only the shutdown's flush steps can write the counts."""
    server = await start_server(tmp_path, counter_flush_seconds=3600)
    try:
        book = await answer_book(server.store)
        a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
        await pair(a, b)
        question = await a.expect("question", q=0)
        await b.expect("question", q=0)
        await b.send({"type": "answer", "q": 0, "text": "certainly not this"})
        await b.expect("wrong")
        await a.send({"type": "answer", "q": 0, "text": book[question["text"]].answer})
        await a.until("reveal")
        await b.until("question")
        await b.send({"type": "alternatives", "q": 1})
        await b.expect("alternatives")
        await a.send({"type": "leave"})
        await a.until("end")
        server.app.counters.hit("sign_ins", ip="127.0.0.1")  # what a handler counts, through the same app
        assert await server.store.get_counter("battles_started") == 0
        await shut_down(server.app, server.http, 0.0)
        stored = await server.store.counters_with_prefix("")
        for client in (a, b):
            await client.close()
    finally:
        await server.store.close()
    assert {name: value for name, value in stored.items() if not name.startswith("stat|")} == {
        "battles_started": 1, "battles_finished": 1, "battles_finished|reason=forfeit": 1,
        "battles_forfeit": 1,  # save_battle's own counter, written with the battle
        "typed_answers": 2, "steals": 1, "alternatives": 1, "sign_ins": 1, "sign_ins|ip=127.0.0.1": 1}
    hour = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    assert stored[f"stat|typed_answers|{hour}"] == 2 and stored[f"stat|steals|{hour}"] == 1
