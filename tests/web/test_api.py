"""GET /api/ticket and /api/status over real HTTP."""

import json
import sqlite3
from contextlib import closing

import pytest
from tornado.web import create_signed_value

from kwissle.realtime import tickets
from tests.realtime.test_battle_over_sockjs import answer_book, pair
from tests.support.clients import WebSocketClient


async def test_a_first_visit_gets_a_guest_a_signed_cookie_and_a_ticket(server):
    client = WebSocketClient(server.base_url)
    response = await client.fetch("/api/ticket")
    assert response.code == 200 and response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    player = body["player"]
    assert player["guest"] is True and len(player["name"].split()) == 3
    assert await server.store.get_player(player["id"]) is None  # stored only once they play
    assert tickets.read(server.settings.cookie_secret, body["ticket"]).id == player["id"]
    cookie = response.headers["Set-Cookie"]
    assert "kwissle_player=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_the_cookie_keeps_the_same_player_and_a_forged_one_does_not(server):
    client = WebSocketClient(server.base_url)
    await client.ticket()
    first = client.player
    await client.ticket()
    assert client.player == first
    client.cookies["kwissle_player"] = client.cookies["kwissle_player"].replace("|", "x", 1)
    await client.ticket()
    assert client.player["id"] != first["id"]


@pytest.mark.parametrize("server", [{"tickets_per_minute": 3}], indirect=True)
async def test_tickets_are_rate_limited_per_address_and_the_429_says_when_to_retry(server):
    clients = [WebSocketClient(server.base_url) for _ in range(4)]
    codes = [(await c.fetch("/api/ticket")).code for c in clients]
    assert codes == [200, 200, 200, 429]
    refused = await clients[3].fetch("/api/ticket")
    error = json.loads(refused.body)["error"]
    assert error["status"] == 429 and error["message"].startswith("Too many ticket requests")
    # 3 a minute: the next token is about 20 s away, said in whole seconds, the same in both places
    assert int(refused.headers["Retry-After"]) == error["retry_after"]
    assert isinstance(error["retry_after"], int) and 15 <= error["retry_after"] <= 20
    assert players_stored(server) == 0


def players_stored(server) -> int:
    path = server.settings.database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT count(*) FROM players").fetchone()[0]


async def test_cookieless_tickets_store_no_player_and_a_guest_who_plays_is_stored_once(server):
    visitors = [WebSocketClient(server.base_url) for _ in range(12)]
    for visitor in visitors:
        await visitor.ticket()
        await visitor.ticket()  # the cookie keeps the same guest, still unstored
    assert len({v.id for v in visitors}) == 12
    assert players_stored(server) == 0

    book = await answer_book(server.store)
    for _ in range(2):  # two battles, each on a new connection of the same browsers: still one row each
        a, b = (again(visitor) for visitor in visitors[:2])
        await pair(a, b)
        question = await a.expect("question", q=0)
        await a.send({"type": "answer", "q": 0, "text": book[question["text"]].answer})
        await a.until("reveal")
        await a.send({"type": "leave"})
        await a.until("end")
        await b.until("end")
        await a.close()
        await b.close()
    assert players_stored(server) == 2
    for guest in (a, b):
        stored = await server.store.get_player(guest.id)
        assert (stored.name, stored.guest) == (guest.player["name"], True)
        await guest.ticket()  # the cookie now names a stored player: same id, same name
        assert guest.player == {"id": stored.id, "name": stored.name, "guest": True}


def again(client: WebSocketClient) -> WebSocketClient:
    """The same browser (its cookies), on a new connection."""
    twin = WebSocketClient(client.base_url)
    twin.cookies = dict(client.cookies)
    return twin


async def test_a_cookie_holding_only_a_stored_player_id_keeps_working(server):
    """The first cookie format: the signed player id, nothing else."""
    member = await server.store.create_player("Ana Member", guest=False, email="ana@example.org")
    client = WebSocketClient(server.base_url)
    client.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player", member.id).decode()
    await client.ticket()
    assert client.player == {"id": member.id, "name": "Ana Member", "guest": False}
    unknown = WebSocketClient(server.base_url)
    unknown.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player", "gone").decode()
    await unknown.ticket()
    assert unknown.player["id"] != "gone" and unknown.player["guest"] is True


async def test_status_counts_players_online_waiting_and_battling(server):
    client = WebSocketClient(server.base_url)
    status = json.loads((await client.fetch("/api/status")).body)
    assert status == {"online": 0, "waiting": 0, "battles": 0, "unsaved": 0}
    a, b, c = (WebSocketClient(server.base_url) for _ in range(3))
    for player in (a, b, c):
        await player.hello()
    await a.send({"type": "play"})
    await a.expect("waiting", online=3)
    status = json.loads((await client.fetch("/api/status")).body)
    assert status == {"online": 3, "waiting": 1, "battles": 0, "unsaved": 0}
    await b.send({"type": "play"})
    await b.until("battle")
    status = json.loads((await client.fetch("/api/status")).body)
    assert status == {"online": 3, "waiting": 0, "battles": 1, "unsaved": 0}
    for player in (a, b, c):
        await player.close()


async def test_the_sockjs_endpoint_has_no_jsonp_or_htmlfile_transport(server):
    client = WebSocketClient(server.base_url)
    for transport in ("jsonp", "jsonp_send", "htmlfile"):
        for method, body in (("GET", None), ("POST", b"d=x")):
            response = await client.fetch(f"/sockjs/000/abcd/{transport}?c=alert", method=method, body=body)
            assert response.code == 404, (transport, method, response.code)
    info = await client.fetch("/sockjs/info")
    assert json.loads(info.body)["websocket"] is True
