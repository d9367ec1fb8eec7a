"""Challenge links on the hub, driven directly with a hand-held clock and a real SQLite store:
the creator and a guest meet and battle on the challenge's category; the challenge is used up
once; a third player, an unknown, expired or used code are refused; expiry while waiting;
cancel; and the refusals that leave everything as it was."""

from __future__ import annotations

import asyncio
import time

import pytest

from kwissle.game.events import ActionRefused
from kwissle.model import Challenge, NewQuestion, QuestionStatus
from kwissle.realtime.hub import Hub
from tests.support.hub_driver import connect, make_hub, send
from tests.support.waiting import eventually

WALL = time.time()


async def stored(store, code="Xk3v9QmT2pLw", creator="ana", category=None, minutes=30) -> Challenge:
    challenge = Challenge(code=code, creator_id=creator, creator_name=creator.title(), category=category,
                          created_at=WALL, expires_at=WALL + minutes * 60)
    await store.create_challenge(challenge)
    return challenge


@pytest.fixture
async def hub(store, clock):
    hub = make_hub(store, clock)
    hub.challenges.wall_clock = lambda: WALL + (clock.now - 1000.0)  # the wall clock moves with the hand-held one
    yield hub
    await hub.shutdown()


def refused(hub: Hub, conn, kind: str, **fields) -> str:
    with pytest.raises(ActionRefused) as refusal:
        send(hub, conn, kind, **fields)
    return refusal.value.code


async def test_the_creator_and_a_guest_meet_and_the_challenge_is_used(hub, store):
    await stored(store)
    a, b = connect(hub, "ana"), connect(hub, "bo")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("challenge_waiting"))
    assert a.of("challenge_waiting") == [{"type": "challenge_waiting", "code": "Xk3v9QmT2pLw", "expires_in": 1800.0}]
    assert hub.battle_of("ana") is None
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: hub.battle_of("ana") is not None)
    battle = hub.battle_of("ana")
    assert battle is hub.battle_of("bo")
    assert a.of("battle")[0]["opponent"] == {"id": "bo", "name": "Bo"}
    assert b.of("challenge_waiting")[0]["code"] == "Xk3v9QmT2pLw"
    assert b.of("question")[0]["q"] == 0
    used = await store.get_challenge("Xk3v9QmT2pLw")
    assert used.battle_id == battle.id
    assert len(hub.challenges) == 0


async def test_the_guest_may_come_first(hub, store):
    await stored(store)
    a, b = connect(hub, "ana"), connect(hub, "bo")
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: b.of("challenge_waiting"))
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: hub.battle_of("bo") is not None)


async def test_the_category_is_respected(hub, store):
    await store.add_questions([
        NewQuestion(text=f"Which river number {n}?", answer=f"River{n} Nile", variants=(),
                    wrong=(f"Amazon{n}", f"Volga{n}", f"Rhine{n}"), category="Rivers") for n in range(12)
    ], QuestionStatus.PUBLISHED)
    await hub.questions.refresh()
    await stored(store, category="Rivers")
    a, b = connect(hub, "ana"), connect(hub, "bo")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert {q.category for q in hub.battle_of("ana")._questions} == {"Rivers"}
    assert a.of("question")[0]["category"] == "Rivers"


async def test_a_third_player_is_refused_once_it_is_taken(hub, store):
    await stored(store)
    a, b, c = connect(hub, "ana"), connect(hub, "bo"), connect(hub, "cy")
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    send(hub, c, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: c.of("challenge_waiting"))
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert hub.battle_of("ana") is hub.battle_of("bo")  # first come, first served
    assert [m["code"] for m in c.of("error")] == ["challenge_used"]
    assert hub.battle_of("cy") is None and not hub.challenges.is_waiting("cy")
    d = connect(hub, "dee")
    send(hub, d, "challenge", code="Xk3v9QmT2pLw")  # after its battle
    await eventually(lambda: d.of("error"))
    assert [m["code"] for m in d.of("error")] == ["challenge_used"]


async def test_reuse_after_the_battle_is_refused(hub, store):
    await stored(store)
    assert await store.use_challenge("Xk3v9QmT2pLw", "earlier", WALL)
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("error"))
    assert [m["code"] for m in a.of("error")] == ["challenge_used"]
    assert not hub.challenges.is_waiting("ana")


async def test_an_unknown_code_is_refused(hub):
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="nothing_here")
    await eventually(lambda: a.of("error"))
    assert [m["code"] for m in a.of("error")] == ["unknown_challenge"]
    assert not hub.challenges.is_waiting("ana")
    send(hub, a, "play")  # nothing holds the player
    assert a.of("waiting")


async def test_an_expired_code_is_refused(hub, store, clock):
    await stored(store, minutes=1)
    clock.advance(clock.now + 61)
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("error"))
    assert [m["code"] for m in a.of("error")] == ["challenge_expired"]


async def test_it_expires_while_someone_waits_on_it(hub, store, clock):
    await stored(store, minutes=1)
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("challenge_waiting"))
    clock.advance(clock.now + 59)
    assert a.of("error") == []
    clock.advance(clock.now + 1.5)
    assert [m["code"] for m in a.of("error")] == ["challenge_expired"]
    assert not hub.challenges.is_waiting("ana") and len(clock.timers) == 0


async def test_cancel_stops_waiting_and_the_timer(hub, store, clock):
    await stored(store)
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("challenge_waiting"))
    assert len(clock.timers) == 1
    send(hub, a, "cancel")
    assert not hub.challenges.is_waiting("ana") and len(clock.timers) == 0
    assert refused(hub, a, "cancel") == "not_queued"


async def test_leaving_stops_waiting(hub, store, clock):
    await stored(store)
    a = connect(hub, "ana")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: a.of("challenge_waiting"))
    a.close()
    assert not hub.challenges.is_waiting("ana") and len(clock.timers) == 0


async def test_refusals_while_queued_in_battle_or_waiting(hub, store):
    await stored(store)
    await stored(store, code="other_code", creator="zed")
    a = connect(hub, "ana")
    send(hub, a, "play")
    assert refused(hub, a, "challenge", code="Xk3v9QmT2pLw") == "already_queued"
    send(hub, a, "cancel")
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    assert refused(hub, a, "play") == "already_queued"
    assert refused(hub, a, "challenge", code="other_code") == "already_queued"
    await eventually(lambda: a.of("challenge_waiting"))
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")  # the same code again (another tab): told again
    assert len(a.of("challenge_waiting")) == 2
    hub._draining = True
    b = connect(hub, "bo")
    assert refused(hub, b, "challenge", code="Xk3v9QmT2pLw") == "shutting_down"
    hub._draining = False


async def test_in_battle_is_refused(hub, store):
    await stored(store)
    from tests.support.hub_driver import paired

    a, b = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, a, b)
    assert refused(hub, a, "challenge", code="Xk3v9QmT2pLw") == "in_battle"


async def test_waiting_on_a_challenge_ends_a_rematch_offer(hub, store, clock):
    from tests.support.hub_driver import paired

    await stored(store, creator="cy")
    a, b = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, a, b)
    send(hub, a, "leave")
    send(hub, a, "rematch")
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: b.of("challenge_waiting"))
    assert a.of("rematch_over") == [{"type": "rematch_over", "reason": "busy"}]


async def test_the_first_to_ask_plays_even_when_their_lookup_finishes_last(hub, store):
    """The store may answer the lookups in any order: bo asked before cy, so bo plays."""
    await stored(store)
    real_lookup = store.get_challenge
    calls = []

    async def slow_for_the_first(code):  # the real store, answering the first lookup late
        calls.append(code)
        if len(calls) == 1:
            await asyncio.sleep(0.3)
        return await real_lookup(code)

    store.get_challenge = slow_for_the_first
    a, b, c = connect(hub, "ana"), connect(hub, "bo"), connect(hub, "cy")
    send(hub, b, "challenge", code="Xk3v9QmT2pLw")
    send(hub, c, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: c.of("challenge_waiting"))
    send(hub, a, "challenge", code="Xk3v9QmT2pLw")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert hub.battle_of("ana") is hub.battle_of("bo")
    assert [m["code"] for m in c.of("error")] == ["challenge_used"]
