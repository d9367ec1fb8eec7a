"""The hub driven directly: fake connections, a hand-held clock, a real SQLite store.

No network and no waiting on real time for deadlines: the hub reads the time and
arms its timers through a `Scheduler`, and `FakeClock` lets a test set the time
and fire deadlines by hand. Battle preparation (which awaits the store) runs on
the test's event loop; `eventually` waits for it.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from kwissle.game.events import ActionRefused
from kwissle.model import BattleEnd, NewQuestion, QuestionStatus
from kwissle.realtime.hub import Hub
from kwissle.realtime.results import ResultsWriter
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from tests.support.hub_driver import (
    START,
    FailingSaves,
    FakeClock,
    FakeConnection,
    GatedStore,
    answer_to,
    connect,
    make_hub,
    make_store,
    paired,
    send,
)
from tests.support.waiting import eventually


async def test_a_late_timer_cannot_let_an_answer_in_and_the_reveal_is_sent_once(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    assert clock.deadlines == [START + 15]
    stale = next(iter(clock.timers.values()))[1]
    clock.now = START + 15.2  # the timer is due but has not fired yet
    with pytest.raises(ActionRefused) as refused:
        send(hub, ana, "answer", q=0, text=answer_to(ana, 0))
    assert refused.value.code == "question_closed"
    for conn in (ana, bo):
        assert [(m["q"], m["by"], m["points"]) for m in conn.of("reveal")] == [(0, None, 0)]
    assert clock.deadlines == [START + 18]  # re-armed for the next question
    stale()  # the old timer fires after all (it was already on its way)
    assert len(ana.of("reveal")) == len(bo.of("reveal")) == 1
    assert clock.deadlines == [START + 18]
    clock.advance(START + 18)
    assert [m["q"] for m in ana.of("question")] == [0, 1]
    await hub.shutdown()


async def test_a_timer_is_re_armed_only_when_the_deadline_moves(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    assert (clock.armed_count, clock.cancelled_count) == (1, 0)
    clock.now = START + 1
    send(hub, ana, "answer", q=0, text="nowhere near")
    send(hub, bo, "alternatives", q=0)
    assert ana.of("wrong") and bo.of("alternatives")
    assert (clock.armed_count, clock.cancelled_count) == (1, 0)
    send(hub, ana, "answer", q=0, text=answer_to(ana, 0))  # closes the question early
    assert (clock.armed_count, clock.cancelled_count) == (2, 1)
    assert clock.deadlines == [START + 1 + 3]
    clock.next_deadline()  # q1 opens
    assert clock.deadlines == [START + 4 + 15] and clock.armed_count == 3
    await hub.shutdown()
    assert clock.timers == {}


async def test_a_send_that_raises_skips_nothing_else_of_the_dispatch(store, clock, caplog):
    hub = make_hub(store, clock)
    ana = connect(hub, "ana", fail_on="end")
    ana_tab = connect(hub, "ana")
    bo = connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    clock.now = START + 2
    with caplog.at_level(logging.ERROR, logger="kwissle.realtime.hub"):
        send(hub, bo, "leave")
    # the failing connection is closed; every other connection got its `end`
    assert ana.closed and not ana_tab.closed
    assert ana_tab.of("end")[0]["winner"] == "ana" and bo.of("end")[0]["reason"] == "forfeit"
    assert len([r for r in caplog.records if "sending to player ana failed" in r.getMessage()]) == 1
    assert not any(r.exc_info for r in caplog.records)
    # the battle is over for the hub, its result is stored, and nobody is stuck `in_battle`
    assert hub.status()["battles"] == 0 and clock.timers == {}
    await eventually(lambda: hub.status()["unsaved"] == 0)
    assert (await store.get_battle(battle_id)).reason is BattleEnd.FORFEIT
    send(hub, ana_tab, "play")
    send(hub, bo, "play")
    await eventually(lambda: hub.battle_of("bo") is not None)
    assert ana_tab.of("battle")[-1]["opponent"]["id"] == "bo"
    await hub.shutdown()


async def test_a_lone_surrogate_typed_in_a_battle_never_wedges_it(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    clock.now = START + 1
    send(hub, ana, "answer", q=0, text="\ud800")  # past the codec, as if it had let it in
    send(hub, ana, "leave")
    assert hub.status()["battles"] == 0 and hub.battle_of("ana") is None
    await eventually(lambda: hub.status()["unsaved"] == 0)
    record = await store.get_battle(battle_id)
    assert record.outcomes[0].typed["ana"] == ["\ud800"]


async def test_a_battle_being_prepared_when_shutdown_starts_never_starts(tmp_path, store, clock):
    gated = GatedStore(store)
    hub = make_hub(gated, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    send(hub, ana, "play")
    send(hub, bo, "play")
    await asyncio.wait_for(gated.picking.wait(), 5)
    stopping = asyncio.ensure_future(hub.shutdown())
    await asyncio.sleep(0.01)
    assert not stopping.done()  # it waits for the preparation
    gated.gate.set()
    await asyncio.wait_for(stopping, 5)
    for conn in (ana, bo):
        assert [m["type"] for m in conn.sent] == ["welcome", "waiting"] and conn.closed
    assert hub.status() == {"online": 0, "waiting": 0, "battles": 0, "unsaved": 0}
    assert clock.timers == {}
    assert await store.recent_battles("ana") == []  # nothing ran, so nothing to record


async def test_a_partner_vanishing_during_preparation_sends_the_other_back_to_the_head_of_the_queue(
        store, clock):
    gated = GatedStore(store)
    hub = make_hub(gated, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    send(hub, ana, "play")
    clock.now = START + 5
    send(hub, bo, "play")
    await asyncio.wait_for(gated.picking.wait(), 5)
    bo.close()
    gated.gate.set()
    await eventually(lambda: hub.status()["waiting"] == 1)
    assert not ana.of("battle") and not ana.of("error")
    assert hub.status() == {"online": 1, "waiting": 1, "battles": 0, "unsaved": 0}
    cy = connect(hub, "cy")
    send(hub, cy, "play")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert ana.of("battle")[0]["opponent"] == {"id": "cy", "name": "Cy"}
    await hub.shutdown()


async def test_guests_get_their_player_row_when_a_battle_is_prepared(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    assert await store.get_player("ana") is None  # a ticket alone writes nothing
    await paired(hub, ana, bo)
    stored = await store.get_player("ana")
    assert stored is not None and stored.guest and stored.name == "Ana"
    await hub.shutdown()


async def test_a_failing_store_delays_a_result_and_it_is_stored_once_the_store_recovers(store, clock):
    failing = FailingSaves(store)
    delays: list[float] = []

    async def quick_sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0.001)

    hub = make_hub(failing, clock, results=ResultsWriter(failing, sleep=quick_sleep, max_retry=4.0))
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    send(hub, bo, "leave")
    await eventually(lambda: failing.attempts >= 5)
    assert hub.status() == {"online": 2, "waiting": 0, "battles": 0, "unsaved": 1}
    assert delays[:5] == [0.5, 1.0, 2.0, 4.0, 4.0]  # exponential, capped
    failing.healthy = True
    await eventually(lambda: hub.status()["unsaved"] == 0)
    assert (await store.get_battle(battle_id)).winner == "ana"
    assert await store.get_counter("battles_forfeit") == 1
    await hub.shutdown()


async def play_to_the_end(hub: Hub, clock: FakeClock, first: FakeConnection, second: FakeConnection) -> list[str]:
    """A whole battle nobody answers, the clock closing every question; the questions asked, in order."""
    await paired(hub, first, second)
    battle_id = hub.battle_of(first.holder.id).id
    while hub.battle_of(first.holder.id) is not None:
        clock.next_deadline()
    await eventually(lambda: hub.status()["unsaved"] == 0)
    record = await hub.store.get_battle(battle_id)
    assert record.reason is BattleEnd.COMPLETE and len(record.outcomes) == 10
    return [o.question_id for o in record.outcomes]


async def test_consecutive_battles_share_no_question_while_the_bank_allows(tmp_path, clock):
    store = await make_store(tmp_path, questions=20)
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    first = await play_to_the_end(hub, clock, ana, bo)
    second = await play_to_the_end(hub, clock, bo, ana)
    assert len(set(first)) == len(set(second)) == 10
    assert not set(first) & set(second)
    # 20 questions, 20 seen: the third battle repeats the ones seen longest ago, all of the first
    third = await play_to_the_end(hub, clock, ana, bo)
    assert set(third) == set(first)
    await hub.shutdown()
    await store.close()


async def test_with_a_bank_too_small_the_repeats_are_the_questions_seen_longest_ago(tmp_path, clock):
    store = await make_store(tmp_path, questions=15)
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    first = await play_to_the_end(hub, clock, ana, bo)
    second = await play_to_the_end(hub, clock, ana, bo)
    everything = {q.id for q in await store.list_questions(QuestionStatus.PUBLISHED, limit=100)}
    unseen = everything - set(first)
    assert unseen <= set(second)  # all five never-seen questions are used
    assert set(second) - unseen == set(first[:5])  # and the five asked first last time
    await hub.shutdown()
    await store.close()


async def test_only_questions_actually_asked_may_be_reported(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    with pytest.raises(ActionRefused) as refused:
        send(hub, ana, "report", q=1, reason="not asked yet")
    assert refused.value.code == "bad_message"
    send(hub, bo, "leave")  # an early forfeit: only q=0 was asked
    with pytest.raises(ActionRefused) as refused:
        send(hub, ana, "report", q=7, reason="never asked")
    assert refused.value.code == "bad_message"
    send(hub, ana, "report", q=0, reason="the answer is wrong")
    await eventually(lambda: not hub._tasks)
    reports = await store.list_reports()
    assert [(r.player_id, r.battle_id, r.reason) for r in reports] == [("ana", battle_id, "the answer is wrong")]
    with pytest.raises(ActionRefused) as refused:
        send(hub, ana, "report", q=0, reason="again")
    assert refused.value.code == "already_reported"
    await hub.shutdown()


async def test_a_report_the_store_refuses_is_logged_with_its_reason_and_may_be_sent_again(store, clock, caplog):
    class FailingReports:
        """A fake store: the real one, except that `add_report` fails once."""

        failed = False

        async def add_report(self, *args):
            if not self.failed:
                self.failed = True
                raise StorageError("database is locked")
            return await store.add_report(*args)

        def __getattr__(self, name):
            return getattr(store, name)

    hub = make_hub(FailingReports(), clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    with caplog.at_level(logging.ERROR, logger="kwissle.realtime.hub"):
        send(hub, ana, "report", q=0, reason="typo in the question")
        await eventually(lambda: not hub._tasks)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("database is locked" in m and "typo in the question" in m for m in logged)
    send(hub, ana, "report", q=0, reason="typo in the question")
    await eventually(lambda: not hub._tasks)
    assert len(await store.list_reports()) == 1
    await hub.shutdown()


async def test_shutdown_records_running_battles_as_abandoned_and_reports_nothing_unsaved(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    clock.now = START + 3
    await hub.shutdown()
    assert (await store.get_battle(battle_id)).reason is BattleEnd.ABANDONED
    assert ana.closed and bo.closed and not ana.of("end")
    assert hub.status() == {"online": 0, "waiting": 0, "battles": 0, "unsaved": 0}
    cy, dee = connect(hub, "cy"), connect(hub, "dee")  # too late: nothing starts any more
    send(hub, cy, "play")
    send(hub, dee, "play")
    await asyncio.sleep(0.05)
    assert hub.status()["battles"] == 0 and not cy.of("battle") and not dee.of("battle")


async def test_another_stored_answer_is_never_taken_for_a_typo_once_the_lexicon_is_loaded(tmp_path, clock):
    """"Quarnel" is one letter from "Quarnek" and in no dictionary: a typo, unless the store
    holds it as another question's answer, which it does here. Loaded before serving or not, the
    judge knows it: the question pool's first load teaches the lexicon what it reads too."""
    store = await open_store(f"sqlite:///{tmp_path / 'lexicon.db'}")
    await store.add_questions([
        NewQuestion(text="Which planet did the Quarnek fleet come from?", answer="Quarnek", variants=(),
                    wrong=("Vulcan", "Krypton", "Gallifrey"), category="Test"),
        NewQuestion(text="Who sailed the Quarnel?", answer="Quarnel", variants=(),
                    wrong=("Nemo", "Ahab", "Sparrow"), category="Test"),
    ], QuestionStatus.PUBLISHED)
    outcomes = {}
    for loaded in (False, True):
        hub = make_hub(store, clock)
        if loaded:
            assert await hub.load_lexicon() == 2
        ana, bo = connect(hub, f"ana{loaded}"), connect(hub, f"bo{loaded}")
        await paired(hub, ana, bo)
        while "fleet" not in ana.of("question")[-1]["text"]:  # let the other question run out
            clock.next_deadline()
        q = ana.of("question")[-1]["q"]
        send(hub, ana, "answer", q=q, text="Quarnel")
        outcomes[loaded] = "wrong" if ana.of("wrong") else ana.of("reveal")[-1]["by"]
        await hub.shutdown()
    await store.close()
    assert outcomes == {False: "wrong", True: "wrong"}
