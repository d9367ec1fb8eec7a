"""The pages over plain HTTP: headings, headers, the friendly error pages, cache-busted assets."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tornado.httpclient import AsyncHTTPClient

from kwissle.web.base import BaseHandler

ONE_YEAR = 365 * 24 * 3600


class PageParts(HTMLParser):
    """What a test wants to know about a page: headings, asset URLs, scripts, inline handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: dict[str, list[str]] = {"h1": [], "h2": []}
        self.assets: list[str] = []
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.inline_styles = 0
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.inline_handlers += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.inline_styles += 1
        if tag == "script":
            if attrs.get("src"):
                self.assets.append(attrs["src"])
            else:
                self.inline_scripts += 1
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "style":
            self.inline_styles += 1
        if tag in self.headings:
            self._heading, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings[tag].append(" ".join("".join(self._text).split()))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)


async def fetch(server, path: str):
    return await AsyncHTTPClient().fetch(server.base_url + path, raise_error=False)


def parse(body: bytes) -> PageParts:
    parts = PageParts()
    parts.feed(body.decode())
    return parts


def assert_page_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("path, h1, h2", [
    ("/", "Answer first. Steal the question.", ["Challenge a friend", "The rules in three lines"]),
    ("/play", "Connecting…", ["Question by question", "Leave the battle?"]),
    ("/about", "How to play Kwissle",
     ["A battle", "Typos and the judge", "Connection trouble", "Where the questions come from", "Keyboard"]),
    ("/rules", "How to play Kwissle",
     ["A battle", "Typos and the judge", "Connection trouble", "Where the questions come from", "Keyboard"]),
])
async def test_pages_answer_with_their_headings_and_safe_headers(server, path, h1, h2):
    response = await fetch(server, path)
    assert response.code == 200
    assert_page_headers(response)
    assert response.headers["Cache-Control"] == "no-cache"
    parts = parse(response.body)
    assert parts.headings["h1"][0] == h1
    assert parts.headings["h2"] == h2
    assert parts.inline_scripts == 0 and parts.inline_handlers == [] and parts.inline_styles == 0
    assert b'<a class="brand" href="/"' in response.body  # every page extends base.html


async def test_pages_answer_head_requests_without_a_body(server):
    response = await AsyncHTTPClient().fetch(server.base_url + "/play", method="HEAD", raise_error=False)
    assert response.code == 200 and response.body == b""
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"


async def test_the_about_page_states_the_rules_with_the_configured_numbers(server):
    body = (await fetch(server, "/about")).body.decode()
    rules = server.settings.rules
    text = " ".join(re.sub(r"<[^>]+>", "", body).split())
    assert f"A battle has {rules.questions} questions" in text
    assert f"open for {rules.question_seconds:g} seconds" in text
    assert f"up to {rules.typed_tries} tries per question" in text
    assert "3 points" in text and "1 point" in text
    assert "Iran is not Iraq" in text
    assert f"{rules.resume_seconds:g} seconds to come back" in text


async def test_an_unknown_address_gets_the_friendly_404_page(server):
    response = await fetch(server, "/no/such/page")
    assert response.code == 404
    assert_page_headers(response)
    parts = parse(response.body)
    assert parts.headings["h1"] == ["This page has wandered off"]
    assert "There is no page at this address." in response.body.decode()
    assert "<title>404 · Page not found · Kwissle</title>" in response.body.decode()
    assert any(url.startswith("/static/css/kwissle.css?v=") for url in parts.assets)


async def test_a_server_error_gets_the_friendly_500_page_without_details(server):
    class Broken(BaseHandler):
        def get(self):
            raise RuntimeError("secret internals")

    server.app.add_handlers(r".*", [(r"/test-broken", Broken)])
    response = await fetch(server, "/test-broken")
    assert response.code == 500
    assert_page_headers(response)
    assert parse(response.body).headings["h1"] == ["Something went wrong on our side"]
    assert b"secret internals" not in response.body and b"Traceback" not in response.body


async def test_the_api_still_answers_errors_as_json(server):
    response = await AsyncHTTPClient().fetch(server.base_url + "/api/status", method="POST", body=b"",
                                             raise_error=False)
    assert response.code in (403, 405)
    assert response.headers["Content-Type"].startswith("application/json")


async def test_assets_carry_version_hashes_and_are_cached_for_long(server):
    seen = set()
    for path in ("/", "/play", "/about", "/no/such/page"):
        for url in parse((await fetch(server, path)).body).assets:
            assert url.startswith("/static/"), url
            assert re.search(r"\?v=[0-9a-f]{8,}$", url), f"{url} on {path} has no version hash"
            seen.add(url)
    names = {url.split("?")[0] for url in seen}
    assert {"/static/css/kwissle.css", "/static/js/home.js", "/static/js/main.js", "/static/js/theme.js", "/static/js/theme-boot.js",
            "/static/vendor/sockjs.min.js", "/static/img/favicon.svg"} <= names
    for url in sorted(seen):
        response = await fetch(server, url)
        assert response.code == 200, url
        max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
        assert max_age >= ONE_YEAR, (url, response.headers["Cache-Control"])
    # The modules main.js imports by plain relative URLs are revalidated, never kept on heuristics.
    unversioned = await fetch(server, "/static/js/dom.js")
    assert unversioned.headers.get("Cache-Control") == "no-cache"


@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/leaders", 200), ("/player/nobody", 404), ("/questions/new", 302), ("/review", 302),
])
async def test_head_answers_what_get_would_without_a_body(server, path, status):
    client = AsyncHTTPClient()
    got = await client.fetch(server.base_url + path, method="HEAD", raise_error=False, follow_redirects=False)
    want = await client.fetch(server.base_url + path, raise_error=False, follow_redirects=False)
    assert (got.code, want.code) == (status, status)
    assert got.body == b""
    assert got.headers.get("Location") == want.headers.get("Location")
