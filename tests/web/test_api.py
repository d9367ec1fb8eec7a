"""GET /api/ticket and /api/status over real HTTP."""

import json

import pytest

from kwissle.realtime import tickets
from tests.support.clients import WebSocketClient


async def test_a_first_visit_gets_a_guest_a_signed_cookie_and_a_ticket(server):
    client = WebSocketClient(server.base_url)
    response = await client.fetch("/api/ticket")
    assert response.code == 200 and response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    player = body["player"]
    assert player["guest"] is True and len(player["name"].split()) == 3
    stored = await server.store.get_player(player["id"])
    assert stored.name == player["name"] and stored.guest
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
async def test_tickets_are_rate_limited_per_address_without_creating_players(server):
    clients = [WebSocketClient(server.base_url) for _ in range(4)]
    codes = [(await c.fetch("/api/ticket")).code for c in clients]
    assert codes == [200, 200, 200, 429]
    refused = await clients[3].fetch("/api/ticket")
    assert json.loads(refused.body)["error"]["message"].startswith("Too many ticket requests")


async def test_status_counts_players_online_waiting_and_battling(server):
    client = WebSocketClient(server.base_url)
    status = json.loads((await client.fetch("/api/status")).body)
    assert status == {"online": 0, "waiting": 0, "battles": 0}
    a, b, c = (WebSocketClient(server.base_url) for _ in range(3))
    for player in (a, b, c):
        await player.hello()
    await a.send({"type": "play"})
    await a.expect("waiting", online=3)
    assert json.loads((await client.fetch("/api/status")).body) == {"online": 3, "waiting": 1, "battles": 0}
    await b.send({"type": "play"})
    await b.until("battle")
    assert json.loads((await client.fetch("/api/status")).body) == {"online": 3, "waiting": 0, "battles": 1}
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
