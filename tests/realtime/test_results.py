"""The results writer: a busy or failing store delays a finished battle, never loses it silently.

Unit tests run the writer on a real SQLite store (wrapped by a labelled fake only
where a failure must be injected) with a sleep that records the back-off instead
of waiting. The last test is the whole thing: a real server, a second SQLite
connection holding the write lock for seconds while a battle ends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time

import pytest

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
)
from kwissle.realtime.results import ResultsWriter, record_from_json, record_to_json
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from kwissle.storage.sqlite import path_from_url
from tests.support.clients import WebSocketClient
from tests.support.waiting import eventually

from .test_battle_over_sockjs import pair


class BrokenSaves:
    """A fake store: the real SQLite store, except that `save_battle` fails (or hangs) until `healthy`."""

    def __init__(self, store, hang: bool = False) -> None:
        self._store = store
        self.healthy = False
        self.hang = hang
        self.attempts = 0

    async def save_battle(self, record):
        self.attempts += 1
        if self.hang:
            await asyncio.Event().wait()
        if not self.healthy:
            raise StorageError("database or disk is full")
        await self._store.save_battle(record)

    def __getattr__(self, name):
        return getattr(self._store, name)


class RecordedSleep:
    """Stands in for the back-off pause: notes each delay and yields at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0.001)



@pytest.fixture
async def store(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'results.db'}")
    yield store
    await store.close()


@pytest.fixture
async def make_record(store):
    """Battle records between two stored players over a stored question."""
    ana = await store.create_player("Ana")
    bo = await store.create_player("Bo")
    [question] = await store.add_questions([NewQuestion(
        text="Which city is the capital of Australia?", answer="Canberra", variants=(),
        wrong=("Sydney", "Perth", "Darwin"), category="Geography")], QuestionStatus.PUBLISHED)
    count = 0

    def make(typed: str = "Canbera") -> BattleRecord:
        nonlocal count
        count += 1
        return BattleRecord(
            id=f"battle{count}", player_ids=(ana.id, bo.id), scores={ana.id: 3, bo.id: 0}, winner=ana.id,
            reason=BattleEnd.COMPLETE, started_at=100.0 + count, ended_at=130.0 + count,
            outcomes=(QuestionOutcome(question_id=question.id, by=ana.id, how="typed", points=3,
                                      typed={ana.id: [typed], bo.id: []}, chose={ana.id: None, bo.id: None}),))

    return make


async def test_a_result_is_retried_with_capped_exponential_back_off_until_stored(store, make_record, caplog):
    broken = BrokenSaves(store)
    sleep = RecordedSleep()
    writer = ResultsWriter(broken, first_retry=0.5, max_retry=3.0, sleep=sleep)
    record = make_record()
    with caplog.at_level(logging.WARNING, logger="kwissle.realtime.results"):
        assert writer.submit(record)
        await eventually(lambda: broken.attempts >= 6)
        assert writer.pending == 1
        broken.healthy = True
        await eventually(lambda: writer.pending == 0)
    assert sleep.delays[:5] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert (await store.get_battle(record.id)).winner == record.winner
    assert await store.get_counter("battles_complete") == 1
    failures = [r for r in caplog.records if "not stored yet" in r.getMessage()]
    assert failures and all("database or disk is full" in r.getMessage() for r in failures)
    assert not any(r.exc_info for r in caplog.records)  # one line each, no traceback


async def test_a_battle_the_store_already_has_counts_as_stored(store, make_record, caplog):
    record = make_record()
    await store.save_battle(record)  # an earlier attempt landed after all
    writer = ResultsWriter(store, sleep=RecordedSleep())
    with caplog.at_level(logging.WARNING, logger="kwissle.realtime.results"):
        writer.submit(record)
        await eventually(lambda: writer.pending == 0)
    assert caplog.records == []
    assert await store.get_counter("battles_complete") == 1  # counted once


async def test_a_full_queue_refuses_loudly_and_spills_the_battle(tmp_path, store, make_record, caplog):
    broken = BrokenSaves(store)
    spill = tmp_path / "unsaved-battles.jsonl"
    writer = ResultsWriter(broken, max_size=2, spill_path=spill, sleep=RecordedSleep())
    first, second, third = make_record(), make_record(), make_record()
    with caplog.at_level(logging.ERROR, logger="kwissle.realtime.results"):
        assert writer.submit(first) and writer.submit(second)
        assert writer.submit(third) is False
    assert writer.pending == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and third.id in errors[0] and "full" in errors[0]
    assert [record_from_json(line) for line in spill.read_text().splitlines()] == [third]
    await writer.flush(timeout=0.2)


async def test_what_shutdown_cannot_store_is_logged_spilled_and_taken_back_at_the_next_start(
        tmp_path, store, make_record, caplog):
    broken = BrokenSaves(store)
    spill = tmp_path / "unsaved-battles.jsonl"
    writer = ResultsWriter(broken, spill_path=spill)
    records = [make_record(), make_record("\ud800 typed by a hostile client")]
    for record in records:
        writer.submit(record)
    with caplog.at_level(logging.ERROR, logger="kwissle.realtime.results"):
        left = await writer.flush(timeout=0.5)
    assert left == [r.id for r in records] and writer.pending == 0
    [message] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "NOT STORED" in message and all(r.id in message for r in records) and str(spill) in message
    assert await store.get_battle(records[0].id) is None

    # the next start, with the store healthy again
    again = ResultsWriter(store, spill_path=spill)
    assert again.pending == 2 and not spill.exists()
    await eventually(lambda: again.pending == 0)
    assert [(await store.get_battle(r.id)) == r for r in records] == [True, True]


async def test_without_a_spill_file_what_is_dropped_is_logged_whole(store, make_record, caplog):
    writer = ResultsWriter(BrokenSaves(store))
    record = make_record()
    writer.submit(record)
    with caplog.at_level(logging.ERROR, logger="kwissle.realtime.results"):
        await writer.flush(timeout=0.3)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "LOST" in logged and record.id in logged
    assert record_to_json(record) in logged  # enough to re-enter it by hand


async def test_flush_waits_a_bounded_time_for_a_store_that_hangs(store, make_record):
    writer = ResultsWriter(BrokenSaves(store, hang=True))
    record = make_record()
    writer.submit(record)
    assert await asyncio.wait_for(writer.flush(timeout=0.2), 5) == [record.id]


def test_a_record_survives_its_json_line_whatever_was_typed():
    record = BattleRecord(
        id="b", player_ids=("a", "b"), scores={"a": 0, "b": 1}, winner="b", reason=BattleEnd.FORFEIT,
        started_at=1.5, ended_at=2.5,
        outcomes=(QuestionOutcome("q", None, None, 0, {"a": ["\ud800", "é\x00"], "b": []}, {"a": 2, "b": None}),))
    line = record_to_json(record)
    assert "\n" not in line and line.isascii()
    assert record_from_json(line) == record


def hold_write_lock(path, seconds: float, locked: threading.Event) -> None:
    """Another process's writer, as far as SQLite can tell: BEGIN IMMEDIATE, then sit on it."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


async def status(client) -> dict:
    response = await client.fetch("/api/status")
    assert response.code == 200
    return json.loads(response.body)


async def test_a_battle_ending_while_another_writer_holds_the_database_is_stored_once_it_lets_go(
        server, caplog):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    battle, _ = await pair(a, b)
    await a.expect("question", q=0)
    locked = threading.Event()
    holder = threading.Thread(target=hold_write_lock,
                              args=(path_from_url(server.settings.database_url), 6.0, locked))
    caplog.set_level(logging.INFO)
    holder.start()
    try:
        assert await asyncio.to_thread(locked.wait, 5)
        await b.send({"type": "leave"})
        await a.until("end")
        assert (await status(a))["unsaved"] == 1
        await asyncio.sleep(2)
        assert (await status(a)) == {"online": 2, "waiting": 0, "battles": 0, "unsaved": 1}
    finally:
        await asyncio.to_thread(holder.join)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (await status(a))["unsaved"]:
        assert loop.time() < deadline, "the result was never stored"
        await asyncio.sleep(0.1)
    record = await server.store.get_battle(battle["id"])
    assert record.reason is BattleEnd.FORFEIT and record.winner == a.id
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert any("not stored yet" in r.getMessage() for r in caplog.records)
    await a.close()
    await b.close()


class RefusesOne:
    """A fake store: the real SQLite store, except that it keeps refusing one battle (say, a
    constraint it breaks) while saving every other."""

    def __init__(self, store, refused_id: str) -> None:
        self._store = store
        self.refused_id = refused_id
        self.refusals = 0

    async def save_battle(self, record):
        if record.id == self.refused_id:
            self.refusals += 1
            raise StorageError("the store refused the change: FOREIGN KEY constraint failed")
        await self._store.save_battle(record)

    def __getattr__(self, name):
        return getattr(self._store, name)


async def test_a_battle_the_store_keeps_refusing_does_not_hold_up_the_others(store, make_record, caplog):
    stuck, *others = make_record(), make_record(), make_record()
    refusing = RefusesOne(store, stuck.id)
    writer = ResultsWriter(refusing, sleep=RecordedSleep())
    with caplog.at_level(logging.WARNING, logger="kwissle.realtime.results"):
        for record in (stuck, *others):
            writer.submit(record)
        await eventually(lambda: writer.pending == 1)
    assert [await store.get_battle(r.id) is not None for r in others] == [True, True]
    assert await store.get_battle(stuck.id) is None
    assert writer.pending == 1  # still kept, and still retried: never dropped
    before = refusing.refusals
    await eventually(lambda: refusing.refusals > before)
    assert any("set behind the 2 other battles" in r.getMessage() for r in caplog.records)
    assert (await writer.flush(0.05)) == [stuck.id]  # reported at shutdown, not lost silently
