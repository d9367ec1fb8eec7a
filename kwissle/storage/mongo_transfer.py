"""The whole MongoDB store out and in, as the dump's rows (kwissle/storage/dump.py).

Export reads each collection in key order (MongoDB compares strings by their UTF-8
bytes, which is code point order, as the dump wants). Import runs inside the caller's
transaction, a batch of rows of one kind at a time: it looks up which keys are already
stored, checks that every record it inserts refers only to players and questions that
are stored (or came earlier in the dump), and inserts the rest with one `insert_many`.

A question's moderation actions are exported oldest first and numbered from 1 (`seq`);
imported, each gets an `_id` that sorts in that order, so two actions at the same time
keep their order. An action counts as stored when the question's history already holds
`seq` actions. A challenge gets back the `expires_on` date its TTL index reads; one that
has expired is not exported (the TTL index deletes it a day later anyway).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from kwissle.model import BattleRecord, Question, Review
from kwissle.model.challenges import Challenge
from kwissle.model.moderation import Moderation, ModerationAction
from kwissle.storage import dump, moderating
from kwissle.storage import mongo_docs as docs
from kwissle.storage.mongo_errors import DRIVER_ERRORS, is_duplicate
from kwissle.storage.port import DuplicateQuestion, StorageError

BATCH = 500

COLLECTION = {"player": "players", "question": "questions", "battle": "battles", "review": "reviews",
              "report": "reports", "counter": "counters", "mail": "outbox", "moderation": "moderation_history",
              "appeal": "appeals", "ban": "bans", "challenge": "challenges"}
_ORDER = {"review": [("question_id", 1), ("player_id", 1)],
          "moderation": [("question_id", 1), ("at", 1), ("_id", 1)]}


def _report(doc: dict[str, Any]) -> dump.ReportRecord:
    return dump.ReportRecord(docs.report(doc), outcome=doc.get("outcome", ""), resolved_at=doc.get("resolved_at"),
                             resolved_by=doc.get("resolved_by"))


def _report_doc(record: dump.ReportRecord) -> dict[str, Any]:
    return {**docs.report_doc(record.report), "outcome": record.outcome, "resolved_at": record.resolved_at,
            "resolved_by": record.resolved_by}


def _action(doc: dict[str, Any]) -> ModerationAction:
    return ModerationAction(question_id=doc["question_id"], moderator_id=doc["moderator_id"],
                            action=Moderation(doc["action"]), reason=doc["reason"],
                            changes=moderating.changes_from_json(doc["changes"]), at=doc["at"])


def _action_doc(entry: dump.ModerationEntry) -> dict[str, Any]:
    action = entry.action
    return {"_id": f"{action.question_id}#{entry.seq:012d}", "question_id": action.question_id,
            "moderator_id": action.moderator_id, "action": action.action.value, "reason": action.reason,
            "changes": moderating.changes_json(action.changes), "at": action.at}


def _challenge(doc: dict[str, Any]) -> Challenge:
    return Challenge(code=doc["_id"], creator_id=doc["creator_id"], creator_name=doc["creator_name"],
                     category=doc.get("category"), created_at=doc["created_at"], expires_at=doc["expires_at"],
                     battle_id=doc.get("battle_id"), used_at=doc.get("used_at"))


def _challenge_doc(challenge: Challenge) -> dict[str, Any]:
    return {"_id": challenge.code, "creator_id": challenge.creator_id, "creator_name": challenge.creator_name,
            "category": challenge.category, "created_at": challenge.created_at, "expires_at": challenge.expires_at,
            "battle_id": challenge.battle_id, "used_at": challenge.used_at,
            "expires_on": datetime.datetime.fromtimestamp(challenge.expires_at, datetime.UTC).replace(tzinfo=None)}


_READ = {"player": docs.player, "question": docs.question, "battle": docs.battle, "review": docs.review,
         "report": _report, "mail": docs.mail, "appeal": docs.appeal, "ban": docs.ban, "challenge": _challenge,
         "counter": lambda doc: dump.Counter(name=doc["_id"], value=doc["value"])}
_WRITE = {"player": docs.player_doc, "question": docs.question_doc, "battle": docs.battle_doc,
          "review": docs.review_doc, "report": _report_doc, "mail": docs.mail_doc, "moderation": _action_doc,
          "appeal": docs.appeal_doc, "ban": docs.ban_doc, "challenge": _challenge_doc,
          "counter": lambda c: {"_id": c.name, "value": c.value}}


async def export_rows(db: Any) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    now = time.time()
    for kind in dump.KINDS:
        # a challenge link that has expired is left out (dump.py says why)
        wanted = {"expires_at": {"$gt": now}} if kind == "challenge" else {}
        cursor = db[COLLECTION[kind]].find(wanted).sort(_ORDER.get(kind, [("_id", 1)]))
        if kind == "moderation":
            question, seq = None, 0
            async for doc in cursor:
                seq = seq + 1 if doc["question_id"] == question else 1
                question = doc["question_id"]
                yield dump.to_row(dump.ModerationEntry(seq, _action(doc)))
            continue
        async for doc in cursor:
            yield dump.to_row(_READ[kind](doc))


class Importer:
    """Rows into `db` within `session`'s transaction; `inserted` counts what went in, by kind."""

    def __init__(self, db: Any, session: Any, skip_existing: bool) -> None:
        self.db, self.session, self.skip_existing = db, session, skip_existing
        self.inserted = dict.fromkeys(dump.KINDS, 0)
        self._seen: dict[str, set[tuple[str, ...]]] = {kind: set() for kind in dump.KINDS}
        self._batch: list[tuple[str, dict[str, Any], dump.Record]] = []

    async def add(self, kind: str, row: dict[str, Any]) -> None:
        record = dump.from_row(kind, row)
        if self._batch and (self._batch[0][0] != kind or len(self._batch) >= BATCH):
            await self.flush()
        self._batch.append((kind, row, record))

    async def flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        kind = batch[0][0]
        stored = await self._stored_keys(kind, [dump.key(kind, row) for _, row, _ in batch])
        new = []
        for _, row, record in batch:
            key = dump.key(kind, row)
            if key in stored or key in self._seen[kind]:
                if not self.skip_existing:
                    raise StorageError(f"{kind} {'/'.join(key)} is already in the store; nothing was written")
                continue
            self._seen[kind].add(key)
            new.append((row, record))
        if not new:
            return
        await self._check_references(kind, new)
        try:
            await self.db[COLLECTION[kind]].insert_many(
                [_WRITE[kind](record) for _, record in new], ordered=True, session=self.session)
        except DRIVER_ERRORS as error:
            if not is_duplicate(error):
                raise
            if kind == "question":
                raise DuplicateQuestion("cannot import a question: the same question is stored under another id; "
                                        "nothing was written") from error
            raise StorageError(f"cannot import a {kind}: another stored {kind} has the same "
                               f"{'e-mail' if kind == 'player' else 'key'}; nothing was written") from error
        self.inserted[kind] += len(new)

    async def _stored_keys(self, kind: str, keys: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
        collection = self.db[COLLECTION[kind]]
        if kind == "moderation":  # stored: the question's history already holds `seq` actions
            held = {}
            for question_id in {q for q, _ in keys}:
                held[question_id] = await collection.count_documents({"question_id": question_id},
                                                                     session=self.session)
            return {(q, seq) for q, seq in keys if held[q] >= int(seq)}
        if kind == "review":
            found = collection.find({"question_id": {"$in": [q for q, _ in keys]},
                                     "player_id": {"$in": [p for _, p in keys]}},
                                    {"question_id": 1, "player_id": 1}, session=self.session)
            return {(doc["question_id"], doc["player_id"]) async for doc in found}
        found = collection.find({"_id": {"$in": [k for (k,) in keys]}}, {"_id": 1}, session=self.session)
        return {(doc["_id"],) async for doc in found}

    async def _check_references(self, kind: str, new: list[tuple[dict[str, Any], dump.Record]]) -> None:
        needs: dict[str, set[str]] = {"players": set(), "questions": set()}
        for _, record in new:
            if isinstance(record, Question) and record.author_id is not None:
                needs["players"].add(record.author_id)
            elif isinstance(record, BattleRecord):
                needs["players"].update(record.player_ids)
                needs["questions"].update(o.question_id for o in record.outcomes)
            elif isinstance(record, dump.ReportRecord):
                needs["players"].add(record.report.player_id)
                needs["questions"].add(record.report.question_id)
            elif isinstance(record, Review):
                needs["players"].add(record.player_id)
                needs["questions"].add(record.question_id)
            elif isinstance(record, dump.ModerationEntry):  # as SQLite's foreign key requires
                needs["questions"].add(record.action.question_id)
        for collection, ids in needs.items():
            missing = ids - await self._present(collection, ids)
            if missing:
                raise StorageError(f"cannot import the {kind} rows: they refer to {collection[:-1]} "
                                   f"{min(missing)}, which is not in the store nor earlier in the dump; "
                                   f"nothing was written")

    async def _present(self, collection: str, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        found = self.db[collection].find({"_id": {"$in": wanted}}, {"_id": 1}, session=self.session)
        return {doc["_id"] async for doc in found}
