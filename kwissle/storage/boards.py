"""The profile and leaderboard queries, for both adapters: SQL for SQLite, pipelines for MongoDB.

Every aggregation runs in the database: a profile reads one row per category (not the
player's battles), a board one row per entry. Abandoned battles (the server stopped)
have no result and count nowhere. Both adapters shape a profile's per-category rows
alike (the keys of `CATEGORY_TOTALS`) and build the record with `build_profile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kwissle.model import BattleEnd, BattleRecord, Player
from kwissle.model.players import PROVISIONAL_DEVIATION
from kwissle.model.profiles import CategoryScore, PlayerProfile

ABANDONED = BattleEnd.ABANDONED.value
CATEGORY_TOTALS = ("asked", "right", "typed_right", "typed_tried", "choice_right", "choice_tried",
                   "time_sum", "time_n")


def build_profile(player: Player, results: Mapping[str, int], categories: Iterable[Mapping[str, Any]],
                  recent: Sequence[BattleRecord]) -> PlayerProfile:
    """`results`: battles, wins, draws; `categories`: one mapping per category with CATEGORY_TOTALS."""
    rows = [dict(row) for row in categories]
    total = {key: sum(row[key] or 0 for row in rows) for key in CATEGORY_TOTALS}
    battles, wins, draws = (int(results.get(key) or 0) for key in ("battles", "wins", "draws"))
    return PlayerProfile(
        player=player, battles=battles, wins=wins, draws=draws, losses=battles - wins - draws,
        typed_right=int(total["typed_right"]), typed_tried=int(total["typed_tried"]),
        choice_right=int(total["choice_right"]), choice_tried=int(total["choice_tried"]),
        average_answer_seconds=total["time_sum"] / total["time_n"] if total["time_n"] else None,
        categories=tuple(CategoryScore(row["category"], int(row["right"]), int(row["asked"]))
                         for row in sorted(rows, key=lambda row: row["category"])),
        recent=list(recent))


# --- SQLite ------------------------------------------------------------------------

# --- recordings: a battle against a recorded opponent (kwissle/game/ghost.py) is the live
# player's (player_a) only: never the recorded player's (player_b), and on no board.
PLAYED_BY = "(player_a = :p OR (player_b = :p AND recording_of IS NULL))"

SQL_RESULTS = (
    "SELECT count(*) AS battles, coalesce(sum(winner IS :p), 0) AS wins,"
    " coalesce(sum(winner IS NULL), 0) AS draws"
    " FROM battles WHERE " + PLAYED_BY + " AND reason != :abandoned")

# One row per question the player was asked; the JSON maps are keyed by player id, so
# json_each(...) WHERE key = :p picks the player's entry whatever characters the id holds.
SQL_CATEGORIES = """
WITH mine AS (
  SELECT id FROM battles WHERE """ + PLAYED_BY + """ AND reason != :abandoned),
asked AS (
  SELECT coalesce(q.category, '') AS category,
         bq.by IS :p AS took,
         bq.by IS :p AND bq.how IS 'typed' AS typed_right,
         bq.by IS :p AND bq.how IS 'choice' AS choice_right,
         (SELECT json_array_length(t.value) FROM json_each(bq.typed) t WHERE t.key = :p) AS typed_n,
         (SELECT c.value FROM json_each(bq.chose) c WHERE c.key = :p) AS chose,
         (SELECT json_extract(t.value, '$[#-1]') FROM json_each(bq.typed_at) t WHERE t.key = :p) AS typed_last,
         (SELECT c.value FROM json_each(bq.chose_at) c WHERE c.key = :p) AS chose_at
  FROM battle_questions bq JOIN mine ON bq.battle_id = mine.id
  LEFT JOIN questions q ON q.id = bq.question_id),
timed AS (
  SELECT *, CASE WHEN typed_last IS NULL THEN chose_at WHEN chose_at IS NULL THEN typed_last
                 ELSE max(typed_last, chose_at) END AS answered_at
  FROM asked)
SELECT category, count(*) AS asked, sum(took) AS "right", sum(typed_right) AS typed_right,
       sum(coalesce(typed_n, 0) > 0) AS typed_tried, sum(choice_right) AS choice_right,
       sum(chose IS NOT NULL) AS choice_tried, coalesce(sum(answered_at), 0) AS time_sum,
       count(answered_at) AS time_n
FROM timed GROUP BY category
"""

SQL_TOP_RATED = ("SELECT * FROM players WHERE guest = 0 AND deviation < ? "
                 "ORDER BY rating DESC, id LIMIT ?")
TOP_RATED_PARAMS = (PROVISIONAL_DEVIATION,)

SQL_MOST_WINS = """
SELECT players.*, w.wins AS wins FROM (
  SELECT winner, count(*) AS wins FROM battles
  WHERE ended_at >= :since AND winner IS NOT NULL AND reason != :abandoned AND recording_of IS NULL
  GROUP BY winner) w
JOIN players ON players.id = w.winner
WHERE players.guest = 0
ORDER BY w.wins DESC, players.name, players.id LIMIT :limit
"""

SQL_BEST_PER_CATEGORY = """
WITH seats AS (
  SELECT id AS battle_id, player_a AS player FROM battles WHERE reason != :abandoned AND recording_of IS NULL
  UNION ALL
  SELECT id, player_b FROM battles WHERE reason != :abandoned AND recording_of IS NULL),
per AS (
  SELECT q.category AS category, s.player AS player, count(*) AS asked, sum(bq.by IS s.player) AS "right"
  FROM seats s
  JOIN players p ON p.id = s.player AND p.guest = 0
  JOIN battle_questions bq ON bq.battle_id = s.battle_id
  JOIN questions q ON q.id = bq.question_id
  GROUP BY q.category, s.player HAVING count(*) >= :min_answered),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY category ORDER BY "right" * 1.0 / asked DESC, asked DESC, player) AS n
  FROM per)
SELECT players.*, ranked.category AS category, ranked."right" AS "right", ranked.asked AS asked
FROM ranked JOIN players ON players.id = ranked.player
WHERE ranked.n = 1 ORDER BY ranked.category
"""


# --- MongoDB -----------------------------------------------------------------------

def _mine(player_id: str) -> dict[str, Any]:
    return {"$match": {"players": player_id, "reason": {"$ne": ABANDONED}}}


def results_pipeline(player_id: str) -> list[dict[str, Any]]:
    return [
        _mine(player_id),
        {"$group": {"_id": None, "battles": {"$sum": 1},
                    "wins": {"$sum": {"$cond": [{"$eq": ["$winner", player_id]}, 1, 0]}},
                    "draws": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$winner", None]}, None]}, 1, 0]}}}},
    ]


def categories_pipeline(player_id: str) -> list[dict[str, Any]]:
    """Group the player's questions by category (the documents in mongo_docs.py: a battle's
    per-player maps are lists of {player, ...} entries)."""

    def entry(field: str) -> dict[str, Any]:  # the player's entry of one of those lists, or missing
        return {"$arrayElemAt": [{"$filter": {"input": {"$ifNull": [field, []]}, "as": "e",
                                              "cond": {"$eq": ["$$e.player", player_id]}}}, 0]}

    def took(how: str | None = None) -> dict[str, Any]:
        test: dict[str, Any] = {"$eq": ["$outcomes.by", player_id]}
        if how:
            test = {"$and": [test, {"$eq": ["$outcomes.how", how]}]}
        return {"$cond": [test, 1, 0]}

    return [
        _mine(player_id),
        {"$project": {"outcomes": 1}},
        {"$unwind": "$outcomes"},
        {"$lookup": {"from": "questions", "localField": "outcomes.question_id", "foreignField": "_id",
                     "as": "question"}},
        {"$project": {
            "category": {"$ifNull": [{"$arrayElemAt": ["$question.category", 0]}, ""]},
            "took": took(), "typed_right": took("typed"), "choice_right": took("choice"),
            "typed": entry("$outcomes.typed"), "typed_at": entry("$outcomes.typed_at"),
            "chose": entry("$outcomes.chose")}},
        {"$project": {
            "category": 1, "took": 1, "typed_right": 1, "choice_right": 1,
            "typed_tried": {"$cond": [{"$gt": [{"$size": {"$ifNull": ["$typed.strings", []]}}, 0]}, 1, 0]},
            "choice_tried": {"$cond": [{"$eq": [{"$ifNull": ["$chose.choice", None]}, None]}, 0, 1]},
            "answered_at": {"$max": [{"$arrayElemAt": [{"$ifNull": ["$typed_at.at", []]}, -1]}, "$chose.at"]}}},
        {"$group": {
            "_id": "$category", "asked": {"$sum": 1}, "right": {"$sum": "$took"},
            "typed_right": {"$sum": "$typed_right"}, "typed_tried": {"$sum": "$typed_tried"},
            "choice_right": {"$sum": "$choice_right"}, "choice_tried": {"$sum": "$choice_tried"},
            "time_sum": {"$sum": "$answered_at"},
            "time_n": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$answered_at", None]}, None]}, 0, 1]}}}},
    ]


def top_rated_filter() -> dict[str, Any]:
    return {"guest": False, "deviation": {"$lt": PROVISIONAL_DEVIATION}}


def most_wins_pipeline(since: float, limit: int) -> list[dict[str, Any]]:
    return [
        {"$match": {"ended_at": {"$gte": since}, "winner": {"$ne": None}, "reason": {"$ne": ABANDONED},
                    "recording_of": None}},
        {"$group": {"_id": "$winner", "wins": {"$sum": 1}}},
        {"$lookup": {"from": "players", "localField": "_id", "foreignField": "_id", "as": "player"}},
        {"$unwind": "$player"},
        {"$match": {"player.guest": False}},
        {"$sort": {"wins": -1, "player.name": 1, "_id": 1}},
        {"$limit": limit},
    ]


def best_per_category_pipeline(min_answered: int) -> list[dict[str, Any]]:
    return [
        {"$match": {"reason": {"$ne": ABANDONED}, "recording_of": None}},
        {"$project": {"players": 1, "outcomes.question_id": 1, "outcomes.by": 1}},
        {"$unwind": "$players"},
        {"$unwind": "$outcomes"},
        {"$lookup": {"from": "questions", "localField": "outcomes.question_id", "foreignField": "_id",
                     "as": "question"}},
        {"$unwind": "$question"},
        {"$group": {"_id": {"category": "$question.category", "player": "$players"},
                    "asked": {"$sum": 1},
                    "right": {"$sum": {"$cond": [{"$eq": ["$outcomes.by", "$players"]}, 1, 0]}}}},
        {"$match": {"asked": {"$gte": min_answered}}},
        {"$lookup": {"from": "players", "localField": "_id.player", "foreignField": "_id", "as": "player"}},
        {"$unwind": "$player"},
        {"$match": {"player.guest": False}},
        {"$project": {"player": 1, "asked": 1, "right": 1, "accuracy": {"$divide": ["$right", "$asked"]}}},
        {"$sort": {"_id.category": 1, "accuracy": -1, "asked": -1, "_id.player": 1}},
        {"$group": {"_id": "$_id.category", "player": {"$first": "$player"}, "right": {"$first": "$right"},
                    "asked": {"$first": "$asked"}}},
    ]
