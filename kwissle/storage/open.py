"""Open the store a database URL names (`KWISSLE_DATABASE_URL`)."""

from __future__ import annotations

from kwissle.storage.port import StorageError, Store


async def open_store(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from kwissle.storage.sqlite import SQLiteStore

        return await SQLiteStore.open(url)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from kwissle.storage.mongo import MongoStore

        return await MongoStore.open(url)
    raise StorageError(f"KWISSLE_DATABASE_URL: unsupported database URL {url!r}")
