"""The storage port: the one async interface every adapter implements.

Shaped for the whole of GAME.md, not only battles: players and sign-in by
e-mail, the question life cycle with reviews and reports, battle results and
per-question play counts, counters, and the mail outbox. Adapters: `sqlite.py`
(the embedded default) and, in production, MongoDB. `tests/storage/test_contract.py`
is the contract every adapter must pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import Any, Protocol

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


class StorageError(Exception):
    """The store could not do what was asked; the message is one line an operator can act on.

    Every adapter raises this (or a subclass) for every failure of its database:
    no driver exception ever escapes a port method.
    """


class StoreUnavailable(StorageError):
    """The store cannot be reached now, and trying again later may work: a MongoDB server that
    does not answer, a SQLite file another process holds locked. `serve` retries opening on this
    (and only this) with back-off; every other StorageError at start is final."""


def masked_url(url: str) -> str:
    """`url` fit for a message or a log: a password in it is replaced by `***`."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    # The user information ends at the last "@" before the query (an unescaped "/" or "@"
    # in a password must not let any of it through).
    before_query, question, query = rest.partition("?")
    credentials, at, after = before_query.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{after}{question}{query}"


class DuplicateQuestion(StorageError):
    """A question with the same fingerprint (see textfold.fingerprint) is already stored."""


class BattleAlreadyStored(StorageError):
    """`save_battle` of a battle id that is already stored: nothing was changed.

    A writer that retries a save treats this as success (its earlier try landed).
    """


class Store(Protocol):
    async def close(self) -> None:
        """Release the store (idempotent); any later call raises StorageError."""
        ...

    async def ping(self) -> None:
        """Return when the store answers; StorageError (one line, no credentials) when it cannot be reached.

        Cheap enough for a health check every few seconds (SQLite: `SELECT 1` on a reader;
        MongoDB: the `ping` command)."""
        ...

    # moving the whole store (the dump format and the row shapes: kwissle/storage/dump.py)
    async def is_empty(self) -> bool:
        """True when the store holds nothing of any kind: no players, questions, battles,
        reviews, reports, counters or mail."""
        ...

    def export_rows(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Every record of the store as (kind, row): kinds in `dump.KINDS` order (players before
        the questions they wrote, questions and players before the battles, reviews and reports
        that refer to them), rows within a kind in `dump.sort_key` order, each row built by
        `dump.to_row` so two adapters holding the same content yield identical rows."""
        ...

    async def import_rows(
        self, rows: AsyncIterable[tuple[str, dict[str, Any]]] | Iterable[tuple[str, dict[str, Any]]],
        *, skip_existing: bool = False,
    ) -> dict[str, int]:
        """Store (kind, row) pairs as `export_rows` yields them, keeping their ids, timestamps,
        statistics and statuses; return how many rows of each kind were inserted.

        Rows are read with `dump.from_row`: an unknown kind or a malformed row raises StorageError.
        A row whose key (id; name for a counter; question and player for a review) is already
        stored raises StorageError, or with `skip_existing` is left alone and not counted. All or
        nothing where the adapter can (SQLite: one transaction); an adapter that cannot says so
        in its docstring."""
        ...

    # players
    async def create_player(self, name: str, *, guest: bool = True, email: str | None = None) -> Player:
        """A new player with a fresh id (StorageError if `email` belongs to another player)."""
        ...

    async def ensure_guest(self, player_id: str, name: str) -> Player:
        """Store a guest with this id and name unless a player with this id exists; return the stored player."""
        ...

    async def get_player(self, player_id: str) -> Player | None: ...
    async def get_player_by_email(self, email: str) -> Player | None: ...
    async def set_admin(self, player_id: str, is_admin: bool) -> bool: ...
    async def set_ratings(self, ratings: dict[str, float]) -> None: ...

    # questions
    async def add_questions(
        self, questions: Sequence[NewQuestion], status: QuestionStatus = QuestionStatus.PENDING
    ) -> list[Question]:
        """Store all of `questions` or none: InvalidQuestion (kwissle.game.validation) if one
        fails `check_question`, DuplicateQuestion if one is already stored."""
        ...

    async def existing_fingerprints(self, texts: Iterable[str]) -> set[str]:
        """The fingerprints of `texts` that a stored question already has."""
        ...

    async def get_question(self, question_id: str) -> Question | None: ...
    async def count_questions(self, status: QuestionStatus | None = None) -> int: ...
    async def list_questions(
        self, status: QuestionStatus | None = None, limit: int = 50, offset: int = 0
    ) -> list[Question]: ...
    async def set_question_status(self, question_id: str, status: QuestionStatus) -> bool: ...
    async def sample_questions(self, n: int, exclude: Iterable[str] = ()) -> list[Question]:
        """Up to `n` distinct published questions at random, none of `exclude`."""
        ...

    # battles
    async def save_battle(self, record: BattleRecord) -> None:
        """Store a finished battle, add its outcomes to the questions' play counts and bump the
        counter `battles_<reason>`, all atomically. A battle id already stored raises
        BattleAlreadyStored and changes nothing."""
        ...

    async def get_battle(self, battle_id: str) -> BattleRecord | None: ...
    async def recent_battles(self, player_id: str, limit: int = 20) -> list[BattleRecord]: ...
    async def recent_question_ids(self, player_id: str, battles: int = 20) -> set[str]: ...
    async def last_seen_questions(self, player_ids: Sequence[str], battles: int = 20) -> dict[str, tuple[float, int]]:
        """The questions of each player's latest `battles` stored battles, each with when it was
        last seen: (that battle's end, its position in it), so a later sighting compares greater.
        One round trip for all the players where the adapter can: it is on the matchmaking path."""
        ...


    # crowd review and reports
    async def add_review(self, review: Review) -> None:
        """One review per player and question; a second one replaces the first."""
        ...

    async def review_tally(self, question_id: str) -> tuple[int, int]:
        """(ups, downs) for a question."""
        ...

    async def add_report(self, question_id: str, player_id: str, battle_id: str | None, reason: str) -> Report: ...
    async def list_reports(self, resolved: bool = False, limit: int = 50) -> list[Report]: ...

    # counters
    async def increment(self, name: str, by: int = 1) -> int: ...
    async def get_counter(self, name: str) -> int: ...

    # mail outbox
    async def enqueue_mail(self, to: str, subject: str, body: str) -> Mail: ...
    async def pending_mail(self, limit: int = 20) -> list[Mail]: ...
    async def mark_mail_sent(self, mail_id: str) -> None: ...
    async def mark_mail_failed(self, mail_id: str) -> None: ...
