"""A small league for the profile and leaderboard tests: three battles between two signed-in
players, an abandoned one with a guest, and one the guest won, with answer times and ratings.

What each player's numbers must come to is worked out by hand in `test_contract_boards.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    Player,
    QuestionOutcome,
    QuestionStatus,
    Rating,
    RatingChange,
)

SCIENCE = "Science"
ART = "Art"


@dataclass
class League:
    ana: Player
    bo: Player
    guest: Player
    science: list[str]  # question ids
    art: list[str]
    battles: dict[str, BattleRecord]


def _question(category: str, n: int) -> NewQuestion:
    return NewQuestion(text=f"Which {category.lower()} thing is number {n}?", answer=f"Thing {n}",
                       variants=(), wrong=("Alpha", "Beta", "Gamma"), category=category, source="test")


def _o(question_id, by=None, how=None, typed=None, typed_at=None, chose=None, chose_at=None):
    points = {"typed": 3, "choice": 1}.get(how or "", 0)
    return QuestionOutcome(question_id=question_id, by=by, how=how, points=points, typed=typed or {},
                           chose=chose or {}, typed_at=typed_at or {}, chose_at=chose_at or {})


def _battle(battle_id, a, b, winner, outcomes, ended_at, reason=BattleEnd.COMPLETE, ratings=()):
    scores = {a: sum(o.points for o in outcomes if o.by == a), b: sum(o.points for o in outcomes if o.by == b)}
    return BattleRecord(id=battle_id, player_ids=(a, b), scores=scores, winner=winner, reason=reason,
                        started_at=ended_at - 60, ended_at=ended_at, outcomes=tuple(outcomes), ratings=tuple(ratings))


async def build_league(store, *, ana_name: str = "Ana", now: float = 1_000_000.0) -> League:
    ana = await store.create_player(ana_name, guest=False, email="ana@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    guest = await store.ensure_guest("guest-ticket-1", "Quiet Heron")
    stored = await store.add_questions([_question(SCIENCE, n) for n in range(5)]
                                       + [_question(ART, n) for n in range(5)], QuestionStatus.PUBLISHED)
    s = [q.id for q in stored[:5]]
    r = [q.id for q in stored[5:]]
    a, b, g = ana.id, bo.id, guest.id
    first = _battle("battle-1", a, b, a, [
        _o(s[0], a, "typed", {a: ["x"]}, {a: [2.0]}),
        _o(s[1], a, "typed", {a: ["wrong", "right"]}, {a: [1.0, 3.0]}),
        _o(s[2], a, "choice", chose={a: 1, b: None}, chose_at={a: 5.0}),
        _o(s[3], b, "typed", {b: ["y"], a: []}, {b: [4.0], a: []}),
        _o(s[4], a, "typed", {a: ["z"]}, {a: [1.0]}),
        _o(r[0], b, "choice", chose={b: 0, a: 2}, chose_at={b: 6.0, a: 2.0}),
        _o(r[1], None, None, {a: ["q"]}, {a: [7.0]}),
        _o(r[2], b, "typed", {b: ["p"]}, {b: [2.0]}),
        _o(r[3], b, "typed", {b: ["o"]}, {b: [2.5]}),
        _o(r[4], a, "typed", {a: ["w"]}, {a: [3.0]}),
    ], ended_at=now - 500, ratings=[
        RatingChange(a, Rating(), Rating(1700.0, 90.0, 0.0899)),
        RatingChange(b, Rating(), Rating(1300.0, 100.0, 0.0899)),
    ])
    second = _battle("battle-2", b, a, b, [_o(s[0], b, "typed", {b: ["x"]}, {b: [1.5]})],
                     ended_at=now - 400, reason=BattleEnd.FORFEIT, ratings=[
                         RatingChange(b, Rating(1300.0, 100.0, 0.0899), Rating(1350.0, 95.0, 0.0899)),
                         RatingChange(a, Rating(1700.0, 90.0, 0.0899), Rating(1650.0, 85.0, 0.0899)),
                     ])
    third = _battle("battle-3", a, b, None, [_o(r[0])], ended_at=now - 300)
    abandoned = _battle("battle-4", a, g, None, [_o(s[0], a, "typed", {a: ["x"]}, {a: [9.0]})],
                        ended_at=now - 200, reason=BattleEnd.ABANDONED)
    guest_won = _battle("battle-5", b, g, g, [_o(s[1], g, "typed", {g: ["x"]}, {g: [1.0]})], ended_at=now - 100)
    battles = {}
    for record in (first, second, third, abandoned, guest_won):
        await store.save_battle(record)
        battles[record.id] = record
    return League(await store.get_player(a), await store.get_player(b), guest, s, r, battles)
