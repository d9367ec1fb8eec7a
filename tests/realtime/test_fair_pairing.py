"""Fair pairing through the hub: who waits together meets by rating, and not the same opponent twice.

The hub pairs on the loop iteration after arrivals (as before), so pairing adds no wait:
what the ratings decide is who meets whom among the players waiting at that moment
(kwissle/game/matchmaker.py). Ratings are the ones the hub holds (a player's latest battle
here), so queueing costs no store round trip; anyone else counts as unknown (1500, wide).
"""

from __future__ import annotations

from kwissle.model import Rating
from tests.support.hub_driver import START, answer_to, connect, make_hub, paired, send
from tests.support.waiting import eventually


def opponent(conn) -> str:
    return conn.of("battle")[-1]["opponent"]["id"]


async def test_players_waiting_together_meet_by_rating(store, clock):
    hub = make_hub(store, clock)
    # as their latest battles here left them (the hub's `_recent_ratings`)
    for player, rating in (("low", 1200), ("high", 2000), ("low2", 1230), ("high2", 1980)):
        hub._recent_ratings[player] = Rating(rating, 60, 0.06)
    conns = {name: connect(hub, name) for name in ("low", "high", "low2", "high2")}
    for conn in conns.values():  # one burst: all four wait at once
        send(hub, conn, "play")
    await eventually(lambda: all(hub.battle_of(name) for name in conns))
    assert opponent(conns["low"]) == "low2" and opponent(conns["high"]) == "high2"
    await hub.shutdown()


async def test_two_who_just_played_meet_someone_else_when_someone_else_waits(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    clock.now = START + 1
    send(hub, ana, "leave")
    cy = connect(hub, "cy")
    for rounds in range(5):  # whatever the order and the dice: never Ana and Bo again
        for conn in (ana, bo, cy)[rounds % 3:] + (ana, bo, cy)[:rounds % 3]:
            send(hub, conn, "play")
        await eventually(lambda: hub.status()["battles"] == 1)
        pair = {conn.holder.id for conn in (ana, bo, cy) if hub.battle_of(conn.holder.id)}
        assert pair != {"ana", "bo"}
        leaver = next(conn for conn in (ana, bo, cy) if hub.battle_of(conn.holder.id))
        send(hub, leaver, "leave")
        for conn in (ana, bo, cy):
            if conn.holder.id in hub._matchmaker:
                send(hub, conn, "cancel")  # the one left waiting
        # next round as this one: Ana and Bo just played each other, Cy someone else
        hub._matchmaker.played("cy", "someone else")
        hub._matchmaker.played("ana", "bo")
    await hub.shutdown()


async def test_two_who_just_played_meet_again_when_nobody_else_waits(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    first = await paired(hub, ana, bo)
    clock.now = START + 1
    send(hub, ana, "answer", q=0, text=answer_to(ana, 0))
    send(hub, bo, "leave")
    send(hub, ana, "play")
    send(hub, bo, "play")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert hub.battle_of("ana").id != first and opponent(ana) == "bo"
    await hub.shutdown()


async def test_a_lone_waiter_is_paired_with_whoever_comes_whatever_the_gap(store, clock):
    hub = make_hub(store, clock)
    hub._recent_ratings["strong"] = Rating(2600, 45, 0.06)
    strong, guest = connect(hub, "strong"), connect(hub, "guest")
    send(hub, strong, "play")
    clock.now = START + 0.5
    send(hub, guest, "play")
    await eventually(lambda: hub.battle_of("strong") is not None)
    assert opponent(strong) == "guest"
    await hub.shutdown()
