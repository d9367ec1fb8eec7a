"""Per-question figures from play for triage (port `question_play_stats`), for both adapters.

Each adapter picks a page of published questions (most asked first) in one query, then
streams every stored outcome of those questions (abandoned battles left out) in one more
query, batch by batch. `PlayTally` folds a batch into running tallies; adapters run it in a
worker thread (`tally_in_thread`) so JSON decoding and text folding stay off the IOLoop.
Medians and the most typed wrong answers need every value, not a sum, which is why this is
done here rather than in SQL or an aggregation pipeline.

A battle against a recorded opponent (`recording_of`) counts the live player's side only: the
recorded player's answers were counted when they really played. `counted_result` says what
such a battle adds to a question's play counts (`save_battle`, both adapters) and to the
figures here: the question once more asked, with the live player's result (typed, choice or
nobody), unless the recording took it first (then the live player's result is unknown and the
question is not counted as asked again). Seat figures (answer times, wrong typed answers,
picks, alternatives opened) come from the live seat alone, and such a battle is never an
uneven one.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kwissle.game.triage import RATING_GAP
from kwissle.model import BattleRecord, QuestionOutcome
from kwissle.model.triage import TOP_WRONG_TYPED, QuestionPlayStats
from kwissle.textfold import fold

PLAY_STATS_MAX_LIMIT = 1000  # questions per page
BATCH = 500  # outcomes folded per hop to the worker thread


@dataclass(frozen=True)
class Outcome:
    """One question asked in one battle, with each seat's rating (see QuestionPlayStats)."""

    question_id: str
    by: str | None
    how: str | None
    typed: Mapping[str, Sequence[str]]
    chose: Mapping[str, int | None]
    typed_at: Mapping[str, Sequence[float]]
    chose_at: Mapping[str, float]
    choices: Sequence[str]
    alternatives_at: Mapping[str, float]
    players: Sequence[str]  # the seats counted: the live player only against a recording
    ratings: Mapping[str, float]
    recorded: str | None = None  # against a recording: the recorded player, whose seat is not counted


def counted_result(record: BattleRecord, outcome: QuestionOutcome) -> str | None:
    """What `outcome` adds to its question's play counts: "typed", "choice" or "nobody" (with one
    more asked); None, nothing, when a recorded opponent took the question first."""
    return _result(outcome.by, outcome.how, record.player_ids[1] if record.recording_of is not None else None)


def _result(by: str | None, how: str | None, recorded: str | None) -> str | None:
    if recorded is not None and by == recorded:
        return None
    return how if how in ("typed", "choice") else "nobody"


@dataclass
class _Tally:
    asked: int = 0
    typed_right: int = 0
    choice_right: int = 0
    nobody: int = 0
    alternatives_known: int = 0
    alternatives_opened: int = 0
    times: list[float] = field(default_factory=list)
    typed_seats: int = 0
    wrong_typed: Counter[str] = field(default_factory=Counter)
    picks: int = 0
    wrong_picks: Counter[str] = field(default_factory=Counter)
    uneven_battles: int = 0
    strong_right: int = 0
    weak_right: int = 0


class PlayTally:
    def __init__(self, question_ids: Sequence[str]) -> None:
        self._order = list(question_ids)
        self._tallies = {qid: _Tally() for qid in self._order}

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            tally = self._tallies.get(outcome.question_id)
            if tally is not None:
                _add(tally, outcome)

    def results(self) -> list[QuestionPlayStats]:
        return [_stats(qid, self._tallies[qid]) for qid in self._order]


async def tally_in_thread(tally: PlayTally, rows: Sequence[Any], outcomes: Callable[[Any], Iterable[Outcome]]) -> None:
    """Fold `rows` (each giving its Outcomes through `outcomes`) into `tally` in a worker thread."""
    if rows:
        await asyncio.to_thread(lambda: tally.add(o for row in rows for o in outcomes(row)))


def _add(tally: _Tally, o: Outcome) -> None:
    result = _result(o.by, o.how, o.recorded)
    if result is not None:
        tally.asked += 1
        if result == "typed":
            tally.typed_right += 1
        elif result == "choice":
            tally.choice_right += 1
        else:
            tally.nobody += 1
    for player in o.players:
        if o.choices:  # battles stored before `alternatives_at` was kept have no choices either
            tally.alternatives_known += 1
            tally.alternatives_opened += player in o.alternatives_at
        typed = list(o.typed.get(player) or ())
        if typed:
            tally.typed_seats += 1
            if o.by == player and o.how == "typed":
                typed = typed[:-1]  # the last one scored
            tally.wrong_typed.update({folded for folded in map(fold, typed) if folded})
        answered = [t for t in (*(o.typed_at.get(player) or ())[-1:], o.chose_at.get(player)) if t is not None]
        if answered:
            tally.times.append(max(answered))
        choice = o.chose.get(player)
        if choice is not None and 0 <= choice < len(o.choices):
            tally.picks += 1
            if not (o.by == player and o.how == "choice"):
                tally.wrong_picks[o.choices[choice]] += 1
    _add_uneven(tally, o)


def _add_uneven(tally: _Tally, o: Outcome) -> None:
    if len(o.players) != 2 or any(p not in o.ratings for p in o.players):
        return
    a, b = o.players
    if abs(o.ratings[a] - o.ratings[b]) < RATING_GAP:
        return
    strong, weak = (a, b) if o.ratings[a] > o.ratings[b] else (b, a)
    tally.uneven_battles += 1
    tally.strong_right += o.by == strong
    tally.weak_right += o.by == weak


def _stats(question_id: str, t: _Tally) -> QuestionPlayStats:
    ranked = sorted(t.wrong_typed.items(), key=lambda item: (-item[1], item[0]))
    return QuestionPlayStats(
        question_id=question_id, asked=t.asked, typed_right=t.typed_right, choice_right=t.choice_right,
        nobody=t.nobody, alternatives_known=t.alternatives_known, alternatives_opened=t.alternatives_opened,
        median_answer_seconds=statistics.median(t.times) if t.times else None, typed_seats=t.typed_seats,
        wrong_typed=tuple(ranked[:TOP_WRONG_TYPED]), picks=t.picks,
        wrong_picks=tuple(sorted(t.wrong_picks.items(), key=lambda item: (-item[1], item[0]))),
        uneven_battles=t.uneven_battles, strong_right=t.strong_right, weak_right=t.weak_right)


def seat_ratings(players: Sequence[str], before: Mapping[str, float], current: Mapping[str, Any]) -> dict[str, float]:
    """Each player's rating for this battle: the rated battle's `before`, else their current one."""
    ratings: dict[str, float] = {}
    for player in players:
        if player in before:
            ratings[player] = float(before[player])
        elif current.get(player) is not None:
            ratings[player] = float(current[player])
    return ratings


def bounded(limit: int, offset: int) -> tuple[int, int]:
    return max(0, min(int(limit), PLAY_STATS_MAX_LIMIT)), max(0, int(offset))


# --- SQLite --------------------------------------------------------------------------

SQL_PAGE = ("SELECT {columns} FROM questions WHERE status = 'published' AND asked > 0 "
            "ORDER BY asked DESC, id LIMIT ? OFFSET ?")

# Every stored outcome of the page's questions, with what a seat's rating needs.
SQL_OUTCOMES = """
SELECT bq.question_id, bq.by, bq.how, b.player_a, b.player_b, b.recording_of,
       pa.rating AS rating_a, pb.rating AS rating_b,
       json_array(json(bq.typed), json(bq.chose), json(bq.typed_at), json(bq.chose_at), json(bq.choices),
                  json(bq.alternatives_at), json(b.ratings)) AS maps
FROM json_each(?) page
JOIN battle_questions bq ON bq.question_id = page.value
JOIN battles b ON b.id = bq.battle_id AND b.reason != 'abandoned'
LEFT JOIN players pa ON pa.id = b.player_a
LEFT JOIN players pb ON pb.id = b.player_b
"""


def sqlite_outcomes(row: Any) -> tuple[Outcome]:
    # One JSON document per row (SQL_OUTCOMES packs the row's seven maps): decoding is most of the cost.
    typed, chose, typed_at, chose_at, choices, alternatives_at, rating_changes = json.loads(row["maps"])
    # against a recording, player_b is the recorded player: only player_a's seat counts
    recorded = row["player_b"] if row["recording_of"] is not None else None
    players = (row["player_a"],) if recorded is not None else (row["player_a"], row["player_b"])
    before = {c["player_id"]: c["before"][0] for c in rating_changes}
    return (Outcome(
        question_id=row["question_id"], by=row["by"], how=row["how"], typed=typed, chose=chose, typed_at=typed_at,
        chose_at=chose_at, choices=choices, alternatives_at=alternatives_at, players=players,
        ratings=seat_ratings(players, before, {row["player_a"]: row["rating_a"], row["player_b"]: row["rating_b"]}),
        recorded=recorded),)


# --- MongoDB ---------------------------------------------------------------------------

MONGO_PAGE_FILTER = {"status": "published", "stats.asked": {"$gt": 0}}
MONGO_PAGE_SORT = [("stats.asked", -1), ("_id", 1)]
MONGO_BATTLE_FIELDS = {"players": 1, "ghost": 1, "ratings.player": 1, "ratings.before": 1, "outcomes": 1}


def mongo_outcomes(doc: Mapping[str, Any], wanted: set[str], current: Mapping[str, Any]) -> list[Outcome]:
    """The outcomes of one battle document (kwissle/storage/mongo_docs.py) for the `wanted` questions.
    Against a recording, `players` holds the live player only and `ghost` the recorded one."""
    players = tuple(doc["players"])
    before = {c["player"]: c["before"][0] for c in doc.get("ratings", ())}
    ratings = seat_ratings(players, before, current)
    return [Outcome(
        question_id=o["question_id"], by=o["by"], how=o["how"],
        typed={t["player"]: t["strings"] for t in o.get("typed", ())},
        chose={c["player"]: c["choice"] for c in o.get("chose", ())},
        typed_at={t["player"]: t["at"] for t in o.get("typed_at", ())},
        chose_at={c["player"]: c["at"] for c in o.get("chose", ()) if c.get("at") is not None},
        choices=o.get("choices", ()), alternatives_at={a["player"]: a["at"] for a in o.get("alternatives_at", ())},
        players=players, ratings=ratings, recorded=doc.get("ghost"))
        for o in doc.get("outcomes", ()) if o["question_id"] in wanted]
