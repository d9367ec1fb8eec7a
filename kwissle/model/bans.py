"""Bans: a moderator stops a player from playing and from adding to the crowd's work.

A ban holds who was banned, why, until when (None: until lifted), who banned them
and when. Lifting it early (an unban) records who, when and why on the same
record, so a player's ban history is their list of bans, newest first. A ban
whose `until` has passed stops applying by itself: nothing needs to lift it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MAX_BAN_REASON_CHARS = 500


@dataclass(frozen=True)
class Ban:
    player_id: str
    reason: str
    until: float | None  # seconds since the epoch; None: until lifted
    by: str  # the moderator's player id
    at: float  # when it was given
    id: str = ""
    lifted_at: float | None = None  # an unban, or a newer ban replacing this one
    lifted_by: str | None = None
    lift_reason: str = ""

    def applies(self, now: float) -> bool:
        """In force at `now`: not lifted, and not over."""
        return self.lifted_at is None and (self.until is None or now < self.until)

    @property
    def until_text(self) -> str:
        """When it ends, for people: 'until 30 November 2026 14:00 UTC', or 'until further notice'."""
        if self.until is None:
            return "until further notice"
        return "until " + time.strftime("%d %B %Y %H:%M UTC", time.gmtime(self.until)).lstrip("0")

    @property
    def explanation(self) -> str:
        """What a banned player is told: why, and until when."""
        return f"you are banned {self.until_text}: {self.reason}"
