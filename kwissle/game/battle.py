"""The battle state machine: two players, a row of questions, the server's clock.

A `Battle` does no I/O and reads no clock. Every method takes `now` (seconds on
the server's monotonic clock) and returns the events to deliver; `deadline`
says when the hub must call `tick(now)` next. Every player action ticks the
battle to `now` first and returns an `Outcome`: what fell due, then the action's
own events or why it was refused. So "no answer after the deadline" lives here,
and a late timer can never let an answer in after its question closed.

Rules (GAME.md): a typed answer the judge accepts scores 3 and closes the
question for both; a rejected one costs one of the typed tries. Loading the
alternatives ends typing on that question; the right choice scores 1, a wrong
one locks the player out. A question closes when someone scores, when both
players are locked out, or at its deadline; the answer is revealed, and after a
pause the next question opens. A dropped player has `resume_seconds` to come
back; `leave`, or not coming back, forfeits.

Ratings (glicko2.py): a battle between two rated contenders (signed-in players;
a guest has no rating) is rated when it ends complete or by forfeit, the leaver
losing; an abandoned battle (the server stopped) is not. The core computes both
new ratings and puts them in the record and the `end` message.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kwissle.game import glicko2
from kwissle.game.events import ActionRefused, Event, Finished, Outcome, Send
from kwissle.game.ghost import GhostAction, GhostScript
from kwissle.game.judge import judge as default_judge
from kwissle.game.rules import CHOICE_POINTS, CHOICES, TYPED_POINTS, Rules
from kwissle.model import (
    BattleEnd,
    BattleRecord,
    Question,
    QuestionOutcome,
    Rating,
    RatingChange,
)

Judge = Callable[..., bool]


@dataclass(frozen=True)
class Contender:
    id: str
    name: str
    rating: Rating | None = None  # None: a guest, unrated


class Phase(StrEnum):
    INTRO = "intro"  # "you vs them" before question 0; it opens at `_next_at`
    QUESTION = "question"  # a question is open
    REVEAL = "reveal"  # the answer is shown; the next question opens at `_next_at`
    OVER = "over"


@dataclass
class _Attempt:
    """One player's play on one question."""

    tries_left: int
    typed: list[str] = field(default_factory=list)
    typed_at: list[float] = field(default_factory=list)  # seconds since the question opened, one per string
    alternatives: bool = False
    alternatives_at: float | None = None  # seconds since the question opened
    choice: int | None = None
    chose_at: float | None = None

    @property
    def locked_out(self) -> bool:
        return self.choice is not None  # only a wrong choice leaves the question open


@dataclass
class _Asked:
    """A question as put in this battle: its shuffled choices and what happened."""

    question: Question
    choices: list[str]
    right_choice: int
    attempts: dict[str, _Attempt]
    opened_at: float
    closes_at: float
    by: str | None = None
    how: str | None = None
    points: int = 0


class Battle:
    def __init__(
        self,
        battle_id: str,
        players: tuple[Contender, Contender],
        questions: Sequence[Question],
        rules: Rules,
        rng: random.Random | None = None,
        judge: Judge = default_judge,
        ghost: GhostScript | None = None,
    ) -> None:
        if players[0].id == players[1].id:
            raise ValueError("a player cannot battle themself")
        if ghost is not None and players[1].id != ghost.player_id:
            raise ValueError("the recorded player sits second")
        if not questions:
            raise ValueError("a battle needs at least one question")
        self.id = battle_id
        self.players = players
        self.rules = rules
        self._questions = list(questions[: rules.questions])
        self._rng = rng or random.Random()
        self._judge = judge
        self.scores: dict[str, int] = {p.id: 0 for p in players}
        self.phase = Phase.QUESTION
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.winner: str | None = None
        self.end_reason: BattleEnd | None = None
        self._asked: list[_Asked] = []
        self._next_at: float | None = None
        self._away_since: dict[str, float] = {}
        self._last_reveal: dict[str, Any] | None = None
        # A recorded opponent (ghost.py) in seat 2: its next action on the open question.
        self.ghost = ghost
        self._ghost_step = 0

    # --- reading the state ---------------------------------------------------

    @property
    def over(self) -> bool:
        return self.phase is Phase.OVER

    @property
    def current(self) -> int:
        """Index of the question open now or just revealed."""
        return len(self._asked) - 1

    @property
    def deadline(self) -> float | None:
        """When `tick` must next be called, or None once the battle is over."""
        if self.over:
            return None
        times = [since + self.rules.resume_seconds for since in self._away_since.values()]
        if self.phase is Phase.QUESTION:
            times.append(self._asked[-1].closes_at)
            if (ghost_at := self._ghost_due()) is not None:
                times.append(ghost_at)
        elif self._next_at is not None:
            times.append(self._next_at)
        return min(times)

    @property
    def asked_question_ids(self) -> list[str]:
        """The questions put so far (open, revealed or closed), in order: all a player may report."""
        return [asked.question.id for asked in self._asked]

    def opponent_of(self, player_id: str) -> Contender:
        self._seat(player_id)
        return next(p for p in self.players if p.id != player_id)

    def is_away(self, player_id: str) -> bool:
        return player_id in self._away_since

    # --- the clock -------------------------------------------------------------

    def start(self, now: float) -> list[Event]:
        """Tell both players who they face; the first question opens after the intro
        (`rules.intro_seconds`), at once when there is none."""
        if self.started_at is not None:
            raise RuntimeError("battle already started")
        self.started_at = now
        if self.rules.intro_seconds > 0:
            self.phase = Phase.INTRO
            self._next_at = now + self.rules.intro_seconds
        events: list[Event] = [Send(p.id, self._battle_message(p.id, now)) for p in self.players]
        if self.phase is Phase.INTRO:
            return events
        return events + self._open(now, now)

    def tick(self, now: float) -> list[Event]:
        """Carry out, in time order, everything that fell due up to `now`."""
        events: list[Event] = []
        while not self.over and (due := self.deadline) is not None and due <= now:
            events += self._fire(due, now)
        return events

    def _fire(self, at: float, now: float) -> list[Event]:
        for player_id, since in sorted(self._away_since.items(), key=lambda item: item[1]):
            if since + self.rules.resume_seconds <= at:
                return self._finish(at, BattleEnd.FORFEIT, winner=self.opponent_of(player_id).id)
        if self.phase is Phase.QUESTION:
            if (ghost_at := self._ghost_due()) is not None and ghost_at <= at:
                return self._ghost_acts(ghost_at)
            return self._close(at)
        return self._open(at, now)

    # --- the recorded opponent ---------------------------------------------------
    # Its actions are due like deadlines, so the hub keeps one timer per battle: the
    # battle's `deadline` is the sooner of the question's close and the ghost's next action.

    def _ghost_due(self) -> float | None:
        """When the ghost's next action on the open question falls due; None if it has none
        left before the question closes."""
        if self.ghost is None or self.phase is not Phase.QUESTION:
            return None
        actions = self.ghost.actions_on(self.current)
        if self._ghost_step >= len(actions):
            return None
        asked = self._asked[-1]
        at = asked.opened_at + actions[self._ghost_step].at
        return at if at < asked.closes_at else None

    def _ghost_acts(self, at: float) -> list[Event]:
        """The ghost's next action, at its recorded time, through the normal actions; one the
        battle refuses (the question moved on differently this time) is skipped."""
        assert self.ghost is not None
        action: GhostAction = self.ghost.actions_on(self.current)[self._ghost_step]
        self._ghost_step += 1
        ghost_id, q = self.ghost.player_id, self.current
        try:
            if action.kind == "answer":
                return self._answer(ghost_id, q, action.text, at)
            if action.kind == "alternatives":
                return self._alternatives(ghost_id, q, at)
            choices = self._asked[-1].choices
            if action.text not in choices:  # the alternatives were edited since: no pick to make
                return []
            return self._choose(ghost_id, q, choices.index(action.text), at)
        except ActionRefused:
            return []

    def _recording_wire(self) -> dict[str, Any] | None:
        if self.ghost is None:
            return None
        return {"battle": self.ghost.battle_id, "recorded_at": self.ghost.recorded_at}

    # --- player actions ----------------------------------------------------------
    # Each ticks to `now` first, then acts; see `Outcome`.

    def answer(self, player_id: str, q: int, text: str, now: float) -> Outcome:
        return self._act(now, lambda: self._answer(player_id, q, text, now))

    def alternatives(self, player_id: str, q: int, now: float) -> Outcome:
        return self._act(now, lambda: self._alternatives(player_id, q, now))

    def choose(self, player_id: str, q: int, choice: int, now: float) -> Outcome:
        return self._act(now, lambda: self._choose(player_id, q, choice, now))

    def leave(self, player_id: str, now: float) -> Outcome:
        """The player walks away: the opponent wins by forfeit."""
        return self._act(now, lambda: self._leave(player_id, now))

    def drop(self, player_id: str, now: float) -> Outcome:
        """The player's last connection closed: start the resume grace period."""
        return self._act(now, lambda: self._drop(player_id, now))

    def rejoin(self, player_id: str, now: float) -> Outcome:
        """The player is back: re-send where the battle stands."""
        return self._act(now, lambda: self._rejoin(player_id, now))

    def _act(self, now: float, action: Callable[[], list[Event]]) -> Outcome:
        due = tuple(self.tick(now))
        try:
            # Every action checks before it changes anything, so a refusal changed nothing.
            return Outcome(due, tuple(action()))
        except ActionRefused as refused:
            return Outcome(due, (), refused)

    def _answer(self, player_id: str, q: int, text: str, now: float) -> list[Event]:
        asked, attempt = self._open_attempt(player_id, q)
        if attempt.alternatives:
            raise ActionRefused("locked_out", "you loaded the alternatives: pick one of them")
        if attempt.tries_left <= 0:
            raise ActionRefused("locked_out", "no typed tries left on this question")
        attempt.typed.append(text)
        attempt.typed_at.append(_seconds_since(asked.opened_at, now))
        attempt.tries_left -= 1
        if self._judge(text, asked.question.answers, asked.question.wrong):
            return self._score(asked, player_id, "typed", TYPED_POINTS, now)
        return [
            Send(player_id, {"type": "wrong", "q": q, "tries_left": attempt.tries_left}),
            self._cue(player_id, q, "typed_wrong"),
        ]

    def _alternatives(self, player_id: str, q: int, now: float) -> list[Event]:
        asked, attempt = self._open_attempt(player_id, q)
        message = Send(player_id, {"type": "alternatives", "q": q, "choices": list(asked.choices)})
        if attempt.alternatives:
            return [message]  # asked again (a second tab, a resume): same choices, no new cue
        attempt.alternatives = True
        attempt.alternatives_at = _seconds_since(asked.opened_at, now)
        return [message, self._cue(player_id, q, "alternatives")]

    def _choose(self, player_id: str, q: int, choice: int, now: float) -> list[Event]:
        asked, attempt = self._open_attempt(player_id, q)
        if not attempt.alternatives:
            raise ActionRefused("no_alternatives", "load the alternatives before choosing")
        if not 0 <= choice < CHOICES:
            raise ActionRefused("bad_message", f"choice must be 0..{CHOICES - 1}")
        attempt.choice = choice
        attempt.chose_at = _seconds_since(asked.opened_at, now)
        if choice == asked.right_choice:
            return self._score(asked, player_id, "choice", CHOICE_POINTS, now)
        events: list[Event] = [
            Send(player_id, {"type": "wrong", "q": q, "tries_left": 0, "choice": choice}),
            self._cue(player_id, q, "chose_wrong"),
        ]
        if all(a.locked_out for a in asked.attempts.values()):
            events += self._close(now)
        return events

    def _leave(self, player_id: str, now: float) -> list[Event]:
        self._require_running(player_id)
        return self._finish(now, BattleEnd.FORFEIT, winner=self.opponent_of(player_id).id)

    def _drop(self, player_id: str, now: float) -> list[Event]:
        self._require_running(player_id)
        if player_id in self._away_since:
            return []
        self._away_since[player_id] = now
        opponent = self.opponent_of(player_id)
        return [Send(opponent.id, {"type": "opponent", "q": max(0, self.current), "action": "dropped",
                                   "seconds": self.rules.resume_seconds})]

    def _rejoin(self, player_id: str, now: float) -> list[Event]:
        self._require_running(player_id)
        events: list[Event] = []
        if self._away_since.pop(player_id, None) is not None:
            opponent = self.opponent_of(player_id)
            events.append(Send(opponent.id, {"type": "opponent", "q": max(0, self.current), "action": "back"}))
        events.append(Send(player_id, self._battle_message(player_id, now)))
        if self.phase is Phase.INTRO:
            return events  # `battle.starts_in` tells what remains of the intro
        asked = self._asked[-1]
        if self.phase is Phase.QUESTION:
            events.append(Send(player_id, self._question_message(asked, player_id, now)))
            if asked.attempts[player_id].alternatives:
                events.append(Send(player_id, {"type": "alternatives", "q": self.current,
                                               "choices": list(asked.choices)}))
        elif self._last_reveal is not None:  # the reveal pause: the closed question, then its reveal
            events.append(Send(player_id, {**self._question_message(asked, player_id, now), "seconds": 0.0}))
            events.append(Send(player_id, self._last_reveal))
        return events

    def abandon(self, now: float) -> list[Event]:
        """The server is stopping: record the battle as abandoned, tell nobody."""
        if self.over:
            return []
        return [e for e in self._finish(now, BattleEnd.ABANDONED, winner=None) if isinstance(e, Finished)]

    # --- internals -------------------------------------------------------------------

    def _seat(self, player_id: str) -> None:
        if player_id not in self.scores:
            raise ValueError(f"{player_id!r} is not in battle {self.id}")

    def _require_running(self, player_id: str) -> None:
        self._seat(player_id)
        if self.over:
            raise ActionRefused("not_in_battle", "this battle is over")

    def _open_attempt(self, player_id: str, q: int) -> tuple[_Asked, _Attempt]:
        """The player's attempt on open question `q`; `_act` has ticked, so an open question is in time."""
        self._require_running(player_id)
        if self.phase is not Phase.QUESTION or q != self.current:
            raise ActionRefused("question_closed", "that question is not open any more" if q < self.current
                                 else "that question is not open yet")
        asked = self._asked[-1]
        attempt = asked.attempts[player_id]
        if attempt.locked_out:
            raise ActionRefused("locked_out", "you chose a wrong alternative on this question")
        return asked, attempt

    def _cue(self, player_id: str, q: int, action: str) -> Send:
        return Send(self.opponent_of(player_id).id, {"type": "opponent", "q": q, "action": action})

    def _battle_message(self, player_id: str, now: float) -> dict[str, Any]:
        opponent = self.opponent_of(player_id)
        return {
            "type": "battle",
            "id": self.id,
            "opponent": {"id": opponent.id, "name": opponent.name},
            "questions": len(self._questions),
            "seconds": self.rules.question_seconds,
            "scores": dict(self.scores),
            "opponent_away": opponent.id in self._away_since,
            # seconds until question 0 opens: what remains of the intro, 0 once it is over
            "starts_in": round(max(0.0, self._next_at - now), 3)
            if self.phase is Phase.INTRO and self._next_at is not None else 0.0,
            "recording": self._recording_wire(),  # a recorded opponent: {"battle", "recorded_at"}
        }

    def _question_message(self, asked: _Asked, player_id: str, now: float) -> dict[str, Any]:
        attempt = asked.attempts[player_id]
        return {
            "type": "question",
            "q": self.current,
            "text": asked.question.text,
            "category": asked.question.category,
            "seconds": round(max(0.0, asked.closes_at - now), 3),
            "tries_left": attempt.tries_left,
            # what a resuming client must restore: its pick, and whether it is out of this question
            "choice": attempt.choice,
            "locked_out": attempt.locked_out,
        }

    def _open(self, at: float, now: float) -> list[Event]:
        """Open the next question as of `at`; time left is told as of `now` (a tick may run late)."""
        if len(self._asked) >= len(self._questions):
            return self._finish(at, BattleEnd.COMPLETE, winner=self._leader())
        question = self._questions[len(self._asked)]
        choices = [question.answer, *question.wrong]
        self._rng.shuffle(choices)
        self._asked.append(_Asked(
            question=question,
            choices=choices,
            right_choice=choices.index(question.answer),
            attempts={p.id: _Attempt(tries_left=self.rules.typed_tries) for p in self.players},
            opened_at=at,
            closes_at=at + self.rules.question_seconds,
        ))
        self.phase = Phase.QUESTION
        self._next_at = None
        self._last_reveal = None
        self._ghost_step = 0
        asked = self._asked[-1]
        return [Send(p.id, self._question_message(asked, p.id, now)) for p in self.players]

    def _score(self, asked: _Asked, player_id: str, how: str, points: int, now: float) -> list[Event]:
        asked.by, asked.how, asked.points = player_id, how, points
        self.scores[player_id] += points
        return self._close(now)

    def _close(self, at: float) -> list[Event]:
        asked = self._asked[-1]
        reveal = {
            "type": "reveal",
            "q": self.current,
            "answer": asked.question.answer,
            "by": asked.by,
            "points": asked.points,
            "how": asked.how,
            "scores": dict(self.scores),
            **_notes(asked.question),
        }
        events: list[Event] = [Send(p.id, reveal) for p in self.players]
        if len(self._asked) >= len(self._questions):
            return events + self._finish(at, BattleEnd.COMPLETE, winner=self._leader())
        self.phase = Phase.REVEAL
        self._last_reveal = reveal
        self._next_at = at + self.rules.reveal_seconds
        return events

    def _leader(self) -> str | None:
        (a, score_a), (b, score_b) = self.scores.items()
        if score_a == score_b:
            return None
        return a if score_a > score_b else b

    def _finish(self, at: float, reason: BattleEnd, winner: str | None) -> list[Event]:
        self.phase = Phase.OVER
        self.ended_at = at
        self.winner = winner
        self.end_reason = reason
        self._away_since.clear()
        record = BattleRecord(
            id=self.id,
            player_ids=(self.players[0].id, self.players[1].id),
            scores=dict(self.scores),
            winner=winner,
            reason=reason,
            started_at=self.started_at if self.started_at is not None else at,
            ended_at=at,
            outcomes=tuple(
                QuestionOutcome(
                    question_id=asked.question.id,
                    by=asked.by,
                    how=asked.how,
                    points=asked.points,
                    typed={pid: list(a.typed) for pid, a in asked.attempts.items()},
                    chose={pid: a.choice for pid, a in asked.attempts.items()},
                    typed_at={pid: list(a.typed_at) for pid, a in asked.attempts.items()},
                    chose_at={pid: a.chose_at for pid, a in asked.attempts.items() if a.chose_at is not None},
                    choices=tuple(asked.choices),
                    alternatives_at={pid: a.alternatives_at for pid, a in asked.attempts.items()
                                     if a.alternatives_at is not None},
                )
                for asked in self._asked
            ),
            ratings=self._rating_changes(reason, winner),
            recording_of=self.ghost.battle_id if self.ghost is not None else None,
        )
        end = {
            "type": "end",
            "id": self.id,
            "scores": dict(self.scores),
            "winner": winner,
            "reason": reason.value,
            "review": [
                {
                    "q": index,
                    "text": asked.question.text,
                    "answer": asked.question.answer,
                    "by": asked.by,
                    "how": asked.how,
                    "typed": {pid: list(a.typed) for pid, a in asked.attempts.items()},
                    "choices": list(asked.choices),
                    "chose": {pid: a.choice for pid, a in asked.attempts.items()},
                    "typed_at": {pid: list(a.typed_at) for pid, a in asked.attempts.items()},
                    "chose_at": {pid: a.chose_at for pid, a in asked.attempts.items() if a.chose_at is not None},
                    **_notes(asked.question),
                }
                for index, asked in enumerate(self._asked)
            ],
        }
        if record.ratings:
            end["ratings"] = {change.player_id: _wire_rating(change) for change in record.ratings}
        return [Send(p.id, end) for p in self.players] + [Finished(record)]

    def _rating_changes(self, reason: BattleEnd, winner: str | None) -> tuple[RatingChange, ...]:
        """Both players' new ratings when the battle is rated: two rated contenders, not abandoned.
        A forfeit has the stayer as `winner`, so the leaver loses."""
        first, second = self.players
        if self.ghost is not None:  # a recording is never rated
            return ()
        if reason is BattleEnd.ABANDONED or first.rating is None or second.rating is None:
            return ()
        return tuple(
            RatingChange(player.id, player.rating,
                         glicko2.update(player.rating, opponent.rating, _score(player.id, winner)))
            for player, opponent in ((first, second), (second, first)))


def _score(player_id: str, winner: str | None) -> float:
    if winner is None:
        return glicko2.DRAW
    return glicko2.WIN if winner == player_id else glicko2.LOSS


def _wire_rating(change: RatingChange) -> dict[str, Any]:
    """A rating change as the `end` message tells it: whole points, and whether each side is provisional."""
    return {"before": round(change.before.rating), "after": round(change.after.rating),
            "provisional": change.after.provisional, "before_provisional": change.before.provisional}


def _notes(question: Question) -> dict[str, str]:
    """The question's explanation and source link, for the reveal and the review; omitted when empty."""
    return {key: value for key, value in (("explanation", question.explanation), ("link", question.link)) if value}


def _seconds_since(opened_at: float, now: float) -> float:
    return round(max(0.0, now - opened_at), 3)
