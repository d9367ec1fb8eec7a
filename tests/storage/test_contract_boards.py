"""The storage contract for the profile page and the leaderboards, on every adapter.

The league (tests/storage/boards_scenario.py), worked out by hand:
- battle-1 Ana beats Bo: Ana takes 4 of 5 Science (3 typed, 1 picked) and 1 of 5 Art;
- battle-2 Bo beats Ana by forfeit (one Science question, Bo's);
- battle-3 a draw (one Art question nobody took);
- battle-4 Ana and a guest, abandoned: counts nowhere, but is listed among the recent battles;
- battle-5 the guest beats Bo (one Science question).
"""

import pytest

from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome
from kwissle.model.profiles import MIN_CATEGORY_QUESTIONS
from tests.storage.boards_scenario import ART, SCIENCE, build_league

NOW = 1_000_000.0


async def test_a_profile_counts_results_accuracy_and_answer_time_without_abandoned_battles(store):
    league = await build_league(store, now=NOW)
    profile = await store.player_profile(league.ana.id)

    assert profile.player == league.ana
    assert (profile.battles, profile.wins, profile.draws, profile.losses) == (3, 1, 1, 1)
    # typed in battle-1 on s0, s1, s4, r1, r4 (an empty list on s3 is not a try); took s0, s1, s4, r4
    assert (profile.typed_right, profile.typed_tried) == (4, 5)
    assert (profile.choice_right, profile.choice_tried) == (1, 2)
    # final answers: s0 2.0, s1 3.0 (the later of two tries), s2 5.0, s4 1.0, r0 2.0, r1 7.0, r4 3.0;
    # the abandoned battle's 9.0 is left out
    assert profile.average_answer_seconds == pytest.approx(23 / 7)
    by_category = {c.category: (c.right, c.asked) for c in profile.categories}
    assert by_category == {SCIENCE: (4, 6), ART: (1, 6)}
    assert profile.strongest.category == SCIENCE and profile.weakest.category == ART
    assert [b.id for b in profile.recent] == ["battle-4", "battle-3", "battle-2", "battle-1"]


async def test_the_other_side_of_the_same_battles_adds_up_for_the_opponent(store):
    league = await build_league(store, now=NOW)
    profile = await store.player_profile(league.bo.id)

    assert (profile.battles, profile.wins, profile.draws, profile.losses) == (4, 1, 1, 2)
    assert (profile.typed_right, profile.typed_tried) == (4, 4)
    # Bo's pick on s2 was None (never picked): not a try
    assert (profile.choice_right, profile.choice_tried) == (1, 1)
    assert profile.average_answer_seconds == pytest.approx((4.0 + 6.0 + 2.0 + 2.5 + 1.5) / 5)
    assert {c.category: (c.right, c.asked) for c in profile.categories} == {SCIENCE: (2, 7), ART: (3, 6)}
    assert profile.strongest.category == ART and profile.weakest.category == SCIENCE


async def test_a_player_with_no_battles_has_an_empty_profile_and_an_unknown_id_none(store):
    newcomer = await store.create_player("Newcomer", guest=False, email="new@example.org")
    profile = await store.player_profile(newcomer.id)
    assert (profile.battles, profile.wins, profile.draws, profile.losses) == (0, 0, 0, 0)
    assert profile.average_answer_seconds is None and profile.typed_accuracy is None
    assert profile.categories == () and profile.recent == []
    assert profile.strongest is None and profile.weakest is None
    assert await store.player_profile("no-such-player") is None


async def test_a_guest_has_a_profile_too(store):
    league = await build_league(store, now=NOW)
    profile = await store.player_profile(league.guest.id)
    assert profile.player.guest
    assert (profile.battles, profile.wins, profile.losses) == (1, 1, 0)  # the abandoned battle is not one
    assert [b.id for b in profile.recent] == ["battle-5", "battle-4"]


async def test_a_category_needs_enough_questions_to_be_named_strongest(store):
    league = await build_league(store, now=NOW)
    extra = await store.create_player("Cy", guest=False, email="cy@example.org")
    await store.save_battle(BattleRecord(
        id="battle-6", player_ids=(extra.id, league.ana.id), scores={extra.id: 3, league.ana.id: 0},
        winner=extra.id, reason=BattleEnd.COMPLETE, started_at=NOW - 60, ended_at=NOW,
        outcomes=(QuestionOutcome(league.science[2], extra.id, "typed", 3, {extra.id: ["x"]}),)))
    profile = await store.player_profile(extra.id)
    assert [(c.category, c.right, c.asked) for c in profile.categories] == [(SCIENCE, 1, 1)]
    assert 1 < MIN_CATEGORY_QUESTIONS and profile.strongest is None


async def test_rating_history_follows_the_rated_battles_oldest_first(store):
    league = await build_league(store, now=NOW)
    history = await store.rating_history(league.ana.id, 10)
    assert [(at, r.rating, r.deviation) for at, r in history] == [(NOW - 500, 1700.0, 90.0), (NOW - 400, 1650.0, 85.0)]
    assert await store.rating_history(league.guest.id, 10) == []


async def test_top_rated_lists_signed_in_players_past_their_provisional_rating_best_first(store):
    league = await build_league(store, now=NOW)
    await store.create_player("Provisional Pat", guest=False, email="pat@example.org")  # deviation 500
    top = await store.top_rated()
    assert [(p.name, p.rating) for p in top] == [("Ana", 1650.0), ("Bo", 1350.0)]
    assert [p.id for p in await store.top_rated(limit=1)] == [league.ana.id]


async def test_most_wins_since_counts_signed_in_winners_of_battles_ended_since(store):
    league = await build_league(store, now=NOW)
    # since battle-2: Bo's forfeit win; the draw, the abandoned battle and the guest's win do not count
    assert [(p.name, wins) for p, wins in await store.most_wins_since(NOW - 450)] == [("Bo", 1)]
    # since the start: one win each, ties by name
    assert [(p.name, wins) for p, wins in await store.most_wins_since(0.0)] == [("Ana", 1), ("Bo", 1)]
    await store.save_battle(BattleRecord(
        id="battle-7", player_ids=(league.bo.id, league.ana.id), scores={league.bo.id: 0, league.ana.id: 0},
        winner=league.bo.id, reason=BattleEnd.FORFEIT, started_at=NOW - 10, ended_at=NOW, outcomes=()))
    assert [(p.name, wins) for p, wins in await store.most_wins_since(0.0)] == [("Bo", 2), ("Ana", 1)]
    assert [(p.name, wins) for p, wins in await store.most_wins_since(0.0, limit=1)] == [("Bo", 2)]
    assert await store.most_wins_since(NOW + 1) == []


async def test_best_per_category_is_the_best_accuracy_among_signed_in_players_with_enough_questions(store):
    league = await build_league(store, now=NOW)
    best = await store.best_per_category(min_answered=5)
    assert {category: (p.name, right, asked) for category, (p, right, asked) in best.items()} == {
        SCIENCE: ("Ana", 4, 6), ART: ("Bo", 3, 6)}
    assert best[SCIENCE][0] == league.ana
    # at 7 only Bo has met enough Science questions, and nobody enough Art ones
    best = await store.best_per_category(min_answered=7)
    assert {category: (p.name, right, asked) for category, (p, right, asked) in best.items()} == {
        SCIENCE: ("Bo", 2, 7)}


async def test_boards_of_an_empty_store_are_empty(store):
    assert await store.top_rated() == []
    assert await store.most_wins_since(0.0) == []
    assert await store.best_per_category() == {}
