"""Each role builds only what it serves (kwissle/roles.py), on real servers sharing one SQLite file."""

from __future__ import annotations

import json

import pytest
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.web import create_signed_value

from kwissle.roles import ADMIN, GAME, SERVE, WEB
from kwissle.web.proxy import apply_forwarded_headers
from tests.conftest import start_server, stop_server
from tests.support import wire_schema
from tests.support.clients import WebSocketClient


@pytest.fixture
async def layout(tmp_path):
    """game, web and admin roles in this process, on one data folder, as the Procfile runs them."""
    game = await start_server(tmp_path, role=GAME)
    game_url = game.base_url
    web = await start_server(tmp_path, seed=False, role=WEB, game_url=game_url)
    admin = await start_server(tmp_path, seed=False, role=ADMIN)
    yield {"game": game, "web": web, "admin": admin}
    for running in (web, admin, game):
        await stop_server(running)


async def status_of(client: WebSocketClient, path: str) -> int:
    return (await client.fetch(path)).code


async def test_web_serves_pages_and_tickets_and_holds_no_hub_nor_channel(layout):
    web = layout["web"]
    assert web.app.hub is None
    client = WebSocketClient(web.base_url)
    assert [await status_of(client, path) for path in ("/", "/play", "/about", "/api/ticket")] == [200] * 4
    assert await status_of(client, "/sockjs/info") == 404
    assert await status_of(client, "/admin") == 404


async def test_game_serves_the_channel_and_status_but_no_pages_nor_tickets(layout):
    client = WebSocketClient(layout["game"].base_url)
    assert await status_of(client, "/sockjs/info") == 200
    assert await status_of(client, "/api/status") == 200
    assert [await status_of(client, path) for path in ("/", "/api/ticket", "/admin")] == [404] * 3


async def test_a_ticket_from_a_web_process_opens_the_game_processs_channel(layout):
    """Tickets are signed with the shared cookie secret: web issues them, game checks them."""
    player = WebSocketClient(layout["game"].base_url)
    ticket_office = WebSocketClient(layout["web"].base_url)
    player.ticket = ticket_office.ticket  # the page gets its ticket from web, then talks to game
    welcome = await player.hello()
    assert welcome["player"] == ticket_office.player
    await player.send({"type": "play"})
    await player.until("waiting")
    body = json.loads((await ticket_office.fetch("/api/status")).body)
    assert body["online"] == 1 and body["waiting"] == 1  # the game's figures, asked by web
    await player.close()


async def test_web_says_503_in_json_when_the_game_process_does_not_answer(tmp_path):
    # A port that was just free: nothing listens there.
    probe = await start_server(tmp_path / "probe", seed=False, role=ADMIN)
    dead_url = probe.base_url
    await stop_server(probe)
    web = await start_server(tmp_path, seed=False, role=WEB, game_url=dead_url)
    try:
        response = await WebSocketClient(web.base_url).fetch("/api/status")
        assert response.code == 503
        assert wire_schema.body_problem(json.loads(response.body), "http_error") is None
        error = json.loads(response.body)["error"]
        assert error["status"] == 503 and "The game server is not answering" in error["message"]
    finally:
        await stop_server(web)


async def test_admin_refuses_everyone_who_is_not_an_admin_with_a_clear_page(layout):
    admin = layout["admin"]
    stranger = WebSocketClient(admin.base_url)
    response = await stranger.fetch("/admin", follow_redirects=False)
    assert response.code == 302 and response.headers["Location"] == "/sign-in?next=%2Fadmin"
    account = await admin.store.create_player("Ana", guest=False, email="ana@example.org")
    member = WebSocketClient(admin.base_url)
    member.cookies["kwissle_player"] = create_signed_value(
        admin.settings.cookie_secret, "kwissle_player", account.id).decode()
    refused = await member.fetch("/admin")
    assert refused.code == 403
    assert "The moderators&#x27; dashboard is for admins." in refused.body.decode()
    await admin.store.set_admin(account.id, True)
    page = await member.fetch("/admin")
    assert page.code == 200 and "Moderation queue" in page.body.decode()
    assert [await status_of(stranger, path) for path in ("/", "/api/ticket", "/sockjs/info")] == [404] * 3


async def test_serve_still_builds_everything_in_one_process(server):
    assert server.app.role is SERVE and server.hub is not None
    client = WebSocketClient(server.base_url)
    assert [await status_of(client, path) for path in ("/", "/api/ticket", "/api/status", "/sockjs/info")] \
        == [200] * 4
    assert (await client.fetch("/admin", follow_redirects=False)).code == 302  # to sign in


def request_from(peer: str, **headers: str) -> HTTPServerRequest:
    request = HTTPServerRequest(start_line=RequestStartLine("GET", "/", "HTTP/1.1"), headers=HTTPHeaders({"Host": "kwissle.example", **headers}))
    request.remote_ip, request.protocol = peer, "http"
    return request


@pytest.mark.parametrize("peer, headers, seen, scheme", [
    ("127.0.0.1", {"X-Real-IP": "203.0.113.9", "X-Forwarded-Proto": "https"}, "203.0.113.9", "https"),
    ("127.0.0.1", {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, "203.0.113.9", "http"),
    ("127.0.0.1", {"X-Real-IP": "not an address"}, "127.0.0.1", "http"),
    ("192.0.2.50", {"X-Real-IP": "203.0.113.9", "X-Forwarded-Proto": "https"}, "192.0.2.50", "http"),
])
def test_forwarded_headers_count_only_from_a_trusted_peer(peer, headers, seen, scheme):
    request = request_from(peer, **headers)
    apply_forwarded_headers(request, {"127.0.0.1", "::1"})
    assert (request.remote_ip, request.protocol) == (seen, scheme)


async def test_forwarded_headers_are_ignored_outside_production(tmp_path):
    """Development and test have no nginx in front: a header never changes whose limit counts."""
    running = await start_server(tmp_path, seed=False, role=WEB, tickets_per_minute=1)
    try:
        client = WebSocketClient(running.base_url)
        first = await client.fetch("/api/ticket", headers={"X-Real-IP": "203.0.113.1"})
        second = await client.fetch("/api/ticket", headers={"X-Real-IP": "203.0.113.2"})
        assert (first.code, second.code) == (200, 429)
    finally:
        await stop_server(running)
