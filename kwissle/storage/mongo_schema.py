"""The MongoDB adapter's schema: collections and indexes, versioned, migrated once.

The version lives in the `meta` collection, document `{_id: "schema", version, lease}`.
`MIGRATIONS[n - 1]` takes a database from version n - 1 to n: to change the schema,
append a migration, never edit an old one. A migration must be safe to run again
(creating an index that exists with the same options is a no-op), because a process
that dies half-way through one leaves it to the next.

Two processes starting together. Whoever finds the version behind takes a lease with
one conditional update on the meta document (`lease` null or expired -> its own token
and an expiry LEASE_SECONDS ahead); the others poll until the version is current. The
holder bumps the version after each migration with an update conditional on still
holding the lease, so a holder that stalled past its lease and was overtaken stops
instead of running a migration a second time. A database whose version is beyond
`MIGRATIONS` (a newer Kwissle wrote it) is refused untouched.

Sign-in links carry `expires_on` (a BSON date) for the TTL index, which deletes them a day
after they expire; `expires_at` (seconds, a float) is what the code compares.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from kwissle.storage.port import StorageError

SCHEMA_ID = "schema"
LEASE_SECONDS = 60.0
POLL_SECONDS = 0.1

COLLECTIONS = ("players", "questions", "battles", "reviews", "reports", "counters", "outbox", "meta")
COLLECTIONS_2 = ("sign_in_links",)

Migration = Callable[[Any], Awaitable[None]]


async def _version_1(db: Any) -> None:
    """Every collection GAME.md stores, with the indexes the game's queries use."""
    present = set(await db.list_collection_names())
    for name in COLLECTIONS:
        if name not in present:  # a transaction may only write to collections that exist
            await db.create_collection(name)
    # E-mail is unique among players who have one; guests (email null) never collide.
    await db["players"].create_index(
        [("email", ASCENDING)], name="email_unique", unique=True,
        partialFilterExpression={"email": {"$type": "string"}})
    await db["questions"].create_index([("fingerprint", ASCENDING)], name="fingerprint_unique", unique=True)
    await db["questions"].create_index(
        [("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)], name="status_created")
    await db["questions"].create_index([("status", ASCENDING), ("rand", ASCENDING)], name="status_rand")
    await db["battles"].create_index([("players", ASCENDING), ("ended_at", DESCENDING)], name="player_recent")
    await db["reviews"].create_index(
        [("question_id", ASCENDING), ("player_id", ASCENDING)], name="question_player_unique", unique=True)
    await db["reports"].create_index([("resolved", ASCENDING), ("created_at", ASCENDING)], name="open_reports")
    await db["outbox"].create_index([("sent_at", ASCENDING), ("created_at", ASCENDING)], name="pending")


async def _version_2(db: Any) -> None:
    """Players and the crowd: sign-in links (expiring by TTL), ratings, authors' questions,
    one report per player and question, mail due for a retry."""
    present = set(await db.list_collection_names())
    for name in COLLECTIONS_2:
        if name not in present:
            await db.create_collection(name)
    await db["sign_in_links"].create_index("expires_on", expireAfterSeconds=24 * 3600, name="expiry")
    await db["sign_in_links"].create_index([("email", ASCENDING), ("created_at", ASCENDING)], name="email")
    await db["players"].create_index([("rating", DESCENDING)], name="rating")
    await db["questions"].create_index([("author_id", ASCENDING), ("created_at", ASCENDING)], name="author")
    await db["battles"].create_index([("ended_at", DESCENDING)], name="ended")
    await db["battles"].create_index([("outcomes.question_id", ASCENDING)], name="question")
    await _keep_first_report(db)
    await db["reports"].create_index(
        [("question_id", ASCENDING), ("player_id", ASCENDING)], name="question_player_unique", unique=True)
    await db["outbox"].create_index(
        [("sent_at", ASCENDING), ("failed_at", ASCENDING), ("next_attempt_at", ASCENDING)], name="due")


async def _keep_first_report(db: Any) -> None:
    """Repeated reports of one question by one player count once: keep the earliest."""
    seen: set[tuple[str, str]] = set()
    async for doc in db["reports"].find({}, {"question_id": 1, "player_id": 1}).sort([("created_at", ASCENDING)]):
        pair = (doc["question_id"], doc["player_id"])
        if pair in seen:
            await db["reports"].delete_one({"_id": doc["_id"]})
        seen.add(pair)


async def _version_3(db: Any) -> None:
    """Crowd review: a player's reviews, for the next question they have not reviewed yet
    (SQLite finds them by the reviews' primary key, question then player)."""
    await db["reviews"].create_index([("player_id", ASCENDING), ("question_id", ASCENDING)], name="player")


async def _version_moderation(db: Any) -> None:
    """Moderation: what moderators did to each question, newest first (a question's `version`
    needs no migration: a document without one reads as 0)."""
    if "moderation_history" not in set(await db.list_collection_names()):
        await db.create_collection("moderation_history")  # written inside transactions
    await db["moderation_history"].create_index([("question_id", ASCENDING), ("at", DESCENDING)], name="question")



async def _challenges(db: Any) -> None:
    """Challenge links (kwissle/model/challenges.py): deleted by TTL a day after they expire."""
    if "challenges" not in set(await db.list_collection_names()):
        await db.create_collection("challenges")
    await db["challenges"].create_index("expires_on", expireAfterSeconds=24 * 3600, name="expiry")


async def _version_appeals(db: Any) -> None:
    """Answer appeals: one per battle, player, question and folded text; the open ones grouped by
    question and text for the moderators, a player's own newest first. Reports: the open ones of
    a question, resolved together."""
    if "appeals" not in set(await db.list_collection_names()):
        await db.create_collection("appeals")
    await db["appeals"].create_index(
        [("battle_id", ASCENDING), ("player_id", ASCENDING), ("question_id", ASCENDING), ("folded", ASCENDING)],
        name="once", unique=True)
    await db["appeals"].create_index(
        [("status", ASCENDING), ("question_id", ASCENDING), ("folded", ASCENDING)], name="open")
    await db["appeals"].create_index([("player_id", ASCENDING), ("created_at", DESCENDING)], name="player")
    await db["reports"].create_index([("question_id", ASCENDING), ("resolved", ASCENDING)], name="question_open")


async def _bans(db: Any) -> None:
    """Bans (kwissle/model/bans.py): a player's bans, newest first; the reports a player filed."""
    if "bans" not in set(await db.list_collection_names()):
        await db.create_collection("bans")  # written inside transactions
    await db["bans"].create_index([("player_id", ASCENDING), ("at", DESCENDING)], name="player")
    await db["reports"].create_index([("player_id", ASCENDING), ("created_at", DESCENDING)], name="player")


async def _triage(db: Any) -> None:
    """Triage from play (kwissle/storage/play_stats.py): the played published questions, most
    asked first, and every battle that asked one of them."""
    await db["questions"].create_index([("status", ASCENDING), ("stats.asked", DESCENDING), ("_id", ASCENDING)],
                                       name="status_asked")
    await db["battles"].create_index([("outcomes.question_id", ASCENDING)], name="outcome_question")


MIGRATIONS: list[Migration] = [_version_1, _version_2, _version_3, _version_moderation, _challenges, _version_appeals, _bans, _triage]


async def schema_version(db: Any) -> int:
    doc = await db["meta"].find_one({"_id": SCHEMA_ID})
    return doc["version"] if doc else 0


async def migrate(db: Any, migrations: Sequence[Migration] = MIGRATIONS, *,
                  lease_seconds: float = LEASE_SECONDS, wait_seconds: float | None = None) -> int:
    """Bring `db` to `len(migrations)`, each migration run once across every process; return the version."""
    meta = db["meta"]
    owner = secrets.token_hex(8)
    deadline = time.monotonic() + (wait_seconds if wait_seconds is not None else 2 * lease_seconds)
    while True:
        version = await _current_version(meta)
        if version > len(migrations):
            raise StorageError(f"its schema (version {version}) is newer than this Kwissle knows "
                               f"(version {len(migrations)}); upgrade Kwissle")
        if version == len(migrations):
            return version
        now = time.time()
        leased = await meta.find_one_and_update(
            {"_id": SCHEMA_ID, "version": version, "$or": [{"lease": None}, {"lease.until": {"$lt": now}}]},
            {"$set": {"lease": {"owner": owner, "until": now + lease_seconds}}},
            return_document=ReturnDocument.AFTER)
        if leased is None:
            if time.monotonic() > deadline:
                raise StorageError(f"another process has been migrating the schema (from version {version}) "
                                   f"for over {lease_seconds:g} s; is it stuck?")
            await asyncio.sleep(POLL_SECONDS)
            continue
        try:
            for number in range(version + 1, len(migrations) + 1):
                await migrations[number - 1](db)
                bumped = await meta.update_one(
                    {"_id": SCHEMA_ID, "version": number - 1, "lease.owner": owner},
                    {"$set": {"version": number, "lease.until": time.time() + lease_seconds}})
                if bumped.matched_count != 1:
                    raise StorageError(f"lost the migration lease while migrating to version {number} "
                                       f"(another process took over); start again")
        finally:
            await meta.update_one({"_id": SCHEMA_ID, "lease.owner": owner}, {"$set": {"lease": None}})


async def _current_version(meta: Any) -> int:
    try:
        await meta.update_one({"_id": SCHEMA_ID}, {"$setOnInsert": {"version": 0, "lease": None}}, upsert=True)
    except DuplicateKeyError:
        pass  # another process inserted it between our look and our insert
    doc = await meta.find_one({"_id": SCHEMA_ID})
    return doc["version"]
