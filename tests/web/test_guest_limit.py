"""New guests per network address (rule guests_per_ip), over real HTTP: GET /api/ticket without a cookie."""

import json

import pytest
from tornado.web import create_signed_value

from tests.support.clients import WebSocketClient

LIMITED = {"limit_guests_per_ip": "3/minute", "tickets_per_minute": 1000}


@pytest.mark.parametrize("server", [LIMITED], indirect=True)
async def test_new_guests_past_the_limit_get_429_with_retry_after_and_no_guest(server):
    visitors = [WebSocketClient(server.base_url) for _ in range(4)]
    answers = [await visitor.fetch("/api/ticket") for visitor in visitors]
    assert [a.code for a in answers] == [200, 200, 200, 429]
    refused = answers[3]
    error = json.loads(refused.body)["error"]
    assert error["status"] == 429
    assert error["message"].startswith("Too many new guests from this network address: at most 3 per minute.")
    assert int(refused.headers["Retry-After"]) == error["retry_after"]
    assert 50 <= error["retry_after"] <= 60  # the first guest leaves the minute's window
    assert "Set-Cookie" not in refused.headers and "kwissle_player" not in visitors[3].cookies


@pytest.mark.parametrize("server", [LIMITED], indirect=True)
async def test_a_visitor_with_a_valid_cookie_is_no_new_guest_and_is_not_limited_by_it(server):
    returning = WebSocketClient(server.base_url)
    await returning.ticket()
    first = returning.player
    for _ in range(2):  # two more new guests use up the address's three
        await WebSocketClient(server.base_url).ticket()
    assert (await WebSocketClient(server.base_url).fetch("/api/ticket")).code == 429
    for _ in range(5):
        answer = await returning.fetch("/api/ticket")
        assert answer.code == 200
        assert json.loads(answer.body)["player"] == first


@pytest.mark.parametrize("server", [LIMITED], indirect=True)
async def test_a_signed_in_account_is_not_limited_by_the_new_guest_rule(server):
    account = await server.store.create_player("Ada", guest=False, email="ada@example.org")
    for _ in range(3):
        await WebSocketClient(server.base_url).ticket()
    signed_in = WebSocketClient(server.base_url)
    signed_in.cookies["kwissle_player"] = _cookie_for(server, account)
    answer = await signed_in.fetch("/api/ticket")
    assert answer.code == 200
    assert json.loads(answer.body)["player"]["id"] == account.id


@pytest.mark.parametrize("server", [LIMITED], indirect=True)
async def test_a_forged_cookie_is_a_new_guest_and_counts(server):
    for _ in range(3):
        await WebSocketClient(server.base_url).ticket()
    forger = WebSocketClient(server.base_url)
    forger.cookies["kwissle_player"] = "2|1:0|10:1|15:kwissle_player|8:e30=|" + "0" * 64
    assert (await forger.fetch("/api/ticket")).code == 429


def _cookie_for(server, player) -> str:
    value = json.dumps({"id": player.id, "name": player.name}, separators=(",", ":"))
    return create_signed_value(server.settings.cookie_secret, "kwissle_player", value).decode()
