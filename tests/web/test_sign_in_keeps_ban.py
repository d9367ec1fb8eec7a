"""Signing in does not evade a ban, end to end: a guest who played is banned, asks for a sign-in
link to an account that already exists, follows it from the mail a real SMTP server received,
and is then refused `play` with `banned` over a real SockJS WebSocket, as the account."""

from __future__ import annotations

import time

from tests.support.clients import WebSocketClient
from tests.support.waiting import eventually
from tests.web.test_sign_in import Browser, link_for, world  # noqa: F401  (world: the fixture)


async def test_a_banned_guest_who_signs_in_is_still_refused_play(world):  # noqa: F811
    server, inbox, deliver = world
    account = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    moderator = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    browser = Browser(server.base_url)
    guest = await browser.ticket_player()
    await server.store.ensure_guest(guest["id"], guest["name"])  # stored, as after a first battle
    await server.store.ban_player(guest["id"], "abusive names", None, moderator.id, time.time())

    followed = await browser.fetch(await link_for(browser, inbox, deliver, "ana@example.org"))
    assert followed.code == 302
    signed_in = await browser.ticket_player()
    assert (signed_in["id"], signed_in["guest"]) == (account.id, False)  # merged into the existing account

    client = WebSocketClient(server.base_url)
    client.cookies.update(browser.cookies)
    await client.hello()
    assert client.id == account.id
    await eventually(lambda: server.hub.bans.fresh(account.id))
    await client.send({"type": "play"})
    refusal = await client.expect("error", code="banned")
    assert refusal["until"] is None and "abusive names" in refusal["message"]
    assert server.hub.status()["waiting"] == 0
    await client.close()
