"""Every adapter of the storage port, for the contract suite to run against.

- `sqlite`: a real SQLite file in the test's folder;
- `mongo-standin`: the MongoDB adapter on an in-process STAND-IN for a server
  (tests/support/mongo_standin.py: mongomock behind PyMongo's async API), always;
- `mongo-server`: the MongoDB adapter on a real server, when KWISSLE_TEST_MONGODB_URL
  names one (a replica set: `mongod --replSet rs0` and `rs.initiate()` once). Each test
  gets its own database, dropped after it. A server that cannot be reached fails the
  test: it is never skipped.
"""

import os
import secrets
from contextlib import asynccontextmanager, suppress

import pytest

from kwissle.storage.open import open_store

MONGODB_URL = os.environ.get("KWISSLE_TEST_MONGODB_URL", "")
MONGO_KINDS = ["mongo-standin", *(["mongo-server"] if MONGODB_URL else [])]
ADAPTERS = ["sqlite", *MONGO_KINDS]


@asynccontextmanager
async def mongo_database(kind):
    """(client, database name) on the stand-in or the real server; the database is dropped after."""
    if kind == "mongo-standin":
        from tests.support.mongo_standin import StandInClient

        client = StandInClient()
    else:
        from pymongo import AsyncMongoClient

        timeout = {} if "serverselectiontimeoutms" in MONGODB_URL.lower() else {"serverSelectionTimeoutMS": 5000}
        client = AsyncMongoClient(MONGODB_URL, **timeout)
    name = f"kwissle_test_{secrets.token_hex(4)}"
    try:
        try:
            yield client, name
        except BaseException:
            with suppress(Exception):  # the test's own failure (say, no server) is what to report
                await client.drop_database(name)
            raise
        await client.drop_database(name)
    finally:
        await client.close()


async def open_mongo_store(client, name):
    from kwissle.storage.mongo import MongoStore

    return await MongoStore.start(client, name)


@pytest.fixture(params=MONGO_KINDS)
async def mongo(request):
    """(client, database name) for tests particular to the MongoDB adapter."""
    async with mongo_database(request.param) as opened:
        yield opened


@pytest.fixture(params=ADAPTERS)
async def store(request, tmp_path):
    if request.param == "sqlite":
        store = await open_store(f"sqlite:///{tmp_path / 'contract.db'}")
        yield store
        await store.close()
        return
    async with mongo_database(request.param) as (client, name):
        store = await open_mongo_store(client, name)
        yield store
        await store.close()


@pytest.fixture
async def sqlite(tmp_path):
    """`await sqlite(name)`: a SQLite store in a file of that name, closed after the test."""
    opened = []

    async def open_one(name):
        store = await open_store(f"sqlite:///{tmp_path / name}")
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        await store.close()
