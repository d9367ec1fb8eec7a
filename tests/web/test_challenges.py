"""Challenge links over HTTP against a real server and store: made by a guest or a signed-in
player (303 to the page), a category checked against the published ones, XSRF and the rate
limit enforced, and the page for the creator, for a friend, and once it is over (410)."""

from __future__ import annotations

import html
import re
import time
from dataclasses import replace
from urllib.parse import urlparse

import pytest

from kwissle.model import ChallengeState
from tests.web.crowd_browser import Browser, signed_in


async def make(browser: Browser, **fields) -> str:
    response = await browser.post("/challenges", fields)
    assert response.code == 303, response.body[:500]
    path = urlparse(response.headers["Location"]).path
    assert re.fullmatch(r"/c/[A-Za-z0-9_-]{12}", path)
    return path.removeprefix("/c/")


async def test_a_guest_makes_a_challenge_and_becomes_a_guest(server):
    browser = Browser(server.base_url)
    code = await make(browser)
    assert "kwissle_player" in browser.cookies  # a visitor with no cookie is a guest from now on
    challenge = await server.store.get_challenge(code)
    assert challenge.category is None and challenge.state(time.time()) is ChallengeState.OPEN
    assert 29 * 60 < challenge.expires_at - challenge.created_at <= 30 * 60
    ticket = await browser.get("/api/ticket")  # the same guest the challenge names
    assert f'"id": "{challenge.creator_id}"' in ticket.body.decode()
    page = await browser.get(f"/c/{code}")
    body = page.body.decode()
    assert page.code == 200
    assert f'data-challenge="{code}"' in body and 'data-role="creator"' in body
    assert f"{server.base_url}/c/{code}" in body  # the link to share
    assert "Share" in body


async def test_a_signed_in_player_makes_one_on_a_category_and_a_friend_sees_who_challenges(server):
    browser, player = await signed_in(server, "Ada")
    code = await make(browser, category="Science")
    challenge = await server.store.get_challenge(code)
    assert (challenge.creator_id, challenge.creator_name, challenge.category) == (player.id, "Ada", "Science")
    friend = Browser(server.base_url)
    page = await friend.get(f"/c/{code}")
    body = page.body.decode()
    assert page.code == 200 and 'data-role="guest"' in body
    assert "Ada challenges you" in body and "<strong>Science</strong>" in body
    assert 'id="challenge-play"' in body


async def test_the_creator_name_is_escaped_on_the_page(server):
    browser, _ = await signed_in(server, "<b>Eve</b>")
    code = await make(browser)
    body = (await Browser(server.base_url).get(f"/c/{code}")).body.decode()
    assert html.escape("<b>Eve</b>") + " challenges you" in body and "<b>Eve</b>" not in body


async def test_an_unknown_category_is_refused_and_nothing_stored(server):
    browser = Browser(server.base_url)
    response = await browser.post("/challenges", {"category": "Astrology"})
    assert response.code == 400
    assert "Choose a category" in response.body.decode()


async def test_without_the_xsrf_token_nothing_is_made(server):
    browser = Browser(server.base_url)
    response = await browser.post("/challenges", {}, xsrf=False)
    assert response.code == 403
    assert "kwissle_player" not in browser.cookies


@pytest.mark.parametrize("server", [{"limit_challenges_per_player": "2/hour"}], indirect=True)
async def test_the_rate_limit_per_player(server):
    browser, _ = await signed_in(server, "Busy")
    await make(browser)
    await make(browser)
    response = await browser.post("/challenges", {})
    assert response.code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many challenge links" in response.body.decode()


async def test_an_expired_or_used_challenge_says_so_with_410(server):
    browser = Browser(server.base_url)
    code = await make(browser)
    challenge = await server.store.get_challenge(code)
    assert await server.store.use_challenge(code, "b1", time.time())
    page = await browser.get(f"/c/{code}")
    assert page.code == 410
    body = page.body.decode()
    assert "This challenge has been played" in body and 'href="/play"' in body
    expired = replace(challenge, code="expired_one", expires_at=time.time() - 1)
    await server.store.create_challenge(expired)
    page = await Browser(server.base_url).get("/c/expired_one")
    assert page.code == 410 and "This challenge has expired" in page.body.decode()


async def test_an_unknown_code_is_404(server):
    browser = Browser(server.base_url)
    assert (await browser.get("/c/nothing_here")).code == 404
    assert (await browser.get("/c/" + "x" * 80)).code == 404


async def test_the_home_page_offers_the_challenge_form(server):
    browser = Browser(server.base_url)
    first = await browser.get("/")  # loads the categories in the background
    assert first.code == 200 and 'action="/challenges"' in first.body.decode()
    for _ in range(50):
        body = (await browser.get("/")).body.decode()
        if "<option>Science</option>" in body:
            break
    assert "<option>Science</option>" in body and "Any category" in body
