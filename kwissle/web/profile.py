"""A player's profile (/player/<id>) and one stored battle's per-question review (/battle/<id>).

Guests have profiles too (unrated). Both pages answer the friendly 404 for an id the
store does not hold; a battle is reviewable only once it is stored.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from tornado.web import URLSpec

from kwissle.model import BattleEnd, BattleRecord, Player, Question, QuestionOutcome
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.storage.port import Store
from kwissle.web.charts import rating_chart
from kwissle.web.pages import PageHandler

HISTORY_POINTS = 50  # rated battles drawn on a profile's chart


def rating_label(player: Player) -> str:
    """What a rating reads as: "1642", "1500?" while provisional, "Unrated" for a guest."""
    if player.guest:
        return "Unrated"
    return f"{player.rating:.0f}{'?' if player.glicko.provisional else ''}"


def percent(right: int, tried: int) -> str:
    return f"{round(100 * right / tried)}%" if tried else "–"


def when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%d %b %Y, %H:%M UTC")


@dataclass(frozen=True)
class RecentBattle:
    """One line of a profile's recent battles, from the profile owner's side."""

    record: BattleRecord
    opponent: Player
    result: str  # "Won", "Lost", "Draw", "Unfinished"
    mine: int
    theirs: int


def recent_line(record: BattleRecord, owner_id: str, players: dict[str, Player]) -> RecentBattle:
    opponent_id = next((p for p in record.player_ids if p != owner_id), owner_id)
    if record.reason is BattleEnd.ABANDONED:
        result = "Unfinished"
    elif record.winner is None:
        result = "Draw"
    else:
        result = "Won" if record.winner == owner_id else "Lost"
    opponent = players.get(opponent_id) or Player(id=opponent_id, name="a player no longer stored")
    return RecentBattle(record, opponent, result, record.scores.get(owner_id, 0), record.scores.get(opponent_id, 0))


async def players_by_id(store: Store, ids: Iterable[str]) -> dict[str, Player]:
    unique = list(dict.fromkeys(ids))
    found = await asyncio.gather(*(store.get_player(player_id) for player_id in unique))
    return {player.id: player for player in found if player is not None}


class ProfileHandler(PageHandler):
    template = "profile.html"

    async def get(self, player_id: str) -> None:
        profile = await self.store.player_profile(player_id)
        if profile is None:
            self.fail(404, "There is no player with this id.")
        player = profile.player
        history = [] if player.guest else await self.store.rating_history(player.id, HISTORY_POINTS)
        players = await players_by_id(self.store, (p for b in profile.recent for p in b.player_ids))
        appeals = await own_appeals(self, player.id)
        self.render(self.template, title=player.name, profile=profile, player=player,
                    rating=rating_label(player), chart=rating_chart(history), rated_battles=len(history),
                    recent=[recent_line(b, player.id, players) for b in profile.recent],
                    percent=percent, when=when, appeals=appeals)


# --- appeals: the profile's owner (guest or account) sees their own appeals and their outcomes
APPEALS_SHOWN = 50
APPEAL_WORDS = {AppealStatus.OPEN: "Pending", AppealStatus.ACCEPTED: "Accepted", AppealStatus.DECLINED: "Declined"}


async def own_appeals(handler: PageHandler, player_id: str) -> list[tuple[Appeal, Question | None, str]] | None:
    """(appeal, its question, status word) when the viewer is this player; None for anyone else."""
    viewer = await handler.player_from_cookie()
    if viewer is None or viewer.id != player_id:
        return None
    appeals = await handler.store.appeals_of_player(player_id, APPEALS_SHOWN)
    ids = list(dict.fromkeys(a.question_id for a in appeals))
    questions = dict(zip(ids, await asyncio.gather(*(handler.store.get_question(i) for i in ids)), strict=True))
    return [(a, questions[a.question_id], APPEAL_WORDS[a.status]) for a in appeals]


@dataclass(frozen=True)
class Seat:
    """What one player did on one question."""

    player: Player
    typed: list[str]
    picked: str  # "", "the answer", "a wrong alternative"
    took: bool


@dataclass(frozen=True)
class ReviewItem:
    number: int
    question: Question | None  # None: the question is no longer stored
    outcome: QuestionOutcome
    seats: list[Seat]


def review_item(number: int, outcome: QuestionOutcome, question: Question | None,
                seats: list[Player]) -> ReviewItem:
    def seat(player: Player) -> Seat:
        choice = outcome.chose.get(player.id)
        took = outcome.by == player.id
        picked = "" if choice is None else ("the answer" if took and outcome.how == "choice" else "a wrong alternative")
        return Seat(player, list(outcome.typed.get(player.id, [])), picked, took)

    return ReviewItem(number, question, outcome, [seat(p) for p in seats])


class BattleReviewHandler(PageHandler):
    template = "battle_review.html"

    async def get(self, battle_id: str) -> None:
        record = await self.store.get_battle(battle_id)
        if record is None:
            self.fail(404, "There is no stored battle with this id.")
        players = await players_by_id(self.store, record.player_ids)
        seats = [players.get(p) or Player(id=p, name="a player no longer stored") for p in record.player_ids]
        questions = await asyncio.gather(*(self.store.get_question(o.question_id) for o in record.outcomes))
        items = [review_item(n + 1, o, q, seats) for n, (o, q) in enumerate(zip(record.outcomes, questions, strict=True))]
        title = f"{seats[0].name} vs {seats[1].name}"
        self.render(self.template, title=title, record=record, seats=seats, items=items, when=when,
                    result=_result_line(record, players))


def _result_line(record: BattleRecord, players: dict[str, Player]) -> str:
    if record.reason is BattleEnd.ABANDONED:
        return "Unfinished: the server stopped during this battle."
    if record.winner is None:
        return "A draw."
    winner = players.get(record.winner)
    name = winner.name if winner else "A player no longer stored"
    return f"{name} won{' by forfeit' if record.reason is BattleEnd.FORFEIT else ''}."


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/player/([^/]+)", ProfileHandler, name="player"),
        URLSpec(r"/battle/([^/]+)", BattleReviewHandler, name="battle"),
    ]
