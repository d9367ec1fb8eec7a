"""Rematch offers on the hub, driven directly with a hand-held clock: offer, accept (a new battle
between the same two, on fresh questions), decline, withdraw, expiry, the refusals, and the
offer ending when a player leaves or starts something else."""

from __future__ import annotations

import pytest

from kwissle.game.events import ActionRefused
from kwissle.realtime.hub import Hub
from tests.support.hub_driver import connect, make_hub, paired, send
from tests.support.waiting import eventually


async def finished_battle(hub: Hub, clock, a, b) -> str:
    battle_id = await paired(hub, a, b)
    send(hub, a, "leave")
    assert hub.battle_of("ana") is None and a.of("end")[-1]["id"] == battle_id
    return battle_id


@pytest.fixture
async def two(store, clock):
    hub = make_hub(store, clock)
    a, b = connect(hub, "ana"), connect(hub, "bo")
    await finished_battle(hub, clock, a, b)
    yield hub, a, b
    await hub.shutdown()


def refused(hub: Hub, conn, kind: str) -> str:
    """The code a message is refused with (the channel sends it as an `error`)."""
    with pytest.raises(ActionRefused) as refusal:
        send(hub, conn, kind)
    return refusal.value.code


async def test_offer_then_accept_starts_a_new_battle_on_fresh_questions(two, clock):
    hub, a, b = two
    first_questions = {m["text"] for m in a.of("question")}
    send(hub, a, "rematch")
    offer = {"type": "rematch_offer", "from": "ana", "seconds": 30.0}
    assert a.of("rematch_offer") == [offer] and b.of("rematch_offer") == [offer]
    send(hub, b, "rematch")
    await eventually(lambda: hub.battle_of("ana") is not None)
    battle = hub.battle_of("ana")
    assert battle is hub.battle_of("bo")
    assert len(a.of("battle")) == 2 and a.of("battle")[-1]["opponent"]["id"] == "bo"
    new_question = a.of("question")[-1]
    assert new_question["q"] == 0 and new_question["text"] not in first_questions
    assert a.of("rematch_over") == [] and b.of("rematch_over") == []
    assert len(hub.rematches) == 0
    assert len(clock.timers) == 1  # the offer's timer is gone: only the new battle's deadline


async def test_all_questions_of_the_rematch_are_new_to_both(two, clock):
    hub, a, b = two
    seen = {m["text"] for m in a.of("question")} | {m["text"] for m in b.of("question")}
    send(hub, b, "rematch")
    send(hub, a, "rematch")
    await eventually(lambda: hub.battle_of("bo") is not None)
    battle = hub.battle_of("bo")
    texts = {q.text for q in battle._questions}
    assert texts.isdisjoint(seen)


async def test_decline_by_the_other_or_withdrawal_by_the_offerer(two):
    hub, a, b = two
    send(hub, a, "rematch")
    send(hub, b, "decline_rematch")
    assert a.of("rematch_over") == b.of("rematch_over") == [{"type": "rematch_over", "reason": "declined"}]
    send(hub, b, "rematch")  # a new offer, the other way
    send(hub, b, "decline_rematch")  # withdrawn
    assert [m["reason"] for m in a.of("rematch_over")] == ["declined", "declined"]
    assert refused(hub, a, "decline_rematch") == "no_rematch"
    assert len(hub.rematches) == 0 and hub.battle_of("ana") is None


async def test_the_offer_expires_on_the_clock(two, clock):
    hub, a, b = two
    send(hub, a, "rematch")
    clock.advance(clock.now + 29.9)
    assert b.of("rematch_over") == []
    clock.advance(clock.now + 0.2)
    assert a.of("rematch_over") == b.of("rematch_over") == [{"type": "rematch_over", "reason": "expired"}]
    send(hub, b, "rematch")  # no offer to accept any more: a new offer of its own
    assert b.of("rematch_offer")[-1]["from"] == "bo"


async def test_offering_twice_is_refused_and_changes_nothing(two, clock):
    hub, a, b = two
    send(hub, a, "rematch")
    armed = dict(clock.timers)
    assert refused(hub, a, "rematch") == "already_offered"
    assert len(b.of("rematch_offer")) == 1 and clock.timers == armed


async def test_no_rematch_without_a_finished_battle(store, clock):
    hub = make_hub(store, clock)
    a = connect(hub, "ana")
    assert refused(hub, a, "rematch") == "no_rematch"
    assert refused(hub, a, "decline_rematch") == "no_rematch"
    await hub.shutdown()


async def test_offer_to_a_gone_player_is_refused(two):
    hub, a, b = two
    b.close()
    assert refused(hub, a, "rematch") == "no_rematch"
    assert a.of("rematch_offer") == []


async def test_the_offer_ends_left_when_a_player_goes(two):
    hub, a, b = two
    send(hub, a, "rematch")
    b.close()
    assert a.of("rematch_over") == [{"type": "rematch_over", "reason": "left"}]
    assert len(hub.rematches) == 0


async def test_the_offer_ends_busy_when_a_player_queues(two):
    hub, a, b = two
    send(hub, a, "rematch")
    send(hub, b, "play")
    assert a.of("rematch_over") == b.of("rematch_over") == [{"type": "rematch_over", "reason": "busy"}]
    assert refused(hub, a, "rematch") == "no_rematch"  # the opponent now waits for someone else


async def test_the_offer_ends_busy_when_a_player_starts_another_battle(two):
    hub, a, b = two
    c = connect(hub, "cy")
    send(hub, a, "rematch")
    await paired(hub, a, c)  # `play` ends it already; the new battle would too
    assert b.of("rematch_over") == [{"type": "rematch_over", "reason": "busy"}]
    assert refused(hub, a, "rematch") == "in_battle"


async def test_rematch_while_draining_is_refused(two):
    hub, a, _ = two
    hub._draining = True
    assert refused(hub, a, "rematch") == "shutting_down"
    hub._draining = False


async def test_a_rematch_where_one_leaves_while_it_is_prepared_tells_the_other(store, clock):
    from tests.support.hub_driver import GatedStore

    gated = GatedStore(store)
    gated.gate.set()
    hub = make_hub(gated, clock)
    a, b = connect(hub, "ana"), connect(hub, "bo")
    await finished_battle(hub, clock, a, b)
    gated.gate.clear()
    gated.picking.clear()
    send(hub, a, "rematch")
    send(hub, b, "rematch")
    await gated.picking.wait()
    b.close()
    gated.gate.set()
    await eventually(lambda: a.of("rematch_over"))
    assert a.of("rematch_over") == [{"type": "rematch_over", "reason": "left"}]
    assert hub.battle_of("ana") is None and "ana" not in hub._matchmaker
    await hub.shutdown()


async def test_a_rematch_opens_its_first_question_after_the_intro_on_the_hubs_timer(store, clock):
    from dataclasses import replace

    from tests.support.hub_driver import RULES

    hub = make_hub(store, clock)
    hub.rules = replace(RULES, intro_seconds=2.0)
    a, b = connect(hub, "ana"), connect(hub, "bo")
    await finished_battle(hub, clock, a, b)
    send(hub, a, "rematch")
    send(hub, b, "rematch")
    await eventually(lambda: hub.battle_of("ana") is not None)
    started = clock.now
    assert a.of("battle")[-1]["starts_in"] == 2.0
    questions_before = len(a.of("question"))
    with pytest.raises(ActionRefused) as refusal:
        send(hub, a, "answer", q=0, text="anything")
    assert refusal.value.code == "question_closed"
    clock.advance(started + 1.9)
    assert len(a.of("question")) == questions_before
    clock.advance(started + 2.0)
    assert a.of("question")[-1]["q"] == 0 and a.of("question")[-1]["seconds"] == 15.0
    await hub.shutdown()
