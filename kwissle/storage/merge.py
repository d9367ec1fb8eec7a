"""Merging a guest into an account: what moves, and a battle record with one player id replaced.

Both adapters merge when a guest signs in to an account that already exists, in the one
transaction that uses the sign-in link. Everything that names the guest as its player
moves to the account:
- battles: every place a battle names a player (its two players, the scores, the winner,
  who took each question, what each typed and chose and when, the rating changes, the
  recorded opponent of a battle against a recording) is rewritten by `battle_moved`;
- reviews, reports filed and answer appeals (`TWINNED_TABLES`): where guest and account
  each made one of the same (a review or report of one question, an appeal of one answer
  in one battle), the account's stays and the guest's twin goes;
- bans: every ban, in force or lifted, so signing in never evades one;
- challenges created and questions authored.
Counters are not partitioned by player, so none move. Moderators' own records (who
resolved, banned, edited) name accounts, never guests. The guest's player row stays, empty.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from kwissle.model import BattleRecord, QuestionOutcome

V = TypeVar("V")

# Where a player may hold one record per something: table (collection) -> the fields that,
# with the player, identify it. Moving the guest's may meet the account's own twin.
TWINS = {"reviews": ("question_id",), "reports": ("question_id",),
         "appeals": ("battle_id", "question_id", "folded")}
TWINNED_TABLES = tuple(TWINS)


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
