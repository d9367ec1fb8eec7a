"""A challenge link: one player invites whoever opens `/c/<code>` to a battle.

Made over HTTP by the web process and used up by the game process (they may be two
processes), so its life is in the store: it is open until `expires_at` (wall-clock
seconds since the epoch) or until its battle starts (`battle_id` set), whichever
comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChallengeState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Challenge:
    code: str  # secrets.token_urlsafe(9): 12 characters of A-Z a-z 0-9 - _
    creator_id: str
    creator_name: str
    category: str | None  # questions only from this category; None: any
    created_at: float
    expires_at: float
    battle_id: str | None = None  # the battle it was used for
    used_at: float | None = None

    def state(self, now: float) -> ChallengeState:
        if self.battle_id is not None:
            return ChallengeState.USED
        if now >= self.expires_at:
            return ChallengeState.EXPIRED
        return ChallengeState.OPEN
