"""HTTP clients for the admin tests: nobody, a signed-in player, an admin, each with its own
cookie jar and an XSRF token of its own (the admin process serves no sign-in page to fetch
one from, so the client sets the `_xsrf` cookie as a browser holding one would)."""

from __future__ import annotations

import json
import secrets

from kwissle.model import Player
from tests.web.crowd_browser import Browser, signed_in


def with_xsrf(browser: Browser) -> Browser:
    browser.cookies.setdefault("_xsrf", secrets.token_hex(16))  # a version-1 token: plain hex
    return browser


async def stranger(server) -> Browser:
    return with_xsrf(Browser(server.base_url))


async def member(server, name: str = "Member") -> tuple[Browser, Player]:
    browser, player = await signed_in(server, name)
    return with_xsrf(browser), player


async def admin(server, name: str = "Moderator") -> tuple[Browser, Player]:
    browser, player = await member(server, name)
    await server.store.set_admin(player.id, True)
    return browser, player


async def post_json(browser: Browser, path: str, body: object, *, xsrf: bool = True):
    headers = {"Content-Type": "application/json"}
    if xsrf:
        headers["X-XSRFToken"] = browser.cookies["_xsrf"]
    return await browser._fetch(path, method="POST", body=json.dumps(body), headers=headers)
