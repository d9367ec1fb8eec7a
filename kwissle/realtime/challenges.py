"""Challenge links, the game's side (protocol revision 6: `challenge`, `challenge_waiting`).

A challenge is made over HTTP (kwissle/web/challenges.py) and stored; both pages
then send `challenge {code}`. Whoever sends it waits on the code (`challenge_waiting`);
as soon as the creator and one other player wait on it, the challenge is used up in
the store (`use_challenge`, atomic: the web and the game may be different processes,
and two game processes must not both start a battle on it) and the hub's normal battle
start runs for the two, on the challenge's category when it has one. Other players
still waiting on it then get `challenge_used`. A challenge that expires while someone
waits on it tells them `challenge_expired` (a timer through the hub's `Scheduler`).

Looking the code up is a store round trip, so it runs as a task and never blocks the
loop; the player is marked as waiting meanwhile, so a second `challenge`, or `play`,
is refused rather than raced.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kwissle.game.events import ActionRefused
from kwissle.model import Challenge, ChallengeState
from kwissle.realtime.protocol import error

if TYPE_CHECKING:
    from kwissle.realtime.hub import Hub

log = logging.getLogger(__name__)

REFUSALS = {
    ChallengeState.EXPIRED: ("challenge_expired", "this challenge has expired: make a new one"),
    ChallengeState.USED: ("challenge_used", "this challenge has had its battle"),
}


@dataclass
class _Room:
    """The players waiting on one challenge, in the order they came."""

    challenge: Challenge
    waiting: list[str] = field(default_factory=list)
    timer: object | None = None


class ChallengeRoom:
    def __init__(self, hub: Hub, wall_clock: Callable[[], float] = time.time) -> None:
        self._hub = hub
        self.wall_clock = wall_clock  # challenges expire on the wall clock: web and game share it
        self._rooms: dict[str, _Room] = {}  # code -> who waits on it (only codes someone waits on)
        self._code_of: dict[str, str] = {}  # player id -> the code they wait on (or look up)
        # player id -> when their `challenge` arrived, in order: the store lookups may finish in any
        # order, and the first to ask is the one who plays
        self._arrival: dict[str, int] = {}
        self._arrivals = itertools.count()

    def __len__(self) -> int:
        return len(self._code_of)

    def is_waiting(self, player_id: str) -> bool:
        return player_id in self._code_of

    # --- messages --------------------------------------------------------------------

    def challenge(self, player_id: str, code: str) -> None:
        hub = self._hub
        hub.refuse_new_battle(player_id)
        waiting_on = self._code_of.get(player_id)
        if waiting_on == code and code in self._rooms:  # another tab, or the page sent it again
            self._tell_waiting(player_id, self._rooms[code].challenge)
            return
        if waiting_on is not None or player_id in hub._matchmaker or player_id in hub._pairing:
            raise ActionRefused("already_queued", "you are already waiting for a battle: cancel first")
        self._code_of[player_id] = code
        self._arrival[player_id] = next(self._arrivals)
        hub._spawn(self._join(player_id, code))

    def cancel(self, player_id: str) -> bool:
        """Stop waiting on a challenge; False when the player was not waiting on one."""
        return self._leave(player_id)

    def gone(self, player_id: str) -> None:
        """The player's last connection closed."""
        self._leave(player_id)

    # --- internals ---------------------------------------------------------------------

    async def _join(self, player_id: str, code: str) -> None:
        hub = self._hub
        try:
            room = self._rooms.get(code)
            challenge = room.challenge if room is not None else await hub.store.get_challenge(code)
        except Exception as problem:  # noqa: BLE001 - the player is told; nothing changed
            log.error("could not look up challenge %s for %s: %s", code, player_id, problem)
            challenge = None
            refusal = ("unknown_challenge", "that challenge could not be looked up: try again in a moment")
        else:
            refusal = ("unknown_challenge", "there is no challenge with this code")
        if self._code_of.get(player_id) != code:
            return  # cancelled or gone while it was looked up
        if challenge is not None:
            state = challenge.state(self.wall_clock())
            refusal = REFUSALS.get(state, refusal) if state is not ChallengeState.OPEN else None
        if challenge is None or refusal is not None:
            del self._code_of[player_id]
            self._arrival.pop(player_id, None)
            self._refuse(player_id, *refusal)
            if code in self._rooms:  # others waited behind this player's lookup
                self._start_if_both(self._rooms[code])
            return
        room = self._rooms.get(code)
        if room is None:
            room = self._rooms[code] = _Room(challenge)
            delay = max(0.0, challenge.expires_at - self.wall_clock())
            room.timer = hub._scheduler.call_at(hub._scheduler.time() + delay, lambda: self._expire(code))
        room.waiting.append(player_id)
        room.waiting.sort(key=lambda waiting: self._arrival.get(waiting, 0))
        hub.rematches.busy(player_id)
        self._tell_waiting(player_id, challenge)
        self._start_if_both(room)

    def _tell_waiting(self, player_id: str, challenge: Challenge) -> None:
        expires_in = round(max(0.0, challenge.expires_at - self.wall_clock()), 3)
        try:
            self._hub._send(player_id, {"type": "challenge_waiting", "code": challenge.code, "expires_in": expires_in})
        finally:
            self._hub._close_broken()

    def _refuse(self, player_id: str, code: str, message: str) -> None:
        try:
            self._hub._send(player_id, error(code, message))
        finally:
            self._hub._close_broken()

    def _leave(self, player_id: str) -> bool:
        code = self._code_of.pop(player_id, None)
        self._arrival.pop(player_id, None)
        if code is None:
            return False
        room = self._rooms.get(code)
        if room is not None and player_id in room.waiting:
            room.waiting.remove(player_id)
            if not room.waiting:
                self._close_room(code)
        elif room is not None:  # left while being looked up: those behind them need not wait
            self._start_if_both(room)
        return True

    def _close_room(self, code: str) -> _Room | None:
        room = self._rooms.pop(code, None)
        if room is not None and room.timer is not None:
            self._hub._scheduler.cancel(room.timer)
            room.timer = None
        return room

    def _expire(self, code: str) -> None:
        room = self._rooms.pop(code, None)
        if room is None:
            return
        room.timer = None  # firing now
        for player_id in room.waiting:
            self._code_of.pop(player_id, None)
            self._arrival.pop(player_id, None)
            self._refuse(player_id, *REFUSALS[ChallengeState.EXPIRED])

    def _start_if_both(self, room: _Room) -> None:
        creator = room.challenge.creator_id
        if creator not in room.waiting:
            return
        other = next((p for p in room.waiting if p != creator), None)
        if other is None:
            return
        code = room.challenge.code
        if any(asked == code and waiting not in room.waiting and self._arrival[waiting] < self._arrival[other]
               for waiting, asked in self._code_of.items()):
            return  # someone who asked earlier is still being looked up: their turn comes first
        self._close_room(code)
        for player_id in room.waiting:
            self._code_of.pop(player_id, None)
            self._arrival.pop(player_id, None)
            if player_id not in (creator, other):  # a third player: the challenge is taken
                self._refuse(player_id, "challenge_used", "another player took this challenge first")
        hub = self._hub
        hub._pairing.update((creator, other))
        holders = (hub._online[creator].holder, hub._online[other].holder)
        hub._spawn(self._start(room.challenge, holders))

    async def _start(self, challenge: Challenge, holders) -> None:
        hub = self._hub
        ids = tuple(holder.id for holder in holders)
        battle_id = secrets.token_hex(8)
        try:
            used = await hub.store.use_challenge(challenge.code, battle_id, self.wall_clock())
        except Exception as problem:  # noqa: BLE001 - the players are told; no battle starts
            log.error("could not use up challenge %s: %s", challenge.code, problem)
            used = False
        if not used:
            for player_id in ids:
                if player_id in hub._pairing:
                    hub._pairing.discard(player_id)
                    self._refuse(player_id, "challenge_used",
                                 "this challenge could not start its battle (used or expired meanwhile)")
            return
        await hub._start_battle(holders, hub._scheduler.time(), battle_id=battle_id,
                                category=challenge.category, partner_gone=self._partner_gone)

    def _partner_gone(self, player_id: str) -> None:
        """The other player left while the battle was prepared: the challenge is spent."""
        self._refuse(player_id, "challenge_used", "your opponent left before the battle started: make a new challenge")
