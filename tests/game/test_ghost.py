"""A recorded opponent, replayed by the battle core on a hand-held clock.

A battle between Ana and Bo is played and recorded; then Cy plays Bo's recording. Bo's
typed answers, alternatives and picks come at the times Bo made them since each question
opened, through the battle's normal actions (so they are judged again), picks mapped by
text onto Cy's shuffle, and the battle is never rated. (The core addresses Bo's seat like
any other; the hub delivers nothing to a recorded player: tests/realtime/test_ghosts.py.)
"""

import random

import pytest

from kwissle.game.battle import Battle, Contender
from kwissle.game.ghost import GhostAction, NotReplayable, replayable, script_from
from kwissle.game.rules import Rules
from kwissle.model import BattleEnd, Rating

from .conftest import ANA, BO, make_question
from .test_battle import finished, to

CY = Contender("cy", "Cy", Rating(1500, 60, 0.06))
RULES = Rules(questions=4, question_seconds=15, reveal_seconds=3, resume_seconds=15, typed_tries=3)


def choices_of(battle, player, q, now):
    return to(battle.alternatives(player, q, now), player, "alternatives")[0]["choices"]


@pytest.fixture
def recorded():
    """Ana vs Bo, both rated, with Bo doing a bit of everything; returns the stored record."""
    questions = [make_question(n) for n in range(4)]
    b = Battle("rec1", (Contender("ana", "Ana", Rating()), Contender("bo", "Bo", Rating())), questions, RULES,
               rng=random.Random(1))
    b.start(0.0)
    # q0 opens at 0: Bo types a wrong guess at 2.0, then the answer at 4.5
    b.answer("bo", 0, "Sydney0", 2.0)
    b.answer("bo", 0, "answer0 canbera", 4.5)  # a typo the judge accepts
    # q1 opens at 4.5 + 3 = 7.5: Bo loads the alternatives at +3.0, picks right at +5.25
    choices = choices_of(b, "bo", 1, 10.5)
    b.choose("bo", 1, choices.index("Answer1 Canberra"), 12.75)
    # q2 opens at 15.75: Bo loads at +1.0, picks a wrong one (Perth2) at +2.0; Ana types it at +6.0
    choices = choices_of(b, "bo", 2, 16.75)
    b.choose("bo", 2, choices.index("Perth2"), 17.75)
    b.answer("ana", 2, "Answer2 Canberra", 21.75)
    # q3 opens at 24.75: Bo types two wrong guesses, nobody scores; it closes at its deadline
    b.answer("bo", 3, "Darwin3", 25.75)
    b.answer("bo", 3, "Perth3", 26.0)
    records = finished(b.tick(24.75 + 15))
    assert records and records[0].reason is BattleEnd.COMPLETE and records[0].ratings
    return records[0]


def play_out(battle, start, cy_acts=None):
    """Tick the ghost battle from deadline to deadline; `cy_acts` {time: action(battle, now)} acts
    for the live player. Returns [(time, message to Cy)]."""
    cy_acts = dict(cy_acts or {})
    seen = [(start, m) for m in to(battle.start(start), "cy")]
    while not battle.over:
        due = battle.deadline
        act_at = min(cy_acts, default=None)
        if act_at is not None and act_at < due:
            outcome = cy_acts.pop(act_at)(battle, act_at)
            seen += [(act_at, m) for m in to(outcome, "cy")]
            continue
        seen += [(due, m) for m in to(battle.tick(due), "cy")]
    return seen


def ghost_battle(recorded, seed=99):
    script = script_from(recorded, "bo", "Bo")
    questions = [make_question(n) for n in range(4)]
    return Battle("g1", (CY, Contender("bo", "Bo")), questions, RULES, rng=random.Random(seed), ghost=script)


def test_the_script_is_bo_s_actions_in_time_order(recorded):
    script = script_from(recorded, "bo", "Bo")
    assert script.battle_id == "rec1" and script.recorded_at == recorded.ended_at
    assert script.actions[0] == (GhostAction(2.0, "answer", "Sydney0"), GhostAction(4.5, "answer", "answer0 canbera"))
    assert script.actions[1] == (GhostAction(3.0, "alternatives"), GhostAction(5.25, "choose", "Answer1 Canberra"))
    assert script.actions[2] == (GhostAction(1.0, "alternatives"), GhostAction(2.0, "choose", "Perth2"))
    assert [a.kind for a in script.actions[3]] == ["answer", "answer"]


def test_the_replay_reproduces_bo_s_timings_and_picks_by_text(recorded):
    battle = ghost_battle(recorded)
    seen = play_out(battle, 1000.0)
    opened = {m["q"]: t for t, m in seen if m["type"] == "question"}
    cues = [(m["q"], m["action"], round(t - opened[m["q"]], 3)) for t, m in seen if m["type"] == "opponent"]
    assert cues == [(0, "typed_wrong", 2.0), (1, "alternatives", 3.0), (2, "alternatives", 1.0),
                    (2, "chose_wrong", 2.0), (3, "typed_wrong", 1.0), (3, "typed_wrong", 1.25)]
    reveals = {m["q"]: (m["by"], m["how"], round(t - opened[m["q"]], 3)) for t, m in seen if m["type"] == "reveal"}
    assert reveals[0] == ("bo", "typed", 4.5)  # the typo was judged again, and accepted again
    assert reveals[1] == ("bo", "choice", 5.25)  # picked by text although Cy's shuffle differs
    assert reveals[2] == (None, None, 15.0)  # Bo locked out; Cy did nothing; the deadline
    end = next(m for _, m in seen if m["type"] == "end")
    assert end["scores"] == {"cy": 0, "bo": 4} and end["winner"] == "bo" and "ratings" not in end


def test_the_stored_ghost_battle_is_marked_and_never_rated(recorded):
    battle = ghost_battle(recorded)
    battle.start(1000.0)
    records = []
    while not battle.over:
        records += finished(battle.tick(battle.deadline))
    record = records[0]
    assert record.recording_of == "rec1" and record.player_ids == ("cy", "bo")
    assert record.ratings == ()  # Cy is rated, and still nothing is
    q1 = record.outcomes[1]
    assert q1.choices[q1.chose["bo"]] == "Answer1 Canberra" and q1.chose_at["bo"] == 5.25
    assert record.outcomes[0].typed_at["bo"] == [2.0, 4.5] and record.outcomes[1].alternatives_at["bo"] == 3.0


def test_the_shuffles_differ_so_the_pick_really_was_mapped(recorded):
    battle = ghost_battle(recorded, seed=5)
    battle.start(0.0)
    while battle.current < 1 or battle.phase.value != "question":
        battle.tick(battle.deadline)
    mine = choices_of(battle, "cy", 1, battle._asked[1].opened_at)
    assert mine != list(recorded.outcomes[1].choices)  # this seed shuffles otherwise
    records = []
    while not battle.over:
        records += finished(battle.tick(battle.deadline))
    assert records[0].outcomes[1].by == "bo"


def test_the_battle_message_labels_the_recording(recorded):
    battle = ghost_battle(recorded)
    message = to(battle.start(1000.0), "cy", "battle")[0]
    assert message["recording"] == {"battle": "rec1", "recorded_at": recorded.ended_at}
    assert message["opponent"] == {"id": "bo", "name": "Bo"}


def test_a_live_player_scoring_first_cuts_the_ghost_short(recorded):
    battle = ghost_battle(recorded)
    seen = play_out(battle, 1000.0, {1003.0: lambda b, now: b.answer("cy", 0, "Answer0 Canberra", now)})
    reveal = next(m for _, m in seen if m["type"] == "reveal")
    assert reveal["by"] == "cy"
    # Bo's wrong guess at 2.0 came; the right one at 4.5 never did: the question had closed
    assert [m["action"] for t, m in seen if m["type"] == "opponent" and m["q"] == 0] == ["typed_wrong"]


def test_a_pick_whose_text_is_gone_is_skipped(recorded):
    script = script_from(recorded, "bo", "Bo")
    questions = [make_question(n) for n in range(4)]
    edited = questions[1].__class__(**{**questions[1].__dict__, "wrong": ("A", "B", "C"),
                                       "answer": "Brand new answer"})
    questions[1] = edited
    battle = Battle("g2", (CY, Contender("bo", "Bo")), questions, RULES, rng=random.Random(3), ghost=script)
    battle.start(0.0)
    records = []
    while not battle.over:
        records += finished(battle.tick(battle.deadline))
    assert records[0].outcomes[1].chose["bo"] is None and records[0].outcomes[1].by is None


def test_the_recorded_player_sits_second():
    with pytest.raises(ValueError):
        Battle("g", (Contender("bo", "Bo"), CY), [make_question(0)], RULES,
               ghost=script_from(_complete_record(), "bo", "Bo"))


def _complete_record():
    b = Battle("r", (ANA, BO), [make_question(0)], Rules(questions=1, question_seconds=5, reveal_seconds=1,
                                                          resume_seconds=5, typed_tries=3))
    b.start(0.0)
    return finished(b.answer("bo", 0, "Answer0 Canberra", 1.0))[0]


def test_what_cannot_be_replayed_is_refused():
    record = _complete_record()
    assert replayable(record, "bo") and not replayable(record, "cy")
    forfeit = record.__class__(**{**record.__dict__, "reason": BattleEnd.FORFEIT})
    assert not replayable(forfeit, "bo")
    ghostly = record.__class__(**{**record.__dict__, "recording_of": "older"})
    assert not replayable(ghostly, "bo")
    untimed = record.__class__(**{**record.__dict__, "outcomes": tuple(
        o.__class__(**{**o.__dict__, "typed_at": {}}) for o in record.outcomes)})
    with pytest.raises(NotReplayable):
        script_from(untimed, "bo", "Bo")
