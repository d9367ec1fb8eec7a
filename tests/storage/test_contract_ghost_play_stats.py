"""The storage contract for what a battle against a recorded opponent adds to a question's play
counts (`save_battle`) and to triage's figures (`question_play_stats`), on every adapter.

The recorded player's answers were counted when they really played, so such a battle counts the
live player's side only: the question once more asked, with the live player's result (typed,
choice or nobody), unless the recording took it first: then nothing is added to the counts.
The live player's seat (wrong typed answers, picks, alternatives opened, answer times) counts
whoever scored; the recorded seat never does, and the battle is never an uneven one."""

from __future__ import annotations

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
)

CHOICES = ("Right", "Wrong one", "Wrong two", "Wrong three")


def _question(n: int) -> NewQuestion:
    return NewQuestion(text=f"Recorded-opponent question {n}: which is right?", answer="Right", variants=(),
                       wrong=CHOICES[1:], category="Test")


def _outcomes(live: str, recorded: str, ids: list[str]) -> tuple[QuestionOutcome, ...]:
    q_ghost, q_typed, q_nobody, q_choice = ids
    return (
        # the recording typed it first, after the live player's wrong guess and wrong pick
        QuestionOutcome(q_ghost, by=recorded, how="typed", points=3,
                        typed={live: ["Wrung"], recorded: ["Rihgt", "Right"]},
                        typed_at={live: [2.0], recorded: [3.0, 4.0]}, chose={live: 1}, chose_at={live: 3.5},
                        choices=CHOICES, alternatives_at={live: 3.0}),
        # the live player typed it; the recording had typed a wrong guess before
        QuestionOutcome(q_typed, by=live, how="typed", points=3, typed={live: ["Right"], recorded: ["Left"]},
                        typed_at={live: [5.0], recorded: [1.0]}, choices=CHOICES),
        # nobody scored: the live player picked wrong, the recording typed wrong
        QuestionOutcome(q_nobody, by=None, how=None, points=0, typed={recorded: ["Up"]}, typed_at={recorded: [6.0]},
                        chose={live: 2}, chose_at={live: 7.0}, choices=CHOICES, alternatives_at={live: 6.0}),
        # the live player picked it
        QuestionOutcome(q_choice, by=live, how="choice", points=1, typed={}, chose={live: 0}, chose_at={live: 8.0},
                        choices=CHOICES, alternatives_at={live: 7.5, recorded: 1.0}),
    )


def _battle(battle_id: str, players: tuple[str, str], outcomes, recording_of: str | None) -> BattleRecord:
    live, recorded = players
    return BattleRecord(id=battle_id, player_ids=players, scores={live: 4, recorded: 3}, winner=live,
                        reason=BattleEnd.COMPLETE, started_at=1000.0, ended_at=1100.0, outcomes=outcomes,
                        recording_of=recording_of)


async def _setup(store):
    questions = await store.add_questions([_question(n) for n in range(4)], QuestionStatus.PUBLISHED)
    # far apart in rating: a live battle between them would be an uneven one
    cy = await store.create_player("Cy", guest=False, email="cy@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    await store.set_ratings({bo.id: 1900.0, cy.id: 1500.0})
    return [q.id for q in questions], cy.id, bo.id


async def _counts(store, ids):
    stats = [(await store.get_question(qid)).stats for qid in ids]
    return [(s.asked, s.typed_right, s.choice_right, s.nobody) for s in stats]


async def test_a_battle_against_a_recording_counts_the_live_players_side_in_the_play_counts(store):
    ids, cy, bo = await _setup(store)
    await store.save_battle(_battle("ghost-1", (cy, bo), _outcomes(cy, bo, ids), "battle-0"))
    # the question the recording took is not asked again; the others count as the live player did
    assert await _counts(store, ids) == [(0, 0, 0, 0), (1, 1, 0, 0), (1, 0, 0, 1), (1, 0, 1, 0)]


async def test_the_same_battle_between_two_live_players_counts_both_sides(store):
    ids, cy, bo = await _setup(store)
    await store.save_battle(_battle("live-1", (cy, bo), _outcomes(cy, bo, ids), None))
    assert await _counts(store, ids) == [(1, 1, 0, 0), (1, 1, 0, 0), (1, 0, 0, 1), (1, 0, 1, 0)]


async def test_triage_figures_of_a_battle_against_a_recording_are_the_live_seats(store):
    ids, cy, bo = await _setup(store)
    await store.save_battle(_battle("ghost-1", (cy, bo), _outcomes(cy, bo, ids), "battle-0"))
    figures = {q.id: stats for q, stats in await store.question_play_stats()}
    # the page lists the questions asked: not the one the recording took
    assert set(figures) == set(ids[1:])
    typed, nobody, choice = (figures[qid] for qid in ids[1:])
    assert (typed.asked, typed.typed_right, typed.choice_right, typed.nobody) == (1, 1, 0, 0)
    assert (nobody.asked, nobody.nobody) == (1, 1) and (choice.asked, choice.choice_right) == (1, 1)
    # one seat each: the recording's wrong guesses ("Left", "Up") and its early load are not counted
    assert (typed.typed_seats, typed.wrong_typed, typed.median_answer_seconds) == (1, (), 5.0)
    assert (nobody.typed_seats, nobody.wrong_typed) == (0, ())
    assert (nobody.picks, nobody.wrong_picks, nobody.median_answer_seconds) == (1, (("Wrong two", 1),), 7.0)
    assert (choice.alternatives_known, choice.alternatives_opened, choice.picks) == (1, 1, 1)
    assert all(f.uneven_battles == 0 for f in figures.values())  # 400 points apart, yet never uneven


async def test_triage_counts_the_live_seat_of_a_question_the_recording_took_once_it_is_asked_elsewhere(store):
    ids, cy, bo = await _setup(store)
    await store.save_battle(_battle("ghost-1", (cy, bo), _outcomes(cy, bo, ids), "battle-0"))
    ana = (await store.create_player("Ana", guest=False, email="ana@example.org")).id
    # a live battle asks the first question too: now it is on the page
    live = QuestionOutcome(ids[0], by=None, how=None, points=0, typed={ana: ["Wrong one"]}, typed_at={ana: [9.0]},
                           choices=CHOICES)
    await store.save_battle(BattleRecord(id="live-2", player_ids=(ana, cy), scores={ana: 0, cy: 0}, winner=None,
                                         reason=BattleEnd.COMPLETE, started_at=2000.0, ended_at=2100.0,
                                         outcomes=(live,)))
    figures = {q.id: stats for q, stats in await store.question_play_stats()}
    first = figures[ids[0]]
    assert (first.asked, first.typed_right, first.nobody) == (1, 0, 1)  # the live battle only
    # seats: Cy's against the recording (typed "Wrung", opened, picked "Wrong one"), Ana's and Cy's live
    assert first.typed_seats == 2
    assert dict(first.wrong_typed) == {"wrung": 1, "wrong one": 1}
    assert first.wrong_picks == (("Wrong one", 1),)
    assert (first.alternatives_known, first.alternatives_opened) == (3, 1)
