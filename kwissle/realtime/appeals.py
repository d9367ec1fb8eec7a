"""The hub's part of `appeal` (docs/protocol.md rev 6): "my refused typed answer should count".

When a battle ends, `Appeals.finished` keeps, for each of its players, what they typed on each
question and whether they scored by typing (from the `Finished` record: no store read). After
`end`, `appeal` files every refused string the player typed on question `q`, folded
(`kwissle/textfold.py`), as one appeal per folded text for the moderators
(`kwissle/web/admin_appeals.py`); `appealed` follows once it is stored. Everything is checked
before anything changes, so a refused appeal changes nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kwissle.game.events import ActionRefused
from kwissle.model import BattleEnd, BattleRecord
from kwissle.model.appeals import Appeal
from kwissle.realtime.protocol import error
from kwissle.storage.checking import new_id
from kwissle.textfold import fold

if TYPE_CHECKING:
    from kwissle.realtime.hub import Connection, Hub

log = logging.getLogger(__name__)

RULE = "appeals_per_player"  # kwissle/ratelimits.py


@dataclass
class _Typed:
    """One question of a finished battle, from one player's side."""

    question_id: str
    refused: list[str]  # the strings the judge refused, in order (empty: typed nothing, or scored by typing)
    scored_by_typing: bool


@dataclass
class _Appealable:
    """A player's last finished battle here: what they may still appeal."""

    battle_id: str
    questions: list[_Typed]
    appealed: set[int] = field(default_factory=set)


def refused_strings(record: BattleRecord, player_id: str) -> list[_Typed]:
    """Per question asked, what `player_id` typed that was refused. A player who scored by
    typing had only the last string accepted, and has nothing to appeal on that question."""
    questions = []
    for outcome in record.outcomes:
        typed = list(outcome.typed.get(player_id, []))
        scored = outcome.by == player_id and outcome.how == "typed"
        questions.append(_Typed(outcome.question_id, [] if scored else typed, scored))
    return questions


class Appeals:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._last: dict[str, _Appealable] = {}  # player id -> their last finished battle here

    def finished(self, record: BattleRecord) -> None:
        """A battle ended: its players may appeal its questions until their next battle ends.
        An abandoned battle sent no `end`, so there is nothing to appeal in it."""
        for player_id in record.player_ids:
            if record.reason is BattleEnd.ABANDONED:
                self._last.pop(player_id, None)
            else:
                self._last[player_id] = _Appealable(record.id, refused_strings(record, player_id))

    def appeal(self, conn: Connection, player_id: str, q: int) -> None:
        hub = self._hub
        last = self._last.get(player_id)
        if last is None or hub.battle_of(player_id) is not None:
            raise ActionRefused("not_in_battle", "you can appeal only after your battle has ended")
        if q >= len(last.questions):
            raise ActionRefused("bad_message", "that question was not asked in your battle")
        hub.refuse_if_banned(player_id)
        asked = last.questions[q]
        if asked.scored_by_typing:
            raise ActionRefused("nothing_to_appeal", "your typed answer already counted")
        texts: dict[str, str] = {}  # folded -> as first typed
        for text in asked.refused:
            texts.setdefault(fold(text), text)
        texts.pop("", None)  # nothing but punctuation: no answer to accept
        if not texts:
            raise ActionRefused("nothing_to_appeal", "you typed no answer on that question")
        if q in last.appealed:
            raise ActionRefused("already_appealed", "you already appealed that question")
        if hub.rate_limits is not None:
            retry_after = hub.rate_limits.hit(RULE, player_id)
            if retry_after is not None:
                text = hub._encode(error("rate_limited", hub.rate_limits.message(RULE, retry_after), retry_after))
                if text is not None:
                    hub._send_to(conn, player_id, text, "error")
                return
        last.appealed.add(q)
        hub.counters.hit("appeals")
        now = time.time()
        appeals = [Appeal(id=new_id(), question_id=asked.question_id, player_id=player_id, battle_id=last.battle_id,
                          text=text, folded=folded, created_at=now) for folded, text in texts.items()]
        hub._spawn(self._file(last, q, player_id, appeals))

    async def _file(self, last: _Appealable, q: int, player_id: str, appeals: list[Appeal]) -> None:
        try:
            await self._hub.store.add_appeals(appeals)
        except Exception as problem:  # noqa: BLE001 - logged; the player may send it again
            last.appealed.discard(q)  # not filed
            log.error("appeal by %s on question %s (battle %s) not stored: %s",
                      player_id, appeals[0].question_id, last.battle_id, problem)
            return
        self._hub._send(player_id, {"type": "appealed", "q": q})
