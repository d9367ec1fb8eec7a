"""Real faults for the store's tests: a small or read-only file system, a process holding the write lock.

Some faults need root (mounting a tmpfs; root also ignores permission bits, so a
read-only folder is a read-only mount for root and permission bits otherwise).
A test that cannot set up its fault skips on a developer's machine but fails
under CI (`CI=true`), so a missing capability never passes as a green test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosqlite.core import _connection_worker_thread


def cannot_set_up(reason: str) -> None:
    """A fault test that cannot build its fault proves nothing: it fails, naming why (never a skip)."""
    pytest.fail(f"cannot set up the fault here: {reason}")


class CannotMount(Exception):
    pass


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "4m") mounted at `where` for the block; CannotMount if not allowed."""
    if os.geteuid() != 0:
        raise CannotMount("mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                             check=False, capture_output=True, text=True)
    if mounted.returncode != 0:
        raise CannotMount(mounted.stderr.strip() or f"mount exited with {mounted.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "--lazy", str(where)], check=False)


class LockableFolder:
    """A folder that starts writable and can be made read-only, for root as for anyone."""

    def __init__(self, path: Path, mounted: bool) -> None:
        self.path = path
        self._mounted = mounted

    def make_read_only(self) -> None:
        if self._mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            for item in self.path.rglob("*"):
                item.chmod(0o555 if item.is_dir() else 0o444)
            self.path.chmod(0o555)


@contextmanager
def lockable_folder(where: Path) -> Iterator[LockableFolder]:
    if os.geteuid() == 0:
        try:
            with tmpfs(where, "8m"):
                yield LockableFolder(where, mounted=True)
        except CannotMount as error:
            cannot_set_up(f"root ignores permission bits and a read-only mount failed: {error}")
        return
    where.mkdir(parents=True, exist_ok=True)
    try:
        yield LockableFolder(where, mounted=False)
    finally:  # let pytest remove it
        for item in [where, *where.rglob("*")]:
            item.chmod(0o755 if item.is_dir() else 0o644)


_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
db.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held_by_another_process(path: Path) -> Iterator[subprocess.Popen]:
    """Another process holds `BEGIN IMMEDIATE` on the file until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def store_threads() -> set[threading.Thread]:
    """The aiosqlite connection threads alive now (each one keeps the process from exiting)."""
    return {t for t in threading.enumerate() if getattr(t, "_target", None) is _connection_worker_thread}


def assert_no_thread_left_since(before: set[threading.Thread]) -> None:
    for thread in store_threads() - before:
        thread.join(timeout=10)
        assert not thread.is_alive(), "a store connection thread is still running"
