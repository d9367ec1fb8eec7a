"""What a full disk must do to a save, shared by the tests on a small tmpfs and under a file size limit.

A save that cannot be written fails as StorageError and leaves no trace; reads
go on; once there is room again, the very same save succeeds and is counted once.

Run as `python -m tests.storage.full_disk_scenario FOLDER` it plays the scenario
in this (child) process with RLIMIT_FSIZE as the fault, so the limit never
touches the test runner's own files.
"""

from __future__ import annotations

import asyncio
import resource
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
)
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError


def questions(count: int) -> list[NewQuestion]:
    return [NewQuestion(text=f"What is thing {n}?", answer=f"Thing {n}", variants=(), wrong=("A", "B", "C"),
                        category="Test", source="test") for n in range(count)]


def big_battle(battle_id: str, a: str, b: str, question_ids: list[str]) -> BattleRecord:
    """A battle whose rows take more room than a small file system has left (the typed guesses)."""
    guesses = [f"guess {n} " + "x" * 2000 for n in range(20)]
    return BattleRecord(
        id=battle_id, player_ids=(a, b), scores={a: 3, b: 0}, winner=a, reason=BattleEnd.COMPLETE,
        started_at=1.0, ended_at=2.0,
        outcomes=tuple(QuestionOutcome(qid, a, "typed", 3, {a: guesses, b: guesses}, {a: None, b: None})
                       for qid in question_ids))


async def save_fails_while_full_then_succeeds(folder: Path, fill: Callable[[], None],
                                              free: Callable[[], None]) -> str:
    """Play the scenario; return the StorageError's message (for the test to show)."""
    path = folder / "kwissle.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        a = await store.ensure_guest("player-a", "A")
        b = await store.ensure_guest("player-b", "B")
        stored = await store.add_questions(questions(3), QuestionStatus.PUBLISHED)
        record = big_battle("full-disk-battle", a.id, b.id, [q.id for q in stored])

        fill()
        with pytest.raises(StorageError) as refused:
            await store.save_battle(record)
        # Nothing of it landed, and reads still work on a full disk.
        assert await store.get_battle(record.id) is None
        assert [(await store.get_question(q.id)).stats.asked for q in stored] == [0, 0, 0]
        assert await store.get_counter("battles_complete") == 0

        free()
        await store.save_battle(record)
        assert await store.get_battle(record.id) == record
        assert [(await store.get_question(q.id)).stats.asked for q in stored] == [1, 1, 1]
        assert await store.get_counter("battles_complete") == 1
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM battles").fetchone() == (1,)
    return str(refused.value)


def fill_file_system(folder: Path) -> Path:
    """Write a filler file until the file system refuses another byte."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:
        while chunk:
            try:
                out.write(chunk)
            except OSError:
                chunk = chunk[: len(chunk) // 2]
    return filler


def _under_a_file_size_limit(folder: Path) -> str:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    wal = folder / "kwissle.db-wal"

    def fill() -> None:  # no file may grow: the next transaction needs the WAL to
        resource.setrlimit(resource.RLIMIT_FSIZE, (wal.stat().st_size, hard))

    def free() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))

    return asyncio.run(save_fails_while_full_then_succeeds(folder, fill, free))


if __name__ == "__main__":
    print(_under_a_file_size_limit(Path(sys.argv[1])))
