"""A STAND-IN for a MongoDB server: mongomock behind the subset of PyMongo's async API
that `kwissle.storage.mongo.MongoStore` uses. It is not MongoDB.

No MongoDB server can be installed on these machines, so CI runs the storage contract
against this (test ids `mongo-standin`), and against a real server only when
`KWISSLE_TEST_MONGODB_URL` names one. The adapter is handed this client instead of a
`pymongo.AsyncMongoClient` and runs exactly its production code.

What it does like the real driver and server:
- every document, filter and update is BSON-encoded first, in this process, as the
  driver does: lone surrogates, ints beyond 64 bits and other unencodable values fail
  with the driver's exceptions, and stored values come back as BSON gives them;
- every call yields to the event loop before it runs and after it answers, as a round
  trip does, so concurrent callers interleave between operations; each operation is
  atomic on its own, as a single-document write is on a server;
- unique indexes (including partial ones), upserts, `$inc`, `$setOnInsert`, sorting,
  `$in`/`$nin`, `$group`: mongomock's implementation, with pymongo's own exceptions
  (DuplicateKeyError, BulkWriteError);
- `hello` answers as a replica set member, so transactions are allowed.

What it only imitates, and so cannot prove (the real-server run does):
- transactions: a transaction holds one lock for its whole length (every other call
  waits) and is rolled back from a copy of the data taken at its start. That proves the
  adapter's all-or-nothing logic and that no call inside a transaction forgets its
  session (that raises here), not MongoDB's snapshot isolation, write conflicts or the
  driver's retry of a transient transaction error;
- indexes: mongomock enforces uniqueness by scanning, it builds nothing and plans
  nothing, so whether a query uses an index (e.g. sampling seeking the (status, rand)
  index instead of scanning) is not shown;
- TTL expiry runs on read here, not in a background monitor every 60 s;
- network faults: `fail_with` makes every call raise a given driver exception.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from typing import Any

import bson
import mongomock
from pymongo import ReturnDocument
from pymongo.errors import InvalidOperation
from pymongo.operations import InsertOne, UpdateOne


def _bson(value: Any) -> Any:
    """`value` as it would reach the server: encoded (raising what the driver raises) and decoded."""
    if value is None:
        return None
    return bson.decode(bson.encode({"v": value}))["v"]


class StandInClient:
    """In place of `pymongo.AsyncMongoClient`: one in-memory server."""

    def __init__(self) -> None:
        self._sync = mongomock.MongoClient()
        self._lock = asyncio.Lock()
        self._holder: StandInSession | None = None
        self._closed = False
        self.fail_with: BaseException | None = None

    def __getitem__(self, name: str) -> StandInDatabase:
        return StandInDatabase(self, name)

    def start_session(self) -> StandInSession:
        return StandInSession(self)

    async def drop_database(self, name: str) -> None:
        await self._call(None, self._sync.drop_database, name)

    async def close(self) -> None:
        self._closed = True

    async def _call(self, session: StandInSession | None, operation: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one operation as a round trip: yield, wait for any transaction but `session`'s, run, yield."""
        await asyncio.sleep(0)
        if self._closed:
            raise InvalidOperation("Cannot use MongoClient after close")
        if self.fail_with is not None:
            raise self.fail_with
        if session is not None:
            if self._holder is not session:
                raise InvalidOperation("the stand-in runs session operations inside a transaction only")
            result = operation(*args, **kwargs)
        else:
            if self._holder is not None and self._holder.task is asyncio.current_task():
                raise AssertionError("an operation inside a transaction was called without its session")
            async with self._lock:
                result = operation(*args, **kwargs)
        await asyncio.sleep(0)
        return result

    # transactions: one at a time, rolled back from a copy
    async def _begin(self, session: StandInSession) -> None:
        await self._lock.acquire()
        self._holder = session
        session.task = asyncio.current_task()
        session.saved = {(db_name, name): copy.deepcopy(collection._documents)
                         for db_name, db in self._sync._store._databases.items()
                         for name, collection in db._collections.items()}

    def _end(self, session: StandInSession, commit: bool) -> None:
        if not commit:
            for db_name, db in self._sync._store._databases.items():
                for name, collection in db._collections.items():
                    collection._documents = session.saved.get((db_name, name), OrderedDict())
        session.saved, session.task, self._holder = {}, None, None
        self._lock.release()


class StandInSession:
    def __init__(self, client: StandInClient) -> None:
        self.client = client
        self.task: asyncio.Task | None = None
        self.saved: dict[tuple[str, str], Any] = {}

    @property
    def in_transaction(self) -> bool:
        return self.task is not None

    async def __aenter__(self) -> StandInSession:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self.in_transaction:
            self.client._end(self, commit=False)

    async def start_transaction(self) -> _Transaction:
        return _Transaction(self)

    async def with_transaction(self, callback: Any) -> Any:
        async with await self.start_transaction():
            return await callback(self)


class _Transaction:
    def __init__(self, session: StandInSession) -> None:
        self.session = session

    async def __aenter__(self) -> _Transaction:
        await self.session.client._begin(self.session)
        return self

    async def __aexit__(self, exc_type: Any, *exc: Any) -> None:
        self.session.client._end(self.session, commit=exc_type is None)


class StandInDatabase:
    def __init__(self, client: StandInClient, name: str) -> None:
        self.client, self.name = client, name
        self._sync = client._sync[name]

    def __getitem__(self, name: str) -> StandInCollection:
        return StandInCollection(self.client, self._sync[name])

    async def command(self, name: str, **_: Any) -> dict[str, Any]:
        answers = {"ping": {"ok": 1.0},
                   "hello": {"ok": 1.0, "isWritablePrimary": True, "setName": "mongo-standin"}}
        return await self.client._call(None, lambda: dict(answers[name]))

    async def list_collection_names(self) -> list[str]:
        return await self.client._call(None, self._sync.list_collection_names)

    async def create_collection(self, name: str) -> None:
        await self.client._call(None, self._sync.create_collection, name)


class StandInCollection:
    def __init__(self, client: StandInClient, collection: mongomock.Collection) -> None:
        self.client, self._sync = client, collection

    def _call(self, session: Any, operation: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client._call(session, operation, *args, **kwargs)

    async def insert_one(self, document: dict[str, Any], session: Any = None) -> Any:
        return await self._call(session, self._sync.insert_one, _bson(document))

    async def insert_many(self, documents: list[dict[str, Any]], ordered: bool = True, session: Any = None) -> Any:
        return await self._call(session, self._sync.insert_many, [_bson(d) for d in documents], ordered=ordered)

    async def find_one(self, filter: Any = None, projection: Any = None, *, sort: Any = None,
                       session: Any = None) -> Any:
        def run() -> Any:
            found = self._sync.find(_bson(filter) or {}, projection)
            if sort:
                found = found.sort(sort)
            return next(iter(found.limit(1)), None)
        return await self._call(session, run)

    def find(self, filter: Any = None, projection: Any = None, *, session: Any = None) -> StandInCursor:
        return StandInCursor(self, lambda: self._sync.find(_bson(filter) or {}, projection), session)

    async def count_documents(self, filter: Any, session: Any = None) -> int:
        return await self._call(session, self._sync.count_documents, _bson(filter))

    async def update_one(self, filter: Any, update: Any, upsert: bool = False, session: Any = None) -> Any:
        return await self._call(session, self._sync.update_one, _bson(filter), _bson(update), upsert=upsert)

    async def delete_one(self, filter: Any, session: Any = None) -> Any:
        return await self._call(session, self._sync.delete_one, _bson(filter))

    async def find_one_and_update(self, filter: Any, update: Any, projection: Any = None, *, upsert: bool = False,
                                  return_document: bool = ReturnDocument.BEFORE, session: Any = None) -> Any:
        return await self._call(session, self._sync.find_one_and_update, _bson(filter), _bson(update),
                                projection, upsert=upsert, return_document=return_document)

    async def bulk_write(self, requests: list[Any], ordered: bool = True, session: Any = None) -> None:
        # pymongo 4.20's operations no longer fit mongomock's bulk builder: one write each, in order.
        def run() -> None:
            for request in requests:
                if isinstance(request, UpdateOne):
                    self._sync.update_one(_bson(request._filter), _bson(request._doc), upsert=bool(request._upsert))
                elif isinstance(request, InsertOne):
                    self._sync.insert_one(_bson(request._doc))
                else:
                    raise NotImplementedError(f"the stand-in has no bulk {type(request).__name__}")
        await self._call(session, run)

    async def aggregate(self, pipeline: list[Any], session: Any = None) -> StandInCursor:
        documents = await self._call(session, lambda: list(self._sync.aggregate(_bson(pipeline))))
        return StandInCursor(self, lambda: documents, None, ready=True)

    async def create_index(self, keys: Any, **options: Any) -> str:
        return await self._call(None, self._sync.create_index, keys, **options)

    async def index_information(self) -> dict[str, Any]:
        return await self._call(None, self._sync.index_information)


class StandInCursor:
    """A find's cursor: chain sort/skip/limit, then iterate (the whole result is one round trip)."""

    def __init__(self, collection: StandInCollection, source: Any, session: Any, ready: bool = False) -> None:
        self._collection, self._source, self._session, self._ready = collection, source, session, ready
        self._steps: list[tuple[str, Any]] = []
        self._results: list[Any] | None = None

    def sort(self, keys: Any) -> StandInCursor:
        self._steps.append(("sort", keys))
        return self

    def skip(self, count: int) -> StandInCursor:
        self._steps.append(("skip", count))
        return self

    def limit(self, count: int) -> StandInCursor:
        self._steps.append(("limit", count))
        return self

    async def to_list(self, length: int | None = None) -> list[Any]:
        if self._results is None:
            self._results = await self._fetch()
        return self._results if length is None else self._results[:length]

    def __aiter__(self) -> Any:
        return self._iterate()

    async def _iterate(self) -> Any:
        for document in await self.to_list():
            yield document

    async def _fetch(self) -> list[Any]:
        def run() -> list[Any]:
            found = self._source()
            for step, argument in self._steps:
                found = getattr(found, step)(argument)
            return list(found)
        if self._ready:
            return list(self._source())
        return await self._collection._call(self._session, run)
