"""`python -m kwissle export FILE` and `import-data FILE [--force]` as an operator runs them: real processes, real files."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kwissle.storage.open import open_store
from tests.storage.sample_dump import full_dump

ROOT = Path(__file__).parent.parent
COUNTS = ("player 2, question 2, battle 2, review 2, report 2, counter 2, mail 2, moderation 3, appeal 2, ban 2, "
          "challenge 2 (23 rows)")


def run(args, data_dir, **env):
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(data_dir), **env}
    environ.pop("KWISSLE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "kwissle", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60, check=False)


def store_url(data_dir):
    return f"sqlite:///{data_dir / 'kwissle.db'}"


async def with_store(data_dir, action):
    store = await open_store(store_url(data_dir))
    try:
        return await action(store)
    finally:
        await store.close()


def fill(data_dir, rows):
    asyncio.run(with_store(data_dir, lambda store: store.import_rows(rows)))


def exported(data_dir):
    async def rows(store):
        return [row async for row in store.export_rows()]

    return asyncio.run(with_store(data_dir, rows))


def refused(result):
    """The one stderr line of a refusal (exit 2, no traceback)."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture
def source(tmp_path):
    data = tmp_path / "source"
    fill(data, full_dump())
    return data


def test_export_then_import_data_moves_the_whole_store_and_says_what_it_moved(source, tmp_path):
    dump, again = tmp_path / "store.jsonl", tmp_path / "again.jsonl"
    result = run(["export", str(dump)], source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"exported {COUNTS} from {store_url(source)} to {dump}\n"

    target = tmp_path / "target"
    result = run(["import-data", str(dump)], target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"imported {COUNTS} from {dump} into {store_url(target)}\n"
    assert exported(target) == full_dump()

    assert run(["export", str(again)], target).returncode == 0
    first, second = dump.read_bytes().split(b"\n", 1), again.read_bytes().split(b"\n", 1)
    assert first[1] == second[1]  # every record, byte for byte
    assert json.loads(first[0])["counts"] == json.loads(second[0])["counts"]
    assert json.loads(first[0])["source"] == "sqlite"


def test_import_data_refuses_a_store_that_is_not_empty_and_with_force_adds_only_what_is_missing(source, tmp_path):
    dump = tmp_path / "store.jsonl"
    assert run(["export", str(dump)], source).returncode == 0
    target = tmp_path / "target"
    rows = full_dump()
    fill(target, [rows[0], ("player", {**rows[1][1], "name": "Zoë as the target knows her"})])

    line = refused(run(["import-data", str(dump)], target))
    assert line == ("kwissle import-data: the store is not empty: import-data fills an empty store; with --force "
                    "it adds the dump's rows whose ids the store does not hold and leaves the others as they are")
    assert [kind for kind, _ in exported(target)] == ["player", "player"]  # untouched

    result = run(["import-data", str(dump), "--force"], target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"imported player 0, question 2, battle 2, review 2, report 2, counter 2, mail 2, moderation 3, appeal 2, "
        f"ban 2, challenge 2 (21 rows) "
        f"from {dump} into {store_url(target)}; skipped 2 rows already in the store\n")
    after = exported(target)
    assert after[1] == ("player", {**rows[1][1], "name": "Zoë as the target knows her"})  # left as it was
    assert after[2:] == rows[2:]


@pytest.mark.parametrize("content, message", [
    ('{"format": "kwissle-dump", "version": 9, "counts": {}}\n',
     "dump format version 9 is not one this Kwissle reads (it reads versions 1, 2, 3)"),
    ("name,answer\nParis,France\n", "line 1 is not a Kwissle dump header (format 'kwissle-dump')"),
    ('{"format": "kwissle-dump", "version": 1, "counts": {"player": 1}}\n{"kind": "player", "row": {"id": "x",}}\n',
     "line 2: not JSON (Expecting property name enclosed in double quotes at column 38)"),
])
def test_import_data_refuses_a_dump_it_cannot_read_naming_the_line(tmp_path, content, message):
    dump = tmp_path / "bad.jsonl"
    dump.write_text(content, encoding="utf-8")
    target = tmp_path / "target"
    assert refused(run(["import-data", str(dump)], target)) == f"kwissle import-data: {dump}: {message}"
    assert not (target / "kwissle.db").exists()  # the file is read whole before the store is opened


def test_a_dump_with_a_bad_row_late_in_it_imports_nothing(source, tmp_path):
    dump = tmp_path / "store.jsonl"
    assert run(["export", str(dump)], source).returncode == 0
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace('"expires_at":4100000005.0', '"expires_at":"soon"')
    dump.write_text("".join(lines), encoding="utf-8")
    target = tmp_path / "target"
    line = refused(run(["import-data", str(dump)], target))
    assert line == f"kwissle import-data: {dump}: line 24: a challenge row's 'expires_at' must be a number, not 'soon'"
    assert not (target / "kwissle.db").exists()  # refused before the store was opened, let alone written


def test_missing_files_and_unwritable_places_are_one_line_each(tmp_path):
    missing = tmp_path / "nope.jsonl"
    assert refused(run(["import-data", str(missing)], tmp_path / "t")) == (
        f"kwissle import-data: cannot read {missing}: No such file or directory")
    nowhere = tmp_path / "no-folder" / "store.jsonl"
    assert refused(run(["export", str(nowhere)], tmp_path / "t")) == (
        f"kwissle export: cannot write {nowhere}: No such file or directory")
