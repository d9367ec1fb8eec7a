"""Bans on the wire, over a real server and real SockJS clients (raw WebSocket and XHR
polling): `play` and `report` of a banned player get `banned` with the reason and `until`;
a ban given while the player waits takes them out of the queue at pairing; a ban that ends,
or that a moderator lifts, stops applying. Every frame is checked against the schema (so
`until` is there with `banned` only). Also the cache itself, on a hand-held clock."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from tornado.web import create_signed_value

from kwissle.model import Ban
from kwissle.realtime.bans import BanCache, Banned
from tests.support.clients import WebSocketClient, XhrClient
from tests.support.waiting import eventually
from tests.web.crowd_browser import Browser

from .test_battle_over_sockjs import answer_book

TRANSPORTS = {"websocket": WebSocketClient, "xhr": XhrClient}
DAY = 86_400.0


async def account(server, name, kind=WebSocketClient):
    """A real client signed in as a stored account (its cookie, as a sign-in link leaves it)."""
    player = await server.store.create_player(name, guest=False, email=f"{name.lower()}@example.org")
    client = kind(server.base_url)
    value = json.dumps({"id": player.id, "name": player.name}, separators=(",", ":"))
    client.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player", value).decode()
    return client, player


async def moderator(server):
    player = await server.store.create_player("Moderator", guest=False, email="moderator@example.org")
    await server.store.set_admin(player.id, True)
    browser = Browser(server.base_url)
    value = json.dumps({"id": player.id, "name": player.name}, separators=(",", ":"))
    browser.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player", value).decode()
    return browser, player


async def hello_known(server, client) -> None:
    """Say hello, then let the lookup that hello starts finish (the hub then knows without waiting)."""
    await client.hello()
    await eventually(lambda: server.hub.bans.fresh(client.id))


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
async def test_a_banned_player_is_refused_play_with_why_and_until(server, transport):
    client, player = await account(server, "Ana", TRANSPORTS[transport])
    mod = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    until = time.time() + 3 * DAY
    await server.store.ban_player(player.id, "spamming reports", until, mod.id, time.time())
    await hello_known(server, client)
    await client.send({"type": "play"})
    refusal = await client.expect("error", code="banned")
    assert refusal["until"] == pytest.approx(until)
    assert "spamming reports" in refusal["message"] and "until " in refusal["message"]
    assert server.hub.status()["waiting"] == 0  # not queued
    await client.send({"type": "play"})
    await client.expect("error", code="banned")  # every time, while it lasts
    await client.close()


async def test_an_indefinite_ban_says_until_null(server):
    client, player = await account(server, "Ana")
    mod = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    await server.store.ban_player(player.id, "abuse", None, mod.id, time.time())
    await hello_known(server, client)
    await client.send({"type": "play"})
    refusal = await client.expect("error", code="banned")
    assert refusal["until"] is None and "until further notice" in refusal["message"]
    await client.close()


@pytest.mark.parametrize("server", [{"ban_cache_seconds": 0.2}], indirect=True)
async def test_after_the_ban_ends_play_works(server):
    client, player = await account(server, "Ana")
    mod = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    until = time.time() + 1.0
    await server.store.ban_player(player.id, "a short cooling off", until, mod.id, time.time())
    await hello_known(server, client)
    await client.send({"type": "play"})
    assert (await client.expect("error", code="banned"))["until"] == pytest.approx(until)
    await asyncio.sleep(max(0.0, until - time.time()) + 0.05)
    await client.send({"type": "play"})
    await client.expect("waiting")  # the ban ended by itself: nobody lifted it
    await client.close()


@pytest.mark.parametrize("server", [{"ban_cache_seconds": 0.0}], indirect=True)
async def test_a_ban_given_while_waiting_takes_the_player_out_at_pairing(server):
    """Banned by another process (straight in the store, so this hub is not told): the pairing
    looks the players up again, the banned one leaves the queue with `banned`, the other waits on."""
    a, ana = await account(server, "Ana")
    b, _ = await account(server, "Bo")
    await a.hello()
    await b.hello()
    await a.send({"type": "play"})
    await a.expect("waiting")
    mod = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    await server.store.ban_player(ana.id, "banned meanwhile", None, mod.id, time.time())
    await b.send({"type": "play"})
    await b.expect("waiting")
    refusal = await a.until("error")
    assert refusal["code"] == "banned" and "banned meanwhile" in refusal["message"]
    await b.silent(0.3)  # no battle for b: back in the queue
    assert server.hub.status()["battles"] == 0
    c, _ = await account(server, "Cy")
    await c.hello()
    await c.send({"type": "play"})
    battle = await b.until("battle")
    assert battle["opponent"]["name"] == "Cy"
    for client in (a, b, c):
        await client.close()


async def test_a_ban_from_the_admin_page_refuses_reports_at_once_and_an_unban_lets_play(server):
    """In `serve` the admin page refreshes this process's cache: the ban applies to the next
    message, the unban too. A running battle is not stopped by a ban."""
    browser, _ = await moderator(server)
    a, ana = await account(server, "Ana")
    b, _ = await account(server, "Bo")
    await a.hello()
    await b.hello()
    await a.send({"type": "play"})
    await a.expect("waiting")
    await b.send({"type": "play"})
    await a.until("battle")
    question = await a.until("question")
    response = await browser.post(f"/admin/players/{ana.id}/ban", {"reason": "rude reports", "length": "1"})
    assert response.code == 303
    await a.send({"type": "report", "q": question["q"], "reason": "this is rude"})
    refusal = await a.until("error")
    assert refusal["code"] == "banned" and "rude reports" in refusal["message"]
    assert refusal["until"] == pytest.approx(time.time() + DAY, abs=30)
    assert await server.store.reports_filed_by(ana.id) == []
    book = await answer_book(server.store)
    await a.send({"type": "answer", "q": question["q"], "text": book[question["text"]].answer})
    assert (await a.until("reveal"))["q"] == question["q"]  # still playing the battle under way
    await a.send({"type": "leave"})
    await a.until("end")
    await a.send({"type": "play"})
    await a.until("error")
    response = await browser.post(f"/admin/players/{ana.id}/unban", {"unban_reason": "apologised"})
    assert response.code == 303
    await a.send({"type": "play"})
    await a.until("waiting")
    await a.close()
    await b.close()


# --- the cache, on a hand-held clock -------------------------------------------------------


class CountingStore:
    def __init__(self) -> None:
        self.bans: dict[str, Ban] = {}
        self.lookups = 0
        self.fail = False

    async def active_ban(self, player_id: str, now: float) -> Ban | None:
        self.lookups += 1
        if self.fail:
            raise RuntimeError("the store is down")
        ban = self.bans.get(player_id)
        return ban if ban is not None and ban.applies(now) else None


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_the_cache_asks_the_store_at_most_once_per_period_and_never_blocks():
    store, clock, spawned = CountingStore(), Clock(), []
    cache = BanCache(store, spawned.append, seconds=30, clock=clock)
    store.bans["p"] = Ban("p", "spam", clock.now + 100, "mod", clock.now)
    cache.refuse_if_banned("p")  # unknown yet: let through, a lookup started
    assert len(spawned) == 1
    cache.refuse_if_banned("p")  # one lookup under way is enough
    assert len(spawned) == 1
    await spawned.pop()
    for _ in range(100):
        with pytest.raises(Banned) as refused:
            cache.refuse_if_banned("p")
        assert refused.value.code == "banned" and refused.value.until == clock.now + 100
    assert store.lookups == 1 and spawned == []
    clock.now += 31  # stale: still refused from what is held, and looked up again
    with pytest.raises(Banned):
        cache.refuse_if_banned("p")
    del store.bans["p"]  # lifted elsewhere
    await spawned.pop()
    cache.refuse_if_banned("p")  # the lookup saw the unban
    assert store.lookups == 2


async def test_a_held_ban_stops_applying_when_it_ends_without_a_lookup():
    store, clock, spawned = CountingStore(), Clock(), []
    cache = BanCache(store, spawned.append, seconds=1000, clock=clock)
    store.bans["p"] = Ban("p", "spam", clock.now + 5, "mod", clock.now)
    await cache.lookup("p")
    with pytest.raises(Banned):
        cache.refuse_if_banned("p")
    clock.now += 5
    cache.refuse_if_banned("p")
    assert store.lookups == 1


async def test_a_failed_lookup_lets_the_player_through_and_is_tried_again():
    store, clock, spawned = CountingStore(), Clock(), []
    cache = BanCache(store, spawned.append, seconds=30, clock=clock)
    store.bans["p"] = Ban("p", "spam", None, "mod", clock.now)
    store.fail = True
    assert await cache.lookup("p") is None
    store.fail = False
    assert (await cache.lookup("p")).reason == "spam"  # nothing was held: asked again
