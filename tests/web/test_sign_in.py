"""Sign-in by e-mail link over real HTTP, with the mail sent by the worker's loop to a real SMTP
server (aiosmtpd) the test runs: ask, receive, follow, signed in; and every way a link can fail."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from http.cookies import SimpleCookie
from urllib.parse import quote_plus, urlsplit

import pytest
from tornado.httpclient import AsyncHTTPClient

from kwissle import accounts
from kwissle.mail.loop import MailLoop
from kwissle.mail.smtp import SmtpSender
from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome, QuestionStatus
from tests.conftest import start_server, stop_server
from tests.support.smtp_server import smtp_server

LINK = re.compile(r"https?://\S+/sign-in/\S+")


class Browser:
    """One visitor: a cookie jar, and the XSRF token sent with every POST."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    async def fetch(self, path: str, method: str = "GET", form: dict[str, str] | None = None,
                    xsrf: bool = True, follow: bool = False):
        headers = {}
        body = None
        if method == "POST":
            if "_xsrf" not in self.cookies:
                await self.fetch("/sign-in")
            fields = dict(form or {})
            if xsrf:
                fields["_xsrf"] = self.cookies["_xsrf"]
            body = "&".join(f"{k}={_quote(v)}" for k, v in fields.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = path if path.startswith("http") else self.base_url + path
        response = await AsyncHTTPClient().fetch(url, method=method, body=body, headers=headers,
                                                 follow_redirects=False, raise_error=False)
        for header in response.headers.get_list("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and "1970" not in (morsel["expires"] or ""):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if follow and response.code in (301, 302, 303):
            return await self.fetch(response.headers["Location"])
        return response

    async def ticket_player(self) -> dict:
        response = await self.fetch("/api/ticket")
        assert response.code == 200
        return json.loads(response.body)["player"]

    async def ask_for_link(self, email: str, path: str = "/sign-in"):
        return await self.fetch(path, "POST", {"email": email})


def _quote(value: str) -> str:
    return quote_plus(value)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.body.decode()).split())


@pytest.fixture
async def world(tmp_path):
    """(server, inbox, deliver): a server whose mail goes to a real SMTP server; `deliver()` runs
    one turn of the worker's mail loop."""
    with smtp_server() as (inbox, url):
        server = await start_server(tmp_path, smtp_url=url)
        loop = MailLoop(server.store, SmtpSender(url, server.settings.mail_from, timeout=5), server.settings)

        async def deliver():
            return await loop.run_once()

        try:
            yield server, inbox, deliver
        finally:
            await stop_server(server)


async def link_for(browser: Browser, inbox, deliver, email: str, path: str = "/sign-in") -> str:
    response = await browser.ask_for_link(email, path)
    assert response.code == 200, text(response)
    assert "Check your mail" in text(response)
    before = len(inbox.messages)
    await deliver()
    assert len(inbox.messages) == before + 1
    return LINK.search(inbox.messages[-1].get_content()).group(0)


async def test_ask_receive_follow_signed_in(world):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    response = await browser.ask_for_link("  Ana@Example.ORG ")
    assert response.code == 200 and "ana@example.org" in text(response)
    assert inbox.messages == []  # the request queued it; only the worker's loop talks SMTP
    assert await deliver() == "sent 1 of 1 mail(s)"
    [mail] = inbox.messages
    assert mail["To"] == "ana@example.org" and mail["Subject"] == "Your Kwissle sign-in link"
    body = mail.get_content()
    assert "valid for 15 minutes" in body and "If you didn't ask" in body
    link = LINK.search(body).group(0)
    assert link.startswith(server.base_url + "/sign-in/")

    followed = await browser.fetch(link)
    assert followed.code == 302 and followed.headers["Location"] == "/"
    cookie = next(h for h in followed.headers.get_list("Set-Cookie") if h.startswith("kwissle_player="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = await browser.fetch("/")
    player = await browser.ticket_player()
    assert player["guest"] is False
    assert player["name"] in text(home) and "Sign out" in text(home) and "Sign in" not in text(home)
    account = await server.store.get_player_by_email("ana@example.org")
    assert account.id == player["id"] and not account.guest
    await server.app.counters.flush()
    assert await server.store.get_counter("sign_ins") == 1


async def test_a_mixed_case_address_signs_in_to_the_same_account(world):
    server, inbox, deliver = world
    first, second = Browser(server.base_url), Browser(server.base_url)
    await first.fetch(await link_for(first, inbox, deliver, "zoe@example.org"))
    await second.fetch(await link_for(second, inbox, deliver, "ZOE@Example.Org"))
    assert (await first.ticket_player())["id"] == (await second.ticket_player())["id"]
    assert inbox.messages[-1]["To"] == "zoe@example.org"


async def test_a_used_link_gets_the_used_page_and_changes_nothing(world):
    server, inbox, deliver = world
    browser, other = Browser(server.base_url), Browser(server.base_url)
    link = await link_for(browser, inbox, deliver, "ana@example.org")
    assert (await browser.fetch(link)).code == 302
    guest = await other.ticket_player()
    again = await other.fetch(link)
    assert again.code == 410 and "already been used" in text(again)
    assert "Send me a sign-in link" in text(again)  # a form for a new link
    assert await other.ticket_player() == guest  # still the same guest


async def test_an_expired_link_gets_the_expired_page(world):
    server, _, _ = world
    browser = Browser(server.base_url)
    guest = await browser.ticket_player()
    token = accounts.new_token()
    now = time.time()
    await server.store.create_sign_in_link(accounts.token_hash(token), "late@example.org", guest["id"],
                                           now - 16 * 60, now - 60)
    response = await browser.fetch(f"/sign-in/{token}")
    assert response.code == 410 and "expired" in text(response) and "15 minutes" in text(response)
    assert await browser.ticket_player() == guest
    assert await server.store.get_player_by_email("late@example.org") is None


@pytest.mark.parametrize("tamper", [
    lambda token: accounts.new_token(),  # forged: never sent
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
    lambda token: token[:20],  # cut short
    lambda token: "not a token at all",
])
async def test_forged_or_tampered_links_get_a_clear_page_and_change_nothing(world, tamper):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    link = await link_for(browser, inbox, deliver, "ana@example.org")
    token = urlsplit(link).path.rsplit("/", 1)[1]
    response = await browser.fetch("/sign-in/" + _quote(tamper(token)).replace("+", "%20"))
    assert response.code == 404 and "This link does not work" in text(response)
    assert (await browser.ticket_player())["guest"] is True
    assert await server.store.get_player_by_email("ana@example.org") is None
    assert (await browser.fetch(link)).code == 302  # the real link still works


async def test_two_racing_clicks_on_one_link_sign_in_once(world):
    server, inbox, deliver = world
    asker = Browser(server.base_url)
    link = await link_for(asker, inbox, deliver, "race@example.org")
    clicks = [Browser(server.base_url) for _ in range(2)]
    responses = await asyncio.gather(*(b.fetch(link) for b in clicks))
    assert sorted(r.code for r in responses) == [302, 410]
    loser = next(r for r in responses if r.code == 410)
    assert "already been used" in text(loser)
    players = [await b.ticket_player() for b in clicks]
    assert sorted(p["guest"] for p in players) == [False, True]


async def test_a_guest_who_played_keeps_the_battle_when_signing_in_to_an_existing_account(world):
    server, inbox, deliver = world
    phone, laptop = Browser(server.base_url), Browser(server.base_url)
    await phone.fetch(await link_for(phone, inbox, deliver, "ana@example.org"))
    account = await server.store.get_player_by_email("ana@example.org")

    guest = await laptop.ticket_player()
    stored_guest = await server.store.ensure_guest(guest["id"], guest["name"])
    rival = await server.store.ensure_guest("rival-1", "Calm Ibis 55")
    [question] = await server.store.list_questions(QuestionStatus.PUBLISHED, limit=1)
    await server.store.save_battle(BattleRecord(
        id="b-guest", player_ids=(stored_guest.id, rival.id), scores={stored_guest.id: 3, rival.id: 0},
        winner=stored_guest.id, reason=BattleEnd.COMPLETE, started_at=1.0, ended_at=2.0,
        outcomes=(QuestionOutcome(question.id, stored_guest.id, "typed", 3,
                                  {stored_guest.id: [question.answer], rival.id: []}),)))

    await laptop.fetch(await link_for(laptop, inbox, deliver, "Ana@example.org"))
    assert (await laptop.ticket_player())["id"] == account.id
    [battle] = await server.store.recent_battles(account.id)
    assert battle.id == "b-guest" and battle.winner == account.id and battle.scores[account.id] == 3
    assert await server.store.recent_battles(stored_guest.id) == []  # the guest's row stays, empty


async def test_a_new_account_made_by_a_guest_who_played_is_that_guest(world):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    guest = await browser.ticket_player()
    await server.store.ensure_guest(guest["id"], guest["name"])
    await browser.fetch(await link_for(browser, inbox, deliver, "new@example.org"))
    assert await browser.ticket_player() == {"id": guest["id"], "name": guest["name"], "guest": False}


@pytest.mark.parametrize("email, message", [
    ("", "Enter your e-mail address."),
    ("not-an-address", "does not look like an e-mail address"),
    ("two@@example.org", "does not look like an e-mail address"),
    ("ana@example.org\r\nBcc: all@example.org", "does not look like an e-mail address"),
    ("a" * 250 + "@example.org", "too long"),
])
async def test_a_bad_address_is_a_400_with_the_message_beside_the_field(world, email, message):
    server, _, deliver = world
    response = await Browser(server.base_url).ask_for_link(email)
    assert response.code == 400
    error = re.search(r'<p class="field__error" id="email-error" role="alert">([^<]*)</p>', response.body.decode())
    assert error and message in error.group(1)
    assert await deliver() is None  # nothing was queued


async def test_next_is_kept_through_the_link_but_only_a_same_site_path(world):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    link = await link_for(browser, inbox, deliver, "ana@example.org", "/sign-in?next=/about")
    assert (await browser.fetch(link)).headers["Location"] == "/about"
    evil = await link_for(browser, inbox, deliver, "zoe@example.org", "/sign-in?next=//evil.example/x")
    assert (await browser.fetch(evil)).headers["Location"] == "/"


async def test_sign_out_forgets_the_account_and_the_next_ticket_is_a_new_guest(world):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    await browser.fetch(await link_for(browser, inbox, deliver, "ana@example.org"))
    account = await browser.ticket_player()
    response = await browser.fetch("/sign-out", "POST")
    assert response.code == 302
    assert "Sign in" in text(await browser.fetch("/"))
    guest = await browser.ticket_player()
    assert guest["guest"] is True and guest["id"] != account["id"]


async def test_posts_without_the_xsrf_token_are_refused(world):
    server, inbox, deliver = world
    browser = Browser(server.base_url)
    refused = await browser.fetch("/sign-in", "POST", {"email": "ana@example.org"}, xsrf=False)
    assert refused.code == 403
    assert await deliver() is None
    await browser.fetch(await link_for(browser, inbox, deliver, "ana@example.org"))
    assert (await browser.fetch("/sign-out", "POST", xsrf=False)).code == 403
    assert (await browser.ticket_player())["guest"] is False  # still signed in


@pytest.mark.parametrize("overrides, addresses, rule", [
    ({"limit_sign_in_per_address": "2/hour"}, ["ana@example.org", "ANA@example.org", "ana@example.org"],
     "sign-in links sent to this address"),
    ({"limit_sign_in_per_ip": "2/hour"}, ["a@example.org", "b@example.org", "c@example.org"],
     "sign-in links asked for from this network address"),
])
async def test_too_many_links_is_a_429_with_retry_after(tmp_path, overrides, addresses, rule):
    server = await start_server(tmp_path, **overrides)
    try:
        browser = Browser(server.base_url)
        codes = [(await browser.ask_for_link(a)).code for a in addresses[:2]]
        limited = await browser.ask_for_link(addresses[2])
        assert codes == [200, 200] and limited.code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= 3600
        assert f"Too many {rule}: at most 2 per hour" in text(limited)
        claimed = await server.store.claim_mail(time.time(), 60)
        assert len(claimed) == 2  # the limited request queued nothing
    finally:
        await stop_server(server)


async def test_the_link_points_at_the_public_url_and_only_the_tokens_hash_is_stored(tmp_path):
    server = await start_server(tmp_path, public_url="https://kwissle.example")
    try:
        await Browser(server.base_url).ask_for_link("ana@example.org")
        [mail] = await server.store.claim_mail(time.time(), 60)
        link = re.search(r"^https://kwissle\.example/sign-in/([A-Za-z0-9_-]{43})$", mail.body, re.MULTILINE)
        assert link
        path = server.settings.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT token_hash FROM sign_in_links").fetchall() == [
                (accounts.token_hash(link.group(1)),)]
    finally:
        await stop_server(server)
