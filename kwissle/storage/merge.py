"""Merging a guest into an account: a battle record with one player id replaced by another.

Both adapters use it when a guest signs in to an account that already exists: every
place a battle names a player (its two players, the scores, the winner, who took each
question, what each typed and chose and when, the rating changes) is rewritten, so the
battle reads as the account's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from kwissle.model import BattleRecord, QuestionOutcome

V = TypeVar("V")


def battle_moved(record: BattleRecord, old_id: str, new_id: str) -> BattleRecord:
    """`record` with the player `old_id` replaced by `new_id` everywhere it is named."""
    def one(player_id: str | None) -> str | None:
        return new_id if player_id == old_id else player_id

    def keys(mapping: dict[str, V]) -> dict[str, V]:
        return {new_id if key == old_id else key: value for key, value in mapping.items()}

    return replace(
        record,
        player_ids=tuple(one(p) or p for p in record.player_ids),
        scores=keys(record.scores),
        winner=one(record.winner),
        outcomes=tuple(_outcome_moved(o, one, keys) for o in record.outcomes),
        ratings=tuple(replace(change, player_id=new_id) if change.player_id == old_id else change
                      for change in record.ratings),
    )


def _outcome_moved(outcome: QuestionOutcome, one, keys) -> QuestionOutcome:
    return replace(outcome, by=one(outcome.by), typed=keys(outcome.typed), chose=keys(outcome.chose),
                   typed_at=keys(outcome.typed_at), chose_at=keys(outcome.chose_at),
                   alternatives_at=keys(outcome.alternatives_at))
