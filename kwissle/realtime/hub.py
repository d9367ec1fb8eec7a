"""The hub: who is connected, who is waiting, which battles run, and their timers.

It is the only place that knows which player is on which connection, arms each
battle's next deadline (through a `Scheduler`: the IOLoop, or a hand-held clock
in tests), and hands finished battles to the results writer. Rules live in the
game core; the hub routes its events.

Stopping is in two steps. `drain` (SIGTERM) stops pairing, tells every player the
server is restarting, and lets running battles finish within a grace time;
`stop` then records the battles still running as abandoned. `shutdown` is both
of those without a grace, then the results flush and closing every connection.

A connection is anything with `send_text(str)` and `close()` (see channel.py);
the hub never imports sockjs, so it can be driven directly in tests. Delivery
is fail-safe per connection: a connection whose send raises is logged once and
closed, and the rest of the dispatch (other players, the finished battle, the
next timer) still happens.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kwissle.counters import Counters
from kwissle.game.battle import Battle, Contender
from kwissle.game.events import ActionRefused, Event, Finished, Outcome, Send
from kwissle.game.judge import judge
from kwissle.game.lexicon import Lexicon
from kwissle.game.matchmaker import AlreadyQueued, Matchmaker, strength
from kwissle.game.rules import Rules
from kwissle.metrics import Metrics
from kwissle.model import BattleRecord, Question, QuestionStatus, Rating
from kwissle.ratelimits import RateLimits
from kwissle.realtime.appeals import Appeals
from kwissle.realtime.bans import BanCache
from kwissle.realtime.challenges import ChallengeRoom
from kwissle.realtime.ghosts import Ghosts
from kwissle.realtime.guest_rows import GuestRows
from kwissle.realtime.protocol import ClientMessage, encode, error
from kwissle.realtime.question_pool import QuestionPool
from kwissle.realtime.rematches import Rematches
from kwissle.realtime.results import FLUSH_SECONDS, ResultsWriter
from kwissle.realtime.scheduler import LoopScheduler, Scheduler
from kwissle.realtime.tickets import TicketHolder
from kwissle.storage.port import StorageError, Store

log = logging.getLogger(__name__)

# How many of a player's latest battles to avoid repeating questions from.
RECENT_BATTLES_AVOIDED = 20
# Questions read per store call while the lexicon of stored texts is built.
LEXICON_PAGE = 1000
# Reports a player may file per battle: enough for honest use, not for spam.
REPORTS_PER_BATTLE = 10
# The actions whose reveal the answer-to-reveal latency measures.
ANSWERING = frozenset({"answer", "choose"})
# Ratings the hub computed lately, kept until the results writer has surely stored them:
# far more players than can finish battles in the time a store may take to recover.
RECENT_RATINGS_KEPT = 10_000

# The battle actions counted for the statistics (kwissle/counters.py): message type -> counter.
COUNTED_ACTIONS = {"answer": "typed_answers", "alternatives": "alternatives", "choose": "choice_answers"}

# The battle actions a welcomed player may send: message type -> the battle method it calls.
BattleAction = Callable[[Battle, str, ClientMessage, float], Outcome]
BATTLE_ACTIONS: dict[str, BattleAction] = {
    "answer": lambda battle, player, m, now: battle.answer(player, m["q"], m["text"], now),
    "alternatives": lambda battle, player, m, now: battle.alternatives(player, m["q"], now),
    "choose": lambda battle, player, m, now: battle.choose(player, m["q"], m["choice"], now),
    "leave": lambda battle, player, m, now: battle.leave(player, now),
}


class Connection(Protocol):
    def send_text(self, text: str) -> None: ...
    def close(self) -> None: ...


@dataclass
class _Online:
    holder: TicketHolder
    connections: set[Connection] = field(default_factory=set)


@dataclass
class _LastBattle:
    """What a player may still report on: the questions put in their current or last battle."""

    battle_id: str
    question_ids: list[str]  # filled in when the battle ends; while it runs, ask the battle
    reported: set[int] = field(default_factory=set)


class Hub:
    def __init__(self, store: Store, rules: Rules, rng: random.Random | None = None, *,
                 scheduler: Scheduler | None = None, results: ResultsWriter | None = None,
                 metrics: Metrics | None = None, counters: Counters | None = None,
                 rate_limits: RateLimits | None = None) -> None:
        self.store = store
        # reports per player per day (app.py passes the app's); None: only the per-battle cap
        self.rate_limits = rate_limits
        self.counters = counters or Counters(store)  # battle actions for the statistics (kwissle/counters.py)
        self.rules = rules
        self.results = results or ResultsWriter(store)
        self._rng = rng or random.Random()
        self._scheduler = scheduler or LoopScheduler()
        self._online: dict[str, _Online] = {}
        self._matchmaker = Matchmaker(self._rng)
        self._pairing: set[str] = set()  # taken from the queue, battle being prepared
        self._battles: dict[str, Battle] = {}
        self._battle_of: dict[str, str] = {}
        self._last_battle: dict[str, _LastBattle] = {}
        # player id -> the rating their latest battle here left them with, newest last: fresher
        # than the store's while the results writer still holds that battle
        self._recent_ratings: OrderedDict[str, Rating] = OrderedDict()
        self._timers: dict[str, tuple[float, object]] = {}  # battle id -> (deadline, scheduler handle)
        self._broken: set[Connection] = set()  # a send raised: closed, skipped until it parts
        self._to_close: list[Connection] = []
        self._tasks: set[asyncio.Task] = set()
        self._match_scheduled = False
        self._closing = False
        self._draining = False  # SIGTERM: nothing new starts, running battles may finish
        self._drain_deadline = 0.0
        self._drained = asyncio.Event()  # set when no battle runs any more, or the grace is cut short
        self._hurry = False  # a second signal: no more waiting for anyone
        self.metrics = metrics or Metrics()
        self.metrics.watch_game(self.status)
        self._lexicon: Lexicon | None = None  # None: the default lexicon, until load_lexicon()
        self._learning = asyncio.Lock()  # one lexicon update at a time: none loses another's words
        # The published questions in memory: pairing reads none from the store. Each refresh
        # teaches the judge the words of the questions new or changed since the last one.
        self.questions = QuestionPool(store, self._spawn, learn=self.learn_words)
        # Guests' player rows: one store call per burst of pairings (kwissle/realtime/guest_rows.py).
        self.guest_rows = GuestRows(store, self._spawn)
        self.bans = BanCache(store, self._spawn)  # app.py sets its seconds (kwissle/realtime/bans.py)
        self.appeals = Appeals(self)  # `appeal` after `end` (kwissle/realtime/appeals.py)
        self.rematches = Rematches(self)  # after `end` (kwissle/realtime/rematches.py); app.py sets its seconds
        self.challenges = ChallengeRoom(self)  # challenge links (kwissle/realtime/challenges.py)
        self.ghosts = Ghosts(self)  # recorded opponents (kwissle/realtime/ghosts.py); app.py sets its delay

    # --- status ------------------------------------------------------------------

    async def load_lexicon(self) -> int:
        """Teach the judge every answer, variant and alternative of the published questions,
        so a guess that is another question's answer is never taken for a typo. Run before
        serving: building it is CPU work, done in a thread so the loop stays free.
        Returns how many questions it read."""
        texts: list[str] = []
        offset = 0
        while page := await self.store.list_questions(QuestionStatus.PUBLISHED, LEXICON_PAGE, offset):
            for question in page:
                texts += (*question.answers, *question.wrong)
            offset += len(page)
        await self.learn_words(texts)
        return offset

    async def learn_words(self, texts: list[str]) -> None:
        """Add every word of `texts` to the judge's lexicon (the question pool calls this with the
        questions published or changed since its last refresh). The union copies ~95,000 words
        (3 to 15 ms: benchmarks/lexicon_refresh.py), so it runs in a thread; the judge keeps
        the lexicon it had until the new one is swapped in."""
        async with self._learning:
            known = self._lexicon
            loop = asyncio.get_running_loop()
            self._lexicon = await loop.run_in_executor(
                None, lambda: (Lexicon.default() if known is None else known).extended(texts))

    def _judge(self, typed: str, answers, decoys) -> bool:
        return judge(typed, answers, decoys, lexicon=self._lexicon)

    def status(self) -> dict[str, int]:
        return {"online": len(self._online), "waiting": len(self._matchmaker), "battles": len(self._battles),
                "unsaved": self.results.pending}

    def battle_of(self, player_id: str) -> Battle | None:
        battle_id = self._battle_of.get(player_id)
        return self._battles.get(battle_id) if battle_id else None

    # --- connections ----------------------------------------------------------------

    def join(self, conn: Connection, holder: TicketHolder) -> None:
        """A connection said a good `hello`: welcome it, resuming a battle if there is one."""
        online = self._online.setdefault(holder.id, _Online(holder))
        online.connections.add(conn)
        self.bans.look_up_soon(holder.id)  # so refuse_if_banned knows without waiting
        battle = self.battle_of(holder.id)
        try:
            self._send_to(conn, holder.id, encode({"type": "welcome", "player": holder.as_wire(),
                                                   "resumed": battle.id if battle else None}), "welcome")
            if battle:
                outcome = battle.rejoin(holder.id, self._scheduler.time())
                self._dispatch(battle, outcome.due)  # what fell due goes to everyone
                self._dispatch(battle, outcome.events, only=(holder.id, conn))
            elif holder.id in self._matchmaker:
                self._send_to(conn, holder.id, encode(self._waiting_message(holder.id)), "waiting")
            if self._draining:
                self._send_to(conn, holder.id, encode(self._restarting()), "restarting")
        finally:
            self._close_broken()

    def part(self, conn: Connection, player_id: str) -> None:
        """A connection closed. The player is gone when their last connection is."""
        self._broken.discard(conn)
        online = self._online.get(player_id)
        if online is None:
            return
        online.connections.discard(conn)
        if online.connections:
            return
        del self._online[player_id]
        self._matchmaker.cancel(player_id)
        self.ghosts.not_waiting(player_id)
        self._pairing.discard(player_id)
        self.challenges.gone(player_id)
        self.rematches.gone(player_id)
        battle = self.battle_of(player_id)
        if battle and not self._closing:
            try:
                self._dispatch(battle, battle.drop(player_id, self._scheduler.time()).all_events)
            finally:
                self._close_broken()

    def handle(self, conn: Connection, player_id: str, message: ClientMessage) -> None:
        """Carry out a welcomed player's message.

        ActionRefused means the message changed nothing; what fell due before it (a
        question closing at its deadline) has been delivered all the same."""
        started = time.perf_counter()
        try:
            action = BATTLE_ACTIONS.get(message.type)
            if action is not None:
                self._battle_action(player_id, action, message, started)
            elif message.type == "play":
                self._play(player_id)
            elif message.type == "cancel":
                self._cancel(player_id)
            elif message.type == "report":
                self._report(conn, player_id, message["q"], message["reason"])
            elif message.type == "appeal":
                self.appeals.appeal(conn, player_id, message["q"])
            elif message.type == "rematch":
                self.rematches.rematch(player_id)
            elif message.type == "decline_rematch":
                self.rematches.decline(player_id)
            elif message.type == "challenge":
                self.challenges.challenge(player_id, message["code"])
            elif message.type == "ghost":
                self.ghosts.play(player_id)
            else:
                raise ActionRefused("bad_message", f"'{message.type}' is not allowed here")
        finally:
            self._close_broken()

    def _count(self, kind: str, events: Iterable[Event]) -> None:
        """Count a battle action that was carried out (a typed answer judged, alternatives loaded)
        and a point scored by typing, for the statistics: dict increments, no I/O."""
        counted = COUNTED_ACTIONS.get(kind)
        if counted is None:
            return
        self.counters.hit(counted)
        if kind == "answer" and any(isinstance(event, Send) and event.message["type"] == "reveal"
                                    and event.message["how"] == "typed" for event in events):
            self.counters.hit("steals")

    def _battle_action(self, player_id: str, action: BattleAction, message: ClientMessage,
                       started: float) -> None:
        battle = self.battle_of(player_id)
        if battle is None:
            raise ActionRefused("not_in_battle", "you are not in a battle")
        outcome = action(battle, player_id, message, self._scheduler.time())
        self._dispatch(battle, outcome.all_events)  # what fell due is delivered even when refused
        if outcome.refused is not None:
            raise outcome.refused
        self._count(message.type, outcome.events)
        if message.type in ANSWERING and any(
                isinstance(event, Send) and event.message["type"] == "reveal" for event in outcome.events):
            self.metrics.answer_to_reveal.observe(time.perf_counter() - started)

    # --- matchmaking -----------------------------------------------------------------

    def refuse_if_banned(self, player_id: str) -> None:
        """Raise `Banned` (ActionRefused `banned`, with `until`) if the player is banned, as far as
        this process knows without waiting on the store (kwissle/realtime/bans.py)."""
        self.bans.refuse_if_banned(player_id)

    def refuse_new_battle(self, player_id: str, *, in_battle: bool = True) -> None:
        """What refuses the ways into a battle that skip the queue (`challenge`, `rematch`,
        `ghost`): a ban, the server stopping and, unless the caller checks it later, a battle
        already running. (`play` only queues, and the queue pairs nobody once stopped.)"""
        self.refuse_if_banned(player_id)
        if self._draining or self._closing:
            raise ActionRefused("shutting_down", "the server is restarting: play again in a moment")
        if in_battle and player_id in self._battle_of:
            raise ActionRefused("in_battle", "you are already in a battle")

    def _play(self, player_id: str) -> None:
        self.refuse_if_banned(player_id)
        if self._draining:
            raise ActionRefused("shutting_down", "the server is restarting: play again in a moment")
        if player_id in self._battle_of:
            raise ActionRefused("in_battle", "you are already in a battle")
        if player_id in self._pairing:
            raise ActionRefused("already_queued", "your battle is being prepared")
        if self.challenges.is_waiting(player_id):
            raise ActionRefused("already_queued", "you are waiting on a challenge: cancel first")
        try:
            # fair pairing by the rating at hand (no store round trip): unknown counts as a guest's
            self._matchmaker.enqueue(player_id, self._scheduler.time(), *strength(self._recent_ratings.get(player_id)))
        except AlreadyQueued:
            raise ActionRefused("already_queued", "you are already waiting for an opponent") from None
        self.ghosts.waiting(player_id)
        self.rematches.busy(player_id)
        self._send(player_id, self._waiting_message(player_id))
        self._schedule_matching()

    def _waiting_message(self, player_id: str) -> dict[str, Any]:
        """`waiting`: how many are connected, how many of them could be my opponent, how long I have waited."""
        since = self._matchmaker.waiting_since(player_id)
        waited = 0.0 if since is None else max(0.0, self._scheduler.time() - since)
        online = len(self._online)
        return {"type": "waiting", "online": online, "others": max(0, online - 1), "waited": round(waited, 3)}

    def _cancel(self, player_id: str) -> None:
        self.ghosts.not_waiting(player_id)
        if self._matchmaker.cancel(player_id) or self.challenges.cancel(player_id):
            return
        if player_id in self._pairing:  # the battle being prepared will not start for them
            self._pairing.discard(player_id)
            return
        raise ActionRefused("not_queued", "you are not waiting for an opponent")

    def _schedule_matching(self) -> None:
        # Everyone who arrives within one loop iteration is paired together, at random.
        if not self._match_scheduled:
            self._match_scheduled = True
            self._scheduler.call_soon(self._match)

    def _match(self) -> None:
        self._match_scheduled = False
        if self._closing or self._draining:  # nothing new starts while stopping
            return
        for first, second in self._matchmaker.pairs(self._scheduler.time()):
            self.ghosts.not_waiting(first)  # a live opponent: the recording on offer is off
            self.ghosts.not_waiting(second)
            since = self._scheduler.time()
            self._pairing.update((first, second))
            holders = (self._online[first].holder, self._online[second].holder)
            self._spawn(self._start_battle(holders, since))

    async def _start_battle(self, holders: tuple[TicketHolder, TicketHolder], since: float, *,
                            battle_id: str | None = None, category: str | None = None,
                            partner_gone: Callable[[str], None] | None = None) -> None:
        """Start a battle between two players in `_pairing`. A rematch or a challenge
        (rematches.py, challenges.py) names its battle id and category, and `partner_gone` tells
        the one left when the other went while the battle was prepared (else: back to the queue)."""
        ids = tuple(holder.id for holder in holders)
        ratings: dict[str, Rating | None] = {}
        try:
            # a guest's row is written when they first play, not per ticket: batched with every
            # other guest pairing now, and not at all for one this process stored lately
            await self.guest_rows.ensure((holder.id, holder.name) for holder in holders if holder.guest)
            for holder in holders:
                ratings[holder.id] = await self._rating_of(holder)
            questions = await self._pick_questions(ids, category)
        except StorageError as problem:
            log.error("could not prepare a battle for %s and %s: %s", *ids, problem)
            questions = []
        except Exception:
            log.exception("could not prepare a battle for %s and %s", *ids)
            questions = []
        for player_id in ids:  # banned since they queued (or looked up only now): out of the queue
            ban = await self.bans.lookup(player_id)
            if ban is not None and player_id in self._pairing:
                self._pairing.discard(player_id)
                self._send(player_id, error("banned", ban.explanation, until=ban.until))
        # Shutdown began while the questions were picked: the battle never starts, so
        # there is nothing running that would go unrecorded.
        if self._closing or self._draining:
            if not self._closing:
                for player_id in ids:
                    if player_id in self._pairing:
                        self._send(player_id, error("shutting_down", "the server is restarting: "
                                                    "play again in a moment"))
                self._close_broken()
            self._pairing.difference_update(ids)
            return
        present = [p for p in ids if p in self._pairing and p in self._online]
        self._pairing.difference_update(ids)
        if len(present) < 2 or not questions:
            for player_id in present:
                if not questions:
                    self._send(player_id, error("no_questions", "no battle could be prepared: try again later"))
                elif partner_gone is not None:
                    partner_gone(player_id)
                else:  # the partner left while the battle was prepared: back to the head of the queue
                    self._matchmaker.requeue_first(player_id, since, *strength(self._recent_ratings.get(player_id)))
                    self.ghosts.waiting(player_id)
                    self._schedule_matching()
            self._close_broken()
            return
        players = (Contender(holders[0].id, holders[0].name, ratings.get(holders[0].id)),
                   Contender(holders[1].id, holders[1].name, ratings.get(holders[1].id)))
        battle = Battle(battle_id or secrets.token_hex(8), players, questions, self.rules, rng=self._rng,
                        judge=self._judge)
        self._battles[battle.id] = battle
        self.counters.hit("battles_started")
        for player_id in ids:
            self._battle_of[player_id] = battle.id
            self._last_battle[player_id] = _LastBattle(battle.id, [])
            self.rematches.busy(player_id)  # an offer either had standing is off
        try:
            self._dispatch(battle, battle.start(self._scheduler.time()))
        finally:
            self._close_broken()

    async def _rating_of(self, holder: TicketHolder) -> Rating | None:
        """A signed-in player's rating as of their latest battle; None for a guest (unrated)."""
        if holder.guest:
            return None
        recent = self._recent_ratings.get(holder.id)
        if recent is not None:  # their last battle may still wait in the results writer
            return recent
        player = await self.store.get_player(holder.id)
        if player is None or player.guest:
            log.warning("player %s holds a signed-in ticket but no account is stored: battle unrated", holder.id)
            return None
        return player.glicko

    async def _pick_questions(self, player_ids: Iterable[str], category: str | None = None) -> list[Question]:
        """Distinct published questions (of `category` only, when given), none that either player
        saw lately where the bank allows; where it does not, the repeats are the questions seen
        longest ago. One store query (what both players saw lately); the questions come from the
        in-memory pool."""
        players = list(player_ids)
        # question id -> when it was last seen, as (battle end, position in that battle)
        seen = await self.store.last_seen_questions(players, RECENT_BATTLES_AVOIDED)
        for player_id in players:
            last = self._last_battle.get(player_id)
            if last is not None:  # newest of all, and maybe still waiting in the results writer
                for position, question_id in enumerate(last.question_ids):
                    seen[question_id] = max((math.inf, position), seen.get(question_id, (math.inf, position)))
        await self.questions.ready()
        wanted = self.rules.questions
        chosen = self.questions.sample(wanted, self._rng, exclude=seen, category=category)
        for question_id in sorted(seen, key=seen.__getitem__):
            if len(chosen) >= wanted:
                break
            question = self.questions.get(question_id)
            if question is not None and category in (None, question.category):  # still published
                chosen.append(question)
        self._rng.shuffle(chosen)  # the repeats (appended last) go anywhere in the battle
        return chosen

    # --- reports ----------------------------------------------------------------------

    def _report(self, conn: Connection, player_id: str, q: int, reason: str) -> None:
        """File a report on question `q` of the player's current or last battle; `reported`
        follows once it is stored. Over the daily limit, `rate_limited` with `retry_after` goes
        to the connection that asked (the channel's ActionRefused carries no retry time)."""
        self.refuse_if_banned(player_id)
        last = self._last_battle.get(player_id)
        if last is None:
            raise ActionRefused("not_in_battle", "you have no current or last battle to report on")
        battle = self._battles.get(last.battle_id)
        asked = battle.asked_question_ids if battle is not None else last.question_ids
        if q >= len(asked):
            raise ActionRefused("bad_message", "that question was not asked in your battle")
        if q in last.reported:
            raise ActionRefused("already_reported", "you already reported that question")
        if len(last.reported) >= REPORTS_PER_BATTLE:
            raise ActionRefused("rate_limited", "too many reports for one battle")
        retry_after = self.rate_limits.hit("reports_per_player", player_id) if self.rate_limits else None
        if retry_after is not None:
            text = self._encode(error("rate_limited", self.rate_limits.message("reports_per_player", retry_after),
                                      retry_after))
            if text is not None:
                self._send_to(conn, player_id, text, "error")
            return
        last.reported.add(q)
        self.counters.hit("reports")
        self._spawn(self._file_report(last, q, asked[q], player_id, reason))

    async def _file_report(self, last: _LastBattle, q: int, question_id: str, player_id: str,
                           reason: str) -> None:
        try:
            await self.store.add_report(question_id, player_id, last.battle_id, reason)
        except Exception as problem:
            last.reported.discard(q)  # not filed: the player may report it again
            log.error("report by %s on question %s (battle %s) not stored: %s; reason given: %r",
                      player_id, question_id, last.battle_id, problem, reason[:200])
            return
        # Stored, or this player's earlier report of the question (from another battle) stands.
        self._send(player_id, {"type": "reported", "q": q})

    # --- routing ------------------------------------------------------------------------

    def _send(self, player_id: str, message: dict[str, Any]) -> None:
        text = self._encode(message)
        if text is not None:
            self._deliver(player_id, text, message["type"])

    def _deliver(self, player_id: str, text: str, kind: str) -> None:
        online = self._online.get(player_id)
        if online:
            for conn in list(online.connections):
                self._send_to(conn, player_id, text, kind)

    def _send_to(self, conn: Connection, player_id: str, text: str, kind: str) -> None:
        """Send on one connection; if that raises, log it once and close that connection only."""
        if conn in self._broken:
            return
        try:
            conn.send_text(text)
        except Exception as problem:
            self._broken.add(conn)
            self._to_close.append(conn)
            log.error("sending to player %s failed (%s: %s): closing that connection",
                      player_id, type(problem).__name__, problem)
        else:
            self.metrics.sent(kind)

    def _encode(self, message: dict[str, Any]) -> str | None:
        try:
            return encode(message)
        except Exception as problem:
            log.error("cannot encode a %r message (%s: %s): not sent",
                      message.get("type"), type(problem).__name__, problem)
            return None

    def _close_broken(self) -> None:
        """Close the connections whose send failed, after the dispatch (closing may part them)."""
        while self._to_close:
            conn = self._to_close.pop()
            try:
                conn.close()
            except Exception as problem:
                log.warning("closing a failed connection raised %s: %s", type(problem).__name__, problem)

    def _dispatch(self, battle: Battle, events: Iterable[Event],
                  only: tuple[str, Connection] | None = None) -> None:
        """Deliver events; with `only`, that player's messages go to that one connection.

        Whatever a delivery does, the finished battle is handed on and the timer re-armed.
        """
        events = list(events)
        try:
            # A reveal or an end goes to both players as one dict: encode it once.
            encoded: dict[int, str | None] = {}
            ghost = battle.ghost.player_id if battle.ghost is not None else None
            for event in events:
                if not isinstance(event, Send) or event.to == ghost:  # a recorded player is not told
                    continue
                key = id(event.message)
                if key not in encoded:
                    encoded[key] = self._encode(event.message)
                text = encoded[key]
                if text is None:
                    continue
                kind = event.message["type"]
                if only and event.to == only[0]:
                    self._send_to(only[1], event.to, text, kind)
                else:
                    self._deliver(event.to, text, kind)
        finally:
            try:
                for event in events:
                    if isinstance(event, Finished):
                        self._finished(battle, event.record)
            finally:
                self._arm(battle)

    def _arm(self, battle: Battle) -> None:
        """Keep one timer per battle at its deadline; most actions leave the deadline where it was."""
        deadline = None if self._closing or battle.id not in self._battles else battle.deadline
        armed = self._timers.get(battle.id)
        if armed is not None and armed[0] == deadline:
            return
        if armed is not None:
            self._scheduler.cancel(armed[1])
            del self._timers[battle.id]
        if deadline is not None:
            handle = self._scheduler.call_at(deadline, lambda: self._on_deadline(battle.id, deadline))
            self._timers[battle.id] = (deadline, handle)

    def _on_deadline(self, battle_id: str, deadline: float) -> None:
        armed = self._timers.get(battle_id)
        if armed is not None and armed[0] == deadline:
            del self._timers[battle_id]
        battle = self._battles.get(battle_id)
        if battle is not None:
            try:
                self._dispatch(battle, battle.tick(self._scheduler.time()))
            finally:
                self._close_broken()

    def _finished(self, battle: Battle, record: BattleRecord) -> None:
        self._battles.pop(battle.id, None)
        self.counters.hit("battles_finished", reason=record.reason.value)
        for player in battle.players:
            if self._battle_of.get(player.id) == battle.id:
                del self._battle_of[player.id]
            last = self._last_battle.get(player.id)
            if last is not None and last.battle_id == battle.id:
                last.question_ids = [outcome.question_id for outcome in record.outcomes]
        for change in record.ratings:
            self._recent_ratings[change.player_id] = change.after
            self._recent_ratings.move_to_end(change.player_id)
        while len(self._recent_ratings) > RECENT_RATINGS_KEPT:
            self._recent_ratings.popitem(last=False)
        self.appeals.finished(record)
        self.rematches.battle_finished(battle)
        self.ghosts.finished(battle, record)  # a recording for others now
        if battle.ghost is None:
            self._matchmaker.played(*(player.id for player in battle.players))
        self.results.submit(record)
        if self._draining and not self._battles:
            self._drained.set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    # --- shutdown -------------------------------------------------------------------------

    def _restarting(self) -> dict[str, Any]:
        left = max(0.0, self._drain_deadline - self._scheduler.time())
        return {"type": "restarting", "seconds": round(left, 3)}

    async def drain(self, grace_seconds: float) -> None:
        """Begin stopping gracefully: pair nobody new (`play` is refused with `shutting_down`,
        the queue is emptied), tell every connected player the server is restarting, and
        wait up to `grace_seconds` for the running battles to finish. Connections stay
        open meanwhile (a dropped player may still come back). `stop` comes next."""
        if self._draining or self._closing:
            return
        self._draining = True
        self._drain_deadline = self._scheduler.time() + grace_seconds
        for player_id in list(self._online):
            self._matchmaker.cancel(player_id)
        running = len(self._battles)
        log.info("stopping: %d battle(s) running get up to %g s to finish; %d player(s) told",
                 running, grace_seconds, len(self._online))
        try:
            message = self._restarting()
            for player_id in list(self._online):
                self._send(player_id, message)
        finally:
            self._close_broken()
        if not self._battles:
            self._drained.set()
        try:
            await asyncio.wait_for(self._drained.wait(), grace_seconds)
        except TimeoutError:
            pass
        if self._battles:
            log.warning("grace over: %d battle(s) still running will be recorded as abandoned", len(self._battles))
        elif running:
            log.info("the %d running battle(s) finished within the grace time", running)

    def end_grace(self) -> None:
        """Cut a running `drain` (and `settle`) short, on a second SIGTERM / Ctrl-C: what still
        runs is abandoned."""
        self._hurry = True
        self._drained.set()

    async def stop(self) -> None:
        """Record every running battle as abandoned and let the battles being prepared (which
        will not start) and the reports being filed settle. Nothing new starts after it."""
        self._closing = True
        self.ghosts.stop()
        self.questions.stop()
        now = self._scheduler.time()
        for battle in list(self._battles.values()):
            self._dispatch(battle, battle.abandon(now))  # tells nobody: the connections close next
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def settle(self, timeout: float) -> None:
        """Wait, at most `timeout` seconds, until every connection has taken what was sent to it
        and would take a close at once: a polling client gets its last messages (an `end`),
        and then its close, only when it polls again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._hurry and loop.time() < deadline and not all(
                getattr(conn, "settled", True) for online in self._online.values() for conn in online.connections):
            await asyncio.sleep(0.02)

    def close_connections(self) -> None:
        for online in list(self._online.values()):
            for conn in list(online.connections):
                try:
                    conn.close()
                except Exception as problem:
                    log.warning("closing a connection at shutdown raised %s: %s", type(problem).__name__, problem)

    async def shutdown(self, flush_seconds: float = FLUSH_SECONDS) -> None:
        """Stop at once: record every running battle as abandoned, store the results (waiting
        at most `flush_seconds`), then close every connection."""
        await self.stop()
        await self.results.flush(flush_seconds)
        self.close_connections()
