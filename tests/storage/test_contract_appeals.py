"""The storage contract for answer appeals: stored once per battle, player, question and folded
text; grouped by question and text for the moderators (worst first); resolved together; a
player's own, newest first. Runs on every adapter (the `store` fixture of conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import NewQuestion
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.storage.checking import new_id
from kwissle.textfold import fold


def question(n: int) -> NewQuestion:
    return NewQuestion(text=f"Appeal question number {n}: which city is it?", answer=f"Lusaka{n}", variants=(),
                       wrong=(f"Harare{n}", f"Nairobi{n}", f"Kampala{n}"), category="Geography")


def appeal(question_id: str, player_id: str, battle_id: str, text: str, at: float = 0.0) -> Appeal:
    return Appeal(id=new_id(), question_id=question_id, player_id=player_id, battle_id=battle_id, text=text,
                  folded=fold(text), created_at=at or 1_700_000_000.0)


async def test_an_appeal_is_stored_once_and_grouped_by_folded_text(store):
    [q1, q2] = await store.add_questions([question(1), question(2)])
    assert await store.add_appeals([appeal(q1.id, "ana", "b1", "Lusaka City", 1.0),
                                    appeal(q1.id, "ana", "b1", "Lusakka", 1.0)]) == 2
    # the same appeal again (a retry) counts once
    assert await store.add_appeals([appeal(q1.id, "ana", "b1", "lusaka city!", 2.0)]) == 0
    assert await store.add_appeals([appeal(q1.id, "bo", "b2", "LUSAKA  city", 3.0)]) == 1
    assert await store.add_appeals([appeal(q1.id, "bo", "b3", "Lusaka city", 4.0)]) == 1  # another battle
    assert await store.add_appeals([appeal(q2.id, "cy", "b4", "Harare2", 5.0)]) == 1
    groups = await store.open_appeals_by_answer()
    assert [(g.question_id, g.folded, g.text, g.players, g.appeals) for g in groups] == [
        (q1.id, "lusaka city", "Lusaka City", 2, 3),  # two players (bo twice): the worst
        (q2.id, "harare2", "Harare2", 1, 1),  # one player, latest appeal
        (q1.id, "lusakka", "Lusakka", 1, 1),
    ]
    assert groups[0].first_at == 1.0 and groups[0].last_at == 4.0
    assert [g.folded for g in await store.open_appeals_by_answer(limit=1)] == ["lusaka city"]
    assert await store.open_appeals_by_answer(limit=0) == []
    assert await store.open_appeal_counts() == {q1.id: 4, q2.id: 1}


async def test_resolving_a_group_resolves_every_open_appeal_of_that_text_and_only_it(store):
    [q1, q2] = await store.add_questions([question(1), question(2)])
    await store.add_appeals([appeal(q1.id, "ana", "b1", "Lusaka City", 1.0), appeal(q1.id, "ana", "b1", "Lusakka")])
    await store.add_appeals([appeal(q1.id, "bo", "b2", "lusaka city", 2.0)])
    await store.add_appeals([appeal(q2.id, "bo", "b2", "lusaka city", 2.0)])  # same text, another question
    assert await store.resolve_appeals(q1.id, "lusaka city", AppealStatus.ACCEPTED, "mod", "", 10.0) == 2
    assert await store.resolve_appeals(q1.id, "lusaka city", AppealStatus.DECLINED, "mod2", "late", 11.0) == 0
    assert await store.resolve_appeals(q1.id, "lusakka", AppealStatus.DECLINED, "mod", "a typo too far", 12.0) == 1
    assert [(g.question_id, g.folded) for g in await store.open_appeals_by_answer()] == [(q2.id, "lusaka city")]
    ana = await store.appeals_of_player("ana")
    assert {(a.folded, a.status, a.note, a.resolved_by, a.resolved_at) for a in ana} == {
        ("lusaka city", AppealStatus.ACCEPTED, "", "mod", 10.0),
        ("lusakka", AppealStatus.DECLINED, "a typo too far", "mod", 12.0)}
    with pytest.raises(ValueError):
        await store.resolve_appeals(q2.id, "lusaka city", AppealStatus.OPEN, "mod", "", 13.0)
    assert await store.open_appeal_counts() == {q2.id: 1}


async def test_a_players_appeals_come_newest_first_with_what_they_typed(store):
    [q1] = await store.add_questions([question(1)])
    await store.add_appeals([appeal(q1.id, "ana", "b1", "Lusaka Town", 1.0)])
    await store.add_appeals([appeal(q1.id, "ana", "b2", "Lusaca", 2.0)])
    await store.add_appeals([appeal(q1.id, "bo", "b2", "Lusaca", 3.0)])
    mine = await store.appeals_of_player("ana")
    assert [(a.text, a.battle_id, a.status, a.question_id) for a in mine] == [
        ("Lusaca", "b2", AppealStatus.OPEN, q1.id), ("Lusaka Town", "b1", AppealStatus.OPEN, q1.id)]
    assert [a.text for a in await store.appeals_of_player("ana", limit=1)] == ["Lusaca"]
    assert await store.appeals_of_player("nobody") == []


async def test_two_moderators_resolving_one_group_at_once_resolve_each_appeal_once(store):
    [q1] = await store.add_questions([question(1)])
    for n in range(5):
        await store.add_appeals([appeal(q1.id, f"p{n}", f"b{n}", "Lusaka City", float(n + 1))])
    results = await asyncio.gather(
        store.resolve_appeals(q1.id, "lusaka city", AppealStatus.ACCEPTED, "mod1", "", 10.0),
        store.resolve_appeals(q1.id, "lusaka city", AppealStatus.DECLINED, "mod2", "no", 10.0))
    assert sorted(results) == [0, 5]
    statuses = {a.status for n in range(5) for a in await store.appeals_of_player(f"p{n}")}
    assert len(statuses) == 1  # all by whichever moderator was first, none by both
