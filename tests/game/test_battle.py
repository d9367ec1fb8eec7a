"""The battle state machine, played with a hand-held clock (no loop, no sleeps).

Player actions return an `Outcome` (what fell due, then the action's events or a
refusal); `to` and `finished` read the events of either an Outcome or a list.
"""

import random

import pytest

from kwissle.game.battle import Battle, Phase
from kwissle.game.events import Finished, Outcome, Send
from kwissle.model import BattleEnd

from .conftest import ANA, BO, make_question


def events_of(result):
    return list(result.all_events) if isinstance(result, Outcome) else list(result)


def to(result, player_id, kind=None):
    return [e.message for e in events_of(result)
            if isinstance(e, Send) and e.to == player_id and (kind is None or e.message["type"] == kind)]


def finished(result):
    return [e.record for e in events_of(result) if isinstance(e, Finished)]


def refusal(outcome):
    """The code of a refused action (and check it changed nothing of its own)."""
    assert outcome.refused is not None, f"expected a refusal, got {outcome}"
    assert outcome.events == ()
    return outcome.refused.code


def right_choice(battle, player_id, q, now):
    choices = to(battle.alternatives(player_id, q, now), player_id, "alternatives")[0]["choices"]
    return choices.index(battle._questions[q].answer)


def test_start_tells_both_players_their_opponent_and_opens_question_zero(questions, rules):
    battle = Battle("b1", (ANA, BO), questions, rules, rng=random.Random(1))
    events = battle.start(now=50.0)
    assert to(events, "ana", "battle")[0]["opponent"] == {"id": "bo", "name": "Bo"}
    assert to(events, "bo", "battle")[0]["opponent"] == {"id": "ana", "name": "Ana"}
    q0 = to(events, "ana", "question")[0]
    assert q0 == {"type": "question", "q": 0, "text": "Question number 0?", "category": "Test",
                  "seconds": 15.0, "tries_left": 3, "choice": None, "locked_out": False}
    assert battle.deadline == 65.0


def test_no_message_before_the_reveal_carries_the_answer(battle):
    events = events_of(battle.alternatives("bo", 0, 101.0)) + events_of(battle.answer("ana", 0, "nope", 102.0))
    for event in events:
        if event.message["type"] == "alternatives":
            # the answer is one of four unmarked choices, nothing says which
            assert set(event.message) == {"type", "q", "choices"}
        else:
            assert "Answer0" not in repr(event.message)


def test_a_right_typed_answer_with_a_typo_steals_the_question_for_three(battle):
    events = battle.answer("bo", 0, "answer0 canbera", now=104.0)
    for player in ("ana", "bo"):
        reveal = to(events, player, "reveal")[0]
        assert reveal == {"type": "reveal", "q": 0, "answer": "Answer0 Canberra", "by": "bo",
                          "points": 3, "how": "typed", "scores": {"ana": 0, "bo": 3}}
    assert battle.phase is Phase.REVEAL
    assert refusal(battle.answer("ana", 0, "Answer0 Canberra", now=104.5)) == "question_closed"


def test_an_accepted_variant_scores_like_the_canonical_answer(battle):
    events = battle.answer("ana", 0, "variant0", now=101.0)
    assert to(events, "ana", "reveal")[0]["by"] == "ana"


def test_wrong_typed_answers_use_up_tries_and_cue_the_opponent(battle):
    events = battle.answer("ana", 0, "Sydney", now=101.0)
    assert to(events, "ana") == [{"type": "wrong", "q": 0, "tries_left": 2}]
    assert to(events, "bo") == [{"type": "opponent", "q": 0, "action": "typed_wrong"}]
    battle.answer("ana", 0, "Perth", now=102.0)
    assert to(battle.answer("ana", 0, "Darwin", now=103.0), "ana", "wrong")[0]["tries_left"] == 0
    assert refusal(battle.answer("ana", 0, "Answer0 Canberra", now=104.0)) == "locked_out"
    assert battle.scores == {"ana": 0, "bo": 0}


def test_after_using_up_typed_tries_a_player_may_still_load_the_alternatives(battle):
    for n, word in enumerate(["x1", "x2", "x3"]):
        battle.answer("ana", 0, word, now=101.0 + n)
    choice = right_choice(battle, "ana", 0, now=105.0)
    events = battle.choose("ana", 0, choice, now=106.0)
    assert to(events, "bo", "reveal")[0]["by"] == "ana"


def test_alternatives_stop_typing_and_the_right_choice_scores_one(battle):
    events = battle.alternatives("bo", 0, now=101.0)
    choices = to(events, "bo", "alternatives")[0]["choices"]
    assert sorted(choices) == sorted(["Answer0 Canberra", "Sydney0", "Perth0", "Darwin0"])
    assert to(events, "ana") == [{"type": "opponent", "q": 0, "action": "alternatives"}]
    assert refusal(battle.answer("bo", 0, "Answer0 Canberra", now=102.0)) == "locked_out"
    events = battle.choose("bo", 0, choices.index("Answer0 Canberra"), now=103.0)
    assert to(events, "ana", "reveal")[0] | {} == {
        "type": "reveal", "q": 0, "answer": "Answer0 Canberra", "by": "bo", "points": 1,
        "how": "choice", "scores": {"ana": 0, "bo": 1}}


def test_choosing_before_loading_alternatives_is_refused_and_changes_nothing(battle):
    assert refusal(battle.choose("ana", 0, 1, now=101.0)) == "no_alternatives"
    assert to(battle.answer("ana", 0, "Answer0 Canberra", now=102.0), "ana", "reveal")[0]["points"] == 3


def test_a_wrong_choice_locks_the_player_out_but_the_other_plays_on(battle):
    choices = to(battle.alternatives("ana", 0, 101.0), "ana", "alternatives")[0]["choices"]
    wrong = next(i for i, c in enumerate(choices) if c != "Answer0 Canberra")
    events = battle.choose("ana", 0, wrong, now=102.0)
    assert to(events, "ana") == [{"type": "wrong", "q": 0, "tries_left": 0, "choice": wrong}]
    assert to(events, "bo") == [{"type": "opponent", "q": 0, "action": "chose_wrong"}]
    assert battle.phase is Phase.QUESTION
    for action in (lambda: battle.choose("ana", 0, 0, 103.0),
                   lambda: battle.answer("ana", 0, "Answer0 Canberra", 103.0),
                   lambda: battle.alternatives("ana", 0, 103.0)):
        assert refusal(action()) == "locked_out"
    assert to(battle.answer("bo", 0, "Answer0 Canberra", 104.0), "bo", "reveal")[0]["by"] == "bo"


def test_question_closes_early_when_both_players_are_locked_out(battle):
    for player, now in (("ana", 101.0), ("bo", 102.0)):
        choices = to(battle.alternatives(player, 0, now), player, "alternatives")[0]["choices"]
        wrong = next(i for i, c in enumerate(choices) if c != "Answer0 Canberra")
        events = battle.choose(player, 0, wrong, now + 0.5)
    reveal = to(events, "ana", "reveal")[0]
    assert reveal["by"] is None and reveal["points"] == 0 and reveal["how"] is None
    assert battle.deadline == 102.5 + 3


def test_the_server_clock_closes_a_question_nobody_answered(battle):
    assert battle.tick(114.999) == []
    events = battle.tick(115.0)
    assert to(events, "bo", "reveal")[0]["by"] is None
    assert battle.deadline == 118.0
    opened = battle.tick(118.2)
    question = to(opened, "ana", "question")[0]
    assert question["q"] == 1
    # the next question's 15 s run from when it was due, not from the late tick
    assert question["seconds"] == 14.8
    assert battle.deadline == 133.0


def test_a_late_tick_catches_up_in_order_and_refuses_stale_answers(battle):
    events = battle.tick(140.0)  # q0 closed at 115, q1 opened at 118 and closed at 133, q2 opened at 136
    kinds = [(m["type"], m["q"]) for m in to(events, "ana")]
    assert kinds == [("reveal", 0), ("question", 1), ("reveal", 1), ("question", 2)]
    assert to(events, "ana", "question")[-1]["seconds"] == 11.0
    assert refusal(battle.answer("ana", 1, "Answer1 Canberra", 140.0)) == "question_closed"


def test_an_answer_after_the_deadline_is_refused_and_what_fell_due_is_still_returned(battle):
    # No timer fired: the answer itself ticks the battle to its `now` first.
    outcome = battle.answer("ana", 0, "Answer0 Canberra", now=115.5)
    assert refusal(outcome) == "question_closed"
    reveal = to(outcome, "ana", "reveal")
    assert reveal == [{"type": "reveal", "q": 0, "answer": "Answer0 Canberra", "by": None, "points": 0,
                       "how": None, "scores": {"ana": 0, "bo": 0}}]
    assert to(outcome.due, "bo", "reveal") == reveal
    assert battle.scores == {"ana": 0, "bo": 0} and battle.deadline == 118.0
    assert battle.tick(115.5) == []  # carried out once


def test_an_action_that_is_accepted_after_a_missed_deadline_comes_after_what_fell_due(battle):
    outcome = battle.answer("ana", 1, "Answer1 Canberra", now=119.0)  # q1 opened at 118
    assert outcome.refused is None
    kinds = [(m["type"], m["q"]) for m in to(outcome, "ana")]
    assert kinds == [("reveal", 0), ("question", 1), ("reveal", 1)]
    assert [m["type"] for m in to(outcome.due, "ana")] == ["reveal", "question"]
    assert battle.scores == {"ana": 3, "bo": 0}


def test_the_battle_message_says_whole_seconds_as_an_integer(questions):
    from kwissle.game.rules import Rules

    battle = Battle("b", (ANA, BO), questions, Rules(question_seconds=15.0), rng=random.Random(1))
    seconds = to(battle.start(0.0), "ana", "battle")[0]["seconds"]
    assert type(seconds) is int and seconds == 15
    with pytest.raises(ValueError):
        Rules(question_seconds=2.5)
    with pytest.raises(ValueError):
        Rules(question_seconds=0)


def test_only_questions_put_so_far_count_as_asked(battle):
    assert battle.asked_question_ids == ["q0"]
    battle.tick(118.0)
    assert battle.asked_question_ids == ["q0", "q1"]
    battle.leave("bo", 119.0)
    assert battle.asked_question_ids == ["q0", "q1"]


def test_a_full_battle_ends_with_the_higher_total_winning(battle):
    now = 100.0
    for q in range(10):
        if q % 3 == 0:
            events = battle.answer("ana", q, f"Answer{q} Canberra", now + 1)
        elif q % 3 == 1:
            events = battle.choose("bo", q, right_choice(battle, "bo", q, now + 1), now + 2)
        else:
            events = battle.tick(now + 15)
            now += 15 - 3  # the reveal came at the deadline
        if q < 9:
            now = battle.deadline
            battle.tick(now)
    end = to(events, "ana", "end")[0]
    assert end["scores"] == {"ana": 12, "bo": 3}
    assert end["winner"] == "ana" and end["reason"] == "complete"
    assert [item["q"] for item in end["review"]] == list(range(10))
    assert end["review"][0]["typed"] == {"ana": ["Answer0 Canberra"], "bo": []}
    assert end["review"][1]["how"] == "choice"
    record = finished(events)[0]
    assert record.reason is BattleEnd.COMPLETE and record.winner == "ana"
    assert [o.question_id for o in record.outcomes] == [f"q{n}" for n in range(10)]
    assert battle.over and battle.deadline is None


def test_equal_totals_are_a_draw(questions, rules):
    battle = Battle("b2", (ANA, BO), questions[:2], rules)
    battle.start(0.0)
    battle.answer("ana", 0, "Answer0 Canberra", 1.0)
    battle.tick(battle.deadline)
    events = battle.answer("bo", 1, "Answer1 Canberra", 5.0)
    end = to(events, "bo", "end")[0]
    assert end["winner"] is None and end["scores"] == {"ana": 3, "bo": 3}


def test_leaving_forfeits_even_when_ahead(battle):
    battle.answer("ana", 0, "Answer0 Canberra", 101.0)
    events = battle.leave("ana", 102.0)
    end = to(events, "bo", "end")[0]
    assert end["winner"] == "bo" and end["reason"] == "forfeit" and end["scores"] == {"ana": 3, "bo": 0}
    assert finished(events)[0].reason is BattleEnd.FORFEIT
    assert refusal(battle.answer("bo", 1, "x", 103.0)) == "not_in_battle"


def test_a_dropped_player_who_returns_in_time_resumes_where_the_battle_stands(battle):
    battle.alternatives("bo", 0, 101.0)
    assert to(battle.drop("bo", 102.0), "ana") == [
        {"type": "opponent", "q": 0, "action": "dropped", "seconds": 15}]
    assert battle.deadline == 115.0  # the question, before bo's grace (117)
    battle.answer("ana", 0, "wrong", 103.0)
    events = battle.rejoin("bo", 110.0)
    assert to(events, "ana") == [{"type": "opponent", "q": 0, "action": "back"}]
    kinds = [m["type"] for m in to(events, "bo")]
    assert kinds == ["battle", "question", "alternatives"]
    assert to(events, "bo", "question")[0]["seconds"] == 5.0
    assert not battle.is_away("bo")
    assert battle.tick(117.5) and not battle.over


def test_a_player_rejoining_during_the_reveal_gets_the_closed_question_and_its_reveal_again(battle):
    battle.drop("ana", 101.0)
    battle.answer("bo", 0, "Answer0 Canberra", 102.0)
    kinds = [m["type"] for m in to(battle.rejoin("ana", 103.0), "ana")]
    assert kinds == ["battle", "question", "reveal"]  # the closed question (0 s left), then its reveal


def test_a_dropped_player_who_does_not_return_forfeits_at_the_grace_deadline(battle):
    battle.answer("bo", 0, "Answer0 Canberra", 101.0)
    battle.drop("bo", 104.0)
    events = battle.tick(200.0)
    end = to(events, "ana", "end")[0]
    assert end["winner"] == "ana" and end["reason"] == "forfeit"
    assert battle.ended_at == 119.0
    assert [item["q"] for item in end["review"]] == [0, 1]  # q1 opened at 104, before the forfeit


def test_when_both_drop_the_first_to_run_out_of_grace_forfeits(battle):
    battle.drop("ana", 101.0)
    battle.drop("bo", 102.0)
    events = battle.tick(130.0)
    assert to(events, "bo", "end")[0]["winner"] == "bo"


def test_abandon_records_the_battle_without_telling_players(battle):
    battle.answer("ana", 0, "Answer0 Canberra", 101.0)
    events = battle.abandon(102.0)
    assert [type(e) for e in events] == [Finished]
    assert events[0].record.reason is BattleEnd.ABANDONED and events[0].record.winner is None
    assert battle.abandon(103.0) == []


def test_each_battle_shuffles_choices_but_keeps_them_stable_within_a_question(questions, rules):
    seen = set()
    for seed in range(10):
        battle = Battle("b", (ANA, BO), questions, rules, rng=random.Random(seed))
        battle.start(0.0)
        first = to(battle.alternatives("ana", 0, 1.0), "ana", "alternatives")[0]["choices"]
        again = to(battle.alternatives("bo", 0, 1.0), "bo", "alternatives")[0]["choices"]
        assert first == again
        seen.add(first.index("Answer0 Canberra"))
    assert len(seen) > 1


def test_a_player_cannot_battle_themself(questions, rules):
    with pytest.raises(ValueError):
        Battle("b", (ANA, ANA), questions, rules)


def test_fewer_questions_than_the_rules_ask_for_still_make_a_battle(rules):
    battle = Battle("b", (ANA, BO), [make_question(1)], rules)
    events = battle.start(0.0)
    assert to(events, "ana", "battle")[0]["questions"] == 1
    assert to(battle.tick(15.0), "ana", "end")[0]["reason"] == "complete"


def test_a_resuming_player_is_told_their_pick_their_lock_out_and_that_the_opponent_is_away(battle):
    choices = to(battle.alternatives("ana", 0, 101.0), "ana", "alternatives")[0]["choices"]
    wrong = next(i for i, c in enumerate(choices) if c != "Answer0 Canberra")
    battle.choose("ana", 0, wrong, 102.0)
    battle.drop("ana", 103.0)
    battle.drop("bo", 104.0)
    events = battle.rejoin("ana", 105.0)
    assert to(events, "ana", "battle")[0]["opponent_away"] is True
    question = to(events, "ana", "question")[0]
    assert question["locked_out"] is True and question["choice"] == wrong
    assert to(events, "ana", "alternatives")[0]["choices"] == choices
    assert to(battle.rejoin("bo", 106.0), "bo", "battle")[0]["opponent_away"] is False


def test_question_closed_says_whether_it_is_past_or_not_yet_open(battle):
    assert "not open yet" in battle.answer("ana", 3, "x", 101.0).refused.message
    battle.tick(118.0)
    assert "not open any more" in battle.answer("ana", 0, "x", 119.0).refused.message
