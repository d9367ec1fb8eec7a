"""A player's record as their profile page shows it: results, accuracy, speed, categories.

The store builds it (`Store.player_profile`) by aggregating the player's stored
battles, abandoned ones left out: an abandoned battle has no result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kwissle.model.battles import BattleRecord
from kwissle.model.players import Player

# A category is named strongest or weakest only after this many of its questions.
MIN_CATEGORY_QUESTIONS = 5
RECENT_BATTLES = 10


@dataclass(frozen=True)
class CategoryScore:
    """Questions of one category asked in the player's battles, and how many the player took."""

    category: str
    right: int
    asked: int

    @property
    def accuracy(self) -> float:
        return self.right / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class PlayerProfile:
    player: Player
    battles: int = 0  # finished (complete or forfeit); wins + draws + losses
    wins: int = 0
    draws: int = 0
    losses: int = 0
    typed_right: int = 0  # questions the player took by typing
    typed_tried: int = 0  # questions where the player typed at least once
    choice_right: int = 0  # questions the player took with the alternatives
    choice_tried: int = 0  # questions where the player picked an alternative
    # Mean, over the questions the player answered, of when their final answer came
    # (their last typed string or their pick, whichever was later), in seconds; None if none.
    average_answer_seconds: float | None = None
    categories: tuple[CategoryScore, ...] = ()  # every category met, by name
    recent: list[BattleRecord] = field(default_factory=list)  # newest first, at most RECENT_BATTLES

    @property
    def typed_accuracy(self) -> float | None:
        return self.typed_right / self.typed_tried if self.typed_tried else None

    @property
    def choice_accuracy(self) -> float | None:
        return self.choice_right / self.choice_tried if self.choice_tried else None

    def _ranked(self) -> list[CategoryScore]:
        enough = [c for c in self.categories if c.asked >= MIN_CATEGORY_QUESTIONS]
        return sorted(enough, key=lambda c: (-c.accuracy, -c.asked, c.category))

    @property
    def strongest(self) -> CategoryScore | None:
        ranked = self._ranked()
        return ranked[0] if ranked else None

    @property
    def weakest(self) -> CategoryScore | None:
        """The category with the lowest accuracy; None unless two categories qualify (else it is the strongest)."""
        ranked = self._ranked()
        if len(ranked) < 2:
            return None
        return min(ranked, key=lambda c: (c.accuracy, -c.asked, c.category))
