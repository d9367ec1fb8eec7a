"""The worker role: a job runner that survives failing jobs, and its one job today."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys

from kwissle.bank.starter import seed_if_empty
from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome, QuestionStatus
from kwissle.realtime.results import UNSAVED_BATTLES_FILE, record_to_json
from kwissle.storage.open import open_store
from kwissle.worker import Job, JobRunner, take_back_unsaved_battles
from tests.deploy.stack import ROOT
from tests.support.waiting import eventually


async def test_a_failing_job_is_logged_and_runs_again_and_never_stops_the_others(caplog):
    turns = {"flaky": 0, "steady": 0}

    async def flaky():
        turns["flaky"] += 1
        if turns["flaky"] <= 2:
            raise RuntimeError("the store is away")
        return "done"

    async def steady():
        turns["steady"] += 1
        return None

    runner = JobRunner([Job("flaky", 0.01, flaky), Job("steady", 0.01, steady)])
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="kwissle.worker"):
        running = asyncio.ensure_future(runner.run(stop))
        await eventually(lambda: turns["flaky"] >= 4 and turns["steady"] >= 4)
        stop.set()
        await asyncio.wait_for(running, 2)
    assert runner.failures == {"flaky": 2, "steady": 0}
    failed = [r for r in caplog.records if "job flaky failed" in r.getMessage()]
    assert len(failed) == 2 and all(r.exc_info for r in failed)  # with the traceback
    assert any("job flaky: done" in r.getMessage() for r in caplog.records)


async def a_spill(tmp_path, count: int):
    """A store with two players, and `count` finished battles between them, not stored yet."""
    store = await open_store(f"sqlite:///{tmp_path / 'kwissle.db'}")
    await seed_if_empty(store)
    a = await store.create_player("Ada")
    b = await store.create_player("Bo")
    question = (await store.list_questions(QuestionStatus.PUBLISHED))[0]
    records = [BattleRecord(
        id=f"battle-{n}", player_ids=(a.id, b.id), scores={a.id: 3, b.id: 0}, winner=a.id,
        reason=BattleEnd.COMPLETE, started_at=1000.0 + n, ended_at=1100.0 + n,
        outcomes=(QuestionOutcome(question.id, a.id, "typed", 3, {a.id: ["x"], b.id: []}),),
    ) for n in range(count)]
    return store, records


async def test_spilled_battles_are_stored_and_an_unreadable_line_is_kept_for_an_operator(tmp_path):
    store, records = await a_spill(tmp_path, 3)
    try:
        await store.save_battle(records[0])  # stored after all, by a retry the game gave up on
        spill = tmp_path / UNSAVED_BATTLES_FILE
        spill.write_text("".join(record_to_json(r) + "\n" for r in records) + "not a battle\n")
        done = await take_back_unsaved_battles(store, tmp_path)
        assert done.startswith("stored 3 battle(s)") and "1 unreadable" in done
        for record in records:
            assert await store.get_battle(record.id) == record
        assert not spill.exists() and not spill.with_name(spill.name + ".taking").exists()
        assert (tmp_path / (UNSAVED_BATTLES_FILE + ".unreadable")).read_text() == "not a battle\n"
        assert await take_back_unsaved_battles(store, tmp_path) is None  # nothing left to do
    finally:
        await store.close()


async def test_worker_process_takes_back_a_spill_and_stops_cleanly_on_sigterm(tmp_path):
    store, records = await a_spill(tmp_path, 2)
    await store.close()
    (tmp_path / UNSAVED_BATTLES_FILE).write_text("".join(record_to_json(r) + "\n" for r in records))
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "worker", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert "Kwissle worker is up: unsaved-battles" in line

        def stored():
            with sqlite3.connect(tmp_path / "kwissle.db") as db:
                return db.execute("SELECT count(*) FROM battles").fetchone()[0]
        await eventually(lambda: stored() == 2, timeout=15)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 15)
    assert code == 0
    assert not (tmp_path / UNSAVED_BATTLES_FILE).exists()
