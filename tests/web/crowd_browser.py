"""A form-filling HTTP client for the crowd pages' tests: one cookie jar, the XSRF dance done
as a browser does it (the token from the `_xsrf` cookie, sent back as a form field).

`signed_in` makes a stored account and gives the client its signed player cookie, as
following a sign-in link would."""

from __future__ import annotations

import html as html_text
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPResponse
from tornado.web import create_signed_value

from kwissle.model import Player


class Browser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.http = AsyncHTTPClient()

    async def get(self, path: str) -> HTTPResponse:
        return await self._fetch(path, method="GET")

    async def post(self, path: str, fields: dict[str, str], *, xsrf: bool = True) -> HTTPResponse:
        """POST a form; with `xsrf`, first fetch a page for the cookie, then send its token."""
        if xsrf and "_xsrf" not in self.cookies:
            await self.get("/sign-in")  # a page with a form: it sets the _xsrf cookie
        body = dict(fields)
        if xsrf:
            body["_xsrf"] = self.cookies["_xsrf"]
        return await self._fetch(path, method="POST", body=urlencode(body),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})

    async def _fetch(self, path: str, **kwargs) -> HTTPResponse:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = await self.http.fetch(self.base_url + path, headers=headers, raise_error=False,
                                         follow_redirects=False, **kwargs)
        for header in response.headers.get_list("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response


async def signed_in(server, name: str) -> tuple[Browser, Player]:
    player = await server.store.create_player(name, guest=False, email=f"{name.lower()}@example.org")
    browser = Browser(server.base_url)
    value = json.dumps({"id": player.id, "name": player.name}, separators=(",", ":"))
    browser.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player", value).decode()
    return browser, player


def field_error(html: str, field: str) -> str:
    """The message the page shows beside `field` ('' if none)."""
    found = re.search(rf'<p class="field__error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    return html_text.unescape(found.group(1).strip()) if found else ""


def input_value(html: str, field: str) -> str | None:
    found = re.search(rf'<input[^>]*id="{re.escape(field)}"[^>]*value="([^"]*)"', html, re.S)
    return html_text.unescape(found.group(1)) if found else None
