"""A finished battle as the game core emits it and the store keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BattleEnd(StrEnum):
    """Why a battle ended. `abandoned` never reaches a client: the server stopped."""

    COMPLETE = "complete"
    FORFEIT = "forfeit"
    ABANDONED = "abandoned"


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
