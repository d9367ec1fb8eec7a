"""The whole MongoDB store out and in, as the dump's rows (kwissle/storage/dump.py).

Export reads each collection in key order (MongoDB compares strings by their UTF-8
bytes, which is code point order, as the dump wants). Import runs inside the caller's
transaction, a batch of rows of one kind at a time: it looks up which keys are already
stored, checks that every record it inserts refers only to players and questions that
are stored (or came earlier in the dump), and inserts the rest with one `insert_many`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from kwissle.model import BattleRecord, Question, Report, Review
from kwissle.storage import dump
from kwissle.storage import mongo_docs as docs
from kwissle.storage.mongo_errors import DRIVER_ERRORS, is_duplicate
from kwissle.storage.port import DuplicateQuestion, StorageError

BATCH = 500

COLLECTION = {"player": "players", "question": "questions", "battle": "battles", "review": "reviews",
              "report": "reports", "counter": "counters", "mail": "outbox"}
_ORDER = {"review": [("question_id", 1), ("player_id", 1)]}
_READ = {"player": docs.player, "question": docs.question, "battle": docs.battle, "review": docs.review,
         "report": docs.report, "mail": docs.mail,
         "counter": lambda doc: dump.Counter(name=doc["_id"], value=doc["value"])}
_WRITE = {"player": docs.player_doc, "question": docs.question_doc, "battle": docs.battle_doc,
          "review": docs.review_doc, "report": docs.report_doc, "mail": docs.mail_doc,
          "counter": lambda c: {"_id": c.name, "value": c.value}}


async def export_rows(db: Any) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    for kind in dump.KINDS:
        cursor = db[COLLECTION[kind]].find({}).sort(_ORDER.get(kind, [("_id", 1)]))
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
            elif isinstance(record, Review | Report):
                needs["players"].add(record.player_id)
                needs["questions"].add(record.question_id)
        for collection, ids in needs.items():
            missing = ids - await self._present(collection, ids)
            if missing:
                raise StorageError(f"cannot import the {kind} rows: they refer to {collection[:-1]} "
                                   f"{sorted(missing)[0]}, which is not in the store nor earlier in the dump; "
                                   f"nothing was written")

    async def _present(self, collection: str, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        found = self.db[collection].find({"_id": {"$in": wanted}}, {"_id": 1}, session=self.session)
        return {doc["_id"] async for doc in found}
