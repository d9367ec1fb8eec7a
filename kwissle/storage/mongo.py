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
import dataclasses
import datetime
import logging
import random
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from kwissle.game import reviewing
from kwissle.model import (
    BattleRecord,
    Challenge,
    Mail,
    Moderation,
    ModerationAction,
    NewQuestion,
    Player,
    Question,
    QuestionStatus,
    Rating,
    Report,
    Review,
)
from kwissle.model.appeals import Appeal, AppealGroup, AppealStatus
from kwissle.model.bans import Ban
from kwissle.model.battles import BattleEnd as _BattleEnd
from kwissle.model.battles import Recording
from kwissle.model.profiles import RECENT_BATTLES, PlayerProfile
from kwissle.model.triage import QuestionPlayStats
from kwissle.storage import (
    boards,
    dump,
    merge,
    moderating,
    mongo_schema,
    mongo_transfer,
    play_stats,
)
from kwissle.storage import mongo_docs as docs
from kwissle.storage.checking import new_id, new_questions
from kwissle.storage.crowd import group_reports
from kwissle.storage.merge import battle_moved
from kwissle.storage.mongo_errors import (
    DRIVER_ERRORS,
    failure,
    is_duplicate,
    open_failure,
)
from kwissle.storage.mongo_transfer import Importer, export_rows
from kwissle.storage.port import (
    AlreadyHandled,
    AlreadyReviewed,
    BattleAlreadyStored,
    DuplicateQuestion,
    ReportedQuestion,
    SignInRefused,
    StorageError,
    UnknownPlayer,
    UnknownQuestion,
    masked_url,
)
from kwissle.storage.prefix import after_prefix
from kwissle.textfold import fingerprint

DEFAULT_DATABASE = "kwissle"
# How long open waits for a server to answer (unless the URL sets serverSelectionTimeoutMS):
# long enough for a replica set to elect a primary, short enough for `serve` to say why and retry.
SERVER_SELECTION_SECONDS = 10.0
_FINGERPRINTS_PER_QUERY = 1000

log = logging.getLogger(__name__)

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
            chosen = list(picked.values())[:n]
            await self._reroll(db, [doc["_id"] for doc in chosen])
        return [docs.question(doc) for doc in chosen]

    async def _reroll(self, db: Any, question_ids: list[str]) -> None:
        """Give each drawn question a new `rand`. A question just after a narrow gap in the
        index is rarely reached by a random point; moving the drawn ones each time keeps no
        question stuck behind a narrow gap, so over many battles every question comes up.
        Best effort: the draw stands even if this write fails, which is logged."""
        try:
            await db["questions"].bulk_write(
                [UpdateOne({"_id": qid}, {"$set": {"rand": random.random()}}) for qid in question_ids],
                ordered=False)
        except DRIVER_ERRORS as error:
            log.warning("could not move %d drawn questions in the sampling index: %s", len(question_ids), error)

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
        # --- ratings: the new ratings land with the battle that earned them, or neither does
        ratings = [UpdateOne({"_id": c.player_id}, {"$set": {"rating": float(c.after.rating),
                                                            "deviation": float(c.after.deviation),
                                                            "volatility": float(c.after.volatility)}})
                   for c in record.ratings]

        async def write(session: Any) -> None:
            try:
                await self._db["battles"].insert_one(dict(battle), session=session)
            except DuplicateKeyError as error:
                raise BattleAlreadyStored(f"battle {record.id} is already stored") from error
            if plays:
                await self._db["questions"].bulk_write(plays, ordered=False, session=session)
            await self._db["counters"].update_one({"_id": counter}, {"$inc": {"value": 1}}, upsert=True,
                                                  session=session)
            # A battle stored late (retried, spilled and taken back) never undoes a later one's rating.
            current = [update for change, update in zip(record.ratings, ratings, strict=True)
                       if await self._db["battles"].find_one(
                           {"players": change.player_id, "ratings": {"$ne": []},
                            "ended_at": {"$gt": record.ended_at}}, {"_id": 1}, session=session) is None]
            if current:
                await self._db["players"].bulk_write(current, ordered=True, session=session)

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

    # --- recordings (kwissle/game/ghost.py) -------------------------------------

    async def recordings_for(self, player_id: str | None, limit: int) -> list[Recording]:
        if limit <= 0:
            return []
        async with self._using() as db:
            # the `ended` index walks the battles newest first; recordings and forfeits are few
            cursor = (db["battles"].find({"reason": _BattleEnd.COMPLETE.value, "recording_of": None,
                                          "players": {"$ne": player_id}})
                      .sort([("ended_at", DESCENDING)]).limit(limit))
            records = [docs.battle(doc) async for doc in cursor]
            ids = sorted({p for record in records for p in record.player_ids})
            names = {doc["_id"]: doc["name"]
                     async for doc in db["players"].find({"_id": {"$in": ids}}, {"name": 1})} if ids else {}
        return [Recording(record, {p: names.get(p, "") for p in record.player_ids}) for record in records]

    # --- ratings (stored by save_battle) ---------------------------------------

    async def rating_history(self, player_id: str, limit: int = 100) -> list[tuple[float, Rating]]:
        if limit <= 0:
            return []
        async with self._using() as db:
            # the player_recent index finds the player's battles; the rated ones hold their id in `ratings`
            cursor = (db["battles"].find({"players": player_id, "ratings.player": player_id},
                                         {"ended_at": 1, "ratings": 1})
                      .sort([("ended_at", DESCENDING), ("_id", DESCENDING)]).limit(limit))
            found = [doc async for doc in cursor]
        return [(doc["ended_at"], Rating(*change["after"]))
                for doc in reversed(found) for change in doc["ratings"] if change["player"] == player_id]

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
            try:
                await db["reports"].insert_one(docs.report_doc(report))
            except DuplicateKeyError:  # repeated reports of one question by one player count once
                doc = await db["reports"].find_one({"question_id": question_id, "player_id": player_id})
                if doc is None:
                    raise
                return docs.report(doc)
        return report

    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["reports"].find({"resolved": bool(resolved)})
                      .sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.report(doc) async for doc in cursor]

    # --- crowd: reviews of pending questions, reports in front of moderators ---------

    async def review_question(self, review: Review, queue_ups: int, reject_downs: int) -> QuestionStatus:
        """One transaction. Every vote also `$inc`s the question's `review_count`, so two racing
        votes write the same document: MongoDB lets one commit and the driver runs the other
        again, which then counts the first one's vote (no write skew, no lost move)."""
        doc = docs.review_doc(review)
        doc["created_at"] = review.created_at or time.time()
        question_id = review.question_id

        async def write(session: Any) -> QuestionStatus:
            question = await self._db["questions"].find_one_and_update(
                {"_id": question_id}, {"$inc": {"review_count": 1}}, {"status": 1},
                return_document=ReturnDocument.AFTER, session=session)
            if question is None:
                raise UnknownQuestion(f"no question {question_id}")
            try:
                await self._db["reviews"].insert_one(dict(doc), session=session)
            except DuplicateKeyError as error:
                raise AlreadyReviewed(
                    f"player {review.player_id} already reviewed question {question_id}") from error
            status = QuestionStatus(question["status"])
            if status is not QuestionStatus.PENDING:
                return status
            cursor = self._db["reviews"].find({"question_id": question_id}, {"up": 1, "reason": 1},
                                              session=session).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            decided = reviewing.decide([(vote["up"], vote["reason"]) async for vote in cursor],
                                       queue_ups, reject_downs)
            if decided is None:
                return status
            moved, reason = decided
            await self._db["questions"].update_one(
                {"_id": question_id, "status": QuestionStatus.PENDING.value},
                {"$set": {"status": moved.value, "reject_reason": reason}}, session=session)
            return moved

        async with self._using(writing=True):
            return await self._transaction(write)

    async def next_for_review(self, player_id: str) -> Question | None:
        async with self._using() as db:
            reviewed = [doc["question_id"] async for doc in db["reviews"].find({"player_id": player_id},
                                                                               {"question_id": 1})]
            doc = await db["questions"].find_one(
                {"status": QuestionStatus.PENDING.value, "author_id": {"$ne": player_id}, "_id": {"$nin": reviewed}},
                docs.QUESTION_FIELDS, sort=[("created_at", ASCENDING), ("_id", ASCENDING)])
        return docs.question(doc) if doc else None

    async def questions_by_author(self, player_id: str, limit: int = 200) -> list[Question]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["questions"].find({"author_id": player_id}, docs.QUESTION_FIELDS)
                      .sort([("created_at", DESCENDING), ("_id", DESCENDING)]).limit(limit))
            return [docs.question(doc) async for doc in cursor]

    async def reports_by_question(self, limit: int = 50) -> list[ReportedQuestion]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = await db["reports"].aggregate([
                {"$match": {"resolved": False}},
                {"$group": {"_id": {"question_id": "$question_id", "reason": "$reason"}, "n": {"$sum": 1},
                            "first_at": {"$min": "$created_at"}, "last_at": {"$max": "$created_at"}}}])
            rows = [doc async for doc in cursor]
        return group_reports(
            [(row["_id"]["question_id"], row["_id"]["reason"], row["n"], row["first_at"], row["last_at"])
             for row in rows], limit)

    # --- open reports: the admin landing page's count
    async def count_open_reports(self) -> tuple[int, int]:
        async with self._using() as db:
            cursor = await db["reports"].aggregate([
                {"$match": {"resolved": False}},
                {"$group": {"_id": "$question_id", "n": {"$sum": 1}}},
                {"$group": {"_id": None, "questions": {"$sum": 1}, "reports": {"$sum": "$n"}}}])
            rows = [doc async for doc in cursor]
        return (rows[0]["questions"], rows[0]["reports"]) if rows else (0, 0)

    # --- appeals: "my answer should count" (kwissle/realtime/appeals.py, web/admin_appeals.py) ---

    async def add_appeals(self, appeals: Sequence[Appeal]) -> int:
        if not appeals:
            return 0

        async def write(session: Any) -> int:
            added = 0
            for appeal in appeals:
                doc = docs.appeal_doc(appeal)
                key = {f: doc[f] for f in ("battle_id", "player_id", "question_id", "folded")}
                result = await self._db["appeals"].update_one(
                    key, {"$setOnInsert": {f: v for f, v in doc.items() if f not in key}}, upsert=True,
                    session=session)
                added += result.upserted_id is not None
            return added

        async with self._using(writing=True):
            return await self._transaction(write)

    async def open_appeals_by_answer(self, limit: int = 100) -> list[AppealGroup]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = await db["appeals"].aggregate([
                {"$match": {"status": AppealStatus.OPEN.value}},
                {"$sort": {"created_at": 1, "_id": 1}},
                {"$group": {"_id": {"question_id": "$question_id", "folded": "$folded"},
                            "players": {"$addToSet": "$player_id"}, "n": {"$sum": 1}, "text": {"$first": "$text"},
                            "first_at": {"$min": "$created_at"}, "last_at": {"$max": "$created_at"}}}])
            rows = [doc async for doc in cursor]
        groups = [AppealGroup(question_id=r["_id"]["question_id"], folded=r["_id"]["folded"], text=r["text"],
                              players=len(r["players"]), appeals=r["n"], first_at=r["first_at"],
                              last_at=r["last_at"]) for r in rows]
        groups.sort(key=lambda g: (-g.players, -g.last_at, g.question_id, g.folded))
        return groups[:limit]

    async def resolve_appeals(self, question_id: str, folded: str, status: AppealStatus, moderator_id: str,
                              note: str, now: float) -> int:
        if status is AppealStatus.OPEN:
            raise ValueError("an appeal is resolved as accepted or declined")
        return await self._resolve_all(
            "appeals", {"question_id": question_id, "folded": folded, "status": AppealStatus.OPEN.value},
            {"status": status.value, "note": note, "resolved_at": now, "resolved_by": moderator_id})

    async def appeals_of_player(self, player_id: str, limit: int = 50) -> list[Appeal]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["appeals"].find({"player_id": player_id})
                      .sort([("created_at", DESCENDING), ("_id", DESCENDING)]).limit(limit))
            return [docs.appeal(doc) async for doc in cursor]

    async def open_appeal_counts(self) -> dict[str, int]:
        async with self._using() as db:
            cursor = await db["appeals"].aggregate([
                {"$match": {"status": AppealStatus.OPEN.value}},
                {"$group": {"_id": "$question_id", "n": {"$sum": 1}}}])
            return {doc["_id"]: doc["n"] async for doc in cursor}

    async def _resolve_all(self, collection: str, still_open: dict[str, Any], changes: dict[str, Any]) -> int:
        """Set `changes` on every document matching `still_open`, in one transaction; each update
        is conditional on it still matching, so two moderators never both resolve one document."""
        async def write(session: Any) -> int:
            ids = [doc["_id"] async for doc in self._db[collection].find(still_open, {"_id": 1}, session=session)]
            changed = 0
            for doc_id in ids:
                result = await self._db[collection].update_one({"_id": doc_id, **still_open}, {"$set": changes},
                                                               session=session)
                changed += result.modified_count
            return changed

        async with self._using(writing=True):
            return await self._transaction(write)

    # --- reports (moderation) ---

    async def resolve_reports(self, question_id: str, outcome: str, moderator_id: str, now: float) -> int:
        return await self._resolve_all("reports", {"question_id": question_id, "resolved": False},
                                       {"resolved": True, "outcome": outcome, "resolved_at": now,
                                        "resolved_by": moderator_id})

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

    # --- counters: batched flushes and reads (kwissle/counters.py) ---------------

    async def add_counts(self, counts: Mapping[str, int]) -> None:
        if not counts:
            return
        bumps = [UpdateOne({"_id": name}, {"$inc": {"value": by}}, upsert=True) for name, by in counts.items()]

        async def write(session: Any) -> None:
            await self._db["counters"].bulk_write(bumps, ordered=False, session=session)

        async with self._using(writing=True):
            for _ in range(2):  # an upsert that raced another one to insert: all undone, try again
                try:
                    await self._transaction(write)
                    return
                except DRIVER_ERRORS as error:
                    if not is_duplicate(error):
                        raise
            raise StorageError(f"{len(counts)} counter(s) could not be added to (a new one kept "
                               f"racing another writer); nothing was written")

    async def counters_with_prefix(self, prefix: str) -> dict[str, int]:
        names = {"_id": {"$gte": prefix, "$lt": after_prefix(prefix)}} if prefix else {}
        async with self._using() as db:
            return {doc["_id"]: doc["value"] async for doc in db["counters"].find(names)}

    # --- mail outbox -------------------------------------------------------------

    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail:
        mail = Mail(id=new_id(), to=to, subject=subject, body=body, created_at=time.time())
        async with self._using(writing=True) as db:
            await db["outbox"].insert_one(docs.mail_doc(mail))
        return mail

    # --- accounts: sign-in links and the mail outbox's lease ----------------------

    async def create_sign_in_link(self, token_hash: str, email: str, guest_id: str | None,
                                  now: float, expires_at: float) -> None:
        doc = {"_id": token_hash, "email": email, "guest_id": guest_id, "created_at": now,
               "expires_at": expires_at, "expires_on": _utc(expires_at), "used_at": None, "player_id": None}
        async with self._using(writing=True) as db:
            await db["sign_in_links"].insert_one(doc)

    async def consume_sign_in_link(self, token_hash: str, now: float, name: str = "") -> Player:
        """One transaction: the link is marked used by a conditional update (two consumes of one
        link: one matches, the other finds it used), then the account is found, made or merged."""
        links = self._db["sign_in_links"]

        async def write(session: Any) -> Player:
            link = await links.find_one_and_update(
                {"_id": token_hash, "used_at": None, "expires_at": {"$gt": now}},
                {"$set": {"used_at": now}}, session=session)
            if link is None:
                found = await links.find_one({"_id": token_hash}, session=session)
                raise SignInRefused("unknown" if found is None else "used" if found["used_at"] is not None
                                    else "expired")
            account = await self._account_for(session, link["email"], link.get("guest_id"), name, now)
            await links.update_one({"_id": token_hash}, {"$set": {"player_id": account.id}}, session=session)
            return account

        async with self._using(writing=True):
            try:
                return await self._transaction(write)
            except DuplicateKeyError as error:  # another link of the same address made the account first
                raise StorageError("the account was being created by another sign-in: "
                                   "follow the link again") from error

    async def _account_for(self, session: Any, email: str, guest_id: str | None, name: str, now: float) -> Player:
        players = self._db["players"]
        account = await players.find_one({"email": {"$eq": email, "$type": "string"}}, session=session)
        guest = await players.find_one({"_id": guest_id, "guest": True}, session=session) if guest_id else None
        if account is None and guest is not None:
            await players.update_one({"_id": guest_id}, {"$set": {"guest": False, "email": email}}, session=session)
            return docs.player({**guest, "guest": False, "email": email})
        if account is None:
            player = Player(id=new_id(), name=name or "Player", guest=False, email=email, created_at=now)
            await players.insert_one(docs.player_doc(player), session=session)
            return player
        if guest is not None:
            await self._merge_guest(session, guest_id, account["_id"])
        return docs.player(account)

    async def _merge_guest(self, session: Any, guest_id: str, account_id: str) -> None:
        """Move everything of the guest to the account. The guest's document stays, empty: a battle
        the guest is still playing (or starts from a tab opened before signing in) must still be storable."""
        db = self._db
        # the guest's battles, and battles against a recording of the guest
        async for doc in db["battles"].find({"$or": [{"players": guest_id}, {"ghost": guest_id}]}, session=session):
            moved = docs.battle_doc(battle_moved(docs.battle(doc), guest_id, account_id))
            del moved["_id"]
            await db["battles"].update_one({"_id": doc["_id"]}, {"$set": moved}, session=session)
        for collection, same in merge.TWINS.items():  # where both did the same, the account's own stays
            async for doc in db[collection].find({"player_id": guest_id}, session=session):
                twin = await db[collection].find_one(
                    {**{name: doc[name] for name in same}, "player_id": account_id}, session=session)
                if twin is None:
                    await db[collection].update_one({"_id": doc["_id"]}, {"$set": {"player_id": account_id}},
                                                    session=session)
                else:
                    await db[collection].delete_one({"_id": doc["_id"]}, session=session)
        # a ban follows the player to the account: signing in must not lift it
        for collection, field in (("bans", "player_id"), ("challenges", "creator_id"), ("questions", "author_id")):
            async for doc in db[collection].find({field: guest_id}, {"_id": 1}, session=session):
                await db[collection].update_one({"_id": doc["_id"]}, {"$set": {field: account_id}}, session=session)

    async def claim_mail(self, now: float, lease_seconds: float, limit: int = 20) -> list[Mail]:
        """Candidates are read in due order, then each is leased by a conditional update that
        re-checks it is still due: a mail another worker leased meanwhile is skipped."""
        if limit <= 0:
            return []
        due = {"sent_at": None, "failed_at": None, "next_attempt_at": {"$lte": now}, "lease_until": {"$lte": now}}
        claimed: list[Mail] = []
        tried: list[str] = []
        async with self._using(writing=True) as db:
            while len(claimed) < limit:
                cursor = (db["outbox"].find({**due, "_id": {"$nin": tried}}, {"_id": 1})
                          .sort([("next_attempt_at", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)])
                          .limit(limit - len(claimed)))
                candidates = [doc["_id"] async for doc in cursor]
                if not candidates:
                    break
                for mail_id in candidates:
                    tried.append(mail_id)
                    doc = await db["outbox"].find_one_and_update(
                        {**due, "_id": mail_id}, {"$set": {"lease_until": now + lease_seconds}},
                        return_document=ReturnDocument.AFTER)
                    if doc is not None:
                        claimed.append(docs.mail(doc))
        return claimed

    async def mark_mail_sent(self, mail_id: str, now: float) -> None:
        async with self._using(writing=True) as db:
            await db["outbox"].update_one({"_id": mail_id}, {"$set": {"sent_at": now, "lease_until": 0.0},
                                                             "$inc": {"attempts": 1}})

    async def mark_mail_failed(self, mail_id: str, error: str, retry_at: float | None, now: float) -> None:
        change: dict[str, Any] = {"last_error": error, "lease_until": 0.0}
        if retry_at is None:
            change["failed_at"] = now
        else:
            change["next_attempt_at"] = retry_at
        async with self._using(writing=True) as db:
            await db["outbox"].update_one({"_id": mail_id}, {"$set": change, "$inc": {"attempts": 1}})

    # --- health, and the whole store in and out (kwissle/storage/dump.py) ------------

    async def ping(self) -> None:
        async with self._using() as db:
            await db.command("ping")

    async def is_empty(self) -> bool:
        async with self._using() as db:
            for collection in set(mongo_schema.COLLECTIONS + mongo_schema.COLLECTIONS_2
                                  + tuple(mongo_transfer.COLLECTION.values())) - {"meta"}:
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


    # --- boards: the profile page and the leaderboards (pipelines in kwissle/storage/boards.py) ---

    async def player_profile(self, player_id: str) -> PlayerProfile | None:
        player = await self.get_player(player_id)
        if player is None:
            return None
        async with self._using() as db:
            results = await (await db["battles"].aggregate(boards.results_pipeline(player_id))).to_list(None)
            categories = await (await db["battles"].aggregate(boards.categories_pipeline(player_id))).to_list(None)
        recent = await self.recent_battles(player_id, RECENT_BATTLES)
        return boards.build_profile(player, results[0] if results else {},
                                    ({**row, "category": row["_id"]} for row in categories), recent)

    async def top_rated(self, limit: int = 100) -> list[Player]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["players"].find(boards.top_rated_filter())
                      .sort([("rating", DESCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.player(doc) async for doc in cursor]

    async def most_wins_since(self, since: float, limit: int = 100) -> list[tuple[Player, int]]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = await db["battles"].aggregate(boards.most_wins_pipeline(since, limit))
            return [(docs.player(row["player"]), row["wins"]) async for row in cursor]

    async def best_per_category(self, min_answered: int = 5) -> dict[str, tuple[Player, int, int]]:
        async with self._using() as db:
            cursor = await db["battles"].aggregate(boards.best_per_category_pipeline(min_answered))
            rows = [row async for row in cursor]
        return {row["_id"]: (docs.player(row["player"]), row["right"], row["asked"])
                for row in sorted(rows, key=lambda row: row["_id"])}

    # --- names: a signed-in player chooses their display name (kwissle/web/account.py) ---

    async def rename_player(self, player_id: str, name: str) -> bool:
        async with self._using(writing=True) as db:
            result = await db["players"].update_one({"_id": player_id}, {"$set": {"name": name}})
        return result.matched_count == 1

    # --- triage: figures from play per published question (kwissle/storage/play_stats.py) ---

    async def question_play_stats(self, limit: int = 200, offset: int = 0) -> list[tuple[Question, QuestionPlayStats]]:
        limit, offset = play_stats.bounded(limit, offset)
        if not limit:
            return []
        async with self._using() as db:
            cursor = (db["questions"].find(play_stats.MONGO_PAGE_FILTER, docs.QUESTION_FIELDS)
                      .sort(play_stats.MONGO_PAGE_SORT).skip(offset).limit(limit))
            questions = [docs.question(doc) async for doc in cursor]
            wanted = {q.id for q in questions}
            tally = play_stats.PlayTally([q.id for q in questions])
            # A rated battle carries its players' ratings; an unrated one waits for their current ratings.
            rated: list[dict[str, Any]] = []
            unrated: list[dict[str, Any]] = []
            battles = db["battles"].find({"outcomes.question_id": {"$in": sorted(wanted)}, "reason": {"$ne": "abandoned"}},
                                         play_stats.MONGO_BATTLE_FIELDS)
            async for doc in battles:
                (rated if doc.get("ratings") else unrated).append(doc)
                if len(rated) >= play_stats.BATCH:
                    await play_stats.tally_in_thread(tally, rated, lambda d: play_stats.mongo_outcomes(d, wanted, {}))
                    rated = []
            await play_stats.tally_in_thread(tally, rated, lambda d: play_stats.mongo_outcomes(d, wanted, {}))
            ids = sorted({p for doc in unrated for p in doc["players"]})
            current: dict[str, float] = {}
            for start in range(0, len(ids), play_stats.PLAY_STATS_MAX_LIMIT):
                async for doc in db["players"].find({"_id": {"$in": ids[start:start + play_stats.PLAY_STATS_MAX_LIMIT]}},
                                                    {"rating": 1}):
                    current[doc["_id"]] = doc["rating"]
            for start in range(0, len(unrated), play_stats.BATCH):
                await play_stats.tally_in_thread(tally, unrated[start:start + play_stats.BATCH],
                                                 lambda d: play_stats.mongo_outcomes(d, wanted, current))
        return list(zip(questions, tally.results(), strict=True))

    # --- guests: their rows written in batches when they first play (kwissle/realtime/guest_rows.py) ---

    async def ensure_guests(self, guests: Sequence[tuple[str, str]]) -> None:
        now = time.time()
        named: dict[str, str] = {}
        for player_id, name in guests:  # the first name given wins, as one by one it would
            named.setdefault(player_id, name)
        upserts = []
        for player_id, name in named.items():
            guest = docs.player_doc(Player(id=player_id, name=name, guest=True, created_at=now))
            del guest["_id"]
            upserts.append(UpdateOne({"_id": player_id}, {"$setOnInsert": guest}, upsert=True))
        if not upserts:
            return
        async with self._using(writing=True) as db:
            try:
                await db["players"].bulk_write(upserts, ordered=False)
            except BulkWriteError as error:
                # An upsert that raced another writer's insert of the same id: that one stored it.
                if not all(e.get("code") == 11000 for e in error.details.get("writeErrors", ())):
                    raise

    # --- moderation: moderators act on questions, each action kept as history (kwissle/storage/moderating.py)

    async def moderate_question(self, question_id: str, expected_version: int, action: str,
                                changes: Mapping[str, Any], moderator_id: str, reason: str,
                                now: float) -> Question:
        """One transaction; the update is conditional on the version read, so of two racing
        moderators the second conflicts, is run again by the driver, and then sees the new version."""

        async def write(session: Any) -> Question:
            db = self._db
            doc = await db["questions"].find_one({"_id": question_id}, docs.QUESTION_FIELDS, session=session)
            if doc is None:
                raise UnknownQuestion(f"no question {question_id}")
            question = docs.question(doc)
            if question.version != expected_version:
                last = await db["moderation_history"].find_one(
                    {"question_id": question_id}, sort=[("at", DESCENDING), ("_id", DESCENDING)], session=session)
                raise AlreadyHandled(question_id, last["moderator_id"] if last else "", last["at"] if last else 0.0)
            planned = moderating.plan(question, action, changes, reason)
            after = planned.after
            new_print = fingerprint(after.text)
            if new_print != fingerprint(question.text) and await self._fingerprints_in([new_print], session):
                raise DuplicateQuestion(f"already stored: {after.text[:60]!r}")
            updated = await db["questions"].update_one(
                {"_id": question_id, "version": {"$in": [expected_version, None]} if expected_version == 0
                 else expected_version},
                {"$set": {"text": after.text, "answer": after.answer, "variants": list(after.variants),
                          "wrong": list(after.wrong), "category": after.category, "explanation": after.explanation,
                          "link": after.link, "status": after.status.value, "reject_reason": after.reject_reason,
                          "fingerprint": new_print, "version": after.version}}, session=session)
            if updated.matched_count != 1:
                raise AlreadyHandled(question_id)
            await db["moderation_history"].insert_one(
                {"_id": new_id(), "question_id": question_id, "moderator_id": moderator_id, "action": str(action),
                 "reason": reason, "changes": moderating.changes_json(planned.changes), "at": now},
                session=session)
            return after

        async with self._using(writing=True):
            return await self._transaction(write)

    async def question_history(self, question_id: str, limit: int = 100) -> list[ModerationAction]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = db["moderation_history"].find({"question_id": question_id}).sort(
                [("at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
            return [ModerationAction(question_id=d["question_id"], moderator_id=d["moderator_id"],
                                     action=Moderation(d["action"]), reason=d["reason"],
                                     changes=moderating.changes_from_json(d["changes"]), at=d["at"])
                    async for d in cursor]

    async def question_reviews(self, question_id: str) -> list[Review]:
        async with self._using() as db:
            cursor = db["reviews"].find({"question_id": question_id}).sort(
                [("created_at", ASCENDING), ("player_id", ASCENDING)])
            return [docs.review(d) async for d in cursor]

    # --- challenges: links that invite whoever opens them to a battle (kwissle/model/challenges.py)

    async def create_challenge(self, challenge: Challenge) -> None:
        doc = {"_id": challenge.code, **{k: v for k, v in dataclasses.asdict(challenge).items() if k != "code"},
               "expires_on": _utc(challenge.expires_at)}  # for the TTL index: gone a day after it expired
        async with self._using(writing=True) as db:
            await db["challenges"].insert_one(doc)

    async def get_challenge(self, code: str) -> Challenge | None:
        async with self._using() as db:
            doc = await db["challenges"].find_one({"_id": code})
        if doc is None:
            return None
        return Challenge(code=doc["_id"], creator_id=doc["creator_id"], creator_name=doc["creator_name"],
                         category=doc.get("category"), created_at=doc["created_at"], expires_at=doc["expires_at"],
                         battle_id=doc.get("battle_id"), used_at=doc.get("used_at"))

    async def use_challenge(self, code: str, battle_id: str, now: float) -> bool:
        """A conditional update: of two racing writers, only one finds `battle_id` still null."""
        async with self._using(writing=True) as db:
            result = await db["challenges"].update_one(
                {"_id": code, "battle_id": None, "expires_at": {"$gt": now}},
                {"$set": {"battle_id": battle_id, "used_at": now}})
        return result.modified_count == 1


    # --- bans: the admin players page and what a banned player may not do (kwissle/web/admin_players.py)

    async def ban_player(self, player_id: str, reason: str, until: float | None, by: str, now: float) -> Ban:
        """One transaction: the ban in force (at most one) is lifted and the new one stored, or neither."""
        ban = Ban(player_id=player_id, reason=reason, until=until, by=by, at=now, id=new_id())

        async def write(session: Any) -> Ban:
            if await self._db["players"].find_one({"_id": player_id}, {"_id": 1}, session=session) is None:
                raise UnknownPlayer(f"no player has the id {player_id!r}")
            async for doc in self._db["bans"].find(docs.ban_in_force(player_id, now), {"_id": 1}, session=session):
                await self._db["bans"].update_one(
                    {"_id": doc["_id"]}, {"$set": {"lifted_at": now, "lifted_by": by,
                                                   "lift_reason": docs.REPLACED_BY_A_NEW_BAN}}, session=session)
            await self._db["bans"].insert_one(docs.ban_doc(ban), session=session)
            return ban

        async with self._using(writing=True):
            return await self._transaction(write)

    async def unban_player(self, player_id: str, by: str, reason: str, now: float) -> Ban | None:
        """A conditional update: of two moderators lifting one ban at once, one lifts it."""
        async with self._using(writing=True) as db:
            doc = await db["bans"].find_one_and_update(
                docs.ban_in_force(player_id, now),
                {"$set": {"lifted_at": now, "lifted_by": by, "lift_reason": reason}},
                return_document=ReturnDocument.AFTER)  # at most one is in force (ban_player)
        return docs.ban(doc) if doc else None

    async def active_ban(self, player_id: str, now: float) -> Ban | None:
        async with self._using() as db:
            doc = await db["bans"].find_one(docs.ban_in_force(player_id, now), sort=[("at", DESCENDING)])
        return docs.ban(doc) if doc else None

    async def ban_history(self, player_id: str, limit: int = 100) -> list[Ban]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = db["bans"].find({"player_id": player_id}).sort([("at", DESCENDING), ("_id", ASCENDING)]).limit(limit)
            return [docs.ban(doc) async for doc in cursor]

    async def search_players(self, text: str, limit: int = 50, offset: int = 0) -> list[Player]:
        if limit <= 0:
            return []
        holds = {"$regex": docs.ascii_insensitive(text)}
        async with self._using() as db:
            cursor = (db["players"].find({"$or": [{"name": holds}, {"email": holds}]})
                      .sort([("guest", ASCENDING), ("name", ASCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit))
            return [docs.player(doc) async for doc in cursor]

    async def reports_filed_by(self, player_id: str, limit: int = 50) -> list[Report]:
        if limit <= 0:
            return []
        async with self._using() as db:
            cursor = (db["reports"].find({"player_id": player_id})
                      .sort([("created_at", DESCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.report(doc) async for doc in cursor]

    async def reports_on_questions_of(self, player_id: str, limit: int = 50) -> list[Report]:
        if limit <= 0:
            return []
        async with self._using() as db:
            written = [doc["_id"] async for doc in db["questions"].find({"author_id": player_id}, {"_id": 1})]
            cursor = (db["reports"].find({"question_id": {"$in": written}})
                      .sort([("created_at", DESCENDING), ("_id", ASCENDING)]).limit(limit))
            return [docs.report(doc) async for doc in cursor]

def _utc(seconds: float) -> datetime.datetime:
    """A time in seconds as the naive UTC datetime BSON stores (for a TTL index)."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(tzinfo=None)
