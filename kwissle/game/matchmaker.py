"""The matchmaker: a queue of waiting players, paired at random.

Players are keyed by id, so two tabs of one player are one entry and a player
can never meet themself. Pairing always takes the longest-waiting player and
gives them a random partner among the others, so nobody waits behind a later
arrival while the partner is still left to chance.
"""

from __future__ import annotations

import random


class AlreadyQueued(Exception):
    pass


class Matchmaker:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._waiting: dict[str, float] = {}  # player id -> time queued; dicts keep arrival order

    def __len__(self) -> int:
        return len(self._waiting)

    def __contains__(self, player_id: object) -> bool:
        return player_id in self._waiting

    def enqueue(self, player_id: str, now: float) -> None:
        if player_id in self._waiting:
            raise AlreadyQueued(player_id)
        self._waiting[player_id] = now

    def requeue_first(self, player_id: str, since: float) -> None:
        """Put a player back at the head of the queue (their partner vanished before the battle began)."""
        self._waiting = {player_id: since, **{k: v for k, v in self._waiting.items() if k != player_id}}

    def cancel(self, player_id: str) -> bool:
        return self._waiting.pop(player_id, None) is not None

    def waiting_since(self, player_id: str) -> float | None:
        return self._waiting.get(player_id)

    def pairs(self) -> list[tuple[str, str]]:
        """Take every pair that can be made now, the longest waiting first."""
        made = []
        while len(self._waiting) >= 2:
            first, *others = self._waiting
            partner = self._rng.choice(others)
            del self._waiting[first], self._waiting[partner]
            made.append((first, partner))
        return made
