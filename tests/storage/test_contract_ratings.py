"""The storage contract for ratings: a rated battle and its players' new ratings are stored
together or not at all, and a player's rating history reads back from the battles."""

import pytest

from kwissle.model import (
    BattleEnd,
    BattleRecord,
    NewQuestion,
    QuestionOutcome,
    QuestionStatus,
    Rating,
    RatingChange,
)
from kwissle.storage.port import BattleAlreadyStored, StorageError


async def two_players(store):
    """Two signed-in players, and the id of the one stored question their battles ask."""
    [question] = await store.add_questions([NewQuestion(
        text="What is the capital of France?", answer="Paris", variants=(), wrong=("Lyon", "Nice", "Lille"),
        category="Geography")], QuestionStatus.PUBLISHED)
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    return ana, bo, question.id


def rated_battle(battle_id, question_id, ana, bo, ana_after, bo_after, ended_at=2000.0):
    return BattleRecord(
        id=battle_id, player_ids=(ana.id, bo.id), scores={ana.id: 3, bo.id: 0}, winner=ana.id,
        reason=BattleEnd.COMPLETE, started_at=ended_at - 100, ended_at=ended_at,
        outcomes=(QuestionOutcome(question_id=question_id, by=ana.id, how="typed", points=3,
                                  typed={ana.id: ["Paris"], bo.id: []}, chose={ana.id: None, bo.id: None},
                                  typed_at={ana.id: [4.5], bo.id: []}),),
        ratings=(RatingChange(ana.id, ana.glicko, ana_after), RatingChange(bo.id, bo.glicko, bo_after)))


ANA_AFTER = Rating(1741.62, 396.81, 0.0899983)
BO_AFTER = Rating(1258.38, 396.81, 0.0899983)


async def test_a_rated_battle_saved_updates_both_players_ratings_with_it(store):
    ana, bo, question_id = await two_players(store)
    record = rated_battle("b1", question_id, ana, bo, ANA_AFTER, BO_AFTER)
    await store.save_battle(record)
    assert (await store.get_player(ana.id)).glicko == ANA_AFTER
    assert (await store.get_player(bo.id)).glicko == BO_AFTER
    stored = await store.get_battle("b1")
    assert stored.ratings == record.ratings
    assert stored.outcomes[0].typed_at == {ana.id: [4.5], bo.id: []}


async def test_an_unrated_battle_leaves_ratings_alone(store):
    ana, bo, question_id = await two_players(store)
    record = rated_battle("b1", question_id, ana, bo, ANA_AFTER, BO_AFTER)
    await store.save_battle(BattleRecord(**{**record.__dict__, "ratings": ()}))
    assert (await store.get_player(ana.id)).glicko == Rating()
    assert (await store.get_battle("b1")).ratings == ()


async def test_a_save_refused_as_already_stored_changes_no_rating(store):
    ana, bo, question_id = await two_players(store)
    await store.save_battle(rated_battle("b1", question_id, ana, bo, ANA_AFTER, BO_AFTER))
    again = rated_battle("b1", question_id, ana, bo, Rating(2000, 300, 0.09), Rating(1000, 300, 0.09))
    with pytest.raises(BattleAlreadyStored):
        await store.save_battle(again)
    assert (await store.get_player(ana.id)).glicko == ANA_AFTER
    assert (await store.get_player(bo.id)).glicko == BO_AFTER
    assert (await store.get_battle("b1")).ratings[0].after == ANA_AFTER
    assert await store.get_counter("battles_complete") == 1


async def test_a_rating_that_cannot_be_written_leaves_no_battle_and_no_rating(store):
    # The second rating change names a player id no database can take (a lone surrogate):
    # the first player's new rating was written in the same transaction and must roll back.
    ana, bo, question_id = await two_players(store)
    record = rated_battle("b1", question_id, ana, bo, ANA_AFTER, BO_AFTER)
    broken = BattleRecord(**{**record.__dict__, "ratings": (record.ratings[0],
                                                           RatingChange("\ud800", Rating(), BO_AFTER))})
    with pytest.raises(StorageError):
        await store.save_battle(broken)
    assert await store.get_battle("b1") is None
    assert (await store.get_player(ana.id)).glicko == Rating()
    assert await store.get_counter("battles_complete") == 0
    await store.save_battle(record)  # nothing half-saved stands in the way of the real save
    assert (await store.get_player(ana.id)).glicko == ANA_AFTER


async def test_rating_history_is_the_rating_after_each_rated_battle_oldest_first(store):
    ana, bo, question_id = await two_players(store)
    carol = await store.create_player("Carol", guest=False, email="carol@example.org")
    steps = [Rating(1700, 400, 0.09), Rating(1650, 350, 0.09), Rating(1690, 300, 0.09)]
    # saved out of order: the history follows when the battles ended
    await store.save_battle(rated_battle("b2", question_id, ana, bo, steps[1], BO_AFTER, ended_at=3000.0))
    await store.save_battle(rated_battle("b1", question_id, ana, bo, steps[0], BO_AFTER, ended_at=2000.0))
    carols = Rating(1400, 400, 0.09)
    await store.save_battle(rated_battle("b3", question_id, ana, carol, steps[2], carols, ended_at=4000.0))
    unrated = rated_battle("b4", question_id, ana, bo, ANA_AFTER, BO_AFTER, ended_at=5000.0)
    await store.save_battle(BattleRecord(**{**unrated.__dict__, "ratings": ()}))
    assert await store.rating_history(ana.id) == [(2000.0, steps[0]), (3000.0, steps[1]), (4000.0, steps[2])]
    assert await store.rating_history(ana.id, limit=2) == [(3000.0, steps[1]), (4000.0, steps[2])]
    assert await store.rating_history(carol.id) == [(4000.0, carols)]
    assert await store.rating_history(bo.id) == [(2000.0, BO_AFTER), (3000.0, BO_AFTER)]
    assert await store.rating_history("nobody") == []


async def test_a_battle_stored_late_never_undoes_a_later_battles_rating(store):
    """The results writer retries and the worker takes back spilled battles: saves may come out of order."""
    ana, bo, question_id = await two_players(store)
    later = rated_battle("b2", question_id, ana, bo, Rating(1800.0, 300.0, 0.09), Rating(1200.0, 300.0, 0.09),
                         ended_at=3000.0)
    await store.save_battle(later)
    await store.save_battle(rated_battle("b1", question_id, ana, bo, ANA_AFTER, BO_AFTER, ended_at=2000.0))
    assert (await store.get_player(ana.id)).glicko == Rating(1800.0, 300.0, 0.09)
    assert (await store.get_player(bo.id)).glicko == Rating(1200.0, 300.0, 0.09)
    assert [r.rating for _, r in await store.rating_history(ana.id)] == [ANA_AFTER.rating, 1800.0]
