"""The SQLite adapter: the embedded default store.

Connections. One writer connection and a small pool of reader connections
(READERS), each an aiosqlite connection with its own thread, so the IOLoop never
waits on disk. The file is in WAL mode, where readers never wait for a writer:
a read is never queued behind a save, even one waiting for another process to
let go of the file. Every write is one `BEGIN IMMEDIATE` transaction on the
writer under `_write_lock` (one connection has one transaction, so two
overlapping saves must never interleave). Each read starts a fresh snapshot, so
it sees every write that returned before it began.

A busy file. Another process (an import, a second server) may hold the write
lock. The writer waits up to BUSY_TIMEOUT_SECONDS for it, then the write fails
with StorageError ("the store is busy ..."), which the results writer retries
later. Five seconds is well beyond any write Kwissle makes itself (a battle
takes milliseconds; an import of 49,700 questions holds the lock about 1.3 s,
its validation runs before the transaction), and short enough that a request
waiting on a write fails visibly instead of hanging and that shutdown stays prompt.

Errors. Every driver error leaves a port method as StorageError with one line an
operator can act on (`_failure`, `_open_failure`); a failed open closes every
connection it made, so no aiosqlite thread keeps the process alive.

Schema. Versioned with `PRAGMA user_version` and `MIGRATIONS`: to change it,
append a migration, never edit an old one. Every open re-reads the version inside
one `BEGIN IMMEDIATE` transaction and applies what is missing there, so two
processes starting at once on a new file apply each migration exactly once (and
an unwritable store is found at start, not at the first save).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

import aiosqlite

from kwissle.game import reviewing
from kwissle.model import (
    BattleEnd,
    BattleRecord,
    Challenge,
    Mail,
    Moderation,
    ModerationAction,
    NewQuestion,
    Player,
    Question,
    QuestionOutcome,
    QuestionStats,
    QuestionStatus,
    Rating,
    RatingChange,
    Report,
    Review,
)
from kwissle.model.appeals import Appeal, AppealGroup, AppealStatus
from kwissle.model.bans import Ban
from kwissle.model.battles import Recording
from kwissle.model.profiles import RECENT_BATTLES, PlayerProfile
from kwissle.model.triage import QuestionPlayStats
from kwissle.storage import boards, dump, merge, moderating, play_stats
from kwissle.storage.checking import new_id, new_questions
from kwissle.storage.merge import battle_moved
from kwissle.storage.port import (
    AlreadyHandled,
    AlreadyReviewed,
    BattleAlreadyStored,
    DuplicateQuestion,
    ReportedQuestion,
    SignInRefused,
    StorageError,
    StoreUnavailable,
    UnknownPlayer,
    UnknownQuestion,
)
from kwissle.storage.prefix import after_prefix
from kwissle.textfold import fingerprint

log = logging.getLogger("kwissle.storage")

BUSY_TIMEOUT_SECONDS = 5.0
READERS = 2

# What a driver call may raise besides sqlite3.Error: text with a lone surrogate
# cannot be encoded for SQLite, and an int beyond 64 bits cannot be bound.
_DRIVER_ERRORS = (sqlite3.Error, UnicodeEncodeError, OverflowError)

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
    # 2: players and the crowd: Glicko-2 ratings, answer times, explanations, sign-in links,
    # mail retries with a lease, one report per player and question
    """
    ALTER TABLE players ADD COLUMN deviation REAL NOT NULL DEFAULT 500;
    ALTER TABLE players ADD COLUMN volatility REAL NOT NULL DEFAULT 0.09;
    CREATE INDEX players_rating ON players(rating);
    ALTER TABLE battles ADD COLUMN ratings TEXT NOT NULL DEFAULT '[]';   -- JSON [RatingChange]
    CREATE INDEX battles_ended ON battles(ended_at);
    ALTER TABLE battle_questions ADD COLUMN typed_at TEXT NOT NULL DEFAULT '{}';  -- JSON {player id: [s]}
    ALTER TABLE battle_questions ADD COLUMN chose_at TEXT NOT NULL DEFAULT '{}';  -- JSON {player id: s}
    CREATE INDEX battle_questions_question ON battle_questions(question_id);
    ALTER TABLE questions ADD COLUMN explanation TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN link TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN reject_reason TEXT NOT NULL DEFAULT '';
    CREATE INDEX questions_author ON questions(author_id, created_at);
    CREATE INDEX questions_status_created ON questions(status, created_at);
    DELETE FROM reports WHERE rowid NOT IN (
        SELECT MIN(rowid) FROM reports GROUP BY question_id, player_id);
    CREATE UNIQUE INDEX reports_once ON reports(question_id, player_id);
    CREATE TABLE sign_in_links (
        token_hash TEXT PRIMARY KEY,     -- sha256 of the token in the link: the link itself is never stored
        email TEXT NOT NULL,             -- normalised
        guest_id TEXT,                   -- the guest who asked: merged into the account on sign-in
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        used_at REAL,
        player_id TEXT                   -- the account it signed in, once used
    );
    CREATE INDEX sign_in_links_email ON sign_in_links(email, created_at);
    ALTER TABLE outbox ADD COLUMN next_attempt_at REAL NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN lease_until REAL NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN failed_at REAL;
    CREATE INDEX outbox_due ON outbox(sent_at, failed_at, next_attempt_at);
    """,
    # 3: each question's alternatives in the order shown, and when each player loaded them
    """
    ALTER TABLE battle_questions ADD COLUMN choices TEXT NOT NULL DEFAULT '[]';          -- JSON [text]
    ALTER TABLE battle_questions ADD COLUMN alternatives_at TEXT NOT NULL DEFAULT '{}';  -- JSON {player id: s}
    """,
    # moderation: each question's version (the moderators' race guard) and what moderators did to it
    """
    ALTER TABLE questions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE moderation_history (
        question_id TEXT NOT NULL REFERENCES questions(id),
        moderator_id TEXT NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        changes TEXT NOT NULL,           -- JSON {field: [before, after]}
        at REAL NOT NULL
    );
    CREATE INDEX moderation_history_question ON moderation_history(question_id, at);
    """,
    # appeals: a player's refused typed answer in front of the moderators; how a report was resolved
    """
    CREATE TABLE appeals (
        id TEXT PRIMARY KEY,
        question_id TEXT NOT NULL,
        player_id TEXT NOT NULL,
        battle_id TEXT NOT NULL,
        text TEXT NOT NULL,              -- as typed
        folded TEXT NOT NULL,            -- textfold.fold(text): what appeals are grouped by
        created_at REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        note TEXT NOT NULL DEFAULT '',
        resolved_at REAL,
        resolved_by TEXT
    );
    CREATE UNIQUE INDEX appeals_once ON appeals(battle_id, player_id, question_id, folded);
    CREATE INDEX appeals_open ON appeals(status, question_id, folded);
    CREATE INDEX appeals_player ON appeals(player_id, created_at);
    ALTER TABLE reports ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
    ALTER TABLE reports ADD COLUMN resolved_at REAL;
    ALTER TABLE reports ADD COLUMN resolved_by TEXT;
    CREATE INDEX reports_question_open ON reports(question_id, resolved);
    """,
    # bans: a moderator stops a player from playing and adding to the crowd's work (kwissle/model/bans.py)
    """
    CREATE TABLE bans (
        id TEXT PRIMARY KEY,
        player_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        until REAL,                      -- NULL: until lifted
        by TEXT NOT NULL,
        at REAL NOT NULL,
        lifted_at REAL,
        lifted_by TEXT,
        lift_reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX bans_player ON bans(player_id, at);
    CREATE INDEX reports_player ON reports(player_id, created_at);
    """,
    # challenges: links that invite whoever opens them to a battle (kwissle/model/challenges.py)
    """
    CREATE TABLE challenges (
        code TEXT PRIMARY KEY,
        creator_id TEXT NOT NULL,
        creator_name TEXT NOT NULL,
        category TEXT,                   -- NULL: any category
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        battle_id TEXT,                  -- set once, when its battle starts
        used_at REAL
    );
    """,
    # recordings: a battle against a recorded opponent names the stored battle it replayed
    # (player_b is then the recorded player, who did not play it); the battles a recording may
    # be taken from, newest first, without reading the others
    """
    ALTER TABLE battles ADD COLUMN recording_of TEXT;
    CREATE INDEX battles_recordable ON battles(ended_at) WHERE reason = 'complete' AND recording_of IS NULL;
    """,
]

_QUESTION_COLUMNS = (
    "id, text, answer, variants, wrong, category, status, source, author_id, "
    "asked, typed_right, choice_right, nobody, created_at, explanation, link, reject_reason, version"
)
_INSERT_QUESTION = (
    f"INSERT INTO questions ({_QUESTION_COLUMNS}, fingerprint) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?, '', 0, ?)"
)
# --- recordings: the battles a player played (two `?`: the player twice). In a battle against a
# recording, player_b is the recorded player, who did not play it.
_PLAYED_BY = "(player_a = ? OR (player_b = ? AND recording_of IS NULL))"
_FINGERPRINTS_PER_QUERY = 500  # stay under SQLite's bound-parameter limit



def path_from_url(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url}")
    return Path(url.removeprefix("sqlite:///"))


class SQLiteStore:
    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: Sequence[aiosqlite.Connection]) -> None:
        self._path = path
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._readers.put_nowait(reader)
        self._reader_count = len(readers)
        self._closed = False

    @classmethod
    async def open(cls, url: str, readers: int = READERS) -> SQLiteStore:
        """Open (creating if needed) and migrate the store; StorageError with one clear line if it cannot."""
        path = path_from_url(url)
        _prepare_folder(path)
        opened: list[aiosqlite.Connection] = []
        try:
            opened.append(await _connect(path))
            await _use_wal(opened[0])
            await _migrate(opened[0], path)
            for _ in range(readers):
                opened.append(await _connect(path, reader=True))
        except sqlite3.Error as error:
            await _close_all(opened)
            raise _open_failure(path, error) from error
        except BaseException:
            await _close_all(opened)
            raise
        return cls(path, opened[0], opened[1:])

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return row[0]

    async def close(self) -> None:
        """Wait for the write and reads under way, then close every connection (and its thread)."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            readers = [await self._readers.get() for _ in range(self._reader_count)]
            await _close_all([self._writer, *readers])

    # --- the two ways in: a read on a reader, a transaction on the writer ----------

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"the store at {self._path} is closed")

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        self._check_open()
        db = await self._readers.get()
        try:
            yield db
        except _DRIVER_ERRORS as error:
            raise self._failure(error, writing=False) from error
        finally:
            self._readers.put_nowait(db)

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self._reading() as db, db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._reading() as db, db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self._write_lock:
            self._check_open()
            db = self._writer
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield db
                await db.execute("COMMIT")
            except _DRIVER_ERRORS as error:
                await _roll_back(db)
                raise self._failure(error, writing=True) from error
            except BaseException:
                await _roll_back(db)
                raise

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one writing statement in its own transaction; return how many rows it changed."""
        async with self._transaction() as db, db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _write_all(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> None:
        async with self._transaction() as db:
            for sql, params in statements:
                await db.execute(sql, params)

    def _failure(self, error: BaseException, writing: bool) -> StorageError:
        """The one line an operator (or a log reader) needs, for a driver error during use."""
        message = self._describe(error)
        return StorageError(f"{message}; nothing was written" if writing else message)

    def _describe(self, error: BaseException) -> str:
        if isinstance(error, UnicodeEncodeError):
            return f"text that cannot be stored (a lone surrogate): {error.object[error.start:error.end]!r}"
        if isinstance(error, OverflowError):
            return f"a number too large to store: {error}"
        code = _primary_code(error)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return _busy(self._path)
        if code == sqlite3.SQLITE_FULL:
            return f"the disk holding the store at {self._path} is full"
        if code == sqlite3.SQLITE_IOERR:
            return (f"disk I/O error on the store at {self._path} "
                    f"({error.sqlite_errorname}: is the disk full, over a size limit or failing?)")
        if code == sqlite3.SQLITE_READONLY:
            return f"the store at {self._path} has become read-only"
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return f"the store at {self._path} is damaged: {error}"
        if code == sqlite3.SQLITE_CONSTRAINT:
            return f"the store refused the change: {error}"
        return f"the store at {self._path} failed: {error}"

    # --- players -----------------------------------------------------------

    async def create_player(self, name: str, *, guest: bool = True, email: str | None = None) -> Player:
        player = Player(id=new_id(), name=name, guest=guest, email=email, created_at=time.time())
        await self._write(
            "INSERT INTO players (id, name, guest, email, created_at) VALUES (?, ?, ?, ?, ?)",
            (player.id, player.name, int(player.guest), player.email, player.created_at),
        )
        return player

    async def ensure_guest(self, player_id: str, name: str) -> Player:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO players (id, name, guest, created_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (id) DO NOTHING", (player_id, name, time.time()))
            async with db.execute("SELECT * FROM players WHERE id = ?", (player_id,)) as cursor:
                row = await cursor.fetchone()
        return _player(row)

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
        await self._write_all(
            ("UPDATE players SET rating = ? WHERE id = ?", (rating, player_id))
            for player_id, rating in ratings.items())

    # --- questions ---------------------------------------------------------

    async def add_questions(
        self, questions: Sequence[NewQuestion], status: QuestionStatus = QuestionStatus.PENDING
    ) -> list[Question]:
        stored = await new_questions(questions, status)
        prints = [fingerprint(q.text) for q in stored]
        if len(set(prints)) < len(prints):
            raise DuplicateQuestion("the same question is twice in the batch")
        if not stored:
            return stored
        async with self._transaction() as db:
            taken = await _fingerprints_in(db, prints)
            if taken:
                first = next(q for q, print_ in zip(stored, prints, strict=True) if print_ in taken)
                raise DuplicateQuestion(f"already stored: {first.text[:60]!r}")
            await db.executemany(_INSERT_QUESTION, [
                (q.id, q.text, q.answer, json.dumps(list(q.variants)), json.dumps(list(q.wrong)),
                 q.category, q.status.value, q.source, q.author_id, q.created_at, q.explanation, q.link, print_)
                for q, print_ in zip(stored, prints, strict=True)])
        return stored

    async def existing_fingerprints(self, texts: Iterable[str]) -> set[str]:
        async with self._reading() as db:
            return await _fingerprints_in(db, {fingerprint(t) for t in texts})

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
        async with self._transaction() as db:
            if not await _insert_battle(db, record):
                raise BattleAlreadyStored(f"battle {record.id} is already stored")
            for outcome in record.outcomes:
                result = play_stats.counted_result(record, outcome)  # against a recording: the live side
                if result is None:
                    continue
                column = {"typed": "typed_right", "choice": "choice_right"}.get(result, "nobody")
                await db.execute(
                    f"UPDATE questions SET asked = asked + 1, {column} = {column} + 1 WHERE id = ?",
                    (outcome.question_id,))
            await db.execute(_BUMP_COUNTER, (f"battles_{record.reason.value}", 1))
            # --- ratings: the new ratings land with the battle that earned them, or neither does.
            # A battle stored late (retried, spilled and taken back) never undoes a later one's rating.
            await db.executemany(
                "UPDATE players SET rating = ?, deviation = ?, volatility = ? WHERE id = ? AND NOT EXISTS ("
                "SELECT 1 FROM battles WHERE (player_a = ? OR player_b = ?) AND ratings != '[]' AND ended_at > ?)",
                [(c.after.rating, c.after.deviation, c.after.volatility, c.player_id, c.player_id, c.player_id,
                  record.ended_at) for c in record.ratings])

    async def get_battle(self, battle_id: str) -> BattleRecord | None:
        row = await self._one("SELECT * FROM battles WHERE id = ?", (battle_id,))
        return (await self._battles([row]))[0] if row else None

    async def recent_battles(self, player_id: str, limit: int = 20) -> list[BattleRecord]:
        rows = await self._all(
            f"SELECT * FROM battles WHERE {_PLAYED_BY} ORDER BY ended_at DESC LIMIT ?",
            (player_id, player_id, limit))
        return await self._battles(rows)

    async def recent_question_ids(self, player_id: str, battles: int = 20) -> set[str]:
        rows = await self._all(
            "SELECT DISTINCT question_id FROM battle_questions WHERE battle_id IN ("
            f" SELECT id FROM battles WHERE {_PLAYED_BY} ORDER BY ended_at DESC LIMIT ?)",
            (player_id, player_id, battles))
        return {row[0] for row in rows}

    async def last_seen_questions(self, player_ids: Sequence[str], battles: int = 20) -> dict[str, tuple[float, int]]:
        rows = await self._all(
            "WITH wanted(player) AS (SELECT value FROM json_each(?)),"
            " latest AS (SELECT b.id, b.ended_at, row_number() OVER ("
            "   PARTITION BY wanted.player ORDER BY b.ended_at DESC) AS n"
            "   FROM battles b JOIN wanted ON (wanted.player = b.player_a"
            "    OR (wanted.player = b.player_b AND b.recording_of IS NULL)))"
            " SELECT q.question_id, latest.ended_at, q.position FROM latest"
            " JOIN battle_questions q ON q.battle_id = latest.id WHERE latest.n <= ?",
            (json.dumps(list(player_ids)), battles))
        seen: dict[str, tuple[float, int]] = {}
        for question_id, ended_at, position in rows:
            seen[question_id] = max((ended_at, position), seen.get(question_id, (ended_at, position)))
        return seen

    # --- recordings (kwissle/game/ghost.py) -------------------------------------

    async def recordings_for(self, player_id: str | None, limit: int) -> list[Recording]:
        # the partial index battles_recordable walks the complete live battles newest first
        rows = await self._all(
            "SELECT * FROM battles INDEXED BY battles_recordable"
            " WHERE reason = 'complete' AND recording_of IS NULL AND player_a IS NOT ? AND player_b IS NOT ?"
            " ORDER BY ended_at DESC LIMIT ?", (player_id, player_id, max(0, limit)))
        records = await self._battles(rows)
        ids = sorted({p for record in records for p in record.player_ids})
        names = {row[0]: row[1] for row in await self._all(
            f"SELECT id, name FROM players WHERE id IN ({', '.join('?' * len(ids))})", ids)} if ids else {}
        return [Recording(record, {p: names.get(p, "") for p in record.player_ids}) for record in records]

    async def _battles(self, rows: Sequence[sqlite3.Row]) -> list[BattleRecord]:
        records = []
        for row in rows:
            outcomes = await self._all(
                "SELECT * FROM battle_questions WHERE battle_id = ? ORDER BY position", (row["id"],))
            records.append(_battle(row, outcomes))
        return records

    # --- ratings (stored by save_battle) ---------------------------------------

    async def rating_history(self, player_id: str, limit: int = 100) -> list[tuple[float, Rating]]:
        rows = await self._all(
            "SELECT ended_at, ratings FROM battles WHERE (player_a = ? OR player_b = ?) AND ratings != '[]' "
            "ORDER BY ended_at DESC, id DESC LIMIT ?", (player_id, player_id, limit))
        history = []
        for row in reversed(rows):
            after = next((change.after for change in map(_rating_change, json.loads(row["ratings"]))
                          if change.player_id == player_id), None)
            if after is not None:
                history.append((row["ended_at"], after))
        return history

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
        """Repeated reports of one question by one player count once: the first one is returned."""
        report = Report(id=new_id(), question_id=question_id, player_id=player_id,
                        battle_id=battle_id, reason=reason, created_at=time.time())
        async with self._transaction() as db:
            if await _insert(db, "INSERT INTO reports (id, question_id, player_id, battle_id, reason, created_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (question_id, player_id) DO NOTHING",
                             (report.id, report.question_id, report.player_id, report.battle_id, report.reason,
                              report.created_at)):
                return report
            async with db.execute("SELECT * FROM reports WHERE question_id = ? AND player_id = ?",
                                  (question_id, player_id)) as cursor:
                return _report(await cursor.fetchone())

    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]:
        rows = await self._all(
            "SELECT * FROM reports WHERE resolved = ? ORDER BY created_at LIMIT ?", (int(resolved), limit))
        return [_report(r) for r in rows]

    # --- crowd: reviews of pending questions, reports in front of moderators ---------

    async def review_question(self, review: Review, queue_ups: int, reject_downs: int) -> QuestionStatus:
        async with self._transaction() as db:
            async with db.execute("SELECT status FROM questions WHERE id = ?", (review.question_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise UnknownQuestion(f"no question {review.question_id}")
            if not await _insert(db, "INSERT INTO reviews (question_id, player_id, up, reason, created_at) "
                                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                 (review.question_id, review.player_id, int(review.up), review.reason,
                                  review.created_at or time.time())):
                raise AlreadyReviewed(f"player {review.player_id} already reviewed question {review.question_id}")
            status = QuestionStatus(row["status"])
            if status is not QuestionStatus.PENDING:
                return status
            async with db.execute("SELECT up, reason FROM reviews WHERE question_id = ? ORDER BY created_at",
                                  (review.question_id,)) as cursor:
                votes = [(bool(up), reason) for up, reason in await cursor.fetchall()]
            decided = reviewing.decide(votes, queue_ups, reject_downs)
            if decided is None:
                return status
            moved, reason = decided
            await db.execute("UPDATE questions SET status = ?, reject_reason = ? WHERE id = ? AND status = ?",
                             (moved.value, reason, review.question_id, QuestionStatus.PENDING.value))
            return moved

    async def next_for_review(self, player_id: str) -> Question | None:
        row = await self._one(
            f"SELECT {_QUESTION_COLUMNS} FROM questions q WHERE status = 'pending' "
            "AND (author_id IS NULL OR author_id != ?) "
            "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.question_id = q.id AND r.player_id = ?) "
            "ORDER BY created_at, id LIMIT 1", (player_id, player_id))
        return _question(row) if row else None

    async def questions_by_author(self, player_id: str, limit: int = 200) -> list[Question]:
        if limit <= 0:
            return []
        rows = await self._all(
            f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE author_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?", (player_id, limit))
        return [_question(row) for row in rows]

    async def reports_by_question(self, limit: int = 50) -> list[ReportedQuestion]:
        if limit <= 0:
            return []
        async with self._reading() as db:
            async with db.execute(
                    "SELECT question_id, count(*) AS n, min(created_at) AS first_at, max(created_at) AS last_at "
                    "FROM reports WHERE resolved = 0 GROUP BY question_id "
                    "ORDER BY n DESC, last_at DESC, question_id LIMIT ?", (limit,)) as cursor:
                groups = list(await cursor.fetchall())
            async with db.execute(
                    "SELECT question_id, reason, count(*) AS n, min(created_at) AS first_at FROM reports "
                    "WHERE resolved = 0 AND question_id IN (SELECT value FROM json_each(?)) "
                    "GROUP BY question_id, reason ORDER BY n DESC, first_at, reason",
                    (json.dumps([g["question_id"] for g in groups]),)) as cursor:
                reasons = list(await cursor.fetchall())
        return [ReportedQuestion(question_id=g["question_id"], reports=g["n"],
                                 reasons=tuple((r["reason"], r["n"]) for r in reasons
                                               if r["question_id"] == g["question_id"]),
                                 first_at=g["first_at"], last_at=g["last_at"]) for g in groups]

    # --- open reports: the admin landing page's count
    async def count_open_reports(self) -> tuple[int, int]:
        row = await self._one("SELECT count(DISTINCT question_id), count(*) FROM reports WHERE resolved = 0")
        return (row[0], row[1]) if row else (0, 0)

    # --- appeals: "my answer should count" (kwissle/realtime/appeals.py, web/admin_appeals.py) ---

    async def add_appeals(self, appeals: Sequence[Appeal]) -> int:
        added = 0
        async with self._transaction() as db:
            for appeal in appeals:
                added += await _insert(
                    db, "INSERT INTO appeals (id, question_id, player_id, battle_id, text, folded, created_at, status) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (battle_id, player_id, question_id, folded) DO NOTHING",
                    (appeal.id, appeal.question_id, appeal.player_id, appeal.battle_id, appeal.text, appeal.folded,
                     appeal.created_at, appeal.status.value))
        return added

    async def open_appeals_by_answer(self, limit: int = 100) -> list[AppealGroup]:
        if limit <= 0:
            return []
        rows = await self._all(
            "SELECT question_id, folded, count(DISTINCT player_id) AS players, count(*) AS n, "
            "min(created_at) AS first_at, max(created_at) AS last_at, "
            "(SELECT a2.text FROM appeals a2 WHERE a2.question_id = a.question_id AND a2.folded = a.folded "
            " AND a2.status = 'open' ORDER BY a2.created_at, a2.id LIMIT 1) AS text "
            "FROM appeals a WHERE status = 'open' GROUP BY question_id, folded "
            "ORDER BY players DESC, last_at DESC, question_id, folded LIMIT ?", (limit,))
        return [AppealGroup(question_id=r["question_id"], folded=r["folded"], text=r["text"], players=r["players"],
                            appeals=r["n"], first_at=r["first_at"], last_at=r["last_at"]) for r in rows]

    async def resolve_appeals(self, question_id: str, folded: str, status: AppealStatus, moderator_id: str,
                              note: str, now: float) -> int:
        if status is AppealStatus.OPEN:
            raise ValueError("an appeal is resolved as accepted or declined")
        return await self._write(
            "UPDATE appeals SET status = ?, note = ?, resolved_at = ?, resolved_by = ? "
            "WHERE question_id = ? AND folded = ? AND status = 'open'",
            (status.value, note, now, moderator_id, question_id, folded))

    async def appeals_of_player(self, player_id: str, limit: int = 50) -> list[Appeal]:
        if limit <= 0:
            return []
        rows = await self._all("SELECT * FROM appeals WHERE player_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                               (player_id, limit))
        return [_appeal(r) for r in rows]

    async def open_appeal_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT question_id, count(*) AS n FROM appeals WHERE status = 'open' "
                               "GROUP BY question_id")
        return {r["question_id"]: r["n"] for r in rows}

    # --- reports (moderation) ---

    async def resolve_reports(self, question_id: str, outcome: str, moderator_id: str, now: float) -> int:
        return await self._write(
            "UPDATE reports SET resolved = 1, outcome = ?, resolved_at = ?, resolved_by = ? "
            "WHERE question_id = ? AND resolved = 0", (outcome, now, moderator_id, question_id))

    # --- counters --------------------------------------------------------------

    async def increment(self, name: str, by: int = 1) -> int:
        async with self._transaction() as db, db.execute(f"{_BUMP_COUNTER} RETURNING value", (name, by)) as cursor:
            row = await cursor.fetchone()
        return row[0]

    async def get_counter(self, name: str) -> int:
        row = await self._one("SELECT value FROM counters WHERE name = ?", (name,))
        return row[0] if row else 0

    # --- counters: batched flushes and reads (kwissle/counters.py) ---------------

    async def add_counts(self, counts: Mapping[str, int]) -> None:
        if not counts:
            return
        async with self._transaction() as db:
            await db.executemany(_BUMP_COUNTER, list(counts.items()))

    async def counters_with_prefix(self, prefix: str) -> dict[str, int]:
        if not prefix:
            rows = await self._all("SELECT name, value FROM counters")
        else:  # a range on the primary key (names compare by code point, as UTF-8 bytes do)
            rows = await self._all("SELECT name, value FROM counters WHERE name >= ? AND name < ?",
                                   (prefix, after_prefix(prefix)))
        return {row[0]: row[1] for row in rows}

    # --- mail outbox -------------------------------------------------------------

    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail:
        mail = Mail(id=new_id(), to=to, subject=subject, body=body, created_at=time.time())
        await self._write(
            "INSERT INTO outbox (id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)",
            (mail.id, mail.to, mail.subject, mail.body, mail.created_at))
        return mail

    # --- accounts: sign-in links and the mail outbox's lease ----------------------

    async def create_sign_in_link(self, token_hash: str, email: str, guest_id: str | None,
                                  now: float, expires_at: float) -> None:
        await self._write(
            "INSERT INTO sign_in_links (token_hash, email, guest_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash, email, guest_id, now, expires_at))

    async def consume_sign_in_link(self, token_hash: str, now: float, name: str = "") -> Player:
        # One write transaction: the link's check, its use and the merge are one step, and a
        # second consume of the same link waits for the write lock, then finds it used.
        async with self._transaction() as db:
            async with db.execute("SELECT * FROM sign_in_links WHERE token_hash = ?", (token_hash,)) as cursor:
                link = await cursor.fetchone()
            if link is None:
                raise SignInRefused("unknown")
            if link["used_at"] is not None:
                raise SignInRefused("used")
            if link["expires_at"] <= now:
                raise SignInRefused("expired")
            account_id = await _account_for(db, link["email"], link["guest_id"], name, now)
            await db.execute("UPDATE sign_in_links SET used_at = ?, player_id = ? WHERE token_hash = ?",
                             (now, account_id, token_hash))
            async with db.execute("SELECT * FROM players WHERE id = ?", (account_id,)) as cursor:
                row = await cursor.fetchone()
        return _player(row)

    async def claim_mail(self, now: float, lease_seconds: float, limit: int = 20) -> list[Mail]:
        if limit <= 0:
            return []
        async with self._transaction() as db, db.execute(
                "UPDATE outbox SET lease_until = ? WHERE id IN ("
                " SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
                " AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at, created_at, id LIMIT ?)"
                " RETURNING *", (now + lease_seconds, now, now, limit)) as cursor:
            rows = await cursor.fetchall()
        return sorted((_mail(r) for r in rows), key=lambda m: (m.next_attempt_at, m.created_at, m.id))

    async def mark_mail_sent(self, mail_id: str, now: float) -> None:
        await self._write(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, lease_until = 0 WHERE id = ?", (now, mail_id))

    async def mark_mail_failed(self, mail_id: str, error: str, retry_at: float | None, now: float) -> None:
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, lease_until = 0, "
            "next_attempt_at = coalesce(?, next_attempt_at), failed_at = CASE WHEN ? IS NULL THEN ? END "
            "WHERE id = ?", (error, retry_at, retry_at, now, mail_id))

    # --- health, and the whole store in and out (kwissle/storage/dump.py) ------------

    async def ping(self) -> None:
        await self._one("SELECT 1")

    async def is_empty(self) -> bool:
        row = await self._one("SELECT " + " AND ".join(f"NOT EXISTS (SELECT 1 FROM {t})" for t in _TABLES))
        return bool(row[0])

    async def export_rows(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        async with self._reading() as db:
            # One read transaction: every row from one snapshot, even while a server writes,
            # so the dump never holds a battle whose player it lacks.
            await db.execute("BEGIN")
            try:
                for kind in dump.KINDS:
                    async for record in _exported(db, kind):
                        yield dump.to_row(record)
            finally:
                await _roll_back(db)

    async def import_rows(self, rows: Any, *, skip_existing: bool = False) -> dict[str, int]:
        """All or nothing: the whole import is one transaction (which holds the write lock on the
        file until it ends: import into a store no server is using)."""
        inserted = dict.fromkeys(dump.KINDS, 0)
        async with self._transaction() as db:
            async for kind, row in dump.each_row(rows):
                record = dump.from_row(kind, row)
                try:
                    added = await _import(db, record)
                except sqlite3.IntegrityError as error:
                    raise StorageError(f"cannot import {kind} {'/'.join(dump.key(kind, row))}: {error} "
                                       f"(does it refer to a row the dump lacks?); nothing was written") from error
                if added:
                    inserted[kind] += 1
                elif not skip_existing:
                    raise StorageError(f"{kind} {'/'.join(dump.key(kind, row))} is already in the store; "
                                       f"nothing was written")
        return inserted


    # --- boards: the profile page and the leaderboards (queries in kwissle/storage/boards.py) ---

    async def player_profile(self, player_id: str) -> PlayerProfile | None:
        player = await self.get_player(player_id)
        if player is None:
            return None
        named = {"p": player_id, "abandoned": boards.ABANDONED}
        results = await self._one(boards.SQL_RESULTS, named)
        categories = await self._all(boards.SQL_CATEGORIES, named)
        recent = await self.recent_battles(player_id, RECENT_BATTLES)
        return boards.build_profile(player, dict(results), (dict(row) for row in categories), recent)

    async def top_rated(self, limit: int = 100) -> list[Player]:
        rows = await self._all(boards.SQL_TOP_RATED, (*boards.TOP_RATED_PARAMS, limit))
        return [_player(row) for row in rows]

    async def most_wins_since(self, since: float, limit: int = 100) -> list[tuple[Player, int]]:
        rows = await self._all(boards.SQL_MOST_WINS,
                               {"since": since, "limit": limit, "abandoned": boards.ABANDONED})
        return [(_player(row), row["wins"]) for row in rows]

    async def best_per_category(self, min_answered: int = 5) -> dict[str, tuple[Player, int, int]]:
        rows = await self._all(boards.SQL_BEST_PER_CATEGORY,
                               {"min_answered": min_answered, "abandoned": boards.ABANDONED})
        return {row["category"]: (_player(row), row["right"], row["asked"]) for row in rows}

    # --- names: a signed-in player chooses their display name (kwissle/web/account.py) ---

    async def rename_player(self, player_id: str, name: str) -> bool:
        return await self._write("UPDATE players SET name = ? WHERE id = ?", (name, player_id)) == 1

    # --- triage: figures from play per published question (kwissle/storage/play_stats.py) ---

    async def question_play_stats(self, limit: int = 200, offset: int = 0) -> list[tuple[Question, QuestionPlayStats]]:
        limit, offset = play_stats.bounded(limit, offset)
        if not limit:
            return []
        async with self._reading() as db:
            async with db.execute(play_stats.SQL_PAGE.format(columns=_QUESTION_COLUMNS), (limit, offset)) as cursor:
                questions = [_question(row) for row in await cursor.fetchall()]
            tally = play_stats.PlayTally([q.id for q in questions])
            async with db.execute(play_stats.SQL_OUTCOMES, (json.dumps([q.id for q in questions]),)) as cursor:
                while rows := await cursor.fetchmany(play_stats.BATCH):
                    await play_stats.tally_in_thread(tally, rows, play_stats.sqlite_outcomes)
        return list(zip(questions, tally.results(), strict=True))

    # --- guests: their rows written in batches when they first play (kwissle/realtime/guest_rows.py) ---

    async def ensure_guests(self, guests: Sequence[tuple[str, str]]) -> None:
        if not guests:
            return
        now = time.time()
        async with self._transaction() as db:
            await db.executemany(
                "INSERT INTO players (id, name, guest, created_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (id) DO NOTHING", [(player_id, name, now) for player_id, name in guests])

    # --- challenges: links that invite whoever opens them to a battle (kwissle/model/challenges.py)

    async def create_challenge(self, challenge: Challenge) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO challenges (code, creator_id, creator_name, category, created_at, expires_at, "
                "battle_id, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (challenge.code, challenge.creator_id, challenge.creator_name, challenge.category,
                 challenge.created_at, challenge.expires_at, challenge.battle_id, challenge.used_at))

    async def get_challenge(self, code: str) -> Challenge | None:
        row = await self._one("SELECT * FROM challenges WHERE code = ?", (code,))
        if row is None:
            return None
        return Challenge(code=row["code"], creator_id=row["creator_id"], creator_name=row["creator_name"],
                         category=row["category"], created_at=row["created_at"], expires_at=row["expires_at"],
                         battle_id=row["battle_id"], used_at=row["used_at"])

    async def use_challenge(self, code: str, battle_id: str, now: float) -> bool:
        async with self._transaction() as db, db.execute(
                "UPDATE challenges SET battle_id = ?, used_at = ? "
                "WHERE code = ? AND battle_id IS NULL AND expires_at > ?", (battle_id, now, code, now)) as cursor:
            return cursor.rowcount == 1

    # --- moderation: moderators act on questions, each action kept as history (kwissle/storage/moderating.py)

    async def moderate_question(self, question_id: str, expected_version: int, action: str,
                                changes: Mapping[str, Any], moderator_id: str, reason: str,
                                now: float) -> Question:
        async with self._transaction() as db:  # BEGIN IMMEDIATE: no other writer between read and write
            async with db.execute(f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE id = ?",
                                  (question_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise UnknownQuestion(f"no question {question_id}")
            question = _question(row)
            if question.version != expected_version:
                async with db.execute("SELECT moderator_id, at FROM moderation_history WHERE question_id = ? "
                                      "ORDER BY at DESC, rowid DESC LIMIT 1", (question_id,)) as cursor:
                    last = await cursor.fetchone()
                raise AlreadyHandled(question_id, last["moderator_id"] if last else "", last["at"] if last else 0.0)
            planned = moderating.plan(question, action, changes, reason)
            after = planned.after
            if fingerprint(after.text) != fingerprint(question.text):
                taken = await _fingerprints_in(db, [fingerprint(after.text)])
                if taken:
                    raise DuplicateQuestion(f"already stored: {after.text[:60]!r}")
            await db.execute(
                "UPDATE questions SET text = ?, answer = ?, variants = ?, wrong = ?, category = ?, explanation = ?, "
                "link = ?, status = ?, reject_reason = ?, fingerprint = ?, version = ? WHERE id = ? AND version = ?",
                (after.text, after.answer, json.dumps(list(after.variants)), json.dumps(list(after.wrong)),
                 after.category, after.explanation, after.link, after.status.value, after.reject_reason,
                 fingerprint(after.text), after.version, question_id, expected_version))
            await db.execute(
                "INSERT INTO moderation_history (question_id, moderator_id, action, reason, changes, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (question_id, moderator_id, str(action), reason, json.dumps(moderating.changes_json(planned.changes)),
                 now))
        return after

    async def question_history(self, question_id: str, limit: int = 100) -> list[ModerationAction]:
        rows = await self._all(
            "SELECT * FROM moderation_history WHERE question_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
            (question_id, max(limit, 0)))
        return [ModerationAction(question_id=r["question_id"], moderator_id=r["moderator_id"],
                                 action=Moderation(r["action"]), reason=r["reason"],
                                 changes=moderating.changes_from_json(json.loads(r["changes"])), at=r["at"])
                for r in rows]

    async def question_reviews(self, question_id: str) -> list[Review]:
        rows = await self._all("SELECT * FROM reviews WHERE question_id = ? ORDER BY created_at, player_id",
                               (question_id,))
        return [Review(question_id=r["question_id"], player_id=r["player_id"], up=bool(r["up"]),
                       reason=r["reason"], created_at=r["created_at"]) for r in rows]


    # --- bans: the admin players page and what a banned player may not do (kwissle/web/admin_players.py)

    async def ban_player(self, player_id: str, reason: str, until: float | None, by: str, now: float) -> Ban:
        ban = Ban(player_id=player_id, reason=reason, until=until, by=by, at=now, id=new_id())
        async with self._transaction() as db:
            async with db.execute("SELECT 1 FROM players WHERE id = ?", (player_id,)) as cursor:
                if await cursor.fetchone() is None:
                    raise UnknownPlayer(f"no player has the id {player_id!r}")
            await db.execute(
                "UPDATE bans SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE player_id = ? "
                "AND lifted_at IS NULL AND (until IS NULL OR until > ?)",
                (now, by, REPLACED_BY_A_NEW_BAN, player_id, now))
            await db.execute(
                "INSERT INTO bans (id, player_id, reason, until, by, at) VALUES (?, ?, ?, ?, ?, ?)",
                (ban.id, player_id, reason, until, by, now))
        return ban

    async def unban_player(self, player_id: str, by: str, reason: str, now: float) -> Ban | None:
        async with self._transaction() as db:
            async with db.execute(f"SELECT * FROM bans WHERE {_IN_FORCE} ORDER BY at DESC LIMIT 1",
                                  (player_id, now)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await db.execute("UPDATE bans SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ?",
                             (now, by, reason, row["id"]))
        return replace(_ban(row), lifted_at=now, lifted_by=by, lift_reason=reason)

    async def active_ban(self, player_id: str, now: float) -> Ban | None:
        row = await self._one(f"SELECT * FROM bans WHERE {_IN_FORCE} ORDER BY at DESC LIMIT 1", (player_id, now))
        return _ban(row) if row is not None else None

    async def ban_history(self, player_id: str, limit: int = 100) -> list[Ban]:
        rows = await self._all("SELECT * FROM bans WHERE player_id = ? ORDER BY at DESC, id LIMIT ?",
                               (player_id, limit))
        return [_ban(row) for row in rows]

    async def search_players(self, text: str, limit: int = 50, offset: int = 0) -> list[Player]:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self._all(
            "SELECT * FROM players WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' "
            "ORDER BY guest, name, id LIMIT ? OFFSET ?", (pattern, pattern, limit, offset))
        return [_player(row) for row in rows]

    async def reports_filed_by(self, player_id: str, limit: int = 50) -> list[Report]:
        rows = await self._all("SELECT * FROM reports WHERE player_id = ? ORDER BY created_at DESC, id LIMIT ?",
                               (player_id, limit))
        return [_report(row) for row in rows]

    async def reports_on_questions_of(self, player_id: str, limit: int = 50) -> list[Report]:
        rows = await self._all(
            "SELECT reports.* FROM reports JOIN questions ON questions.id = reports.question_id "
            "WHERE questions.author_id = ? ORDER BY reports.created_at DESC, reports.id LIMIT ?",
            (player_id, limit))
        return [_report(row) for row in rows]

_BUMP_COUNTER = (
    "INSERT INTO counters (name, value) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value"
)


# --- opening, migrating and closing ------------------------------------------------


def _prepare_folder(path: Path) -> None:
    if path.is_dir():
        raise StorageError(f"cannot open the store at {path}: it is a directory, not a database file")
    if path.parent.exists() and not path.parent.is_dir():
        raise StorageError(f"cannot open the store at {path}: {path.parent} is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"cannot open the store at {path}: cannot create its folder {path.parent}: {error.strerror}") from error


async def _connect(path: Path, reader: bool = False) -> aiosqlite.Connection:
    connecting = aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        db = await connecting
    except BaseException:
        # aiosqlite stops its thread when the connect fails but does not wait for it: if the
        # event loop closed first, the thread would print a traceback on its way out.
        await asyncio.to_thread(connecting._thread.join, BUSY_TIMEOUT_SECONDS)
        raise
    try:
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        await db.execute("PRAGMA foreign_keys=ON")
        if reader:
            await db.execute("PRAGMA query_only=ON")
    except BaseException:
        await _close_all([db])
        raise
    return db


async def _use_wal(db: aiosqlite.Connection) -> None:
    # Switching a new file to WAL needs it to itself; when another process is switching it
    # at the same moment SQLite says "locked" at once instead of waiting: so wait here.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            async with db.execute("PRAGMA journal_mode=WAL") as cursor:
                (mode,) = await cursor.fetchone()
            break
        except sqlite3.OperationalError as error:
            if _primary_code(error) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)
    if mode != "wal":
        log.warning("the store runs in %s journal mode, not WAL: reads will wait for writes", mode)


async def _migrate(db: aiosqlite.Connection, path: Path) -> None:
    await db.execute("BEGIN IMMEDIATE")
    try:
        async with db.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        if version > len(MIGRATIONS):
            raise StorageError(f"cannot open the store at {path}: its schema (version {version}) is newer "
                               f"than this Kwissle knows (version {len(MIGRATIONS)}); upgrade Kwissle")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in _statements(script):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version={number}")
        await db.execute("COMMIT")
    except BaseException:
        await _roll_back(db)
        raise


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one by one (executescript would commit first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete statement at the end of a migration: {statement.strip()[:60]!r}")


async def _roll_back(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # SQLite already rolled back (it does on some I/O errors), or the connection is gone


async def _close_all(connections: Iterable[aiosqlite.Connection]) -> None:
    for db in connections:
        try:
            await db.close()  # also stops the connection's thread, whatever happens
        except Exception:
            log.exception("closing a store connection failed")


def _open_failure(path: Path, error: sqlite3.Error) -> StorageError:
    """Why the store cannot open, in words an operator can act on."""
    code = _primary_code(error)
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        reason = f"the file is not a SQLite database, or it is damaged ({error})"
    elif path.exists() and not os.access(path, os.R_OK | os.W_OK):
        reason = "the file is read-only; Kwissle writes to its store (check its permissions and the file system)"
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        reason = (f"its folder {path.parent} is not writable; SQLite keeps the store's -wal and -shm "
                  f"files beside it (check the folder's permissions and the file system)")
    elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreUnavailable(f"cannot open the store at {path}: {_busy(path)}")
    elif code == sqlite3.SQLITE_FULL:
        reason = "the disk is full"
    else:
        reason = str(error)
    return StorageError(f"cannot open the store at {path}: {reason}")


def _busy(path: Path) -> str:
    return (f"the store is busy: another process has held the write lock on {path} "
            f"for more than {BUSY_TIMEOUT_SECONDS:g} s")


def _primary_code(error: BaseException) -> int:
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF


async def _fingerprints_in(db: aiosqlite.Connection, prints: Iterable[str]) -> set[str]:
    wanted = list(prints)
    found: set[str] = set()
    for start in range(0, len(wanted), _FINGERPRINTS_PER_QUERY):
        chunk = wanted[start:start + _FINGERPRINTS_PER_QUERY]
        async with db.execute(
                f"SELECT fingerprint FROM questions WHERE fingerprint IN ({','.join('?' * len(chunk))})",
                chunk) as cursor:
            found.update(row[0] for row in await cursor.fetchall())
    return found


def _player(row: sqlite3.Row) -> Player:
    return Player(id=row["id"], name=row["name"], guest=bool(row["guest"]), email=row["email"],
                  is_admin=bool(row["is_admin"]), rating=row["rating"], created_at=row["created_at"],
                  deviation=row["deviation"], volatility=row["volatility"])


def _appeal(r: sqlite3.Row) -> Appeal:
    return Appeal(id=r["id"], question_id=r["question_id"], player_id=r["player_id"], battle_id=r["battle_id"],
                  text=r["text"], folded=r["folded"], created_at=r["created_at"], status=AppealStatus(r["status"]),
                  note=r["note"], resolved_at=r["resolved_at"], resolved_by=r["resolved_by"])


# --- bans
REPLACED_BY_A_NEW_BAN = "replaced by a new ban"
_IN_FORCE = "player_id = ? AND lifted_at IS NULL AND (until IS NULL OR until > ?)"


def _ban(r: sqlite3.Row) -> Ban:
    return Ban(player_id=r["player_id"], reason=r["reason"], until=r["until"], by=r["by"], at=r["at"], id=r["id"],
               lifted_at=r["lifted_at"], lifted_by=r["lifted_by"], lift_reason=r["lift_reason"])


def _report(r: sqlite3.Row) -> Report:
    return Report(id=r["id"], question_id=r["question_id"], player_id=r["player_id"], battle_id=r["battle_id"],
                  reason=r["reason"], created_at=r["created_at"], resolved=bool(r["resolved"]))


def _question(row: sqlite3.Row) -> Question:
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
        explanation=row["explanation"],
        link=row["link"],
        reject_reason=row["reject_reason"],
        version=row["version"],
    )


def _battle(row: sqlite3.Row, outcomes: Iterable[sqlite3.Row]) -> BattleRecord:
    return BattleRecord(
        id=row["id"],
        player_ids=(row["player_a"], row["player_b"]),
        scores=json.loads(row["scores"]),
        winner=row["winner"],
        reason=BattleEnd(row["reason"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        outcomes=tuple(
            QuestionOutcome(question_id=o["question_id"], by=o["by"], how=o["how"],
                            points=o["points"], typed=json.loads(o["typed"]), chose=json.loads(o["chose"]),
                            typed_at=json.loads(o["typed_at"]), chose_at=json.loads(o["chose_at"]),
                            choices=tuple(json.loads(o["choices"])),
                            alternatives_at=json.loads(o["alternatives_at"]))
            for o in outcomes),
        ratings=tuple(_rating_change(change) for change in json.loads(row["ratings"])),
        recording_of=row["recording_of"],
    )


def _rating_json(record: BattleRecord) -> str:
    return json.dumps([{"player_id": c.player_id, "before": list(astuple(c.before)), "after": list(astuple(c.after))}
                       for c in record.ratings])


def _rating_change(change: dict[str, Any]) -> RatingChange:
    return RatingChange(change["player_id"], Rating(*change["before"]), Rating(*change["after"]))


# --- the whole store out and in ------------------------------------------------------

_TABLES = ("players", "questions", "battles", "battle_questions", "reviews", "reports", "counters", "outbox",
           "moderation_history", "appeals", "bans", "challenges")
_EXPORT_BATCH = 500

# Each kind in dump.sort_key order: SQLite compares text byte by byte, which for UTF-8 is
# code point order, as Python does. Battles, which need their outcomes, are `_exported_battles`.
_EXPORTS: dict[str, tuple[str, Any]] = {
    "player": ("SELECT * FROM players ORDER BY id", _player),
    "question": (f"SELECT {_QUESTION_COLUMNS} FROM questions ORDER BY id", _question),
    "review": ("SELECT * FROM reviews ORDER BY question_id, player_id",
               lambda r: Review(question_id=r["question_id"], player_id=r["player_id"], up=bool(r["up"]),
                                reason=r["reason"], created_at=r["created_at"])),
    "report": ("SELECT * FROM reports ORDER BY id",
               lambda r: dump.ReportRecord(_report(r), outcome=r["outcome"], resolved_at=r["resolved_at"],
                                           resolved_by=r["resolved_by"])),
    "counter": ("SELECT * FROM counters ORDER BY name", lambda r: dump.Counter(name=r["name"], value=r["value"])),
    "mail": ("SELECT * FROM outbox ORDER BY id", lambda r: _mail(r)),
    "appeal": ("SELECT * FROM appeals ORDER BY id", lambda r: _appeal(r)),
    "ban": ("SELECT * FROM bans ORDER BY id", lambda r: _ban(r)),
    # a challenge link that has expired is left out (dump.py says why)
    "challenge": ("SELECT * FROM challenges WHERE expires_at > :now ORDER BY code",
                  lambda r: Challenge(code=r["code"], creator_id=r["creator_id"], creator_name=r["creator_name"],
                                      category=r["category"], created_at=r["created_at"],
                                      expires_at=r["expires_at"], battle_id=r["battle_id"], used_at=r["used_at"])),
}

# What each SQLite column is in a dump row (tests/storage/test_dump_coverage.py holds every
# column of every table to this or to dump.LEFT_OUT): table -> (kind, {column: field path}),
# a column not named going by its own name.
DUMPED_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "players": ("player", {}),
    "questions": ("question", {c: f"stats.{c}" for c in ("asked", "typed_right", "choice_right", "nobody")}),
    "battles": ("battle", {"player_a": "player_ids", "player_b": "player_ids"}),
    "battle_questions": ("battle", {"battle_id": "id", "position": "outcomes",
                                    **{c: f"outcomes.{c}" for c in (
                                        "question_id", "by", "how", "points", "typed", "chose", "typed_at",
                                        "chose_at", "choices", "alternatives_at")}}),
    "reviews": ("review", {}),
    "reports": ("report", {}),
    "counters": ("counter", {}),
    "outbox": ("mail", {"recipient": "to"}),
    "moderation_history": ("moderation", {}),
    "appeals": ("appeal", {}),
    "bans": ("ban", {}),
    "challenges": ("challenge", {}),
}


def _mail(r: sqlite3.Row) -> Mail:
    return Mail(id=r["id"], to=r["recipient"], subject=r["subject"], body=r["body"],
                created_at=r["created_at"], sent_at=r["sent_at"], attempts=r["attempts"],
                next_attempt_at=r["next_attempt_at"], last_error=r["last_error"], failed_at=r["failed_at"])


async def _exported(db: aiosqlite.Connection, kind: str) -> AsyncIterator[dump.Record]:
    if kind == "battle":
        async for battle in _exported_battles(db):
            yield battle
        return
    if kind == "moderation":
        async for entry in _exported_history(db):
            yield entry
        return
    sql, record = _EXPORTS[kind]
    async for row in _rows(db, sql, {"now": time.time()} if kind == "challenge" else ()):
        yield record(row)


async def _rows(db: aiosqlite.Connection, sql: str, params: Any = ()) -> AsyncIterator[sqlite3.Row]:
    async with db.execute(sql, params) as cursor:
        while batch := await cursor.fetchmany(_EXPORT_BATCH):
            for row in batch:
                yield row


async def _exported_battles(db: aiosqlite.Connection) -> AsyncIterator[BattleRecord]:
    """Every battle by id with its outcomes: two ordered scans side by side, not a query per battle."""
    outcomes = _rows(db, "SELECT * FROM battle_questions ORDER BY battle_id, position")
    pending = await anext(outcomes, None)
    async for row in _rows(db, "SELECT * FROM battles ORDER BY id"):
        mine = []
        while pending is not None and pending["battle_id"] == row["id"]:
            mine.append(pending)
            pending = await anext(outcomes, None)
        yield _battle(row, mine)


async def _exported_history(db: aiosqlite.Connection) -> AsyncIterator[dump.ModerationEntry]:
    """Each question's moderation history, oldest first, numbered from 1 (as `question_history` orders it)."""
    question, seq = None, 0
    async for r in _rows(db, "SELECT * FROM moderation_history ORDER BY question_id, at, rowid"):
        seq = seq + 1 if r["question_id"] == question else 1
        question = r["question_id"]
        yield dump.ModerationEntry(seq, ModerationAction(
            question_id=r["question_id"], moderator_id=r["moderator_id"], action=Moderation(r["action"]),
            reason=r["reason"], changes=moderating.changes_from_json(json.loads(r["changes"])), at=r["at"]))


async def _insert(db: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> bool:
    """Run an `INSERT ... ON CONFLICT DO NOTHING`; True if it added the row."""
    async with db.execute(sql, params) as cursor:
        return cursor.rowcount == 1


async def _insert_battle(db: aiosqlite.Connection, record: BattleRecord) -> bool:
    """Write a battle and its per-question outcomes (not the questions' play counts);
    False, writing nothing, if a battle with its id is already stored."""
    if not await _insert(db, "INSERT INTO battles (id, player_a, player_b, scores, winner, reason, "
                             "started_at, ended_at, ratings, recording_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT DO NOTHING",
                         (record.id, *record.player_ids, json.dumps(record.scores), record.winner,
                          record.reason.value, record.started_at, record.ended_at, _rating_json(record),
                          record.recording_of)):
        return False
    await db.executemany(
        "INSERT INTO battle_questions (battle_id, position, question_id, by, how, points, typed, chose, "
        "typed_at, chose_at, choices, alternatives_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(record.id, position, o.question_id, o.by, o.how, o.points, json.dumps(o.typed), json.dumps(o.chose),
          json.dumps(o.typed_at), json.dumps(o.chose_at), json.dumps(list(o.choices)),
          json.dumps(o.alternatives_at))
         for position, o in enumerate(record.outcomes)])
    return True


async def _import(db: aiosqlite.Connection, record: dump.Record) -> bool:
    """Insert one record as it is (ids, times, statistics, status); False if its key is already stored."""
    if isinstance(record, Player):
        if await _insert(db, "INSERT INTO players (id, name, guest, email, is_admin, rating, created_at, "
                             "deviation, volatility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (record.id, record.name, int(record.guest), record.email, int(record.is_admin),
                          record.rating, record.created_at, record.deviation, record.volatility)):
            return True
        async with db.execute("SELECT 1 FROM players WHERE id = ?", (record.id,)) as cursor:
            if await cursor.fetchone() is None:
                raise StorageError(f"cannot import player {record.id}: its e-mail {record.email} "
                                   f"belongs to another stored player; nothing was written")
        return False
    if isinstance(record, Question):
        stats = record.stats
        if await _insert(db, f"INSERT INTO questions ({_QUESTION_COLUMNS}, fingerprint) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (record.id, record.text, record.answer, json.dumps(list(record.variants)),
                          json.dumps(list(record.wrong)), record.category, record.status.value, record.source,
                          record.author_id, stats.asked, stats.typed_right, stats.choice_right, stats.nobody,
                          record.created_at, record.explanation, record.link, record.reject_reason,
                          record.version, fingerprint(record.text))):
            return True
        async with db.execute("SELECT 1 FROM questions WHERE id = ?", (record.id,)) as cursor:
            if await cursor.fetchone() is None:
                raise DuplicateQuestion(f"cannot import question {record.id}: the same question is stored "
                                        f"under another id ({record.text[:60]!r}); nothing was written")
        return False
    if isinstance(record, BattleRecord):  # its play counts arrive with the question rows
        return await _insert_battle(db, record)
    if isinstance(record, Review):
        return await _insert(db, "INSERT INTO reviews (question_id, player_id, up, reason, created_at) "
                                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (record.question_id, record.player_id, int(record.up), record.reason,
                              record.created_at))
    if isinstance(record, dump.ReportRecord):
        report = record.report
        return await _insert(db, "INSERT INTO reports (id, question_id, player_id, battle_id, reason, created_at, "
                                 "resolved, outcome, resolved_at, resolved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT DO NOTHING",
                             (report.id, report.question_id, report.player_id, report.battle_id, report.reason,
                              report.created_at, int(report.resolved), record.outcome, record.resolved_at,
                              record.resolved_by))
    if isinstance(record, dump.Counter):
        return await _insert(db, "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             (record.name, record.value))
    if isinstance(record, Mail):
        return await _insert(db, "INSERT INTO outbox (id, recipient, subject, body, created_at, sent_at, attempts, "
                                 "next_attempt_at, last_error, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT DO NOTHING",
                             (record.id, record.to, record.subject, record.body, record.created_at,
                              record.sent_at, record.attempts, record.next_attempt_at, record.last_error,
                              record.failed_at))
    return await _import_since_3(db, record)


async def _import_since_3(db: aiosqlite.Connection, record: dump.Record) -> bool:
    """The kinds dump version 3 added."""
    if isinstance(record, dump.ModerationEntry):
        action = record.action  # stored if the question's history already has `seq` actions
        async with db.execute("SELECT COUNT(*) FROM moderation_history WHERE question_id = ?",
                              (action.question_id,)) as cursor:
            if (await cursor.fetchone())[0] >= record.seq:
                return False
        await db.execute("INSERT INTO moderation_history (question_id, moderator_id, action, reason, changes, at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (action.question_id, action.moderator_id, action.action.value, action.reason,
                          json.dumps(moderating.changes_json(action.changes)), action.at))
        return True
    if isinstance(record, Appeal):
        return await _insert(db, "INSERT INTO appeals (id, question_id, player_id, battle_id, text, folded, "
                                 "created_at, status, note, resolved_at, resolved_by) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (record.id, record.question_id, record.player_id, record.battle_id, record.text,
                              record.folded, record.created_at, record.status.value, record.note,
                              record.resolved_at, record.resolved_by))
    if isinstance(record, Ban):
        return await _insert(db, "INSERT INTO bans (id, player_id, reason, until, by, at, lifted_at, lifted_by, "
                                 "lift_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             (record.id, record.player_id, record.reason, record.until, record.by, record.at,
                              record.lifted_at, record.lifted_by, record.lift_reason))
    if isinstance(record, Challenge):
        return await _insert(db, "INSERT INTO challenges (code, creator_id, creator_name, category, created_at, "
                                 "expires_at, battle_id, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT DO NOTHING",
                             (record.code, record.creator_id, record.creator_name, record.category,
                              record.created_at, record.expires_at, record.battle_id, record.used_at))
    raise TypeError(f"not a record: {type(record).__name__}")


# --- accounts: finding or making the account a sign-in link names ----------------------

async def _account_for(db: aiosqlite.Connection, email: str, guest_id: str | None, name: str, now: float) -> str:
    """The id of the account of `email`, made or merged with the guest `guest_id` (see the port)."""
    async with db.execute("SELECT id FROM players WHERE email = ?", (email,)) as cursor:
        account = await cursor.fetchone()
    guest = None
    if guest_id:
        async with db.execute("SELECT id FROM players WHERE id = ? AND guest = 1", (guest_id,)) as cursor:
            guest = await cursor.fetchone()
    if account is None and guest is not None:
        await db.execute("UPDATE players SET guest = 0, email = ? WHERE id = ?", (email, guest_id))
        return guest_id
    if account is None:
        account_id = new_id()
        await db.execute("INSERT INTO players (id, name, guest, email, created_at) VALUES (?, ?, 0, ?, ?)",
                         (account_id, name or "Player", email, now))
        return account_id
    if guest is not None:
        await _merge_guest(db, guest_id, account["id"])
    return account["id"]


async def _merge_guest(db: aiosqlite.Connection, guest_id: str, account_id: str) -> None:
    """Move everything of the guest to the account. The guest's row stays, empty: a battle the
    guest is still playing (or starts from a tab opened before signing in) must still be storable."""
    async with db.execute("SELECT * FROM battles WHERE player_a = ? OR player_b = ?", (guest_id, guest_id)) as cursor:
        battles = list(await cursor.fetchall())
    for row in battles:
        async with db.execute("SELECT * FROM battle_questions WHERE battle_id = ? ORDER BY position",
                              (row["id"],)) as cursor:
            outcomes = list(await cursor.fetchall())
        moved = battle_moved(_battle(row, outcomes), guest_id, account_id)
        await db.execute("UPDATE battles SET player_a = ?, player_b = ?, scores = ?, winner = ?, ratings = ? "
                         "WHERE id = ?", (*moved.player_ids, json.dumps(moved.scores), moved.winner,
                                          _rating_json(moved), moved.id))
        await db.executemany(
            "UPDATE battle_questions SET by = ?, typed = ?, chose = ?, typed_at = ?, chose_at = ?, alternatives_at = ? "
            "WHERE battle_id = ? AND position = ?",
            [(o.by, json.dumps(o.typed), json.dumps(o.chose), json.dumps(o.typed_at), json.dumps(o.chose_at),
              json.dumps(o.alternatives_at), moved.id, position) for position, o in enumerate(moved.outcomes)])
    # Where both reviewed or reported one question (or appealed one answer in one battle), the
    # account's own stays and the guest's twin goes; nothing else of the guest's is dropped.
    for table in merge.TWINNED_TABLES:
        await db.execute(f"UPDATE OR IGNORE {table} SET player_id = ? WHERE player_id = ?", (account_id, guest_id))
        await db.execute(f"DELETE FROM {table} WHERE player_id = ?", (guest_id,))
    # A ban follows the player to the account: signing in must not lift it.
    await db.execute("UPDATE bans SET player_id = ? WHERE player_id = ?", (account_id, guest_id))
    await db.execute("UPDATE challenges SET creator_id = ? WHERE creator_id = ?", (account_id, guest_id))
    await db.execute("UPDATE questions SET author_id = ? WHERE author_id = ?", (account_id, guest_id))
