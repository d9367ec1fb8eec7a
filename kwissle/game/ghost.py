"""A recorded opponent: one player's actions in a stored battle, as a timeline to replay.

A `GhostScript` holds, per question of the stored battle, what the recorded player did
and when, in seconds since that question opened: each typed string, the loading of the
alternatives and the pick. The pick is kept as the TEXT of the alternative, because the
replayed battle shuffles the alternatives anew; the battle core maps it back onto its own
order (battle.py). Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from kwissle.model import BattleEnd, BattleRecord

# Order of actions stamped with the same time: typing comes before loading the
# alternatives (which ends typing), and loading before picking.
_RANK = {"answer": 0, "alternatives": 1, "choose": 2}


class NotReplayable(ValueError):
    """The stored battle lacks what a replay needs (an old record, a forfeit, another player)."""


@dataclass(frozen=True)
class GhostAction:
    at: float  # seconds since the question opened
    kind: str  # "answer", "alternatives" or "choose"
    text: str = ""  # the typed string, or the picked alternative's text


@dataclass(frozen=True)
class GhostScript:
    battle_id: str  # the stored battle replayed
    player_id: str  # the recorded player
    name: str
    recorded_at: float  # when the stored battle was played (its end), seconds since the epoch
    question_ids: tuple[str, ...]
    actions: tuple[tuple[GhostAction, ...], ...]  # per question, in time order

    def actions_on(self, q: int) -> tuple[GhostAction, ...]:
        return self.actions[q] if 0 <= q < len(self.actions) else ()


def script_from(record: BattleRecord, player_id: str, name: str) -> GhostScript:
    """The timeline of `player_id` in `record`; NotReplayable when it cannot be replayed faithfully."""
    if record.reason is not BattleEnd.COMPLETE:
        raise NotReplayable("only a complete battle is replayed")
    if record.recording_of is not None:
        raise NotReplayable("a battle against a recording is not replayed again")
    if player_id not in record.player_ids:
        raise NotReplayable(f"{player_id!r} did not play battle {record.id}")
    if not record.outcomes:
        raise NotReplayable("the battle has no questions")
    per_question = []
    for outcome in record.outcomes:
        typed = outcome.typed.get(player_id, [])
        typed_at = outcome.typed_at.get(player_id, [])
        if len(typed) != len(typed_at):
            raise NotReplayable("the typed answers have no times (recorded before times were kept)")
        actions = [GhostAction(at, "answer", text) for text, at in zip(typed, typed_at, strict=True)]
        chose = outcome.chose.get(player_id)
        loaded_at = outcome.alternatives_at.get(player_id)
        if chose is not None:
            chose_at = outcome.chose_at.get(player_id)
            if chose_at is None or not 0 <= chose < len(outcome.choices):
                raise NotReplayable("the pick has no time or no alternatives to map it by")
            actions.append(GhostAction(chose_at if loaded_at is None else loaded_at, "alternatives"))
            actions.append(GhostAction(chose_at, "choose", outcome.choices[chose]))
        elif loaded_at is not None:
            actions.append(GhostAction(loaded_at, "alternatives"))
        actions.sort(key=lambda action: (action.at, _RANK[action.kind]))
        per_question.append(tuple(actions))
    return GhostScript(battle_id=record.id, player_id=player_id, name=name, recorded_at=record.ended_at,
                       question_ids=tuple(o.question_id for o in record.outcomes), actions=tuple(per_question))


def replayable(record: BattleRecord, player_id: str) -> bool:
    try:
        script_from(record, player_id, "")
    except NotReplayable:
        return False
    return True
