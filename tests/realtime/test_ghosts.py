"""Recorded opponents through the hub: the offer, the start, the replay and what is stored.

The hub is driven directly (fake connections, the hand-held clock of tests/support/hub_driver.py,
a real SQLite store): Ana and Bo play a live battle, which becomes a recording; Cy, alone,
is offered it after the delay and plays it. One test does the same over real time with
real SockJS clients and a real server. Every message a hub test receives is checked
against docs/protocol.schema.json.
"""

from __future__ import annotations

import asyncio

import pytest

from kwissle.game.events import ActionRefused
from kwissle.game.ghost import script_from
from kwissle.model import BattleEnd, QuestionStatus
from tests.support import wire_schema
from tests.support.hub_driver import (
    FakeConnection,
    answer_to,
    connect,
    make_hub,
    paired,
    send,
)
from tests.support.waiting import eventually

DELAY = 10.0


def valid(conn: FakeConnection) -> None:
    for message in conn.sent:
        why = wire_schema.problem(message, "server")
        assert why is None, f"{message!r} breaks docs/protocol.schema.json: {why}"


def refused(hub, conn, kind, **fields) -> str:
    with pytest.raises(ActionRefused) as refusal:
        send(hub, conn, kind, **fields)
    return refusal.value.code


async def record_a_battle(hub, clock):
    """Ana and Bo play ten questions: Bo types on even ones (a miss, then the answer), loads the
    alternatives and picks on odd ones, Ana does nothing. Returns the stored record."""
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    for q in range(10):
        opened = clock.now
        clock.advance(opened + 1.25)
        if q % 2 == 0:
            send(hub, bo, "answer", q=q, text="Nowhere at all")
            clock.advance(opened + 2.5)
            send(hub, bo, "answer", q=q, text=answer_to(bo, q))
        else:
            send(hub, bo, "alternatives", q=q)
            choices = bo.of("alternatives")[-1]["choices"]
            clock.advance(opened + 3.75)
            pick = choices.index(answer_to(bo, q)) if q != 9 else (choices.index(answer_to(bo, q)) + 1) % 4
            send(hub, bo, "choose", q=q, choice=pick)  # the last pick is wrong: the question runs out
        clock.next_deadline()  # the reveal pause, or the deadline of q9
    assert bo.of("end") and ana.of("end")
    ana.close()
    bo.close()
    await eventually(lambda: hub.status()["unsaved"] == 0)
    return await hub.store.get_battle(battle_id)


def play_ghost_battle(hub, clock, cy):
    """Run the ghost battle to its end by its own timers; returns [(time, message)] Cy got."""
    timeline, seen = [], 0
    while hub.battle_of(cy.holder.id) is not None:
        timeline += [(clock.now, m) for m in cy.sent[seen:]]
        seen = len(cy.sent)
        clock.next_deadline()
    return timeline + [(clock.now, m) for m in cy.sent[seen:]]


@pytest.fixture
async def hub(store, clock):
    hub = make_hub(store, clock)
    hub.ghosts.delay = DELAY
    yield hub
    await hub.shutdown()


async def test_alone_for_the_delay_a_recording_is_offered_once_and_replayed_faithfully(hub, clock, store):
    record = await record_a_battle(hub, clock)
    cy = connect(hub, "cy")
    bo_again = connect(hub, "bo")  # the recorded player is online, and is told nothing
    waited_from = clock.now
    send(hub, cy, "play")
    clock.advance(waited_from + DELAY - 0.01)
    assert not cy.of("ghost_ready")
    clock.advance(waited_from + DELAY)
    offer = cy.of("ghost_ready")
    assert offer == [{"type": "ghost_ready", "name": offer[0]["name"], "recorded_at": record.ended_at}]
    clock.advance(waited_from + DELAY + 60)
    assert len(cy.of("ghost_ready")) == 1  # once per wait

    send(hub, cy, "ghost")
    await eventually(lambda: hub.battle_of("cy") is not None)
    battle = cy.of("battle")[0]
    ghost_id = battle["opponent"]["id"]
    assert battle["recording"] == {"battle": record.id, "recorded_at": record.ended_at}
    assert battle["opponent"]["name"] == offer[0]["name"] == ghost_id.title() == "Bo"
    timeline = play_ghost_battle(hub, clock, cy)

    # The recorded player's every action, at its time since the question opened (within 50 ms)
    script = script_from(record, ghost_id, ghost_id.title())
    opened = {m["q"]: t for t, m in timeline if m["type"] == "question"}
    cues = [(m["q"], m["action"], t - opened[m["q"]]) for t, m in timeline if m["type"] == "opponent"]
    expected = [(q, {"answer": "typed_wrong", "alternatives": "alternatives", "choose": "chose_wrong"}[a.kind], a.at)
                for q, actions in enumerate(script.actions) for a in actions]
    expected = [cue for cue in expected if not (cue[1] == "chose_wrong" and cue[0] != 9)]  # right picks score
    expected = [cue for cue in expected if not (cue[1] == "typed_wrong" and cue[2] == 2.5)]  # right answers score
    assert [(q, action) for q, action, _ in cues] == [(q, action) for q, action, _ in expected]
    for (_, _, at), (_, _, recorded) in zip(cues, expected, strict=True):
        assert abs(at - recorded) <= 0.05
    assert ghost_id == "bo"  # Ana did nothing: Bo is the livelier recording
    # Bo scored on every question but the last, picks mapped by text onto Cy's shuffle
    reveals = [(m["by"], m["how"]) for _, m in timeline if m["type"] == "reveal"]
    assert reveals == [("bo", "typed" if q % 2 == 0 else "choice") for q in range(9)] + [(None, None)]
    end = cy.of("end")[0]
    assert "ratings" not in end and end["reason"] == "complete"
    valid(cy)
    assert bo_again.sent[0]["type"] == "welcome" and len(bo_again.sent) == 1

    await eventually(lambda: hub.status()["unsaved"] == 0)
    stored = await store.get_battle(end["id"])
    assert stored.recording_of == record.id and stored.player_ids == ("cy", ghost_id) and stored.ratings == ()
    assert end["id"] not in [b.id for b in await store.recent_battles(ghost_id)]
    assert [b.id for b in await store.recent_battles("cy")] == [end["id"]]


async def test_a_live_opponent_arriving_first_pairs_as_usual_and_takes_the_offer_away(hub, clock):
    await record_a_battle(hub, clock)
    cy, dee = connect(hub, "cy"), connect(hub, "dee")
    since = clock.now
    send(hub, cy, "play")
    clock.advance(since + DELAY)
    assert cy.of("ghost_ready")
    send(hub, dee, "play")
    await eventually(lambda: hub.battle_of("cy") is not None)
    assert cy.of("battle")[0]["opponent"]["id"] == "dee" and cy.of("battle")[0]["recording"] is None
    assert refused(hub, cy, "ghost") == "no_ghost"
    valid(cy)


async def test_a_live_opponent_before_the_delay_means_no_offer_at_all(hub, clock):
    await record_a_battle(hub, clock)
    cy, dee = connect(hub, "cy"), connect(hub, "dee")
    since = clock.now
    send(hub, cy, "play")
    clock.advance(since + 3)
    send(hub, dee, "play")
    await eventually(lambda: hub.battle_of("cy") is not None)
    clock.advance(since + DELAY + 1)
    assert not cy.of("ghost_ready") and not dee.of("ghost_ready")


async def test_no_ghost_without_an_offer_standing(hub, clock):
    await record_a_battle(hub, clock)
    cy = connect(hub, "cy")
    assert refused(hub, cy, "ghost") == "no_ghost"  # not even waiting
    since = clock.now
    send(hub, cy, "play")
    assert refused(hub, cy, "ghost") == "no_ghost"  # waiting, not yet offered
    clock.advance(since + DELAY)
    assert cy.of("ghost_ready")
    send(hub, cy, "cancel")
    assert refused(hub, cy, "ghost") == "no_ghost"  # stopped waiting: the offer went with it
    since = clock.now
    send(hub, cy, "play")  # a new wait: a new delay
    assert refused(hub, cy, "ghost") == "no_ghost"
    clock.advance(since + DELAY)
    assert len(cy.of("ghost_ready")) == 2
    assert hub.status()["battles"] == 0


async def test_no_offer_when_there_is_no_recording_but_one_s_own(hub, clock):
    await record_a_battle(hub, clock)
    bo = connect(hub, "bo")  # Bo played the only recording
    since = clock.now
    send(hub, bo, "play")
    clock.advance(since + DELAY + 5)
    assert not bo.of("ghost_ready")
    assert refused(hub, bo, "ghost") == "no_ghost"


async def test_nothing_is_offered_while_the_delay_is_off(store, clock):
    hub = make_hub(store, clock)  # delay None: how the hub starts until app.py sets it
    await record_a_battle(hub, clock)
    cy = connect(hub, "cy")
    send(hub, cy, "play")
    assert clock.deadlines == []
    clock.advance(clock.now + 3600)
    assert not cy.of("ghost_ready")
    await hub.shutdown()


async def test_a_recording_whose_question_was_unpublished_is_not_offered(hub, clock, store):
    record = await record_a_battle(hub, clock)
    await store.set_question_status(record.outcomes[3].question_id, QuestionStatus.REJECTED)
    await hub.questions.refresh()  # as the pool's own background refresh would
    cy = connect(hub, "cy")
    since = clock.now
    send(hub, cy, "play")
    clock.advance(since + DELAY)
    assert not cy.of("ghost_ready")


async def test_leaving_a_ghost_battle_forfeits_and_the_recording_is_told_nothing(hub, clock, store):
    await record_a_battle(hub, clock)
    cy = connect(hub, "cy")
    since = clock.now
    send(hub, cy, "play")
    clock.advance(since + DELAY)
    send(hub, cy, "ghost")
    await eventually(lambda: hub.battle_of("cy") is not None)
    assert refused(hub, cy, "ghost") == "no_ghost"  # the offer was used
    assert refused(hub, cy, "play") == "in_battle"
    send(hub, cy, "leave")
    end = cy.of("end")[0]
    assert end["reason"] == "forfeit" and end["winner"] == cy.of("battle")[0]["opponent"]["id"]
    assert hub.status()["battles"] == 0 and hub.battle_of("cy") is None
    await eventually(lambda: hub.status()["unsaved"] == 0)
    assert (await store.get_battle(end["id"])).reason is BattleEnd.FORFEIT
    valid(cy)


async def test_over_real_time_the_replay_keeps_its_timings(tmp_path):
    """A real server and real SockJS clients: the recorded typed answer comes at its time (±50 ms)."""
    from tests.conftest import start_server, stop_server
    from tests.support.clients import WebSocketClient

    running = await start_server(tmp_path, ghost_delay_seconds=0.3, question_seconds=3, reveal_seconds=0.2)
    try:
        loop = asyncio.get_running_loop()
        book = {q.text: q for q in await running.store.list_questions(QuestionStatus.PUBLISHED, limit=10_000)}
        a, b = WebSocketClient(running.base_url), WebSocketClient(running.base_url)
        await a.hello()
        await b.hello()
        await a.send({"type": "play"})
        await b.send({"type": "play"})
        await a.until("battle")
        await b.until("battle")
        for q in range(running.settings.questions_per_battle):  # A types every answer 0.4 s after it opens
            question = await a.expect("question", q=q)
            await asyncio.sleep(0.4)
            await a.send({"type": "answer", "q": q, "text": book[question["text"]].answer})
            await a.until("reveal")
        await a.until("end")
        await a.close()
        await b.close()
        await eventually(lambda: running.hub.status()["unsaved"] == 0)

        c = WebSocketClient(running.base_url)
        await c.hello()
        await c.send({"type": "play"})
        offer = await c.until("ghost_ready", timeout=5)
        assert offer["name"] in (a.player["name"], b.player["name"])
        await c.send({"type": "ghost"})
        battle = await c.until("battle")
        assert battle["recording"]["battle"] and battle["opponent"]["name"] == offer["name"]
        assert battle["opponent"]["id"] == a.id  # B did nothing: A is the livelier recording
        for q in range(running.settings.questions_per_battle):
            await c.expect("question", q=q)
            opened = loop.time()
            reveal = await c.until("reveal")
            assert reveal["by"] == a.id and reveal["how"] == "typed"
            assert abs((loop.time() - opened) - 0.4) < 0.05 + 0.1  # the recorded 0.4 s; transport slack
        await c.until("end", timeout=60)
        await c.close()
        await eventually(lambda: running.hub.status()["unsaved"] == 0)
        stored = await running.store.recent_battles(c.id)
        recorded = await running.store.get_battle(battle["recording"]["battle"])
        assert stored[0].recording_of == recorded.id
        ghost_id = battle["opponent"]["id"]
        for mine, theirs in zip(stored[0].outcomes, recorded.outcomes, strict=True):
            for at, was in zip(mine.typed_at.get(ghost_id, []), theirs.typed_at.get(ghost_id, []), strict=True):
                assert abs(at - was) <= 0.05  # the server's own record of when the ghost typed
    finally:
        await stop_server(running)


async def test_the_battle_and_profile_pages_say_against_a_recording(tmp_path):
    """The stored ghost battle on the web: the live player's profile lists it "(against a
    recording)", its page says so; the recorded player's profile does not list it."""
    from tornado.httpclient import AsyncHTTPClient

    from tests.conftest import start_server, stop_server
    from tests.storage.test_contract_recordings import _against_recording

    running = await start_server(tmp_path)
    try:
        store = running.store
        cy = await store.create_player("Cy Live", guest=False, email="cy@example.org")
        bo = await store.create_player("Bo Recorded", guest=False, email="bo@example.org")
        question = (await store.list_questions(QuestionStatus.PUBLISHED, limit=1))[0]
        await store.save_battle(_against_recording("ghost-web", cy.id, bo.id, "older-battle", [question.id],
                                                   bo.id, 1_700_000_000.0))
        client = AsyncHTTPClient()
        page = (await client.fetch(f"{running.base_url}/battle/ghost-web")).body.decode()
        assert 'id="battle-recording"' in page and "Against a recording: Bo Recorded" in page
        mine = (await client.fetch(f"{running.base_url}/player/{cy.id}")).body.decode()
        assert "(against a recording)" in mine and "/battle/ghost-web" in mine
        theirs = (await client.fetch(f"{running.base_url}/player/{bo.id}")).body.decode()
        assert "/battle/ghost-web" not in theirs
    finally:
        await stop_server(running)
