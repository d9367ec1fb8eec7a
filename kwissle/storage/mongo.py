"""The MongoDB adapter: the production store, on PyMongo's async client.

Chosen by `KWISSLE_DATABASE_URL=mongodb://...` or `mongodb+srv://...`; the database is
the URL's path (`kwissle` when it has none). The documents and their indexes are in
`mongo_docs.py` and `mongo_schema.py`.

A replica set, always. Saving a battle changes several documents at once (the battle,
each question's play counts, the `battles_<reason>` counter) and adding questions is
all or nothing: both run as one multi-document transaction, so a retried save is
refused whole (the battle's unique `_id`) and never counts a play twice, and readers
never see half of either. Transactions need a replica set or a sharded cluster; a
managed cluster always is one, and a single `mongod` becomes one with `--replSet rs0`
and `rs.initiate()`. A standalone server is refused at start with that advice.
Everything else is one atomic single-document write: counters are `$inc` upserts,
`ensure_guest` a `$setOnInsert` upsert, a review an upsert on its unique
(question, player) pair.

The client is built by `open` from the URL, or handed in (`start`): the tests hand in
an in-process stand-in, and the adapter's code path is the same.

Errors. Every driver error leaves a port method as StorageError with one line
(`mongo_errors`), StoreUnavailable when the server cannot be reached. No URL in a
message carries a password.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from kwissle.model import (
    BattleRecord,
    Mail,
    NewQuestion,
    Player,
    Question,
    QuestionStatus,
    Report,
    Review,
)
from kwissle.storage import dump, mongo_schema
from kwissle.storage import mongo_docs as docs
from kwissle.storage.checking import new_id, new_questions
from kwissle.storage.mongo_errors import (
    DRIVER_ERRORS,
    failure,
    is_duplicate,
    open_failure,
)
from kwissle.storage.mongo_transfer import Importer, export_rows
from kwissle.storage.port import (
    BattleAlreadyStored,
    DuplicateQuestion,
    StorageError,
    masked_url,
)
from kwissle.textfold import fingerprint

DEFAULT_DATABASE = "kwissle"
# How long open waits for a server to answer (unless the URL sets serverSelectionTimeoutMS):
# long enough for a replica set to elect a primary, short enough for `serve` to say why and retry.
SERVER_SELECTION_SECONDS = 10.0
_FINGERPRINTS_PER_QUERY = 1000

T = TypeVar("T")



class MongoStore:
    def __init__(self, client: Any, database: str, where: str, owns_client: bool) -> None:
        self._client = client
        self._db = client[database]
        self._where = where
        self._owns_client = owns_client
        self._closed = False
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @classmethod
    async def open(cls, url: str) -> MongoStore:
        """Connect, check for a replica set and migrate; StorageError (StoreUnavailable if the
        server does not answer) with one clear line if it cannot."""
        from pymongo import AsyncMongoClient

        where = masked_url(url)
        options: dict[str, Any] = {"appname": "kwissle", "tz_aware": False}
        if "serverselectiontimeoutms" not in url.lower():
            options["serverSelectionTimeoutMS"] = int(SERVER_SELECTION_SECONDS * 1000)
        try:
            client = AsyncMongoClient(url, **options)
            database = client.get_default_database(DEFAULT_DATABASE).name
        except (*DRIVER_ERRORS, ValueError, TypeError) as error:
            raise StorageError(f"cannot open the store at {where}: {error}") from error
        try:
            return await cls.start(client, database, where=where, owns_client=True)
        except BaseException:
            await client.close()
            raise

    @classmethod
    async def start(cls, client: Any, database: str, *, where: str = "", owns_client: bool = False) -> MongoStore:
        """The store on an already built client (a real one, or the tests' stand-in)."""
        where = where or f"database {database}"
        try:
            hello = await client[database].command("hello")
            if "setName" not in hello and hello.get("msg") != "isdbgrid":
                raise StorageError(
                    "it is a standalone server, and Kwissle writes a battle in a transaction, which needs a "
                    "replica set: start mongod with --replSet rs0 and run rs.initiate() once (a single-node "
                    "replica set is enough), or use a managed cluster")
            await mongo_schema.migrate(client[database])
        except (StorageError, *DRIVER_ERRORS) as error:
            raise open_failure(error, where) from error
        return cls(client, database, where, owns_client)

    async def schema_version(self) -> int:
        async with self._using() as db:
            return await mongo_schema.schema_version(db)

    async def close(self) -> None:
        """Wait for the calls under way, then close the client (when this store built it)."""
        if self._closed:
            return
        self._closed = True
        await self._idle.wait()
        if self._owns_client:
            await self._client.close()

    # --- the one way in --------------------------------------------------------

    @asynccontextmanager
    async def _using(self, writing: bool = False) -> AsyncIterator[Any]:
        if self._closed:
            raise StorageError(f"the store at {self._where} is closed")
        self._busy += 1
        self._idle.clear()
        try:
            yield self._db
        except DRIVER_ERRORS as error:
            raise failure(error, self._where, writing=writing) from error
        finally:
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def _transaction(self, write: Callable[[Any], Awaitable[T]]) -> T:
        """Run `write(session)` as one transaction. PyMongo runs it again on a transient error
        (a write conflict with another transaction), so `write` must only depend on its arguments."""
        async with self._client.start_session() as session:
            return await session.with_transaction(write)

    # --- players -----------------------------------------------------------

    async def create_player(self, name: str, *, guest: bool = True, email: str | None = None) -> Player:
        player = Player(id=new_id(), name=name, guest=guest, email=email, created_at=time.time())
        async with self._using(writing=True) as db:
            await db["players"].insert_one(docs.player_doc(player))
        return player

    async def ensure_guest(self, player_id: str, name: str) -> Player:
        guest = docs.player_doc(Player(id=player_id, name=name, guest=True, created_at=time.time()))
        del guest["_id"]
        async with self._using(writing=True) as db:
            try:
                doc = await db["players"].find_one_and_update(
                    {"_id": player_id}, {"$setOnInsert": guest}, upsert=True, return_document=ReturnDocument.AFTER)
            except DuplicateKeyError:  # two upserts raced to insert it: the other one did
                doc = await db["players"].find_one({"_id": player_id})
        return docs.player(doc)

    async def get_player(self, player_id: str) -> Player | None:
        async with self._using() as db:
            doc = await db["players"].find_one({"_id": player_id})
        return docs.player(doc) if doc else None

    async def get_player_by_email(self, email: str) -> Player | None:
        async with self._using() as db:
            # $type matches the e-mail index's partial filter, so the query can use it.
            doc = await db["players"].find_one({"email": {"$eq": email.strip().lower(), "$type": "string"}})
        return docs.player(doc) if doc else None

    async def set_admin(self, player_id: str, is_admin: bool) -> bool:
        async with self._using(writing=True) as db:
            result = await db["players"].update_one({"_id": player_id}, {"$set": {"is_admin": bool(is_admin)}})
        return result.matched_count == 1

    async def set_ratings(self, ratings: dict[str, float]) -> None:
        if not ratings:
            return
        updates = [UpdateOne({"_id": player_id}, {"$set": {"rating": float(rating)}})
                   for player_id, rating in ratings.items()]

        async def write(session: Any) -> None:
            await self._db["players"].bulk_write(updates, ordered=True, session=session)

        async with self._using(writing=True):
            await self._transaction(write)

    # --- questions ---------------------------------------------------------

    async def add_questions(
        self, questions: Sequence[NewQuestion], status: QuestionStatus = QuestionStatus.PENDING
    ) -> list[Question]:
        stored = await new_questions(questions, status)
        documents = [docs.question_doc(q) for q in stored]
        prints = [doc["fingerprint"] for doc in documents]
        if len(set(prints)) < len(prints):
            raise DuplicateQuestion("the same question is twice in the batch")
        if not stored:
            return stored

        async def write(session: Any) -> None:
            taken = await self._fingerprints_in(prints, session)
            if taken:
                first = next(q for q, print_ in zip(stored, prints, strict=True) if print_ in taken)
                raise DuplicateQuestion(f"already stored: {first.text[:60]!r}")
            try:
                await self._db["questions"].insert_many(documents, ordered=True, session=session)
            except DRIVER_ERRORS as error:
                if is_duplicate(error):  # stored by another writer since the look above
                    raise DuplicateQuestion("one of the questions was stored meanwhile by another writer") from error
                raise

        async with self._using(writing=True):
            await self._transaction(write)
        return stored

    async def _fingerprints_in(self, prints: Iterable[str], session: Any = None) -> set[str]:
        wanted = list(prints)
        found: set[str] = set()
        for start in range(0, len(wanted), _FINGERPRINTS_PER_QUERY):
            cursor = self._db["questions"].find(
                {"fingerprint": {"$in": wanted[start:start + _FINGERPRINTS_PER_QUERY]}},
                {"fingerprint": 1}, session=session)
            found.update([doc["fingerprint"] async for doc in cursor])
        return found

    async def existing_fingerprints(self, texts: Iterable[str]) -> set[str]:
        async with self._using():
            return await self._fingerprints_in({fingerprint(t) for t in texts})

    async def get_question(self, question_id: str) -> Question | None:
        async with self._using() as db:
            doc = await db["questions"].find_one({"_id": question_id}, docs.QUESTION_FIELDS)
        return docs.question(doc) if doc else None

    async def count_questions(self, status: QuestionStatus | None = None) -> int:
        async with self._using() as db:
            return await db["questions"].count_documents({"status": status.value} if status else {})

    async def list_questions(
        self, status: QuestionStatus | None = None, limit: int = 50, offset: int = 0
    ) -> list[Question]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["questions"].find({"status": status.value} if status else {}, docs.QUESTION_FIELDS)
                      .sort([("created_at", ASCENDING), ("_id", ASCENDING)]).skip(max(offset, 0)).limit(limit))
            return [docs.question(doc) async for doc in cursor]

    async def set_question_status(self, question_id: str, status: QuestionStatus) -> bool:
        async with self._using(writing=True) as db:
            result = await db["questions"].update_one({"_id": question_id}, {"$set": {"status": status.value}})
        return result.matched_count == 1

    async def sample_questions(self, n: int, exclude: Iterable[str] = ()) -> list[Question]:
        """Each of `n` random points in the (status, rand) index picks the first published question
        at or after it (wrapping around): `n` index seeks, no scan, and no two battles share a run
        of neighbours. Points that land on the same question, or on excluded ones, are made up by
        the run after one more point (on a small bank, that is the whole bank)."""
        if n <= 0:
            return []
        excluded = set(exclude)
        async with self._using() as db:
            found = await asyncio.gather(*(self._first_after(db, random.random(), excluded, 1) for _ in range(n)))
            picked = {doc["_id"]: doc for docs_ in found for doc in docs_}
            if len(picked) < n:
                for doc in await self._first_after(db, random.random(), excluded | set(picked), n - len(picked)):
                    picked[doc["_id"]] = doc
        return [docs.question(doc) for doc in list(picked.values())[:n]]

    async def _first_after(self, db: Any, point: float, excluded: set[str], count: int) -> list[dict[str, Any]]:
        """Up to `count` published questions in `rand` order from `point`, wrapping around to 0."""
        taken: list[dict[str, Any]] = []
        for rand in ({"$gte": point}, {"$lt": point}):
            cursor = (db["questions"].find({"status": QuestionStatus.PUBLISHED.value, "rand": rand,
                                            "_id": {"$nin": list(excluded)}}, docs.QUESTION_FIELDS)
                      .sort([("rand", ASCENDING)]).limit(count - len(taken)))
            taken += [doc async for doc in cursor]
            if len(taken) >= count:
                break
        return taken

    # --- battles -------------------------------------------------------------

    async def save_battle(self, record: BattleRecord) -> None:
        battle = docs.battle_doc(record)
        plays = [UpdateOne({"_id": question_id}, {"$inc": inc})
                 for question_id, inc in docs.stat_increments(record).items()]
        counter = f"battles_{record.reason.value}"

        async def write(session: Any) -> None:
            try:
                await self._db["battles"].insert_one(dict(battle), session=session)
            except DuplicateKeyError as error:
                raise BattleAlreadyStored(f"battle {record.id} is already stored") from error
            if plays:
                await self._db["questions"].bulk_write(plays, ordered=False, session=session)
            await self._db["counters"].update_one({"_id": counter}, {"$inc": {"value": 1}}, upsert=True,
                                                  session=session)

        async with self._using(writing=True):
            await self._transaction(write)

    async def get_battle(self, battle_id: str) -> BattleRecord | None:
        async with self._using() as db:
            doc = await db["battles"].find_one({"_id": battle_id})
        return docs.battle(doc) if doc else None

    async def recent_battles(self, player_id: str, limit: int = 20) -> list[BattleRecord]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = db["battles"].find({"players": player_id}).sort([("ended_at", DESCENDING)]).limit(limit)
            return [docs.battle(doc) async for doc in cursor]

    async def recent_question_ids(self, player_id: str, battles: int = 20) -> set[str]:
        if battles <= 0:
            return set()
        async with self._using() as db:
            cursor = (db["battles"].find({"players": player_id}, {"outcomes.question_id": 1})
                      .sort([("ended_at", DESCENDING)]).limit(battles))
            return {o["question_id"] async for doc in cursor for o in doc.get("outcomes", ())}

    async def last_seen_questions(self, player_ids: Sequence[str], battles: int = 20) -> dict[str, tuple[float, int]]:
        seen: dict[str, tuple[float, int]] = {}
        if battles <= 0:
            return seen
        async with self._using() as db:
            for player_id in dict.fromkeys(player_ids):  # one indexed query each (player_recent)
                cursor = (db["battles"].find({"players": player_id}, {"ended_at": 1, "outcomes.question_id": 1})
                          .sort([("ended_at", DESCENDING)]).limit(battles))
                async for doc in cursor:
                    for position, outcome in enumerate(doc.get("outcomes", ())):
                        when = (doc["ended_at"], position)
                        seen[outcome["question_id"]] = max(when, seen.get(outcome["question_id"], when))
        return seen

    # --- reviews and reports -------------------------------------------------

    async def add_review(self, review: Review) -> None:
        doc = docs.review_doc(review)
        doc["created_at"] = review.created_at or time.time()
        key = {"question_id": review.question_id, "player_id": review.player_id}
        change = {"$set": {f: doc[f] for f in ("up", "reason", "created_at")}}
        async with self._using(writing=True) as db:
            try:
                await db["reviews"].update_one(key, change, upsert=True)
            except DuplicateKeyError:  # another upsert of the same pair inserted first: now it matches
                await db["reviews"].update_one(key, change)

    async def review_tally(self, question_id: str) -> tuple[int, int]:
        async with self._using() as db:
            cursor = await db["reviews"].aggregate([
                {"$match": {"question_id": question_id}},
                {"$group": {"_id": "$up", "n": {"$sum": 1}}}])
            counts = {doc["_id"]: doc["n"] async for doc in cursor}
        return counts.get(True, 0), counts.get(False, 0)

    async def add_report(self, question_id: str, player_id: str, battle_id: str | None, reason: str) -> Report:
        report = Report(id=new_id(), question_id=question_id, player_id=player_id,
                        battle_id=battle_id, reason=reason, created_at=time.time())
        async with self._using(writing=True) as db:
            await db["reports"].insert_one(docs.report_doc(report))
        return report

    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["reports"].find({"resolved": bool(resolved)})
                      .sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.report(doc) async for doc in cursor]

    # --- counters --------------------------------------------------------------

    async def increment(self, name: str, by: int = 1) -> int:
        async with self._using(writing=True) as db:
            for _ in range(2):  # an upsert that raced another one to insert retries as an update
                try:
                    doc = await db["counters"].find_one_and_update(
                        {"_id": name}, {"$inc": {"value": by}}, upsert=True, return_document=ReturnDocument.AFTER)
                    return doc["value"]
                except DuplicateKeyError:
                    continue
            raise StorageError(f"the counter {name!r} could not be incremented; nothing was written")

    async def get_counter(self, name: str) -> int:
        async with self._using() as db:
            doc = await db["counters"].find_one({"_id": name})
        return doc["value"] if doc else 0

    # --- mail outbox -------------------------------------------------------------

    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail:
        mail = Mail(id=new_id(), to=to, subject=subject, body=body, created_at=time.time())
        async with self._using(writing=True) as db:
            await db["outbox"].insert_one(docs.mail_doc(mail))
        return mail

    async def pending_mail(self, limit: int = 20) -> list[Mail]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["outbox"].find({"sent_at": None})
                      .sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.mail(doc) async for doc in cursor]

    async def mark_mail_sent(self, mail_id: str) -> None:
        async with self._using(writing=True) as db:
            await db["outbox"].update_one({"_id": mail_id}, {"$set": {"sent_at": time.time()},
                                                             "$inc": {"attempts": 1}})

    async def mark_mail_failed(self, mail_id: str) -> None:
        async with self._using(writing=True) as db:
            await db["outbox"].update_one({"_id": mail_id}, {"$inc": {"attempts": 1}})

    # --- health, and the whole store in and out (kwissle/storage/dump.py) ------------

    async def ping(self) -> None:
        async with self._using() as db:
            await db.command("ping")

    async def is_empty(self) -> bool:
        async with self._using() as db:
            for collection in set(mongo_schema.COLLECTIONS + mongo_schema.COLLECTIONS_2) - {"meta"}:
                if await db[collection].find_one({}, {"_id": 1}) is not None:
                    return False
        return True

    async def export_rows(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Each collection read in turn, not one snapshot: export a store no server is writing to."""
        async with self._using() as db:
            async for row in export_rows(db):
                yield row

    async def import_rows(self, rows: Any, *, skip_existing: bool = False) -> dict[str, int]:
        """All or nothing: one transaction (not retried, since `rows` can be read once). MongoDB
        limits a transaction's life (transactionLifetimeLimitSeconds, 60 s by default): a dump too
        large to import within it fails whole and says so."""
        async with self._using(writing=True) as db, self._client.start_session() as session:
            async with await session.start_transaction():
                importer = Importer(db, session, skip_existing)
                async for kind, row in dump.each_row(rows):
                    await importer.add(kind, row)
                await importer.flush()
        return importer.inserted
