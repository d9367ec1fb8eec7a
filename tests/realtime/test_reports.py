"""Reports over a real server and real SockJS clients (raw WebSocket and XHR polling):
acknowledged with `reported` once stored, counted once per player and question, and
limited per player and day with `rate_limited` and `retry_after`."""

from __future__ import annotations

import pytest

from kwissle.storage.port import StorageError
from tests.support.clients import WebSocketClient, XhrClient
from tests.support.hub_driver import (
    FakeClock,
    connect,
    make_hub,
    make_store,
    paired,
    send,
)
from tests.support.waiting import eventually

from .test_battle_over_sockjs import answer_book, pair

TRANSPORTS = {"websocket": WebSocketClient, "xhr": XhrClient}


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
async def test_a_stored_report_is_acknowledged_to_the_reporter(server, transport):
    a, b = TRANSPORTS[transport](server.base_url), TRANSPORTS[transport](server.base_url)
    battle, _ = await pair(a, b)
    question = await a.expect("question", q=0)
    await a.send({"type": "report", "q": 0, "reason": "Two of the alternatives are right"})
    await a.expect("reported", q=0)
    book = await answer_book(server.store)
    [report] = await server.store.list_reports()
    assert (report.question_id, report.player_id, report.battle_id, report.reason) == (
        book[question["text"]].id, a.id, battle["id"], "Two of the alternatives are right")
    await b.expect("question", q=0)
    await b.silent(0.2)  # the opponent hears nothing of it
    await a.close()
    await b.close()


async def test_a_question_reported_again_from_a_later_battle_counts_once_and_is_acknowledged(server):
    """The store already holds this player's report of the question (an earlier battle): the
    new one is acknowledged all the same, and the first report stands."""
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    question = await a.expect("question", q=0)
    question_id = (await answer_book(server.store))[question["text"]].id
    earlier = await server.store.add_report(question_id, a.id, "an-earlier-battle", "the answer is out of date")
    await a.send({"type": "report", "q": 0, "reason": "still out of date"})
    await a.expect("reported", q=0)
    await a.send({"type": "report", "q": 0, "reason": "and again"})
    await a.expect("error", code="already_reported")  # twice in one battle: refused, as before
    assert await server.store.list_reports() == [earlier]
    await a.close()
    await b.close()


async def test_every_connection_of_the_reporter_hears_the_acknowledgement(server):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    await a.expect("question", q=0)
    second_tab = WebSocketClient(server.base_url)
    second_tab.cookies = dict(a.cookies)  # the same browser: the same player
    await second_tab.connect()
    await second_tab.send({"type": "hello", "ticket": await second_tab.ticket()})
    await second_tab.until("welcome")
    await a.send({"type": "report", "q": 0, "reason": "typo in the question"})
    await a.until("reported")
    assert (await second_tab.until("reported"))["q"] == 0
    for client in (a, b, second_tab):
        await client.close()


@pytest.mark.parametrize("server", [{"limit_reports_per_player": "2/day"}], indirect=True)
async def test_reports_over_the_daily_limit_are_refused_with_retry_after_and_not_stored(server):
    book = await answer_book(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    for q in range(3):  # a answers each question right, so the next one opens
        question = await a.until("question")
        assert question["q"] == q
        await a.send({"type": "answer", "q": q, "text": book[question["text"]].answer})
        await a.until("reveal")
    await a.send({"type": "report", "q": 0, "reason": "first"})
    await a.until("reported")
    await a.send({"type": "report", "q": 1, "reason": "second"})
    await a.until("reported")
    await a.send({"type": "report", "q": 2, "reason": "one too many"})
    refused = await a.until("error")
    assert refused["code"] == "rate_limited"
    assert 3600 < refused["retry_after"] <= 24 * 3600
    assert "Too many reports: at most 2 per day" in refused["message"]
    assert sorted(r.reason for r in await server.store.list_reports()) == ["first", "second"]
    # Refused, not filed: the question may be reported once the limit allows.
    assert 2 not in server.hub._last_battle[a.id].reported
    await a.close()
    await b.close()


async def test_a_report_the_store_could_not_take_is_not_acknowledged_and_may_be_sent_again(tmp_path):
    """A fake store around the real one (tests/support/hub_driver.py), whose `add_report` fails once."""
    store = await make_store(tmp_path)

    class FailingOnce:
        failed = False

        async def add_report(self, *args):
            if not self.failed:
                self.failed = True
                raise StorageError("database is locked")
            return await store.add_report(*args)

        def __getattr__(self, name):
            return getattr(store, name)

    hub = make_hub(FailingOnce(), FakeClock())
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    await paired(hub, ana, bo)
    send(hub, ana, "report", q=0, reason="typo in the question")
    await eventually(lambda: not hub._tasks)
    assert ana.of("reported") == []
    send(hub, ana, "report", q=0, reason="typo in the question")
    await eventually(lambda: ana.of("reported"))
    assert ana.of("reported") == [{"type": "reported", "q": 0}] and bo.of("reported") == []
    await hub.shutdown()
    await store.close()
