"""Dropping, coming back, leaving and not coming back, over a real server."""

import asyncio

import pytest

from kwissle.model import BattleEnd
from tests.support.clients import WebSocketClient, XhrClient

from .test_battle_over_sockjs import answer_book, pair


@pytest.fixture
def players(server):
    return WebSocketClient(server.base_url), WebSocketClient(server.base_url)


async def test_a_dropped_player_who_reconnects_resumes_the_battle(server, players):
    a, b = players
    battle, _ = await pair(a, b)
    await a.expect("question", q=0)
    await b.expect("question", q=0)
    await b.send({"type": "alternatives", "q": 0})
    choices = (await b.expect("alternatives", q=0))["choices"]
    await a.expect("opponent", action="alternatives")

    await b.close()
    await a.expect("opponent", q=0, action="dropped")
    # same browser (same cookie), new connection, fresh ticket
    again = WebSocketClient(server.base_url)
    again.cookies = dict(b.cookies)
    await again.hello(resumed=battle["id"])
    assert again.id == b.id
    resumed = await again.expect("battle", id=battle["id"])
    assert resumed["opponent"]["id"] == a.id
    question = await again.expect("question", q=0)
    assert 0 < question["seconds"] < server.settings.question_seconds
    assert (await again.expect("alternatives", q=0))["choices"] == choices
    await a.expect("opponent", q=0, action="back")
    # and plays on where it stood: alternatives already loaded, so a choice is allowed
    book = await answer_book(server.store)
    right = choices.index(book[question["text"]].answer)
    await again.send({"type": "choose", "q": 0, "choice": right})
    await again.expect("reveal", q=0, by=b.id, how="choice", points=1)
    await again.close()
    await a.close()


@pytest.mark.parametrize("server", [{"resume_seconds": 0.3, "question_seconds": 5}], indirect=True)
async def test_a_player_who_does_not_come_back_in_time_forfeits(server, players):
    a, b = players
    battle, _ = await pair(a, b)
    await a.expect("question", q=0)
    await a.send({"type": "answer", "q": 0, "text": "surely wrong"})
    await b.close()
    end = await a.until("end", timeout=3)
    assert end == {**end, "reason": "forfeit", "winner": a.id, "id": battle["id"]}
    await server.hub.shutdown()
    record = await server.store.get_battle(battle["id"])
    assert record.reason is BattleEnd.FORFEIT and record.winner == a.id
    assert record.outcomes[0].typed[a.id] == ["surely wrong"]
    await a.close()


async def test_leave_forfeits_at_once_and_both_are_told(server, players):
    a, b = players
    battle, _ = await pair(a, b)
    await a.expect("question", q=0)
    await b.send({"type": "leave"})
    for player in (a, b):
        end = await player.until("end")
        assert end["reason"] == "forfeit" and end["winner"] == a.id
    await a.send({"type": "answer", "q": 0, "text": "x"})
    await a.expect("error", code="not_in_battle")
    assert server.hub.status()["battles"] == 0
    await a.close()
    await b.close()


async def test_a_second_tab_of_the_same_player_sees_the_battle_and_is_not_paired_with_itself(server):
    a = WebSocketClient(server.base_url)
    tab = XhrClient(server.base_url)
    await a.hello()
    tab.cookies = dict(a.cookies)
    await tab.hello()
    assert tab.id == a.id
    await a.send({"type": "play"})
    await a.expect("waiting")
    await tab.expect("waiting")
    await tab.send({"type": "play"})
    await tab.expect("error", code="already_queued")
    await a.silent(0.3)  # alone in the queue: no battle with itself
    assert server.hub.status() == {"online": 1, "waiting": 1, "battles": 0, "unsaved": 0}
    b = WebSocketClient(server.base_url)
    await b.hello()
    await b.send({"type": "play"})
    battle = await a.until("battle")
    assert (await tab.until("battle"))["id"] == battle["id"]
    # closing one tab is not a drop while the other stays
    await tab.close()
    await b.expect("waiting")
    await b.expect("battle")
    await b.expect("question", q=0)
    await b.silent(0.3)
    await a.close()
    await b.close()


async def test_cancel_takes_a_waiting_player_out_of_the_queue(server):
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await a.hello()
    await a.send({"type": "play"})
    await a.expect("waiting")
    await a.send({"type": "cancel"})
    await asyncio.sleep(0.1)
    assert server.hub.status()["waiting"] == 0
    await a.send({"type": "cancel"})
    await a.expect("error", code="not_queued")
    await b.hello()
    await b.send({"type": "play"})
    await b.expect("waiting")
    await a.silent(0.3)
    await b.silent(0.1)
    await a.close()
    await b.close()


async def test_a_battle_running_when_the_server_stops_is_stored_as_abandoned(server, players):
    a, b = players
    battle, _ = await pair(a, b)
    await a.expect("question", q=0)
    await server.hub.shutdown()
    record = await server.store.get_battle(battle["id"])
    assert record.reason is BattleEnd.ABANDONED and record.winner is None
    assert (await a.until("_closed"))["type"] == "_closed"
