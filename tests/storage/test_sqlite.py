"""What is particular to the SQLite adapter: the file, WAL and migrations."""

import sqlite3

import pytest

from kwissle.storage.port import StorageError
from kwissle.storage.sqlite import MIGRATIONS, SQLiteStore


async def test_opening_creates_the_file_in_wal_mode_at_the_latest_schema(tmp_path):
    path = tmp_path / "nested" / "k.db"
    store = await SQLiteStore.open(f"sqlite:///{path}")
    assert await store.schema_version() == len(MIGRATIONS)
    await store.create_player("Ana")
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT name FROM players").fetchall() == [("Ana",)]


async def test_reopening_keeps_data_and_runs_no_migration_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store = await SQLiteStore.open(url)
    player = await store.create_player("Ana")
    await store.close()
    store = await SQLiteStore.open(url)
    assert (await store.get_player(player.id)).name == "Ana"
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()


async def test_a_store_from_a_newer_kwissle_is_refused_untouched(tmp_path):
    path = tmp_path / "k.db"
    store = await SQLiteStore.open(f"sqlite:///{path}")
    await store.close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(StorageError, match=r"newer than this Kwissle knows .*upgrade Kwissle"):
        await SQLiteStore.open(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS) + 1,)
