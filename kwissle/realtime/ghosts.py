"""Recorded opponents, the hub's part: offering one to a player who waits alone, and starting it.

A player who has waited `delay` seconds in the queue, and for whom a recording fits, gets
`ghost_ready` (once per wait); `ghost` then starts a battle against it at once. A live
opponent found first takes the offer away. The battle core replays the recording
(kwissle/game/ghost.py, `Battle(ghost=...)`): the hub keeps one timer per battle as ever.

A recording is a stored complete battle of another player (never one of this player's own),
recent, all of whose questions are still published, preferring one whose questions the
player has not seen lately. The candidates come from a small in-memory cache, refreshed in
the background (`store.recordings_for`) and fed the battles this process finishes, so an
offer costs no store round trip. The recorded player is never told anything of it.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from kwissle.game.battle import Battle, Contender
from kwissle.game.events import ActionRefused
from kwissle.game.ghost import GhostScript, NotReplayable, script_from
from kwissle.model import BattleEnd, BattleRecord, Recording
from kwissle.realtime.protocol import error
from kwissle.realtime.tickets import TicketHolder
from kwissle.storage.port import StorageError

if TYPE_CHECKING:
    from kwissle.realtime.hub import Hub

log = logging.getLogger(__name__)

CACHE_SIZE = 100  # recordings held in memory
REFRESH_SECONDS = 120.0  # how old the cache may grow before a waiting player triggers a refresh
MAX_AGE_SECONDS = 30 * 24 * 3600.0  # a recording older than this is not offered


class Ghosts:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        # Seconds a player waits alone before a recording is offered; None: never (app.py sets it).
        self.delay: float | None = None
        self._cache: list[Recording] = []  # newest first
        self._refreshed_at: float | None = None  # on the hub's clock
        self._refreshing = False
        self._timers: dict[str, object] = {}  # player id -> the offer timer of their wait
        self._offers: dict[str, GhostScript] = {}  # player id -> the recording on offer

    # --- the hub's hooks ----------------------------------------------------------------

    def waiting(self, player_id: str) -> None:
        """The player joined the queue: offer a recording after the delay."""
        if self.delay is None:
            return
        self.not_waiting(player_id)
        self._refresh_if_stale()
        self._timers[player_id] = self._hub._scheduler.call_at(
            self._hub._scheduler.time() + self.delay, lambda: self._offer(player_id))

    def not_waiting(self, player_id: str) -> None:
        """The player left the queue (paired, cancelled, gone): the offer, made or to come, is off."""
        handle = self._timers.pop(player_id, None)
        if handle is not None:
            self._hub._scheduler.cancel(handle)
        self._offers.pop(player_id, None)

    def stop(self) -> None:
        """The hub is stopping: no offer is made or stands."""
        for player_id in list(self._timers):
            self.not_waiting(player_id)
        self._offers.clear()

    def finished(self, battle: Battle, record: BattleRecord) -> None:
        """A battle ended here: a complete live one is a recording for others at once."""
        if battle.ghost is not None or record.reason is not BattleEnd.COMPLETE or self.delay is None:
            return
        recording = Recording(record, {p.id: p.name for p in battle.players})
        self._cache = [recording, *(r for r in self._cache if r.record.id != record.id)][:CACHE_SIZE]

    # --- the offer ----------------------------------------------------------------------

    def _offer(self, player_id: str) -> None:
        self._timers.pop(player_id, None)
        hub = self._hub
        if player_id not in hub._matchmaker or hub._closing or hub._draining:
            return
        script = self.pick(player_id)
        if script is None:
            return
        self._offers[player_id] = script
        try:
            hub._send(player_id, {"type": "ghost_ready", "name": script.name, "recorded_at": script.recorded_at})
        finally:
            hub._close_broken()

    def pick(self, player_id: str) -> GhostScript | None:
        """The best recording for the player from the cache, or None."""
        hub = self._hub
        last = hub._last_battle.get(player_id)
        seen = set(last.question_ids) if last is not None else set()
        oldest = hub._scheduler.time() - MAX_AGE_SECONDS  # battles are stamped on the hub's clock
        best: tuple[tuple[int, float], GhostScript] | None = None
        for recording in self._cache:
            record = recording.record
            if player_id in record.player_ids or record.ended_at < oldest:
                continue
            if any(hub.questions.get(o.question_id) is None for o in record.outcomes):
                continue  # a question was unpublished or edited away since
            scripts = []
            for seat in record.player_ids:
                try:
                    scripts.append(script_from(record, seat, recording.names.get(seat) or "A player"))
                except NotReplayable:
                    continue
            if not scripts:
                continue
            # the player who did more is the livelier opponent; between equals, either
            script = max(scripts, key=lambda s: (sum(map(len, s.actions)), hub._rng.random()))
            key = (sum(o.question_id in seen for o in record.outcomes), -record.ended_at)
            if best is None or key < best[0]:
                best = (key, script)
        return best[1] if best else None

    # --- `ghost` ------------------------------------------------------------------------

    def play(self, player_id: str) -> None:
        """`ghost`: start the battle against the recording on offer, at once."""
        hub = self._hub
        hub.refuse_new_battle(player_id, in_battle=False)  # no_ghost comes first: checked below
        script = self._offers.get(player_id)
        # first: a live opponent found (or no wait, or no offer yet) means no recording on offer
        if script is None or player_id not in hub._matchmaker:
            raise ActionRefused("no_ghost", "no recorded opponent is on offer: keep waiting for one")
        if player_id in hub._battle_of:
            raise ActionRefused("in_battle", "you are already in a battle")
        questions = [hub.questions.get(question_id) for question_id in script.question_ids]
        if any(question is None for question in questions):
            self.not_waiting(player_id)
            raise ActionRefused("no_ghost", "that recording's questions changed: keep waiting for another")
        since = hub._matchmaker.waiting_since(player_id)
        hub._matchmaker.cancel(player_id)
        self.not_waiting(player_id)
        hub.rematches.busy(player_id)
        hub._pairing.add(player_id)
        hub._spawn(self._start(hub._online[player_id].holder, script, questions, since or 0.0))

    async def _start(self, holder: TicketHolder, script: GhostScript, questions: list, since: float) -> None:
        hub = self._hub
        try:
            if holder.guest:  # the battle is stored with the guest's row
                await hub.guest_rows.ensure([(holder.id, holder.name)])
        except StorageError as problem:
            log.error("could not prepare a recorded battle for %s: %s", holder.id, problem)
            if holder.id in hub._pairing:
                hub._pairing.discard(holder.id)
                hub._send(holder.id, error("no_questions", "no battle could be prepared: try again later"))
                hub._close_broken()
            return
        if holder.id not in hub._pairing or holder.id not in hub._online or hub._closing or hub._draining:
            hub._pairing.discard(holder.id)  # gone, cancelled or stopping meanwhile: nothing starts
            return
        hub._pairing.discard(holder.id)
        players = (Contender(holder.id, holder.name), Contender(script.player_id, script.name))
        battle = Battle(secrets.token_hex(8), players, questions, hub.rules, rng=hub._rng, judge=hub._judge,
                        ghost=script)
        from kwissle.realtime.hub import _LastBattle  # the hub imports this module

        hub._battles[battle.id] = battle
        hub._battle_of[holder.id] = battle.id  # the recorded player is in no battle of theirs
        hub._last_battle[holder.id] = _LastBattle(battle.id, [])
        hub.counters.hit("battles_started")
        try:
            hub._dispatch(battle, battle.start(hub._scheduler.time()))
        finally:
            hub._close_broken()

    # --- the cache ----------------------------------------------------------------------

    def _refresh_if_stale(self) -> None:
        now = self._hub._scheduler.time()
        if self._refreshing or (self._refreshed_at is not None and now - self._refreshed_at < REFRESH_SECONDS):
            return
        self._refreshing = True
        self._hub._spawn(self.refresh())

    async def refresh(self) -> None:
        """Read the newest recordings from the store (in the background: never on a player's path)."""
        self._refreshing = True
        try:
            await self._hub.questions.ready()  # what `pick` checks the recordings' questions against
            stored = await self._hub.store.recordings_for(None, CACHE_SIZE)
        except StorageError as problem:
            log.warning("recorded opponents not refreshed: %s", problem)
            return
        finally:
            self._refreshing = False
            self._refreshed_at = self._hub._scheduler.time()
        known = {r.record.id for r in stored}
        fresher = [r for r in self._cache if r.record.id not in known and r.record.ended_at > (
            stored[0].record.ended_at if stored else float("-inf"))]
        self._cache = [*fresher, *stored][:CACHE_SIZE]
