"""The hub hands each signed-in player's rating to the battle, and trusts the rating it
computed itself over the store's while the results writer still holds the battle.

Driven directly: fake connections, a hand-held clock, a real SQLite store (wrapped by
`FailingSaves` where the store must not have the first battle yet).
"""

from __future__ import annotations

import asyncio

from kwissle.game import glicko2
from kwissle.model import Rating
from kwissle.realtime.results import ResultsWriter
from kwissle.realtime.tickets import TicketHolder
from tests.support.hub_driver import (
    FailingSaves,
    FakeConnection,
    answer_to,
    make_hub,
    paired,
    send,
)
from tests.support.waiting import eventually


async def accounts(store):
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    return ana, bo


def signed_in(hub, player) -> FakeConnection:
    conn = FakeConnection(hub, TicketHolder(id=player.id, name=player.name, guest=False))
    hub.join(conn, conn.holder)
    return conn


def guest(hub, player_id) -> FakeConnection:
    conn = FakeConnection(hub, TicketHolder(id=player_id, name=player_id.title(), guest=True))
    hub.join(conn, conn.holder)
    return conn


async def quick_sleep(seconds: float) -> None:
    await asyncio.sleep(0.001)


async def test_battles_start_with_the_stored_ratings_of_signed_in_players(store, clock):
    ana, bo = await accounts(store)
    await store.set_ratings({bo.id: 1720.0})
    hub = make_hub(store, clock)
    first, second = signed_in(hub, ana), signed_in(hub, bo)
    await paired(hub, first, second)
    contenders = {p.id: p.rating for p in hub.battle_of(ana.id).players}
    assert contenders == {ana.id: Rating(), bo.id: Rating(1720.0, 500.0, 0.09)}
    await hub.shutdown()


async def test_a_rated_battle_ends_with_both_rating_changes_and_the_store_gets_them(store, clock):
    ana, bo = await accounts(store)
    hub = make_hub(store, clock)
    first, second = signed_in(hub, ana), signed_in(hub, bo)
    battle_id = await paired(hub, first, second)
    send(hub, first, "answer", q=0, text=answer_to(first, 0))
    send(hub, second, "leave")
    end = second.of("end")[0]
    assert end["ratings"][ana.id]["before"] == 1500 and end["ratings"][ana.id]["after"] > 1700
    assert end["ratings"][bo.id]["after"] < 1300 and end["ratings"][bo.id]["provisional"]
    await eventually(lambda: hub.status()["unsaved"] == 0)
    stored = {p.id: (await store.get_player(p.id)).glicko for p in (ana, bo)}
    assert stored[ana.id] == glicko2.update(Rating(), Rating(), glicko2.WIN)
    assert stored[bo.id] == glicko2.update(Rating(), Rating(), glicko2.LOSS)
    assert {c.player_id: c.after for c in (await store.get_battle(battle_id)).ratings} == stored
    await hub.shutdown()


async def test_a_second_battle_starts_from_the_hubs_own_ratings_before_the_store_has_the_first(store, clock):
    ana, bo = await accounts(store)
    failing = FailingSaves(store)  # the results writer cannot store the first battle yet
    hub = make_hub(failing, clock, results=ResultsWriter(failing, sleep=quick_sleep, max_retry=0.01))
    first, second = signed_in(hub, ana), signed_in(hub, bo)
    await paired(hub, first, second)
    send(hub, second, "leave")  # bo forfeits: ana wins the first battle
    after_first = {c.player_id: c.after for c in hub.results._queue[0].ratings}
    await eventually(lambda: failing.attempts >= 2)
    assert (await store.get_player(ana.id)).glicko == Rating()  # the store still has the old ratings

    clock.advance(clock.now + 60)
    await paired(hub, first, second)
    contenders = {p.id: p.rating for p in hub.battle_of(ana.id).players}
    assert contenders == after_first
    send(hub, first, "leave")  # now ana forfeits
    end = first.of("end")[-1]
    assert end["ratings"][ana.id]["before"] == round(after_first[ana.id].rating)
    after_second = {c.player_id: c.after for c in hub.results._queue[-1].ratings}
    assert after_second[ana.id] == glicko2.update(after_first[ana.id], after_first[bo.id], glicko2.LOSS)

    failing.healthy = True
    await eventually(lambda: hub.status()["unsaved"] == 0)
    for player in (ana, bo):  # both battles stored in order: the store ends at the second's ratings
        assert (await store.get_player(player.id)).glicko == after_second[player.id]
        assert [rating for _, rating in await store.rating_history(player.id)] == [
            after_first[player.id], after_second[player.id]]
    await hub.shutdown()


async def test_a_battle_against_a_guest_is_unrated_and_changes_no_rating(store, clock):
    ana, _ = await accounts(store)
    hub = make_hub(store, clock)
    first, second = signed_in(hub, ana), guest(hub, "visitor")
    battle_id = await paired(hub, first, second)
    assert {p.id: p.rating for p in hub.battle_of(ana.id).players} == {ana.id: Rating(), "visitor": None}
    send(hub, second, "leave")
    assert "ratings" not in first.of("end")[0]
    await eventually(lambda: hub.status()["unsaved"] == 0)
    assert (await store.get_battle(battle_id)).ratings == ()
    assert (await store.get_player(ana.id)).glicko == Rating()
    await hub.shutdown()
