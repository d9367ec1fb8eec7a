"""The matchmaker: a queue of waiting players, paired fairly by rating.

Players are keyed by id, so two tabs of one player are one entry and a player
can never meet themself. Pairing always serves the longest-waiting player first,
so nobody waits behind a later arrival; and every pass pairs everyone it can (all
but one of an odd number), so nobody waits a moment longer than random pairing
would make them. What rating changes is only WHO meets whom among those waiting:

- In the manner of Lichess's pools (lila `modules/pool/.../MatchMaking.scala`), a pair
  costs its rating gap, less a bonus for the time the partner has waited (a long wait
  makes a wider gap acceptable), so close ratings meet and nobody is passed over forever.
- The gap counts less the less sure the ratings are (Glicko-2 deviation): a guest (1500,
  deviation 350) is about as good a match for anyone.
- Two players who just played each other cost a malus larger than any gap: they are
  re-paired only when nobody else waits.
- A little random jitter breaks ties, so players of equal rating meet at random.

Pure: no I/O, no clock; every time is passed in.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice

from kwissle.model import Rating

DEFAULT_RATING = 1500.0
GUEST_DEVIATION = 350.0  # a guest, or a player whose rating the hub does not hold: unknown
# Rating points a partner's waiting is worth, per second waited (Lichess: a bonus per wave missed).
WAIT_BONUS_PER_SECOND = 40.0
WAIT_BONUS_CAP = 400.0
# Larger than any rating gap: who just played each other meet again only if nobody else waits.
REPEAT_MALUS = 100_000.0
# The partners considered for each player, oldest first: keeps a pass O(n) in a burst.
WINDOW = 48
# Pairs remembered as "just played": one per player.
RECENT_PAIRS_KEPT = 10_000


class AlreadyQueued(Exception):
    pass


def strength(rating: Rating | None) -> tuple[float, float]:
    """(rating, deviation) to queue a player with: a guest, or a rating not at hand, is unknown."""
    return (DEFAULT_RATING, GUEST_DEVIATION) if rating is None else (rating.rating, rating.deviation)


@dataclass(frozen=True)
class Waiting:
    since: float
    rating: float = DEFAULT_RATING
    deviation: float = GUEST_DEVIATION


class Matchmaker:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._waiting: dict[str, Waiting] = {}  # player id -> entry; dicts keep arrival order
        self._last_opponent: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, player_id: object) -> bool:
        return player_id in self._waiting

    def enqueue(self, player_id: str, now: float, rating: float = DEFAULT_RATING,
                deviation: float = GUEST_DEVIATION) -> None:
        if player_id in self._waiting:
            raise AlreadyQueued(player_id)
        self._waiting[player_id] = Waiting(now, rating, deviation)

    def requeue_first(self, player_id: str, since: float, rating: float = DEFAULT_RATING,
                      deviation: float = GUEST_DEVIATION) -> None:
        """Put a player back at the head of the queue (their partner vanished before the battle began)."""
        entry = self._waiting.get(player_id) or Waiting(since, rating, deviation)
        self._waiting = {player_id: Waiting(since, entry.rating, entry.deviation),
                         **{k: v for k, v in self._waiting.items() if k != player_id}}

    def cancel(self, player_id: str) -> bool:
        return self._waiting.pop(player_id, None) is not None

    def waiting_since(self, player_id: str) -> float | None:
        entry = self._waiting.get(player_id)
        return entry.since if entry else None

    def played(self, first: str, second: str) -> None:
        """`first` and `second` just played each other: do not pair them again while others wait."""
        for player, opponent in ((first, second), (second, first)):
            self._last_opponent[player] = opponent
            self._last_opponent.move_to_end(player)
        while len(self._last_opponent) > RECENT_PAIRS_KEPT:
            self._last_opponent.popitem(last=False)

    def cost(self, a: str, b: str, now: float) -> float:
        """What pairing waiting players `a` and `b` costs (lower is better), without the jitter."""
        one, two = self._waiting[a], self._waiting[b]
        certainty = 100.0 / (100.0 + (one.deviation + two.deviation) / 2)
        gap = abs(one.rating - two.rating) * certainty
        bonus = min(WAIT_BONUS_CAP, WAIT_BONUS_PER_SECOND * max(0.0, now - two.since))
        repeat = REPEAT_MALUS if self._last_opponent.get(a) == b or self._last_opponent.get(b) == a else 0.0
        return gap - bonus + repeat

    def pairs(self, now: float | None = None) -> list[tuple[str, str]]:
        """Take every pair that can be made now: the longest waiting first, each with the best
        partner among the next `WINDOW` waiting. The first of each pair waited longer."""
        if now is None:
            now = max((entry.since for entry in self._waiting.values()), default=0.0)
        made = []
        while len(self._waiting) >= 2:
            first, *others = islice(self._waiting, WINDOW + 1)
            partner = min(others, key=lambda other: self.cost(first, other, now) + self._rng.random())
            del self._waiting[first], self._waiting[partner]
            made.append((first, partner))
        return made
