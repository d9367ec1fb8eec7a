"""The storage port: the one async interface every adapter implements.

Shaped for the whole of GAME.md, not only battles: players and sign-in by
e-mail, the question life cycle with reviews and reports, battle results and
per-question play counts, counters, and the mail outbox. Adapters: `sqlite.py`
(the embedded default) and, in production, MongoDB. `tests/storage/test_contract.py`
is the contract every adapter must pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

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
