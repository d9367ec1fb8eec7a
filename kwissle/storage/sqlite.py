"""The SQLite adapter: the embedded default store.

One aiosqlite connection (its own thread, so the IOLoop never waits on disk),
WAL journal, foreign keys on. Every statement and transaction takes `_lock`:
one connection has one transaction, so two overlapping saves (or a plain write
landing inside someone else's transaction, and being rolled back with it) must
never interleave. The schema is versioned with `PRAGMA user_version`
and `MIGRATIONS`: to change it, append a migration, never edit an old one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    Mail,
    NewQuestion,
    Player,
    Question,
    QuestionOutcome,
    QuestionStats,
    QuestionStatus,
    Report,
    Review,
)
from kwissle.storage.port import DuplicateQuestion, StorageError
from kwissle.textfold import fingerprint

MIGRATIONS: list[str] = [
    # 1: everything GAME.md stores
    """
    CREATE TABLE players (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        guest INTEGER NOT NULL,
        email TEXT UNIQUE,
        is_admin INTEGER NOT NULL DEFAULT 0,
        rating REAL NOT NULL DEFAULT 1500,
        created_at REAL NOT NULL
    );
    CREATE TABLE questions (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        answer TEXT NOT NULL,
        variants TEXT NOT NULL,          -- JSON list
        wrong TEXT NOT NULL,             -- JSON list of three
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        author_id TEXT REFERENCES players(id),
        fingerprint TEXT NOT NULL UNIQUE,
        asked INTEGER NOT NULL DEFAULT 0,
        typed_right INTEGER NOT NULL DEFAULT 0,
        choice_right INTEGER NOT NULL DEFAULT 0,
        nobody INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX questions_status ON questions(status);
    CREATE TABLE battles (
        id TEXT PRIMARY KEY,
        player_a TEXT NOT NULL REFERENCES players(id),
        player_b TEXT NOT NULL REFERENCES players(id),
        scores TEXT NOT NULL,            -- JSON {player id: points}
        winner TEXT,
        reason TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL NOT NULL
    );
    CREATE INDEX battles_player_a ON battles(player_a, ended_at);
    CREATE INDEX battles_player_b ON battles(player_b, ended_at);
    CREATE TABLE battle_questions (
        battle_id TEXT NOT NULL REFERENCES battles(id),
        position INTEGER NOT NULL,
        question_id TEXT NOT NULL REFERENCES questions(id),
        by TEXT,
        how TEXT,
        points INTEGER NOT NULL,
        typed TEXT NOT NULL,             -- JSON {player id: [strings]}
        chose TEXT NOT NULL,             -- JSON {player id: index or null}
        PRIMARY KEY (battle_id, position)
    );
    CREATE TABLE reviews (
        question_id TEXT NOT NULL REFERENCES questions(id),
        player_id TEXT NOT NULL REFERENCES players(id),
        up INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (question_id, player_id)
    );
    CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        question_id TEXT NOT NULL REFERENCES questions(id),
        player_id TEXT NOT NULL REFERENCES players(id),
        battle_id TEXT,
        reason TEXT NOT NULL,
        created_at REAL NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at REAL NOT NULL,
        sent_at REAL,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_pending ON outbox(sent_at, created_at);
    """,
]

_QUESTION_COLUMNS = (
    "id, text, answer, variants, wrong, category, status, source, author_id, "
    "asked, typed_right, choice_right, nobody, created_at"
)


def _new_id() -> str:
    return secrets.token_hex(8)


def path_from_url(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url}")
    return Path(url.removeprefix("sqlite:///"))


class SQLiteStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> SQLiteStore:
        path = path_from_url(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        store = cls(db)
        await store._migrate()
        return store

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first, so the version bump rides in the same script.
            await self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            return (await cursor.fetchone())[0]

    async def close(self) -> None:
        await self._db.close()

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement; return how many rows it changed."""
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _transaction(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    await self._db.execute(sql, params)
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    # --- players -----------------------------------------------------------

    async def create_player(self, name: str, *, guest: bool = True, email: str | None = None) -> Player:
        player = Player(id=_new_id(), name=name, guest=guest, email=email, created_at=time.time())
        await self._write(
            "INSERT INTO players (id, name, guest, email, created_at) VALUES (?, ?, ?, ?, ?)",
            (player.id, player.name, int(player.guest), player.email, player.created_at),
        )
        return player

    async def get_player(self, player_id: str) -> Player | None:
        row = await self._one("SELECT * FROM players WHERE id = ?", (player_id,))
        return _player(row) if row else None

    async def get_player_by_email(self, email: str) -> Player | None:
        row = await self._one("SELECT * FROM players WHERE email = ?", (email.strip().lower(),))
        return _player(row) if row else None

    async def set_admin(self, player_id: str, is_admin: bool) -> bool:
        return await self._write(
            "UPDATE players SET is_admin = ? WHERE id = ?", (int(is_admin), player_id)) == 1

    async def set_ratings(self, ratings: dict[str, float]) -> None:
        await self._transaction(
            ("UPDATE players SET rating = ? WHERE id = ?", (rating, player_id))
            for player_id, rating in ratings.items())

    # --- questions ---------------------------------------------------------

    async def add_questions(
        self, questions: Sequence[NewQuestion], status: QuestionStatus = QuestionStatus.PENDING
    ) -> list[Question]:
        now = time.time()
        stored = [
            Question(**{f: getattr(q, f) for f in NewQuestion.__dataclass_fields__},
                     id=_new_id(), status=status, created_at=now)
            for q in questions
        ]
        try:
            await self._transaction(
                (f"INSERT INTO questions ({_QUESTION_COLUMNS}, fingerprint) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
                 (q.id, q.text, q.answer, json.dumps(list(q.variants)), json.dumps(list(q.wrong)),
                  q.category, q.status.value, q.source, q.author_id, q.created_at, fingerprint(q.text)))
                for q in stored)
        except aiosqlite.IntegrityError as error:
            if "fingerprint" in str(error):
                raise DuplicateQuestion(str(error)) from None
            raise
        return stored

    async def existing_fingerprints(self, texts: Iterable[str]) -> set[str]:
        wanted = list({fingerprint(t) for t in texts})
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            chunk = wanted[start:start + 500]
            rows = await self._all(
                f"SELECT fingerprint FROM questions WHERE fingerprint IN ({','.join('?' * len(chunk))})", chunk)
            found.update(row[0] for row in rows)
        return found

    async def get_question(self, question_id: str) -> Question | None:
        row = await self._one(f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE id = ?", (question_id,))
        return _question(row) if row else None

    async def count_questions(self, status: QuestionStatus | None = None) -> int:
        if status is None:
            row = await self._one("SELECT count(*) FROM questions")
        else:
            row = await self._one("SELECT count(*) FROM questions WHERE status = ?", (status.value,))
        return row[0]

    async def list_questions(
        self, status: QuestionStatus | None = None, limit: int = 50, offset: int = 0
    ) -> list[Question]:
        where, params = ("WHERE status = ?", [status.value]) if status else ("", [])
        rows = await self._all(
            f"SELECT {_QUESTION_COLUMNS} FROM questions {where} ORDER BY created_at, id LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return [_question(row) for row in rows]

    async def set_question_status(self, question_id: str, status: QuestionStatus) -> bool:
        return await self._write(
            "UPDATE questions SET status = ? WHERE id = ?", (status.value, question_id)) == 1

    async def sample_questions(self, n: int, exclude: Iterable[str] = ()) -> list[Question]:
        excluded = list(set(exclude))
        # ORDER BY random() scans the published set: fine for tens of thousands of rows.
        rows = await self._all(
            f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE status = 'published' "
            f"AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY random() LIMIT ?",
            (json.dumps(excluded), n))
        return [_question(row) for row in rows]

    # --- battles -------------------------------------------------------------

    async def save_battle(self, record: BattleRecord) -> None:
        statements: list[tuple[str, Sequence[Any]]] = [(
            "INSERT INTO battles (id, player_a, player_b, scores, winner, reason, started_at, ended_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (record.id, *record.player_ids, json.dumps(record.scores), record.winner,
             record.reason.value, record.started_at, record.ended_at),
        )]
        for position, outcome in enumerate(record.outcomes):
            statements.append((
                "INSERT INTO battle_questions (battle_id, position, question_id, by, how, points, typed, chose) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (record.id, position, outcome.question_id, outcome.by, outcome.how, outcome.points,
                 json.dumps(outcome.typed), json.dumps(outcome.chose)),
            ))
            column = {"typed": "typed_right", "choice": "choice_right"}.get(outcome.how or "", "nobody")
            statements.append((
                f"UPDATE questions SET asked = asked + 1, {column} = {column} + 1 WHERE id = ?",
                (outcome.question_id,),
            ))
        try:
            await self._transaction(statements)
        except aiosqlite.IntegrityError as error:
            raise StorageError(f"battle {record.id} cannot be stored: {error}") from None

    async def get_battle(self, battle_id: str) -> BattleRecord | None:
        row = await self._one("SELECT * FROM battles WHERE id = ?", (battle_id,))
        return (await self._battles([row]))[0] if row else None

    async def recent_battles(self, player_id: str, limit: int = 20) -> list[BattleRecord]:
        rows = await self._all(
            "SELECT * FROM battles WHERE player_a = ? OR player_b = ? ORDER BY ended_at DESC LIMIT ?",
            (player_id, player_id, limit))
        return await self._battles(rows)

    async def recent_question_ids(self, player_id: str, battles: int = 20) -> set[str]:
        rows = await self._all(
            "SELECT DISTINCT question_id FROM battle_questions WHERE battle_id IN ("
            " SELECT id FROM battles WHERE player_a = ? OR player_b = ? ORDER BY ended_at DESC LIMIT ?)",
            (player_id, player_id, battles))
        return {row[0] for row in rows}

    async def _battles(self, rows: Sequence[aiosqlite.Row]) -> list[BattleRecord]:
        records = []
        for row in rows:
            outcomes = await self._all(
                "SELECT * FROM battle_questions WHERE battle_id = ? ORDER BY position", (row["id"],))
            records.append(BattleRecord(
                id=row["id"],
                player_ids=(row["player_a"], row["player_b"]),
                scores=json.loads(row["scores"]),
                winner=row["winner"],
                reason=BattleEnd(row["reason"]),
                started_at=row["started_at"],
                ended_at=row["ended_at"],
                outcomes=tuple(
                    QuestionOutcome(question_id=o["question_id"], by=o["by"], how=o["how"],
                                    points=o["points"], typed=json.loads(o["typed"]),
                                    chose=json.loads(o["chose"]))
                    for o in outcomes),
            ))
        return records

    # --- reviews and reports -------------------------------------------------

    async def add_review(self, review: Review) -> None:
        await self._write(
            "INSERT INTO reviews (question_id, player_id, up, reason, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (question_id, player_id) DO UPDATE SET up = excluded.up, reason = excluded.reason, "
            "created_at = excluded.created_at",
            (review.question_id, review.player_id, int(review.up), review.reason,
             review.created_at or time.time()))

    async def review_tally(self, question_id: str) -> tuple[int, int]:
        row = await self._one(
            "SELECT coalesce(sum(up), 0), coalesce(sum(1 - up), 0) FROM reviews WHERE question_id = ?",
            (question_id,))
        return int(row[0]), int(row[1])

    async def add_report(self, question_id: str, player_id: str, battle_id: str | None, reason: str) -> Report:
        report = Report(id=_new_id(), question_id=question_id, player_id=player_id,
                        battle_id=battle_id, reason=reason, created_at=time.time())
        await self._write(
            "INSERT INTO reports (id, question_id, player_id, battle_id, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (report.id, report.question_id, report.player_id, report.battle_id, report.reason,
             report.created_at))
        return report

    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]:
        rows = await self._all(
            "SELECT * FROM reports WHERE resolved = ? ORDER BY created_at LIMIT ?", (int(resolved), limit))
        return [Report(id=r["id"], question_id=r["question_id"], player_id=r["player_id"],
                       battle_id=r["battle_id"], reason=r["reason"], created_at=r["created_at"],
                       resolved=bool(r["resolved"])) for r in rows]

    # --- counters --------------------------------------------------------------

    async def increment(self, name: str, by: int = 1) -> int:
        row = await self._one(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (name, by))
        return row[0]

    async def get_counter(self, name: str) -> int:
        row = await self._one("SELECT value FROM counters WHERE name = ?", (name,))
        return row[0] if row else 0

    # --- mail outbox -------------------------------------------------------------

    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail:
        mail = Mail(id=_new_id(), to=to, subject=subject, body=body, created_at=time.time())
        await self._write(
            "INSERT INTO outbox (id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
            (mail.id, mail.to, mail.subject, mail.body, mail.created_at))
        return mail

    async def pending_mail(self, limit: int = 20) -> list[Mail]:
        rows = await self._all(
            "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT ?", (limit,))
        return [Mail(id=r["id"], to=r["recipient"], subject=r["subject"], body=r["body"],
                     created_at=r["created_at"], sent_at=r["sent_at"], attempts=r["attempts"])
                for r in rows]

    async def mark_mail_sent(self, mail_id: str) -> None:
        await self._write(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", (time.time(), mail_id))

    async def mark_mail_failed(self, mail_id: str) -> None:
        await self._write("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (mail_id,))


def _player(row: aiosqlite.Row) -> Player:
    return Player(id=row["id"], name=row["name"], guest=bool(row["guest"]), email=row["email"],
                  is_admin=bool(row["is_admin"]), rating=row["rating"], created_at=row["created_at"])


def _question(row: aiosqlite.Row) -> Question:
    return Question(
        id=row["id"],
        text=row["text"],
        answer=row["answer"],
        variants=tuple(json.loads(row["variants"])),
        wrong=tuple(json.loads(row["wrong"])),
        category=row["category"],
        status=QuestionStatus(row["status"]),
        source=row["source"],
        author_id=row["author_id"],
        stats=QuestionStats(asked=row["asked"], typed_right=row["typed_right"],
                            choice_right=row["choice_right"], nobody=row["nobody"]),
        created_at=row["created_at"],
    )
