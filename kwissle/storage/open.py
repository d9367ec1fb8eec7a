"""Open the store a database URL names (`KWISSLE_DATABASE_URL`)."""

from __future__ import annotations

from kwissle.storage.port import Store


async def open_store(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from kwissle.storage.sqlite import SQLiteStore

        return await SQLiteStore.open(url)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        raise NotImplementedError("the MongoDB adapter is not built yet: use a sqlite:/// URL")
    raise ValueError(f"unsupported database URL: {url}")
