"""The "you vs them" intro: question 0 opens `intro_seconds` after `battle`, on the server's clock,
and a player reloading during a reveal gets that reveal again."""

import random
from dataclasses import replace

import pytest

from kwissle.game.battle import Battle, Phase
from kwissle.game.events import Send

from .conftest import ANA, BO

START = 100.0


@pytest.fixture
def intro_battle(questions, rules):
    return Battle("b1", (ANA, BO), questions, replace(rules, intro_seconds=2.0), rng=random.Random(7))


def messages(events, to=None, kind=None):
    return [e.message for e in events if isinstance(e, Send)
            and (to is None or e.to == to) and (kind is None or e.message["type"] == kind)]


def test_start_sends_battle_with_starts_in_and_no_question_yet(intro_battle):
    events = intro_battle.start(START)
    battles = messages(events, kind="battle")
    assert [m["starts_in"] for m in battles] == [2.0, 2.0]
    assert messages(events, kind="question") == []
    assert intro_battle.phase is Phase.INTRO
    assert intro_battle.deadline == START + 2.0  # the hub's one timer opens question 0


def test_question_zero_opens_when_the_intro_is_over_not_before(intro_battle):
    intro_battle.start(START)
    assert intro_battle.tick(START + 1.999) == []
    events = intro_battle.tick(START + 2.0)
    questions = messages(events, kind="question")
    assert [m["q"] for m in questions] == [0, 0]
    assert questions[0]["seconds"] == 15.0  # the full time, counted from the end of the intro
    assert intro_battle.deadline == START + 2.0 + 15


def test_a_late_tick_opens_question_zero_as_of_the_intro_end(intro_battle):
    intro_battle.start(START)
    events = intro_battle.tick(START + 2.5)
    assert messages(events, to="ana", kind="question")[0]["seconds"] == 14.5


@pytest.mark.parametrize("act", [
    lambda b, now: b.answer("ana", 0, "Answer0 Canberra", now),
    lambda b, now: b.alternatives("ana", 0, now),
    lambda b, now: b.choose("ana", 0, 1, now),
])
def test_actions_during_the_intro_are_refused_and_change_nothing(intro_battle, act):
    intro_battle.start(START)
    outcome = act(intro_battle, START + 1.0)
    assert outcome.refused is not None and outcome.refused.code == "question_closed"
    assert outcome.events == ()
    assert intro_battle.scores == {"ana": 0, "bo": 0}
    # question 0 still opens on time, with every try left
    question = messages(intro_battle.tick(START + 2.0), to="ana", kind="question")[0]
    assert question["tries_left"] == 3 and question["choice"] is None


def test_an_action_just_after_the_intro_lands_on_question_zero(intro_battle):
    intro_battle.start(START)
    outcome = intro_battle.answer("ana", 0, "Answer0 Canberra", START + 2.1)
    assert [m["q"] for m in messages(outcome.due, to="ana", kind="question")] == [0]
    assert messages(outcome.events, kind="reveal")[0]["by"] == "ana"


def test_rejoin_during_the_intro_gets_battle_with_what_remains(intro_battle):
    intro_battle.start(START)
    intro_battle.drop("bo", START + 0.5)
    outcome = intro_battle.rejoin("bo", START + 1.25)
    sent = messages(outcome.events, to="bo")
    assert [m["type"] for m in sent] == ["battle"]
    assert sent[0]["starts_in"] == 0.75
    assert messages(outcome.events, to="ana") == [{"type": "opponent", "q": 0, "action": "back"}]


def test_leaving_during_the_intro_forfeits(intro_battle):
    intro_battle.start(START)
    outcome = intro_battle.leave("ana", START + 1.0)
    end = messages(outcome.events, to="bo", kind="end")[0]
    assert end["winner"] == "bo" and end["reason"] == "forfeit" and end["review"] == []


def test_no_intro_opens_question_zero_at_once(battle):
    # the `battle` fixture starts at 100.0 with intro_seconds 0
    outcome = battle.rejoin("ana", 100.0)
    assert messages(outcome.events, kind="battle")[0]["starts_in"] == 0.0
    assert messages(outcome.events, kind="question")[0]["q"] == 0


def test_rejoin_after_the_intro_says_starts_in_zero(intro_battle):
    intro_battle.start(START)
    intro_battle.tick(START + 2.0)
    battle = messages(intro_battle.rejoin("ana", START + 3.0).events, kind="battle")[0]
    assert battle["starts_in"] == 0.0


def test_rejoin_during_the_reveal_pause_resends_the_closed_question_and_its_reveal(intro_battle):
    intro_battle.start(START)
    intro_battle.tick(START + 2.0)
    scored = intro_battle.answer("ana", 0, "Answer0 Canberra", START + 4.0)
    reveal = messages(scored.events, to="bo", kind="reveal")[0]
    intro_battle.drop("bo", START + 4.5)
    outcome = intro_battle.rejoin("bo", START + 5.0)  # the pause lasts 3 s: question 1 opens at 7.0
    sent = messages(outcome.events, to="bo")
    assert [m["type"] for m in sent] == ["battle", "question", "reveal"]
    # what was asked, closed (no time left), so a reloaded page shows the question with its answer
    assert sent[1]["q"] == 0 and sent[1]["text"] == "Question number 0?" and sent[1]["seconds"] == 0.0
    assert sent[2] == reveal
    assert sent[2]["answer"] == "Answer0 Canberra" and sent[2]["by"] == "ana"
    # and once the pause is over, the next question opens as usual
    assert [m["q"] for m in messages(intro_battle.tick(START + 7.0), to="bo", kind="question")] == [1]
