"""A seeded play history for triage: twelve rated battles between a strong and a weak player,
each asking the same six questions, each question built to raise one flag (or none), plus a
question asked too few times, two unrated battles with a guest, an older battle stored
before the alternatives were kept, and an abandoned battle that counts nowhere.

Ratings: Strong plays at 1800 and Weak at 1500 in every rated battle (their `before`), and
Weak's rating after is 1750: a triage that took current ratings for rated battles would find
no uneven battle (gap 50) where there are twelve (gap 300).

What each question comes to is worked out in `tests/storage/test_contract_triage.py`
and `tests/game/test_triage.py`.
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

ROUNDS = 12
ALTERNATIVES = ("Alpha", "Beta", "Gamma")
KINDS = ("easy", "hard", "shared", "lopsided", "strong_miss", "balanced", "few", "guest")


@dataclass
class History:
    strong: Player
    weak: Player
    guest: Player
    ids: dict[str, str]  # kind -> question id
    answers: dict[str, str]  # kind -> the question's answer
    battles: list[BattleRecord]


def _question(kind: str) -> NewQuestion:
    answer = "Canberra" if kind == "shared" else f"Answer {kind.replace('_', ' ')}"
    return NewQuestion(text=f"What is the {kind.replace('_', ' ')} question's answer?", answer=answer,
                       variants=(), wrong=ALTERNATIVES, category="Triage", source="test")


def _o(qid, answer, by=None, how=None, typed=None, typed_at=None, chose=None, chose_at=None, opened=None,
       choices=True):
    points = {"typed": 3, "choice": 1}.get(how or "", 0)
    return QuestionOutcome(question_id=qid, by=by, how=how, points=points, typed=typed or {}, chose=chose or {},
                           typed_at=typed_at or {}, chose_at=chose_at or {},
                           choices=(answer, *ALTERNATIVES) if choices else (), alternatives_at=opened or {})


def _battle(battle_id, a, b, outcomes, ended_at, ratings=(), reason=BattleEnd.COMPLETE):
    scores = {a: sum(o.points for o in outcomes if o.by == a), b: sum(o.points for o in outcomes if o.by == b)}
    winner = None if scores[a] == scores[b] else (a if scores[a] > scores[b] else b)
    return BattleRecord(id=battle_id, player_ids=(a, b), scores=scores, winner=winner, reason=reason,
                        started_at=ended_at - 120, ended_at=ended_at, outcomes=tuple(outcomes), ratings=tuple(ratings))


def _round(i: int, ids: dict[str, str], answers: dict[str, str], s: str, w: str) -> list[QuestionOutcome]:
    def o(kind, *args, **kwargs):
        return _o(ids[kind], answers[kind], *args, **kwargs)

    scorer = s if i % 2 == 0 else w
    # easy: someone types it every time, at 2, 3, ... 13 seconds (median 7.5)
    easy = o("easy", scorer, "typed", {scorer: ["answer easy"]}, {scorer: [2.0 + i]})
    # hard: nobody; each player guesses something of their own
    hard = o("hard", None, None, {s: [f"strong guess {i}"], w: [f"weak guess {i}"]},
             {s: [10.0], w: [12.0]})
    # shared: Strong types it in even rounds; Weak types "Sydney" (spelt three ways) in all twelve
    sydney = ("Sydney", "sydney", "SYDNEY!")[i % 3]
    if i % 2 == 0:
        shared = o("shared", s, "typed", {s: ["Canberra"], w: [sydney]}, {s: [5.0], w: [4.0]})
    else:
        tries = [sydney, "Melbourne"] if i == 1 else [sydney]  # Melbourne once: not shared
        shared = o("shared", None, None, {w: tries}, {w: [4.0, 8.0][:len(tries)]})
    # lopsided: both open the alternatives; Weak always picks Beta; Strong picks right in even rounds
    opened = {s: 1.0, w: 1.5}
    if i % 2 == 0:
        lopsided = o("lopsided", s, "choice", chose={w: 2, s: 0}, chose_at={w: 3.0, s: 6.0}, opened=opened)
    else:
        lopsided = o("lopsided", None, None, chose={w: 2}, chose_at={w: 3.0}, opened={w: 1.5})
    # strong_miss: Weak types it in 8 rounds, Strong in 2, nobody in 2; Strong's refused guesses differ
    if i < 8:
        strong_miss = o("strong_miss", w, "typed", {w: ["answer strong miss"], s: [f"nope {i}"]},
                        {w: [6.0], s: [3.0]})
    elif i < 10:
        strong_miss = o("strong_miss", s, "typed", {s: ["answer strong miss"]}, {s: [6.0]})
    else:
        strong_miss = o("strong_miss", None, None)
    # balanced: Strong 4, Weak 3, nobody 5; picks spread over the alternatives
    if i < 4:
        balanced = o("balanced", s, "typed", {s: ["answer balanced"]}, {s: [7.0]})
    elif i < 7:
        balanced = o("balanced", w, "choice", chose={w: 0}, chose_at={w: 9.0}, opened={w: 5.0})
    else:
        balanced = o("balanced", None, None, chose={s: 1 + i % 3}, chose_at={s: 8.0}, opened={s: 4.0})
    outcomes = [easy, hard, shared, lopsided, strong_miss, balanced]
    if i < 5:  # few: asked five times, nobody ever: below the minimum, no flag
        outcomes.append(o("few", None, None))
    return outcomes


async def build_history(store, now: float = 2_000_000.0) -> History:
    strong = await store.create_player("Strong", guest=False, email="strong@example.org")
    weak = await store.create_player("Weak", guest=False, email="weak@example.org")
    guest = await store.ensure_guest("guest-triage-1", "Quiet Heron")
    stored = await store.add_questions([_question(kind) for kind in KINDS], QuestionStatus.PUBLISHED)
    ids = {kind: q.id for kind, q in zip(KINDS, stored, strict=True)}
    answers = {kind: q.answer for kind, q in zip(KINDS, stored, strict=True)}
    s, w, g = strong.id, weak.id, guest.id
    battles = []
    for i in range(ROUNDS):
        battles.append(_battle(f"triage-{i:02d}", s, w, _round(i, ids, answers, s, w), now - 10_000 + i * 100,
                               ratings=[RatingChange(s, Rating(1800.0, 60.0, 0.06), Rating(1800.0, 60.0, 0.06)),
                                        RatingChange(w, Rating(1500.0, 60.0, 0.06), Rating(1750.0, 60.0, 0.06))]))
    # Unrated battles take the players' current ratings (guest 1500, Strong 1800, Weak 1750):
    # the guest beats Strong, 300 apart (uneven) ...
    battles.append(_battle("triage-guest-1", g, s, [
        _o(ids["guest"], answers["guest"], g, "typed", {g: ["answer guest"]}, {g: [3.0]})], now - 500))
    # ... and this older record (no choices shown, no alternatives_at, though Weak picked one)
    # is between Strong and Weak, 50 apart now (even).
    battles.append(_battle("triage-old", s, w, [
        _o(ids["easy"], answers["easy"], w, "choice", chose={w: 0}, chose_at={w: 9.0}, choices=False)], now - 400))
    # Abandoned: counts nowhere.
    battles.append(_battle("triage-abandoned", s, w, [
        _o(ids["hard"], answers["hard"], s, "typed", {s: ["answer hard"]}, {s: [1.0]})], now - 300,
        reason=BattleEnd.ABANDONED))
    for record in battles:
        await store.save_battle(record)
    return History(strong, weak, guest, ids, answers, battles)
