"""The storage contract for recorded opponents, on every adapter.

`recordings_for` lists the battles a recording may be taken from; a battle against a
recording (`recording_of` set; `player_ids` = (the live player, the recorded one)) is the
live player's alone: in their profile and history, never in the recorded player's, on no
board, never rated. The league is tests/storage/boards_scenario.py (battle-1 Ana beats Bo,
battle-2 a forfeit, battle-3 a draw, battle-4 abandoned, battle-5 the guest beats Bo).
"""

from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome
from tests.storage.boards_scenario import build_league

NOW = 1_000_000.0


def _against_recording(battle_id, live, recorded, recording_of, question_ids, winner, ended_at):
    """A battle `live` played against `recorded`'s recording: the winner took every question by typing."""
    outcomes = tuple(QuestionOutcome(question_id=q, by=winner, how="typed", points=3,
                                     typed={winner: ["it"]}, typed_at={winner: [2.0]}, chose={live: None},
                                     choices=("a", "b", "c", "d"))
                     for q in question_ids)
    scores = {live: 0, recorded: 0, winner: 3 * len(outcomes)}
    return BattleRecord(id=battle_id, player_ids=(live, recorded), scores=scores, winner=winner,
                        reason=BattleEnd.COMPLETE, started_at=ended_at - 60, ended_at=ended_at,
                        outcomes=outcomes, recording_of=recording_of)


async def _snapshot(store, player_id):
    profile = await store.player_profile(player_id)
    return ((profile.battles, profile.wins, profile.draws, profile.losses, profile.typed_right,
             profile.typed_tried, profile.categories, [b.id for b in profile.recent]),
            [b.id for b in await store.recent_battles(player_id)],
            await store.last_seen_questions([player_id]),
            await store.recent_question_ids(player_id),
            (await store.get_player(player_id)).glicko)


async def test_recordings_are_the_newest_complete_live_battles_with_names(store):
    league = await build_league(store, now=NOW)
    everyone = await store.recordings_for(None, 10)
    assert [r.record.id for r in everyone] == ["battle-5", "battle-3", "battle-1"]  # no forfeit, no abandoned
    first = everyone[-1]
    assert first.record == league.battles["battle-1"]
    assert first.names == {league.ana.id: "Ana", league.bo.id: "Bo"}
    assert everyone[0].names[league.guest.id] == "Quiet Heron"
    assert [r.record.id for r in await store.recordings_for(None, 2)] == ["battle-5", "battle-3"]
    assert await store.recordings_for(None, 0) == []


async def test_a_player_is_never_offered_a_battle_of_their_own(store):
    league = await build_league(store, now=NOW)
    assert [r.record.id for r in await store.recordings_for(league.guest.id, 10)] == ["battle-3", "battle-1"]
    assert await store.recordings_for(league.bo.id, 10) == []  # Bo played every complete one
    assert [r.record.id for r in await store.recordings_for("someone-new", 10)] == ["battle-5", "battle-3",
                                                                                      "battle-1"]


async def test_a_battle_against_a_recording_is_not_itself_a_recording(store):
    league = await build_league(store, now=NOW)
    cy = await store.create_player("Cy", guest=False, email="cy@example.org")
    await store.save_battle(_against_recording("ghost-1", cy.id, league.bo.id, "battle-1", league.science[:2],
                                               league.bo.id, NOW - 10))
    assert "ghost-1" not in [r.record.id for r in await store.recordings_for(None, 10)]


async def test_a_battle_against_a_recording_is_the_live_player_s_only(store):
    league = await build_league(store, now=NOW)
    cy = await store.create_player("Cy", guest=False, email="cy@example.org")
    bo_before = await _snapshot(store, league.bo.id)
    ana_before = await _snapshot(store, league.ana.id)
    wins_before = await store.most_wins_since(0)
    best_before = await store.best_per_category(1)
    # Cy loses to Bo's recording, then beats Ana's
    lost = _against_recording("ghost-1", cy.id, league.bo.id, "battle-1", league.science[:3], league.bo.id, NOW - 10)
    won = _against_recording("ghost-2", cy.id, league.ana.id, "battle-1", league.art[:3], cy.id, NOW - 5)
    await store.save_battle(lost)
    await store.save_battle(won)

    assert await store.get_battle("ghost-1") == lost  # marked, seats kept: (the live player, the recorded one)
    # nowhere the recorded players look: not their profile, history, questions seen, rating
    assert await _snapshot(store, league.bo.id) == bo_before
    assert await _snapshot(store, league.ana.id) == ana_before
    # in the live player's history, as a loss and a win, never rated
    profile = await store.player_profile(cy.id)
    assert (profile.battles, profile.wins, profile.losses) == (2, 1, 1)
    assert [b.id for b in profile.recent] == ["ghost-2", "ghost-1"]
    assert [b.recording_of for b in await store.recent_battles(cy.id)] == ["battle-1", "battle-1"]
    assert set(await store.last_seen_questions([cy.id])) == {*league.science[:3], *league.art[:3]}
    assert (await store.get_player(cy.id)).glicko == cy.glicko and await store.rating_history(cy.id) == []
    # on no board: Bo's win over Cy and Cy's over Ana's recording count for nobody
    assert await store.most_wins_since(0) == wins_before
    assert await store.best_per_category(1) == best_before
