"""The battle core rates battles between signed-in players, times every answer, and
reveals each question's explanation and source link, played on a hand-held clock."""

import dataclasses
import random

import pytest

from kwissle.game import glicko2
from kwissle.game.battle import Battle, Contender
from kwissle.game.events import Finished, Outcome, Send
from kwissle.game.rules import Rules
from kwissle.model import BattleEnd, Rating
from tests.support import wire_schema

from .conftest import make_question

ANA_RATING = Rating(1500, 500, 0.09)
BO_RATING = Rating(1610, 80, 0.06)
RATED_ANA = Contender("ana", "Ana", ANA_RATING)
RATED_BO = Contender("bo", "Bo", BO_RATING)
GUEST_BO = Contender("bo", "Bo")
RULES = Rules(questions=3, question_seconds=15, reveal_seconds=3, resume_seconds=15, typed_tries=3)


def events_of(result):
    return list(result.all_events) if isinstance(result, Outcome) else list(result)


def to(result, player_id, kind):
    return [e.message for e in events_of(result)
            if isinstance(e, Send) and e.to == player_id and e.message["type"] == kind]


def record_of(result):
    [record] = [e.record for e in events_of(result) if isinstance(e, Finished)]
    return record


def start(players, questions=None):
    battle = Battle("b1", players, questions or [make_question(n) for n in range(3)], RULES,
                    rng=random.Random(3))
    battle.start(now=100.0)
    return battle


def play_out(battle, scorer, now=101.0):
    """`scorer` types the right answer to every question; returns the events of the last one."""
    events = []
    for q in range(RULES.questions):
        events = events_of(battle.answer(scorer, q, f"Answer{q} Canberra", now))
        now += RULES.reveal_seconds + 1
        events += battle.tick(now)
    assert battle.over
    return events


def test_a_complete_battle_between_signed_in_players_rates_both():
    battle = start((RATED_ANA, RATED_BO))
    events = play_out(battle, "ana")
    record = record_of(events)
    changes = {change.player_id: change for change in record.ratings}
    assert changes["ana"].before == ANA_RATING and changes["bo"].before == BO_RATING
    assert changes["ana"].after == glicko2.update(ANA_RATING, BO_RATING, glicko2.WIN)
    assert changes["bo"].after == glicko2.update(BO_RATING, ANA_RATING, glicko2.LOSS)
    assert changes["ana"].after.rating > 1500 + 100  # a newcomer beating a stronger player climbs far
    assert changes["bo"].after.rating < 1610
    for player in ("ana", "bo"):
        end = to(events, player, "end")[0]
        assert end["ratings"] == {
            "ana": {"before": 1500, "after": round(changes["ana"].after.rating),
                    "provisional": True, "before_provisional": True},
            "bo": {"before": 1610, "after": round(changes["bo"].after.rating),
                   "provisional": False, "before_provisional": False},
        }


def test_a_draw_between_equal_players_leaves_their_ratings_where_they_were():
    equal = Rating(1550, 90, 0.06)
    battle = start((Contender("ana", "Ana", equal), Contender("bo", "Bo", equal)))
    events = battle.tick(100.0 + 3 * 15 + 2 * 3)  # nobody answers anything
    assert battle.over and battle.winner is None
    record = record_of(events)
    assert {round(c.after.rating) for c in record.ratings} == {1550}
    assert all(c.after.deviation < 90 for c in record.ratings)  # a played battle still tells something


def test_leaving_forfeits_and_the_leaver_loses_rating_even_when_ahead():
    battle = start((RATED_ANA, RATED_BO))
    battle.answer("ana", 0, "Answer0 Canberra", 101.0)
    outcome = battle.leave("ana", 102.0)
    record = record_of(outcome)
    assert record.reason is BattleEnd.FORFEIT and record.winner == "bo"
    changes = {change.player_id: change for change in record.ratings}
    assert changes["ana"].after == glicko2.update(ANA_RATING, BO_RATING, glicko2.LOSS)
    assert changes["ana"].after.rating < 1500
    assert changes["bo"].after.rating > 1610
    assert to(outcome, "bo", "end")[0]["ratings"]["ana"]["after"] < 1500


def test_not_coming_back_forfeits_and_is_rated_as_a_loss():
    battle = start((RATED_ANA, RATED_BO))
    battle.drop("bo", 101.0)
    events = battle.tick(101.0 + RULES.resume_seconds)
    record = record_of(events)
    assert record.reason is BattleEnd.FORFEIT and record.winner == "ana"
    changes = {change.player_id: change for change in record.ratings}
    assert changes["bo"].after.rating < changes["bo"].before.rating


def test_an_abandoned_battle_is_never_rated():
    battle = start((RATED_ANA, RATED_BO))
    battle.answer("ana", 0, "Answer0 Canberra", 101.0)
    record = record_of(battle.abandon(102.0))
    assert record.reason is BattleEnd.ABANDONED
    assert record.ratings == ()


@pytest.mark.parametrize("players", [(RATED_ANA, GUEST_BO), (Contender("ana", "Ana"), GUEST_BO)],
                         ids=["account-vs-guest", "guest-vs-guest"])
def test_a_battle_with_a_guest_is_never_rated(players):
    battle = start(players)
    events = play_out(battle, "ana")
    assert record_of(events).ratings == ()
    for player in ("ana", "bo"):
        assert "ratings" not in to(events, player, "end")[0]


def test_a_forfeit_with_a_guest_is_not_rated_either():
    battle = start((RATED_ANA, GUEST_BO))
    assert record_of(battle.leave("bo", 101.0)).ratings == ()


def test_every_typed_answer_and_every_pick_is_timed_from_the_question_opening():
    battle = start((RATED_ANA, RATED_BO))
    battle.answer("ana", 0, "Sydney", 102.5)
    battle.answer("ana", 0, "Perth", 104.25)
    battle.answer("bo", 0, "Darwin", 103.0)
    choices = to(battle.alternatives("bo", 0, 105.0), "bo", "alternatives")[0]["choices"]
    battle.choose("bo", 0, choices.index("Perth0"), 106.0)  # wrong: bo is out of q0
    battle.answer("ana", 0, "Answer0 Canberra", 107.125)  # q0 opened at 100
    # q1 opens 3 s after the reveal, at 110.125
    choices = to(battle.alternatives("ana", 1, 111.0), "ana", "alternatives")[0]["choices"]
    battle.choose("ana", 1, choices.index("Answer1 Canberra"), 112.625)
    record = record_of(battle.leave("bo", 113.0))
    q0, q1 = record.outcomes
    assert q0.typed == {"ana": ["Sydney", "Perth", "Answer0 Canberra"], "bo": ["Darwin"]}
    assert q0.typed_at == {"ana": [2.5, 4.25, 7.125], "bo": [3.0]}
    assert q0.chose_at == {"bo": 6.0}
    assert q1.typed_at == {"ana": [], "bo": []}
    assert q1.chose_at == {"ana": 2.5}
    assert q1.chose == {"ana": choices.index("Answer1 Canberra"), "bo": None}
    # the order the alternatives were shown in, so a pick can be named later, and when they were loaded
    assert q1.choices == tuple(choices) and q1.choices[q1.chose["ana"]] == "Answer1 Canberra"
    assert q0.alternatives_at == {"bo": 5.0}
    assert q1.alternatives_at == {"ana": 0.875}


def explained(n):
    return dataclasses.replace(make_question(n), explanation=f"Explanation {n}: why the answer is right.",
                               link=f"https://example.org/answer/{n}")


def test_the_reveal_carries_the_explanation_and_link_and_nothing_before_it_does():
    questions = [explained(0), make_question(1), explained(2)]
    battle = Battle("b1", (RATED_ANA, RATED_BO), questions, RULES, rng=random.Random(3))
    before = battle.start(now=100.0) + events_of(battle.alternatives("bo", 0, 101.0)) + events_of(
        battle.answer("bo", 0, "Sydney", 102.0))
    for event in before:
        assert "Explanation 0" not in repr(event.message) and "example.org" not in repr(event.message)
    events = events_of(battle.answer("ana", 0, "Answer0 Canberra", 103.0))
    for player in ("ana", "bo"):
        reveal = to(events, player, "reveal")[0]
        assert reveal["explanation"] == "Explanation 0: why the answer is right."
        assert reveal["link"] == "https://example.org/answer/0"
    events = battle.tick(106.0) + battle.tick(121.0)  # q1 opens, then closes unanswered
    reveal = to(events, "ana", "reveal")[0]
    assert reveal["q"] == 1 and "explanation" not in reveal and "link" not in reveal


def test_the_review_at_the_end_carries_each_questions_explanation_and_link():
    questions = [explained(0), make_question(1), explained(2)]
    battle = start((RATED_ANA, GUEST_BO), questions)
    review = to(play_out(battle, "bo"), "ana", "end")[0]["review"]
    assert review[0]["explanation"] == "Explanation 0: why the answer is right."
    assert review[2]["link"] == "https://example.org/answer/2"
    assert "explanation" not in review[1] and "link" not in review[1]


def test_a_resuming_player_during_the_reveal_gets_the_explanation_again():
    battle = start((RATED_ANA, RATED_BO), [explained(0), explained(1), explained(2)])
    battle.answer("ana", 0, "Answer0 Canberra", 101.0)
    battle.drop("bo", 101.5)
    reveal = to(battle.rejoin("bo", 102.0), "bo", "reveal")[0]
    assert reveal["explanation"].startswith("Explanation 0")


def test_every_message_of_a_rated_explained_battle_keeps_to_the_wire_schema():
    battle = Battle("b1", (RATED_ANA, RATED_BO), [explained(0), make_question(1), explained(2)], RULES,
                    rng=random.Random(3))
    events = battle.start(now=100.0) + play_out(battle, "bo")
    sent = [e.message for e in events if isinstance(e, Send)]
    assert {"reveal", "end"} <= {m["type"] for m in sent}
    for message in sent:
        assert wire_schema.problem(message, "server") is None, message
