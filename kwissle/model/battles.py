"""A finished battle as the game core emits it and the store keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kwissle.model.players import Rating


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
    # When each player acted, in seconds since the question opened: one time per string in
    # `typed` (same order), and the time of their pick in `chose`. Profiles average them;
    # a recorded opponent replays them.
    typed_at: dict[str, list[float]] = field(default_factory=dict)
    chose_at: dict[str, float] = field(default_factory=dict)
    # The alternatives in the order they were shown (`chose` indexes into it; both players saw
    # the same order), and when each player who loaded them did, in seconds since the question
    # opened: the result screen shows picks, triage counts how often they are opened, and a
    # recorded opponent replays the load.
    choices: tuple[str, ...] = ()
    alternatives_at: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RatingChange:
    """One player's Glicko-2 rating before and after a rated battle."""

    player_id: str
    before: Rating
    after: Rating


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
    # Both players' rating changes when the battle was rated (two signed-in players, not
    # abandoned); empty otherwise. Stored with the battle, atomically with the new ratings.
    ratings: tuple[RatingChange, ...] = ()
    # A battle against a recorded opponent: the id of the stored battle replayed. Then
    # `player_ids[0]` is the live player and `player_ids[1]` the recorded one, who did not
    # play it: it is never rated and is in the live player's history only.
    recording_of: str | None = None


@dataclass(frozen=True)
class Recording:
    """A stored battle a recorded opponent may replay, with its players' names."""

    record: BattleRecord
    names: dict[str, str]  # player id -> name

