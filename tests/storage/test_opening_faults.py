"""A store that cannot open: one clear line, nothing left running, and `kwissle` exits 2 at once.

Each fault is real: a directory where the file should be, garbage bytes, a file
standing where a folder should be, and a read-only file system (or permission
bits, when not root) under an existing store, an empty folder and a folder to create.
"""

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from tests.storage.faults import (
    assert_no_thread_left_since,
    lockable_folder,
    store_threads,
)

ROOT = Path(__file__).parent.parent.parent


async def _existing_store(path: Path) -> None:
    store = await open_store(f"sqlite:///{path}")
    await store.create_player("Ana")
    await store.close()


async def _prepare(kind: str, tmp_path: Path, stack: ExitStack) -> Path:
    """Set up the fault `kind`; return the store path that meets it."""
    if kind == "a directory":
        (tmp_path / "kwissle.db").mkdir()
        return tmp_path / "kwissle.db"
    if kind == "garbage bytes":
        (tmp_path / "kwissle.db").write_bytes(b"these are not the bytes of a database\n" * 200)
        return tmp_path / "kwissle.db"
    if kind == "a file as its folder":
        (tmp_path / "data").write_text("a file, not a folder\n")
        return tmp_path / "data" / "kwissle.db"
    folder = stack.enter_context(lockable_folder(tmp_path / "locked"))
    if kind == "a read-only file":
        await _existing_store(folder.path / "kwissle.db")
        folder.make_read_only()
        return folder.path / "kwissle.db"
    folder.make_read_only()
    if kind == "an unwritable folder":
        return folder.path / "kwissle.db"
    if kind == "a folder it cannot create":
        return folder.path / "data" / "kwissle.db"
    raise AssertionError(kind)


FAULTS = [
    ("a directory", "it is a directory, not a database file"),
    ("garbage bytes", "the file is not a SQLite database, or it is damaged"),
    ("a file as its folder", "is a file, not a folder"),
    ("a read-only file", "the file is read-only"),
    ("an unwritable folder", "is not writable"),
    ("a folder it cannot create", "cannot create its folder"),
]


@pytest.mark.parametrize("kind, words", FAULTS)
async def test_a_store_that_cannot_open_is_one_clear_line_and_leaves_no_thread(tmp_path, kind, words):
    with ExitStack() as stack:
        path = await _prepare(kind, tmp_path, stack)
        before = store_threads()
        with pytest.raises(StorageError) as refused:
            await open_store(f"sqlite:///{path}")
        assert_no_thread_left_since(before)
    message = str(refused.value)
    assert message.startswith(f"cannot open the store at {path}: ")
    assert words in message and "\n" not in message


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["import", "BANK", "--format", "opentdb"]])
@pytest.mark.parametrize("kind, words", FAULTS)
async def test_kwissle_with_a_store_that_cannot_open_says_so_in_one_line_and_exits_2(tmp_path, kind, words,
                                                                                    command):
    bank = tmp_path / "bank.json"
    bank.write_text('{"response_code": 0, "results": []}')
    command = [str(bank) if arg == "BANK" else arg for arg in command]
    with ExitStack() as stack:
        path = await _prepare(kind, tmp_path, stack)
        result = _kwissle(command, KWISSLE_DATA_DIR=str(tmp_path / "settings"),
                          KWISSLE_DATABASE_URL=f"sqlite:///{path}")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"kwissle: cannot open the store at {path}: ") and words in line


async def test_serve_with_a_read_only_data_folder_says_so_in_one_line_and_exits_2(tmp_path):
    with lockable_folder(tmp_path / "data") as folder:
        folder.make_read_only()
        without_secret = _kwissle(["serve", "--port", "0"], KWISSLE_DATA_DIR=str(folder.path))
        with_secret = _kwissle(["serve", "--port", "0"], KWISSLE_DATA_DIR=str(folder.path),
                               KWISSLE_COOKIE_SECRET="s" * 32)
    assert without_secret.returncode == 2
    assert without_secret.stderr.strip().splitlines() == [
        f"kwissle: cannot use the data folder: {_read_only_reason()}: {folder.path / 'cookie_secret'}"]
    assert with_secret.returncode == 2
    [line] = with_secret.stderr.strip().splitlines()
    assert line.startswith(f"kwissle: cannot open the store at {folder.path / 'kwissle.db'}: its folder")


def _read_only_reason() -> str:
    return "Read-only file system" if os.geteuid() == 0 else "Permission denied"


def _kwissle(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run `python -m kwissle` with only these settings; a process that hangs fails the test by timing out."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("KWISSLE_")}
    return subprocess.run([sys.executable, "-m", "kwissle", *args], cwd=ROOT, check=False,
                          env={**environ, **env}, capture_output=True, text=True, timeout=30)
