"""Every refusal of PROTOCOL.md over a live server: the right code, and nothing changed."""

import asyncio
import json
import time

import pytest
from tornado.websocket import WebSocketClosedError

from kwissle.realtime import tickets
from kwissle.realtime.channel import MAX_REFUSALS
from tests.support.clients import WebSocketClient, XhrClient

from .test_battle_over_sockjs import answer_book, pair


async def test_nothing_but_hello_is_accepted_before_welcome(server):
    client = WebSocketClient(server.base_url)
    await client.connect()
    for message in ({"type": "play"}, {"type": "answer", "q": 0, "text": "x"}, {"type": "leave"}):
        await client.send(message)
        await client.expect("error", code="not_welcomed")
    assert server.hub.status() == {"online": 0, "waiting": 0, "battles": 0, "unsaved": 0}
    await client.send({"type": "hello", "ticket": await client.ticket()})
    await client.expect("welcome")
    await client.send({"type": "hello", "ticket": await client.ticket()})
    await client.expect("error", code="bad_message")
    await client.close()


@pytest.mark.parametrize("make_ticket", [
    lambda secret, who: "not-a-ticket",
    lambda secret, who: tickets.issue("another-secret", who),
    lambda secret, who: tickets.issue(secret, who)[:-2] + "00",
    lambda secret, who: tickets.issue(secret, who, clock=lambda: time.time() - 301),
], ids=["garbage", "foreign_secret", "tampered", "expired"])
async def test_a_bad_ticket_is_refused_and_welcomes_nobody(server, make_ticket):
    client = WebSocketClient(server.base_url)
    await client.connect()
    who = tickets.TicketHolder(id="intruder", name="Mallory", guest=True)
    await client.send({"type": "hello", "ticket": make_ticket(server.settings.cookie_secret, who)})
    await client.expect("error", code="bad_ticket")
    await client.send({"type": "play"})
    await client.expect("error", code="not_welcomed")
    assert server.hub.status()["online"] == 0
    await client.close()


async def test_a_ticket_just_inside_five_minutes_is_accepted(server):
    client = WebSocketClient(server.base_url)
    await client.connect()
    who = tickets.TicketHolder(id="p1", name="Ana", guest=True)
    await client.send({"type": "hello", "ticket": tickets.issue(server.settings.cookie_secret, who,
                                                                  clock=lambda: time.time() - 290)})
    await client.expect("welcome", player={"id": "p1", "name": "Ana", "guest": True}, resumed=None)
    await client.close()


@pytest.mark.parametrize("client_class", [WebSocketClient, XhrClient], ids=["websocket", "xhr"])
async def test_malformed_frames_get_their_codes_on_every_transport(server, client_class):
    client = client_class(server.base_url)
    await client.hello()
    for raw, code in [
        ("{not json", "bad_json"),
        ("[]", "bad_message"),
        ('{"type": "fly"}', "bad_message"),
        ('{"type": "answer", "q": 0}', "bad_message"),
        (json.dumps({"type": "answer", "q": 0, "text": "a" * 4100}), "too_large"),
    ]:
        await client.send_raw(raw)
        await client.expect("error", code=code)
    await client.close()


async def test_battle_actions_outside_a_battle_are_refused(server):
    client = WebSocketClient(server.base_url)
    await client.hello()
    for message in ({"type": "answer", "q": 0, "text": "Paris"}, {"type": "alternatives", "q": 0},
                    {"type": "choose", "q": 0, "choice": 1}, {"type": "leave"},
                    {"type": "report", "q": 0, "reason": "typo"}):
        await client.send(message)
        await client.expect("error", code="not_in_battle")
    await client.close()


async def test_refusals_inside_a_battle_change_nothing(server):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    book = await answer_book(server.store)
    await pair(a, b)
    question = await a.expect("question", q=0)
    await b.expect("question", q=0)
    stored = book[question["text"]]

    await a.send({"type": "play"})
    await a.expect("error", code="in_battle")
    await a.send({"type": "answer", "q": 1, "text": stored.answer})  # not open yet
    await a.expect("error", code="question_closed")
    await a.send({"type": "choose", "q": 0, "choice": 0})  # no alternatives loaded
    await a.expect("error", code="no_alternatives")
    await b.silent(0.1)  # the opponent heard nothing of all that

    await a.send({"type": "alternatives", "q": 0})
    choices = (await a.expect("alternatives", q=0))["choices"]
    await a.send({"type": "answer", "q": 0, "text": stored.answer})
    await a.expect("error", code="locked_out")
    wrong = next(i for i, c in enumerate(choices) if c != stored.answer)
    await a.send({"type": "choose", "q": 0, "choice": wrong})
    await a.expect("wrong", q=0, tries_left=0, choice=wrong)
    await a.send({"type": "choose", "q": 0, "choice": choices.index(stored.answer)})
    await a.expect("error", code="locked_out")

    # B still plays the question as if none of that happened, and A's refusals cost A nothing
    await b.expect("opponent", action="alternatives")
    await b.expect("opponent", action="chose_wrong")
    await b.send({"type": "answer", "q": 0, "text": stored.answer})
    reveal = await b.expect("reveal", q=0, by=b.id, points=3)
    assert reveal["scores"] == {a.id: 0, b.id: 3}
    await b.send({"type": "answer", "q": 0, "text": stored.answer})
    await b.expect("error", code="question_closed")
    await a.close()
    await b.close()


async def test_three_wrong_tries_use_up_typing(server):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    book = await answer_book(server.store)
    await pair(a, b)
    question = await a.expect("question", q=0)
    for left in (2, 1, 0):
        await a.send({"type": "answer", "q": 0, "text": f"nonsense {left}"})
        await a.expect("wrong", q=0, tries_left=left)
    await a.send({"type": "answer", "q": 0, "text": book[question["text"]].answer})
    await a.expect("error", code="locked_out")
    await a.close()
    await b.close()


@pytest.mark.parametrize("server", [{"messages_per_second": 1.0, "message_burst": 5}], indirect=True)
async def test_a_flood_is_rate_limited_then_disconnected(server):
    client = WebSocketClient(server.base_url)
    await client.hello()
    for _ in range(4):
        await client.send({"type": "cancel"})
    codes = [(await client.recv())["code"] for _ in range(4)]
    assert codes == ["not_queued"] * 4
    await client.send({"type": "play"})
    refusal = await client.expect("error", code="rate_limited")  # the burst of 5 is spent (hello + 4)
    assert 0 < refusal["retry_after"] <= 1.0  # one message a second: the next is at most a second away
    assert server.hub.status()["waiting"] == 0  # the refused play queued nobody
    sent = 0
    with pytest.raises(WebSocketClosedError):
        while sent < 2 * MAX_REFUSALS:
            await client.send({"type": "cancel"})
            sent += 1
            await asyncio.sleep(0.002)
    assert sent >= MAX_REFUSALS - 5 - 1  # the 5 refusals above counted too
    message = await client.until("_closed")
    assert message["type"] == "_closed"
    assert server.hub.status()["online"] == 0


async def test_reports_are_stored_once_per_question_for_the_current_or_last_battle(server):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    battle, _ = await pair(a, b)
    question = await a.expect("question", q=0)
    await a.send({"type": "report", "q": 1, "reason": "not asked yet"})
    await a.expect("error", code="bad_message")
    await a.send({"type": "report", "q": 0, "reason": "The answer is out of date"})
    await a.expect("reported", q=0)
    await a.send({"type": "report", "q": 0, "reason": "again"})
    await a.expect("error", code="already_reported")
    await a.send({"type": "leave"})
    await a.until("end")
    await b.until("end")
    await b.send({"type": "report", "q": 0, "reason": "ambiguous"})  # after the battle: still allowed
    await b.expect("reported", q=0)
    await server.hub.shutdown()
    reports = await server.store.list_reports()
    assert sorted(r.reason for r in reports) == ["The answer is out of date", "ambiguous"]
    assert {r.battle_id for r in reports} == {battle["id"]}
    book = await answer_book(server.store)
    assert {r.question_id for r in reports} == {book[question["text"]].id}
    await a.close()
    await b.close()
