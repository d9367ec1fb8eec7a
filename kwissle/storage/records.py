"""Plain records that cross the storage boundary.

These are frozen dataclasses with no I/O: the game core, the importer and the
web layer all speak them, and every storage adapter returns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionStatus(StrEnum):
    """Where a question is in the crowd-sourcing flow (GAME.md)."""

    PENDING = "pending"  # submitted, waiting for player reviews
    QUEUED = "queued"  # enough positive reviews: waiting for a moderator
    PUBLISHED = "published"  # appears in battles
    REJECTED = "rejected"  # voted down or refused by a moderator
    RETIRED = "retired"  # was published, taken out of play


class BattleEnd(StrEnum):
    """Why a battle ended. `abandoned` never reaches a client: the server stopped."""

    COMPLETE = "complete"
    FORFEIT = "forfeit"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class NewQuestion:
    """A question as written by an author or an importer, before it is stored."""

    text: str
    answer: str  # canonical answer, shown at the reveal
    variants: tuple[str, ...]  # other typed answers the judge accepts
    wrong: tuple[str, str, str]  # three wrong alternatives
    category: str
    source: str = "kwissle"  # "starter", "opentdb", "player", ...
    author_id: str | None = None

    @property
    def answers(self) -> tuple[str, ...]:
        """Canonical answer first, then the accepted variants: what the judge takes."""
        return (self.answer, *self.variants)


@dataclass(frozen=True)
class QuestionStats:
    asked: int = 0
    typed_right: int = 0
    choice_right: int = 0
    nobody: int = 0


@dataclass(frozen=True)
class Question(NewQuestion):
    """A stored question."""

    id: str = ""
    status: QuestionStatus = QuestionStatus.PENDING
    stats: QuestionStats = field(default_factory=QuestionStats)
    created_at: float = 0.0


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    guest: bool = True
    email: str | None = None
    is_admin: bool = False
    rating: float = 1500.0
    created_at: float = 0.0


@dataclass(frozen=True)
class QuestionOutcome:
    """What happened to one question asked in a battle."""

    question_id: str
    by: str | None  # player id who scored, or None
    how: str | None  # "typed", "choice" or None
    points: int
    typed: dict[str, list[str]]  # player id -> strings typed, in order
    chose: dict[str, int | None] = field(default_factory=dict)  # player id -> choice index


@dataclass(frozen=True)
class BattleRecord:
    """A finished (or abandoned) battle, as stored."""

    id: str
    player_ids: tuple[str, str]
    scores: dict[str, int]
    winner: str | None
    reason: BattleEnd
    started_at: float
    ended_at: float
    outcomes: tuple[QuestionOutcome, ...]


@dataclass(frozen=True)
class Review:
    question_id: str
    player_id: str
    up: bool
    reason: str = ""
    created_at: float = 0.0


@dataclass(frozen=True)
class Report:
    id: str
    question_id: str
    player_id: str
    battle_id: str | None
    reason: str
    created_at: float = 0.0
    resolved: bool = False


@dataclass(frozen=True)
class Mail:
    id: str
    to: str
    subject: str
    body: str
    created_at: float = 0.0
    sent_at: float | None = None
    attempts: int = 0
