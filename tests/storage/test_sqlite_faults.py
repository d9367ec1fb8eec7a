"""The SQLite store under real faults while it runs: a file held by another process, a full disk."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from kwissle.model import QuestionStatus
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from kwissle.storage.sqlite import BUSY_TIMEOUT_SECONDS
from tests.storage.faults import (
    CannotMount,
    cannot_set_up,
    tmpfs,
    write_lock_held_by_another_process,
)
from tests.storage.full_disk_scenario import (
    big_battle,
    fill_file_system,
    questions,
    save_fails_while_full_then_succeeds,
)

ROOT = Path(__file__).parent.parent.parent


async def test_a_write_held_off_past_the_busy_timeout_fails_as_busy_while_reads_go_on(tmp_path):
    path = tmp_path / "kwissle.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        a = await store.ensure_guest("a", "A")
        b = await store.ensure_guest("b", "B")
        stored = await store.add_questions(questions(3), QuestionStatus.PUBLISHED)
        record = big_battle("held-off", a.id, b.id, [q.id for q in stored])

        with write_lock_held_by_another_process(path):
            save = asyncio.create_task(store.save_battle(record))
            await asyncio.sleep(0.2)  # the save is now waiting for the file
            # Reads are not queued behind the waiting write.
            assert await store.get_player("a") == a
            assert await store.count_questions(QuestionStatus.PUBLISHED) == 3
            assert not save.done()

            with pytest.raises(StorageError) as refused:
                await asyncio.wait_for(save, BUSY_TIMEOUT_SECONDS + 30)  # fails, never hangs
            assert str(refused.value).startswith("the store is busy: another process has held the write lock")
            assert await store.get_battle(record.id) is None
            assert await store.get_counter("battles_complete") == 0

        # The other process let go: the very same save now lands, once.
        await store.save_battle(record)
        assert await store.get_battle(record.id) == record
        assert await store.get_counter("battles_complete") == 1
    finally:
        await store.close()


async def test_a_save_on_a_full_disk_fails_cleanly_and_succeeds_once_space_is_freed(tmp_path):
    """A real full file system (a 4 MB tmpfs); without the right to mount, a file size limit instead."""
    try:
        with tmpfs(tmp_path / "small", "4m") as folder:
            filler = folder / "filler"
            message = await save_fails_while_full_then_succeeds(
                folder, fill=lambda: fill_file_system(folder), free=filler.unlink)
    except CannotMount:
        message = _run_under_a_file_size_limit(tmp_path)
    assert "full" in message or "disk I/O error" in message


def test_a_save_past_the_file_size_limit_fails_cleanly_and_succeeds_once_it_is_lifted(tmp_path):
    """`ulimit -f` is the same fault seen through another door: the write is refused with EFBIG."""
    message = _run_under_a_file_size_limit(tmp_path)
    assert message.startswith("disk I/O error on the store at")


def _run_under_a_file_size_limit(tmp_path: Path) -> str:
    child = subprocess.run([sys.executable, "-m", "tests.storage.full_disk_scenario", str(tmp_path)],
                           check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    if child.returncode != 0 and "setrlimit" in child.stderr:
        cannot_set_up(child.stderr.strip().splitlines()[-1])
    assert child.returncode == 0, child.stderr
    return child.stdout.strip()
