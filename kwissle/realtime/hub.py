"""The hub: who is connected, who is waiting, which battles run, and their timers.

It is the only place that knows which player is on which connection, arms
`IOLoop.call_at` for each battle's next deadline, and hands finished battles to
the store. Rules live in the game core; the hub routes its events.

A connection is anything with `send_text(str)` and `close()` (see channel.py);
the hub never imports sockjs, so it can be driven directly in tests.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tornado.ioloop import IOLoop

from kwissle.game.battle import Battle, Contender
from kwissle.game.events import ActionRefused, Event, Finished, Send
from kwissle.game.matchmaker import AlreadyQueued, Matchmaker
from kwissle.game.rules import Rules
from kwissle.model import BattleRecord, Question
from kwissle.realtime.protocol import ClientMessage, encode, error
from kwissle.realtime.tickets import TicketHolder
from kwissle.storage.port import Store

log = logging.getLogger(__name__)

# How many of a player's latest battles to avoid repeating questions from.
RECENT_BATTLES_AVOIDED = 20
# Reports a player may file per battle: enough for honest use, not for spam.
REPORTS_PER_BATTLE = 10


class Connection(Protocol):
    def send_text(self, text: str) -> None: ...
    def close(self) -> None: ...


@dataclass
class _Online:
    holder: TicketHolder
    connections: set[Connection] = field(default_factory=set)


@dataclass
class _LastBattle:
    """What a player may still report on after their battle ended."""

    battle_id: str
    question_ids: list[str]
    reported: set[int] = field(default_factory=set)


class Hub:
    def __init__(self, store: Store, rules: Rules, rng: random.Random | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.store = store
        self.rules = rules
        self._rng = rng or random.Random()
        self._clock = clock or (lambda: IOLoop.current().time())
        self._online: dict[str, _Online] = {}
        self._matchmaker = Matchmaker(self._rng)
        self._pairing: set[str] = set()  # taken from the queue, battle being prepared
        self._battles: dict[str, Battle] = {}
        self._battle_of: dict[str, str] = {}
        self._last_battle: dict[str, _LastBattle] = {}
        self._timers: dict[str, tuple[float, object]] = {}  # battle id -> (deadline, IOLoop handle)
        self._tasks: set[asyncio.Task] = set()
        self._match_scheduled = False
        self._closing = False

    # --- status ------------------------------------------------------------------

    def status(self) -> dict[str, int]:
        return {"online": len(self._online), "waiting": len(self._matchmaker), "battles": len(self._battles)}

    def battle_of(self, player_id: str) -> Battle | None:
        battle_id = self._battle_of.get(player_id)
        return self._battles.get(battle_id) if battle_id else None

    # --- connections ----------------------------------------------------------------

    def join(self, conn: Connection, holder: TicketHolder) -> None:
        """A connection said a good `hello`: welcome it, resuming a battle if there is one."""
        online = self._online.setdefault(holder.id, _Online(holder))
        online.connections.add(conn)
        battle = self.battle_of(holder.id)
        conn.send_text(encode({"type": "welcome", "player": holder.as_wire(),
                               "resumed": battle.id if battle else None}))
        if battle:
            now = self._clock()
            self._dispatch(battle, battle.tick(now))
            if not battle.over:
                self._dispatch(battle, battle.rejoin(holder.id, now), only=(holder.id, conn))
        elif holder.id in self._matchmaker:
            conn.send_text(encode({"type": "waiting", "online": len(self._online)}))

    def part(self, conn: Connection, player_id: str) -> None:
        """A connection closed. The player is gone when their last connection is."""
        online = self._online.get(player_id)
        if online is None:
            return
        online.connections.discard(conn)
        if online.connections:
            return
        del self._online[player_id]
        self._matchmaker.cancel(player_id)
        self._pairing.discard(player_id)
        battle = self.battle_of(player_id)
        if battle and not self._closing:
            now = self._clock()
            self._dispatch(battle, battle.tick(now))
            if not battle.over:
                self._dispatch(battle, battle.drop(player_id, now))

    def handle(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        """Carry out a welcomed player's message; ActionRefused means nothing changed."""
        handler = getattr(self, f"_on_{message.type}", None)
        if handler is None:
            raise ActionRefused("bad_message", f"'{message.type}' is not allowed here")
        handler(conn, player_id, message)

    # --- matchmaking -----------------------------------------------------------------

    def _on_play(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        if player_id in self._battle_of:
            raise ActionRefused("in_battle", "you are already in a battle")
        if player_id in self._pairing:
            raise ActionRefused("already_queued", "your battle is being prepared")
        try:
            self._matchmaker.enqueue(player_id, self._clock())
        except AlreadyQueued:
            raise ActionRefused("already_queued", "you are already waiting for an opponent") from None
        self._send(player_id, {"type": "waiting", "online": len(self._online)})
        self._schedule_matching()

    def _on_cancel(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        if self._matchmaker.cancel(player_id):
            return
        if player_id in self._pairing:  # the battle being prepared will not start for them
            self._pairing.discard(player_id)
            return
        raise ActionRefused("not_queued", "you are not waiting for an opponent")

    def _schedule_matching(self) -> None:
        # Everyone who arrives within one loop iteration is paired together, at random.
        if not self._match_scheduled:
            self._match_scheduled = True
            IOLoop.current().add_callback(self._match)

    def _match(self) -> None:
        self._match_scheduled = False
        for first, second in self._matchmaker.pairs():
            since = self._clock()
            self._pairing.update((first, second))
            self._spawn(self._start_battle(first, second, since))

    async def _start_battle(self, first: str, second: str, since: float) -> None:
        try:
            questions = await self._pick_questions((first, second))
        except Exception:
            log.exception("could not pick questions")
            questions = []
        present = [p for p in (first, second) if p in self._pairing and p in self._online]
        self._pairing.difference_update((first, second))
        if len(present) < 2 or not questions:
            for player_id in present:
                if not questions:
                    self._send(player_id, error("no_questions", "no published questions to play: try later"))
                else:  # the partner left while the battle was prepared: back to the head of the queue
                    self._matchmaker.requeue_first(player_id, since)
                    self._schedule_matching()
            return
        players = tuple(Contender(p, self._online[p].holder.name) for p in (first, second))
        battle = Battle(secrets.token_hex(8), players, questions, self.rules, rng=self._rng)
        self._battles[battle.id] = battle
        for player_id in (first, second):
            self._battle_of[player_id] = battle.id
            self._last_battle[player_id] = _LastBattle(battle.id, [q.id for q in questions])
        self._dispatch(battle, battle.start(self._clock()))

    async def _pick_questions(self, player_ids: Iterable[str]) -> list[Question]:
        """Distinct published questions, avoiding what either player saw lately where the bank allows."""
        seen: set[str] = set()
        for player_id in player_ids:
            seen |= await self.store.recent_question_ids(player_id, RECENT_BATTLES_AVOIDED)
        wanted = self.rules.questions
        chosen = await self.store.sample_questions(wanted, exclude=seen)
        if len(chosen) < wanted:
            chosen += await self.store.sample_questions(wanted - len(chosen), exclude={q.id for q in chosen})
        return chosen

    # --- battle actions ---------------------------------------------------------------

    def _in_battle(self, player_id: str, act: Callable[[Battle, float], list[Event]]) -> None:
        battle = self.battle_of(player_id)
        if battle is None:
            raise ActionRefused("not_in_battle", "you are not in a battle")
        now = self._clock()
        self._dispatch(battle, battle.tick(now))
        if battle.over:
            raise ActionRefused("not_in_battle", "your battle is over")
        self._dispatch(battle, act(battle, now))

    def _on_answer(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        self._in_battle(player_id, lambda b, now: b.answer(player_id, message["q"], message["text"], now))

    def _on_alternatives(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        self._in_battle(player_id, lambda b, now: b.alternatives(player_id, message["q"], now))

    def _on_choose(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        self._in_battle(player_id, lambda b, now: b.choose(player_id, message["q"], message["choice"], now))

    def _on_leave(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        self._in_battle(player_id, lambda b, now: b.leave(player_id, now))

    def _on_report(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        last = self._last_battle.get(player_id)
        if last is None:
            raise ActionRefused("not_in_battle", "you have no current or last battle to report on")
        q = message["q"]
        battle = self._battles.get(last.battle_id)
        asked = battle.current + 1 if battle else len(last.question_ids)
        if q >= asked:
            raise ActionRefused("bad_message", "that question was not asked in your battle")
        if q in last.reported:
            raise ActionRefused("already_reported", "you already reported that question")
        if len(last.reported) >= REPORTS_PER_BATTLE:
            raise ActionRefused("rate_limited", "too many reports for one battle")
        last.reported.add(q)
        self._spawn(self.store.add_report(last.question_ids[q], player_id, last.battle_id, message["reason"]))

    # --- routing ------------------------------------------------------------------------

    def _send(self, player_id: str, message: dict[str, Any]) -> None:
        self._deliver(player_id, encode(message))

    def _deliver(self, player_id: str, text: str) -> None:
        online = self._online.get(player_id)
        if online:
            for conn in list(online.connections):
                conn.send_text(text)

    def _dispatch(self, battle: Battle, events: list[Event],
                  only: tuple[str, Connection] | None = None) -> None:
        """Deliver events; with `only`, that player's messages go to that one connection."""
        # A reveal or an end goes to both players as one dict: encode it once.
        encoded: dict[int, str] = {}
        for event in events:
            if isinstance(event, Send):
                text = encoded.get(id(event.message))
                if text is None:
                    text = encoded[id(event.message)] = encode(event.message)
                if only and event.to == only[0]:
                    only[1].send_text(text)
                else:
                    self._deliver(event.to, text)
            elif isinstance(event, Finished):
                self._finished(battle, event.record)
        self._arm(battle)

    def _arm(self, battle: Battle) -> None:
        """Keep one timer per battle at its deadline; most actions leave the deadline where it was."""
        deadline = None if self._closing else battle.deadline
        armed = self._timers.get(battle.id)
        if armed is not None and armed[0] == deadline:
            return
        loop = IOLoop.current()
        if armed is not None:
            loop.remove_timeout(armed[1])
            del self._timers[battle.id]
        if deadline is not None:
            self._timers[battle.id] = (deadline, loop.call_at(deadline, self._on_deadline, battle.id))

    def _on_deadline(self, battle_id: str) -> None:
        self._timers.pop(battle_id, None)
        battle = self._battles.get(battle_id)
        if battle is not None:
            self._dispatch(battle, battle.tick(self._clock()))

    def _finished(self, battle: Battle, record: BattleRecord) -> None:
        self._battles.pop(battle.id, None)
        for player in battle.players:
            if self._battle_of.get(player.id) == battle.id:
                del self._battle_of[player.id]
        self._spawn(self._save(record))

    async def _save(self, record: BattleRecord) -> None:
        await self.store.save_battle(record)
        await self.store.increment(f"battles_{record.reason.value}")

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    # --- shutdown -------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Record every running battle as abandoned, wait for all writes, close connections."""
        self._closing = True
        now = self._clock()
        for battle in list(self._battles.values()):
            self._dispatch(battle, battle.abandon(now))
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for online in list(self._online.values()):
            for conn in list(online.connections):
                conn.close()
