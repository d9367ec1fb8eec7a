"""Kwissle as deployed: the Procfile's processes under honcho, real nginx in front.

One stack for the module: web x2, game, admin and worker started by `honcho start`
from the repository's Procfile (ports and settings from an env file), sharing one
SQLite file in a temporary data folder, behind nginx running the repository's
nginx.conf on a free port. Battles are played through nginx over raw WebSocket and
over XHR polling; the last test stops it all and checks nothing is left running.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import shutil
import sqlite3

import pytest

from tests.deploy.stack import ROOT, Stack
from tests.support.clients import WebSocketClient, XhrClient
from tests.support.waiting import eventually

QUESTIONS = 3
TICKETS_PER_MINUTE = 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack"), settings={
        "KWISSLE_QUESTIONS_PER_BATTLE": str(QUESTIONS), "KWISSLE_QUESTION_SECONDS": "5",
        "KWISSLE_REVEAL_SECONDS": "0.05", "KWISSLE_TICKETS_PER_MINUTE": str(TICKETS_PER_MINUTE),
        "KWISSLE_SHUTDOWN_GRACE_SECONDS": "1"})
    try:
        running.start()
        yield running
    finally:
        running.stop()


def answers(stack: Stack) -> dict[str, str]:
    with sqlite3.connect(stack.data_dir / "kwissle.db") as db:
        return dict(db.execute("SELECT text, answer FROM questions"))


def get(url: str, path: str, source: str = "127.0.0.1", headers: dict | None = None):
    """A GET from a chosen local address (the whole 127/8 is this machine): (status, headers, body)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


async def aget(*args, **kwargs):
    return await asyncio.to_thread(get, *args, **kwargs)


async def play_a_battle(stack: Stack, client_class) -> None:
    book = answers(stack)
    a, b = client_class(stack.url), client_class(stack.url)
    await a.hello()
    await b.hello()
    await a.send({"type": "play"})
    await b.send({"type": "play"})
    battle = await a.until("battle", timeout=10)
    for q in range(QUESTIONS):
        question = await a.until("question")
        player = a if q % 2 == 0 else b
        if player is b:
            await b.until("question")
        await player.send({"type": "answer", "q": q, "text": book[question["text"]]})
        reveal = await a.until("reveal")
        assert reveal["by"] == player.id
    end = await a.until("end")
    assert end["scores"] == {a.id: 6, b.id: 3} and end["winner"] == a.id
    await a.close()
    await b.close()

    def stored():
        with sqlite3.connect(stack.data_dir / "kwissle.db") as db:
            return db.execute("SELECT reason, winner FROM battles WHERE id = ?", (battle["id"],)).fetchone()
    await eventually(lambda: stored() == ("complete", a.id), timeout=10)


async def test_a_battle_is_played_through_nginx_over_websocket(stack):
    await play_a_battle(stack, WebSocketClient)


async def test_a_battle_is_played_through_nginx_over_xhr_polling(stack):
    await play_a_battle(stack, XhrClient)


async def test_api_status_through_nginx_and_on_every_web_process_shows_the_game(stack):
    waiting = WebSocketClient(stack.url)
    await waiting.hello()
    await waiting.send({"type": "play"})
    await waiting.until("waiting")

    def game_figures(url):
        status, _, body = get(url, "/api/status")
        return json.loads(body) if status == 200 else None

    for url in (stack.url, stack.direct("web1"), stack.direct("web2")):
        await eventually(lambda: (game_figures(url) or {}).get("waiting") == 1, timeout=5)
    # The game's own figures, and no web process has a hub of its own to count with.
    assert game_figures(stack.direct("game"))["waiting"] == 1
    await waiting.close()
    await eventually(lambda: game_figures(stack.url)["waiting"] == 0, timeout=10)


async def test_per_ip_ticket_limit_counts_the_player_behind_nginx_not_nginx(stack):
    for _ in range(TICKETS_PER_MINUTE):
        assert (await aget(stack.url, "/api/ticket", source="127.0.0.3"))[0] == 200
    status, headers, body = await aget(stack.url, "/api/ticket", source="127.0.0.3")
    assert status == 429 and int(headers["Retry-After"]) >= 1
    # Another player behind the same nginx is not refused: the limit is not nginx's address.
    assert (await aget(stack.url, "/api/ticket", source="127.0.0.4"))[0] == 200
    # A client cannot pose as someone else through nginx: nginx overwrites the headers.
    spoof = {"X-Real-IP": "10.9.8.7", "X-Forwarded-For": "10.9.8.7"}
    assert (await aget(stack.url, "/api/ticket", source="127.0.0.3", headers=spoof))[0] == 429

    # Straight to the web processes: the headers count only from nginx's address (127.0.0.1).
    as_exhausted = {"X-Real-IP": "127.0.0.3"}
    from_elsewhere = [(await aget(stack.direct(web), "/api/ticket", source="127.0.0.5", headers=as_exhausted))[0]
                      for web in ("web1", "web2")]
    assert from_elsewhere == [200, 200]
    from_nginx_address = [(await aget(stack.direct(web), "/api/ticket", headers=as_exhausted))[0]
                          for web in ("web1", "web2")]
    assert sorted(from_nginx_address) == [200, 429]  # the process nginx sends 127.0.0.3 to has counted it


async def test_pages_come_from_web_static_files_from_nginx_security_headers_once(stack):
    status, headers, body = await aget(stack.url, "/")
    assert status == 200 and b"Kwissle" in body
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert len(headers.get_all("Content-Security-Policy")) == 1
    css = re.search(rb'href="(/static/css/kwissle\.css\?v=\w+)"', body).group(1).decode()
    status, headers, body = await aget(stack.url, css)
    assert status == 200
    assert body == (ROOT / "static" / "css" / "kwissle.css").read_bytes()
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]  # nginx's, not Tornado's
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    unversioned = await aget(stack.url, "/static/css/kwissle.css")
    assert unversioned[1]["Cache-Control"] == "no-cache"
    assert (await aget(stack.url, "/metrics"))[0] == 404


async def test_admin_is_answered_by_the_admin_process_and_refuses_non_admins(stack):
    status, headers, _ = await aget(stack.url, "/admin")
    assert status == 302 and headers["Location"] == "/sign-in?next=%2Fadmin"  # the admin process: sign in first
    status, _, body = await aget(stack.url, headers["Location"])  # which a web process serves
    assert status == 200 and b"Sign in" in body
    # what nginx passed on is the admin process's answer: it says so directly too
    status, headers, _ = await aget(stack.direct("admin"), "/admin")
    assert status == 302 and headers["Location"] == "/sign-in?next=%2Fadmin"
    # The web processes do not serve it at all: it lives on its own process.
    assert (await aget(stack.direct("web1"), "/admin"))[0] == 404


async def test_dropping_maintenance_html_takes_the_site_down_and_removing_it_brings_it_back(stack):
    page = stack.maintenance_dir / "maintenance.html"
    shutil.copy(ROOT / "deploy" / "maintenance.html", page)
    try:
        for path in ("/", "/play", "/api/status", "/sockjs/info", "/admin", "/static/css/kwissle.css"):
            status, headers, body = await aget(stack.url, path)
            assert status == 503, path
            assert b"Kwissle is being updated" in body
            assert headers["Retry-After"] == "300"
    finally:
        page.unlink()
    status, _, body = await aget(stack.url, "/")
    assert status == 200 and b"Kwissle is being updated" not in body


def test_stopping_leaves_nothing_running_and_every_process_exits_0(stack):
    """Last in the module: stop everything now (the fixture's stop then has nothing to do)."""
    endings = stack.stop()
    assert endings == {name: "rc=0" for name in ("web1", "web2", "game", "admin", "worker")}, stack.honcho_log
    assert stack.nginx.returncode == 0
