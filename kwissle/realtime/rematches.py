"""Rematch offers (protocol revision 6: `rematch`, `decline_rematch`, `rematch_offer`, `rematch_over`).

After a battle against a live opponent ends, either player may offer the other a new
battle; the offer stands `seconds` (setting `KWISSLE_REMATCH_SECONDS`), timed through
the hub's `Scheduler`. The other player's `rematch` accepts: the hub's normal battle
start runs for the same two, with questions neither saw lately. An offer is off, with
`rematch_over` to both, when it is declined or withdrawn, when it expires, when either
player's last connection parts (`left`) or when either starts something else (`busy`).

The hub owns one `Rematches` and calls it from `handle`, `part`, `_play` and
`_start_battle`; this module reads the hub's state but keeps its own: who each
player last played, and the offers standing, keyed by the pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kwissle.game.events import ActionRefused

if TYPE_CHECKING:
    from kwissle.game.battle import Battle
    from kwissle.realtime.hub import Hub

DEFAULT_SECONDS = 30.0


@dataclass
class _Offer:
    by: str  # who offered
    to: str
    expires_at: float  # on the scheduler's clock
    timer: object


class Rematches:
    def __init__(self, hub: Hub, seconds: float = DEFAULT_SECONDS) -> None:
        self._hub = hub
        self.seconds = seconds  # app.py sets the setting's value
        self._last_opponent: dict[str, str] = {}  # player id -> their last live opponent's id
        self._offers: dict[frozenset[str], _Offer] = {}

    def __len__(self) -> int:
        return len(self._offers)

    # --- hooks the hub calls -------------------------------------------------------

    def battle_finished(self, battle: Battle) -> None:
        """A battle ended: its two players may now rematch, unless one was a recording."""
        first, second = battle.players
        if getattr(battle, "ghost", None) is not None:
            self._last_opponent.pop(first.id, None)  # a recording is nobody to offer to
            return
        self._last_opponent[first.id] = second.id
        self._last_opponent[second.id] = first.id

    def gone(self, player_id: str) -> None:
        """The player's last connection closed: an offer they are part of is off (`left`), and
        they are nobody's to offer to any more (so this map holds only players online)."""
        self._end(player_id, "left")
        self._last_opponent.pop(player_id, None)

    def busy(self, player_id: str) -> None:
        """The player queued, waits on a challenge, starts a recording or another battle."""
        self._end(player_id, "busy")

    # --- messages --------------------------------------------------------------------

    def rematch(self, player_id: str) -> None:
        """Offer a rematch to the last opponent, or accept the offer they made."""
        hub = self._hub
        hub.refuse_new_battle(player_id)
        opponent = self._last_opponent.get(player_id)
        if opponent is None:
            raise ActionRefused("no_rematch", "you have no last opponent to offer a rematch to")
        offer = self._offers.get(frozenset((player_id, opponent)))
        if offer is not None and offer.by == player_id:
            raise ActionRefused("already_offered", "your rematch offer stands: wait for their answer")
        if opponent not in hub._online:
            raise ActionRefused("no_rematch", "your last opponent has left")
        if self._is_busy(player_id):
            raise ActionRefused("already_queued", "you are waiting for another battle: cancel first")
        if offer is not None:
            self._accept(offer)
            return
        if self._is_busy(opponent):
            raise ActionRefused("no_rematch", "your last opponent is already playing someone else")
        now = hub._scheduler.time()
        pair = frozenset((player_id, opponent))
        expires_at = now + self.seconds
        timer = hub._scheduler.call_at(expires_at, lambda: self._expire(pair, expires_at))
        self._offers[pair] = _Offer(player_id, opponent, expires_at, timer)
        message = {"type": "rematch_offer", "from": player_id, "seconds": float(self.seconds)}
        hub._send(player_id, message)
        hub._send(opponent, message)

    def decline(self, player_id: str) -> None:
        """Turn down the opponent's offer, or withdraw one's own."""
        if self._offer_of(player_id) is None:
            raise ActionRefused("no_rematch", "no rematch offer stands")
        self._end(player_id, "declined")

    # --- internals ---------------------------------------------------------------------

    def _offer_of(self, player_id: str) -> _Offer | None:
        opponent = self._last_opponent.get(player_id)
        return None if opponent is None else self._offers.get(frozenset((player_id, opponent)))

    def _is_busy(self, player_id: str) -> bool:
        hub = self._hub
        return (player_id in hub._battle_of or player_id in hub._pairing or player_id in hub._matchmaker
                or hub.challenges.is_waiting(player_id))

    def _remove(self, offer: _Offer) -> None:
        del self._offers[frozenset((offer.by, offer.to))]
        self._hub._scheduler.cancel(offer.timer)

    def _end(self, player_id: str, reason: str) -> None:
        offer = self._offer_of(player_id)
        if offer is None:
            return
        self._remove(offer)
        message = {"type": "rematch_over", "reason": reason}
        self._hub._send(offer.by, message)
        self._hub._send(offer.to, message)

    def _expire(self, pair: frozenset[str], expires_at: float) -> None:
        offer = self._offers.get(pair)
        if offer is None or offer.expires_at != expires_at:
            return  # ended already; a fresh offer has its own timer
        del self._offers[pair]  # its timer is the one firing now: nothing to cancel
        message = {"type": "rematch_over", "reason": "expired"}
        try:
            self._hub._send(offer.by, message)
            self._hub._send(offer.to, message)
        finally:
            self._hub._close_broken()

    def _accept(self, offer: _Offer) -> None:
        """Both want it: the hub's normal battle start, for the same two."""
        hub = self._hub
        self._remove(offer)
        holders = (hub._online[offer.by].holder, hub._online[offer.to].holder)
        hub._pairing.update((offer.by, offer.to))
        hub._spawn(hub._start_battle(holders, hub._scheduler.time(), partner_gone=self._partner_gone))

    def _partner_gone(self, player_id: str) -> None:
        """The other player left while the rematch was prepared."""
        self._hub._send(player_id, {"type": "rematch_over", "reason": "left"})
