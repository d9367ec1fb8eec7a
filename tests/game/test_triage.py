"""The triage flags and score (kwissle/game/triage.py) on hand-made figures: each flag at its
threshold, just short of it, below the minimum plays; the judge hiding a wrong answer a
variant now accepts; the ranking and its sorts. The flags on a seeded play history, read
back from both stores, are in tests/storage/test_contract_triage.py."""

import pytest

from kwissle.game import triage
from kwissle.game.triage import Flag, assess, rank
from kwissle.model.triage import QuestionPlayStats


def figures(asked=20, typed_right=6, choice_right=4, nobody=None, **more):
    values = {"question_id": "q", "asked": asked, "typed_right": typed_right, "choice_right": choice_right,
              "nobody": asked - typed_right - choice_right if nobody is None else nobody,
              "alternatives_known": 0, "alternatives_opened": 0, "median_answer_seconds": None, "typed_seats": 0,
              "wrong_typed": (), "picks": 0, "wrong_picks": (), "uneven_battles": 0, "strong_right": 0,
              "weak_right": 0}
    values.update(more)
    return QuestionPlayStats(**values)


def test_a_balanced_question_raises_nothing_and_scores_zero():
    balanced = figures(typed_seats=20, wrong_typed=(("paris", 2), ("lyon", 1)), picks=10,
                       wrong_picks=(("Lyon", 3), ("Nice", 2)), uneven_battles=10, strong_right=6, weak_right=4)
    assessed = assess(balanced)
    assert assessed.findings == () and assessed.score == 0


def test_too_easy_and_too_hard_at_their_thresholds():
    assert assess(figures(typed_right=18, choice_right=0)).flags == {Flag.TOO_EASY}  # 90%
    assert assess(figures(typed_right=17, choice_right=0)).flags == set()  # 85%
    assert assess(figures(typed_right=3, choice_right=0)).flags == {Flag.TOO_HARD}  # 15%
    assert assess(figures(typed_right=4, choice_right=0)).flags == set()  # 20%


def test_no_flag_below_the_minimum_plays():
    few = triage.MIN_PLAYS - 1
    assert assess(figures(asked=few, typed_right=0, choice_right=0)).flags == set()
    assert assess(figures(asked=triage.MIN_PLAYS, typed_right=0, choice_right=0)).flags == {Flag.TOO_HARD}
    assert assess(figures(asked=few, typed_right=0, choice_right=0), reports=2).score == 2 * triage.REPORT_POINTS


def test_a_shared_wrong_typed_answer_needs_enough_players_and_a_large_enough_share():
    shared = assess(figures(typed_seats=12, wrong_typed=(("sydney", 3), ("perth", 2))))
    assert shared.flags == {Flag.SHARED_WRONG}
    assert [f.text for f in shared.findings] == ["sydney"]
    assert assess(figures(typed_seats=13, wrong_typed=(("sydney", 3),))).flags == set()  # 23%
    assert assess(figures(typed_seats=4, wrong_typed=(("sydney", 2),))).flags == set()  # 50%, two players


def test_a_shared_wrong_answer_the_judge_now_accepts_is_no_longer_flagged():
    stats = figures(typed_seats=10, wrong_typed=(("sydney harbour", 6),))
    assert assess(stats, ("Canberra",)).flags == {Flag.SHARED_WRONG}
    assert assess(stats, ("Canberra", "Sydney Harbour")).flags == set()


def test_one_wrong_alternative_drawing_most_picks():
    assert assess(figures(picks=10, wrong_picks=(("Beta", 5), ("Alpha", 1)))).flags == {Flag.LOPSIDED_ALTERNATIVE}
    assert assess(figures(picks=10, wrong_picks=(("Beta", 4), ("Alpha", 4)))).flags == set()
    assert assess(figures(picks=4, wrong_picks=(("Beta", 4),))).flags == set()  # too few picks


def test_strong_players_missing_more_often_than_weak_ones():
    assert assess(figures(uneven_battles=10, strong_right=2, weak_right=5)).flags == {Flag.STRONG_MISS}
    assert assess(figures(uneven_battles=10, strong_right=3, weak_right=4)).flags == set()  # 10 points apart
    assert assess(figures(uneven_battles=5, strong_right=0, weak_right=5)).flags == set()  # too few battles
    assert assess(figures(uneven_battles=10, strong_right=7, weak_right=2)).flags == set()


def test_the_score_weighs_a_likely_wrong_key_above_an_easy_question_and_adds_reports_and_appeals():
    easy = assess(figures(typed_right=20, choice_right=0))
    hard = assess(figures(typed_right=0, choice_right=0))
    assert hard.score > easy.score > 0
    reported = assess(figures(), reports=2, appeals=1)
    assert reported.score == 2 * triage.REPORT_POINTS + triage.APPEAL_POINTS
    # further past the threshold weighs more
    assert assess(figures(typed_right=0, choice_right=0)).score > assess(figures(typed_right=3, choice_right=0)).score


def test_rank_sorts_by_score_reports_appeals_or_plays():
    def one(qid, **kw):
        stats = figures(question_id=qid, **{k: v for k, v in kw.items() if k in ("asked", "typed_right", "choice_right")})
        return assess(stats, reports=kw.get("reports", 0), appeals=kw.get("appeals", 0))

    hard = one("hard", typed_right=0, choice_right=0)
    reported = one("reported", reports=1)
    appealed = one("appealed", appeals=2)
    popular = one("popular", asked=90, typed_right=30)
    everything = [popular, reported, hard, appealed]
    assert [a.stats.question_id for a in rank(everything)] == ["hard", "appealed", "reported", "popular"]
    assert rank(everything, "reports")[0].stats.question_id == "reported"
    assert rank(everything, "appeals")[0].stats.question_id == "appealed"
    assert rank(everything, "asked")[0].stats.question_id == "popular"
    with pytest.raises(ValueError):
        rank(everything, "nonsense")
