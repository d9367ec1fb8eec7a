"""Answer appeals: a player says a typed answer the judge refused should have counted.

One `Appeal` is one refused text (folded, `kwissle/textfold.py`) of one player on one
question of one battle; the moderators see them grouped by question and folded text
(`AppealGroup`) and accept the text as a variant or decline it, which resolves every
open appeal of that text on that question at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AppealStatus(StrEnum):
    OPEN = "open"  # waiting for a moderator
    ACCEPTED = "accepted"  # the text became an accepted variant
    DECLINED = "declined"  # a moderator said it should not count


@dataclass(frozen=True)
class Appeal:
    id: str
    question_id: str
    player_id: str
    battle_id: str
    text: str  # as the player typed it
    folded: str  # fold(text): what appeals are grouped by
    created_at: float
    status: AppealStatus = AppealStatus.OPEN
    note: str = ""  # the moderator's note on a decline
    resolved_at: float | None = None
    resolved_by: str | None = None


@dataclass(frozen=True)
class AppealGroup:
    """The open appeals of one folded text on one question."""

    question_id: str
    folded: str
    text: str  # one of the ways players typed it (the earliest)
    players: int  # distinct players who appealed it
    appeals: int
    first_at: float
    last_at: float
