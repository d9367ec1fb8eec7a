"""Players: guests and signed-in accounts, and their Glicko-2 rating."""

from __future__ import annotations

from dataclasses import dataclass

# Glicko-2 as Lichess configures it (kwissle/game/glicko2.py does the arithmetic).
START_RATING = 1500.0
START_DEVIATION = 500.0
START_VOLATILITY = 0.09
# A rating is shown provisional ("1500?") while its deviation is at least this.
PROVISIONAL_DEVIATION = 110.0


@dataclass(frozen=True)
class Rating:
    rating: float = START_RATING
    deviation: float = START_DEVIATION
    volatility: float = START_VOLATILITY

    @property
    def provisional(self) -> bool:
        return self.deviation >= PROVISIONAL_DEVIATION


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    guest: bool = True
    email: str | None = None  # normalised (kwissle/accounts.py): one account per mailbox
    is_admin: bool = False
    rating: float = START_RATING
    created_at: float = 0.0
    deviation: float = START_DEVIATION
    volatility: float = START_VOLATILITY

    @property
    def glicko(self) -> Rating:
        return Rating(self.rating, self.deviation, self.volatility)
