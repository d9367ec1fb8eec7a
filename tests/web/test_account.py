"""The account page (/account) over real HTTP: a signed-in player sees their address and renames
themselves; the new name shows in the header, on the profile and in the next ticket."""

from __future__ import annotations

import html as html_text
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from tornado.web import decode_signed_value

from kwissle.realtime import tickets
from tests.web.crowd_browser import Browser, field_error, input_value, signed_in
from tests.web.test_pages import assert_page_headers, parse
from tests.web.test_profile import assert_no_inline_code


def header_name(body: bytes) -> str | None:
    """The name the header shows for the signed-in player (None: nobody is signed in)."""
    found = re.search(r'<a class="account__name"[^>]*>(.*?)</a>', body.decode(), re.DOTALL)
    return html_text.unescape(found.group(1)) if found else None


async def rename(browser: Browser, name: str):
    return await browser.post("/account", {"name": name})


async def test_the_page_shows_the_address_and_the_name_in_the_form(server):
    browser, ana = await signed_in(server, "Ana")
    response = await browser.get("/account")
    assert response.code == 200
    assert_page_headers(response)
    assert_no_inline_code(response.body)
    body = response.body.decode()
    assert parse(response.body).headings["h1"] == ["Your account"]
    assert 'id="account-email">ana@example.org<' in body
    assert input_value(body, "name") == "Ana"
    assert '<label class="field__label" for="name">Display name</label>' in body
    assert 'name="_xsrf"' in body
    assert f'href="/player/{ana.id}"' in body
    assert header_name(response.body) == "Ana" and 'href="/account"' in body


async def test_a_good_name_is_saved_normalised_and_the_page_says_saved(server):
    browser, ana = await signed_in(server, "Ana")
    response = await rename(browser, "  Ana   de la  Cruz ")
    assert response.code == 303
    location = urlparse(response.headers["Location"])
    assert location.path == "/account" and parse_qs(location.query) == {"saved": ["1"]}
    assert (await server.store.get_player(ana.id)).name == "Ana de la Cruz"
    page = await browser.get(response.headers["Location"])
    text = " ".join(re.sub(r"<[^>]+>", " ", page.body.decode()).split())
    assert "Saved. You are now “Ana de la Cruz”." in text
    assert input_value(page.body.decode(), "name") == "Ana de la Cruz"


async def test_the_header_shows_the_new_name_after_saving(server):
    browser, _ = await signed_in(server, "Ana")
    assert header_name((await browser.get("/")).body) == "Ana"
    await rename(browser, "Countess Lovelace")
    for path in ("/", "/account", "/leaders", "/about"):
        assert header_name((await browser.get(path)).body) == "Countess Lovelace", path


async def test_the_next_ticket_carries_the_new_name(server):
    browser, ana = await signed_in(server, "Ana")
    before = json.loads((await browser.get("/api/ticket")).body)
    assert before["player"] == {"id": ana.id, "name": "Ana", "guest": False}
    await rename(browser, "Ana 2")
    after = json.loads((await browser.get("/api/ticket")).body)
    assert after["player"] == {"id": ana.id, "name": "Ana 2", "guest": False}
    holder = tickets.read(server.settings.cookie_secret, after["ticket"])
    assert (holder.id, holder.name, holder.guest) == (ana.id, "Ana 2", False)


async def test_the_cookie_is_rewritten_so_it_names_the_new_name(server):
    browser, ana = await signed_in(server, "Ana")
    old_cookie = browser.cookies["kwissle_player"]
    await rename(browser, "Ana Renamed")
    assert browser.cookies["kwissle_player"] != old_cookie
    value = decode_signed_value(server.settings.cookie_secret, "kwissle_player", browser.cookies["kwissle_player"])
    assert json.loads(value) == {"id": ana.id, "name": "Ana Renamed"}
    assert (await server.store.get_player(ana.id)).name == "Ana Renamed"


@pytest.mark.parametrize("name, message", [
    ("", "Enter a name."),
    ("   ", "Enter a name."),
    ("x" * 25, "That name is too long: at most 24 characters (25 given)."),
    ("Ana\u200dBo", "A name cannot hold invisible characters (such as zero-width joiners)."),
    ("\u3164", "A name cannot hold invisible characters (such as zero-width joiners)."),
    ("Ana\x07Bo", "A name cannot hold control characters."),
    ("Ana\x7fBo", "A name cannot hold control characters."),
    ("Ana\x9bBo", "A name cannot hold control characters."),
    ("?!...", "A name needs at least one letter, digit or emoji, not only punctuation."),
])
async def test_each_bad_name_gets_its_message_beside_the_field_and_nothing_changes(server, name, message):
    browser, ana = await signed_in(server, "Ana")
    response = await rename(browser, name)
    assert response.code == 400
    body = response.body.decode()
    assert field_error(body, "name") == message
    assert 'aria-invalid="true"' in body and 'aria-describedby="name-hint name-error"' in body
    assert_no_inline_code(response.body)
    shown = input_value(body, "name")
    assert shown == "".join(c for c in name if c not in "\x07\x7f\x9b")  # kept, minus what cannot be shown
    assert (await server.store.get_player(ana.id)).name == "Ana"
    assert header_name(response.body) == "Ana"  # the header keeps the stored name


async def test_script_in_a_name_is_saved_as_text_and_shown_escaped(server):
    browser, ana = await signed_in(server, "Ana")
    markup = "<script>x</script>"  # within 24 characters, unlike the usual alert(1)
    assert (await rename(browser, markup)).code == 303
    assert (await server.store.get_player(ana.id)).name == markup
    for path in (f"/player/{ana.id}", "/account", "/"):
        response = await browser.get(path)
        assert response.code == 200
        assert markup.encode() not in response.body, path
        assert b"&lt;script&gt;x&lt;/script&gt;" in response.body, path
        assert_no_inline_code(response.body)
        assert header_name(response.body) == markup
    profile = await browser.get(f"/player/{ana.id}")
    assert parse(profile.body).headings["h1"] == [markup]


async def test_a_guest_or_nobody_is_sent_to_sign_in_and_nothing_is_renamed(server):
    nobody = Browser(server.base_url)
    page = await nobody.get("/account")
    assert page.code == 302
    location = urlparse(page.headers["Location"])
    assert location.path == "/sign-in" and parse_qs(location.query) == {"next": ["/account"]}
    guest = Browser(server.base_url)
    ticket = json.loads((await guest.get("/api/ticket")).body)["player"]
    assert ticket["guest"] is True
    await server.store.ensure_guest(ticket["id"], ticket["name"])  # a guest who has played is stored
    assert (await guest.get("/account")).code == 302
    response = await rename(guest, "Not A Guest")
    assert response.code == 302 and urlparse(response.headers["Location"]).path == "/sign-in"
    assert (await server.store.get_player(ticket["id"])).name == ticket["name"]


async def test_a_post_without_the_xsrf_token_is_refused(server):
    browser, ana = await signed_in(server, "Ana")
    response = await browser.post("/account", {"name": "Forged"}, xsrf=False)
    assert response.code == 403
    forged = await browser.post("/account", {"name": "Forged", "_xsrf": "2|00000000|0000000000000000|1"},
                                xsrf=False)
    assert forged.code == 403
    assert (await server.store.get_player(ana.id)).name == "Ana"


async def test_names_need_not_be_unique(server):
    ana_browser, ana = await signed_in(server, "Ana")
    _, bo = await signed_in(server, "Bo")
    assert (await rename(ana_browser, "Bo")).code == 303
    assert [(await server.store.get_player(p.id)).name for p in (ana, bo)] == ["Bo", "Bo"]


async def test_only_your_own_profile_offers_to_change_your_name(server):
    browser, ana = await signed_in(server, "Ana")
    _, bo = await signed_in(server, "Bo")
    own = (await browser.get(f"/player/{ana.id}")).body.decode()
    assert '<a href="/account" id="change-name">Change your name</a>' in own
    assert 'id="change-name"' not in (await browser.get(f"/player/{bo.id}")).body.decode()
    assert 'id="change-name"' not in (await Browser(server.base_url).get(f"/player/{ana.id}")).body.decode()


@pytest.mark.parametrize("server", [{"limit_renames_per_player": "2/day"}], indirect=True)
async def test_renames_over_the_daily_limit_get_429_with_retry_after(server):
    browser, ana = await signed_in(server, "Ana")
    assert (await rename(browser, "Ana One")).code == 303
    assert (await rename(browser, "Ana One")).code == 303  # keeping the name is not a rename
    assert (await rename(browser, "Ana Two")).code == 303
    assert (await rename(browser, "")).code == 400  # a refused name is not a rename either
    limited = await rename(browser, "Ana Three")
    assert limited.code == 429
    assert 3600 < int(limited.headers["Retry-After"]) <= 24 * 3600
    assert "Too many name changes: at most 2 per day" in limited.body.decode()
    assert (await server.store.get_player(ana.id)).name == "Ana Two"
    other, _ = await signed_in(server, "Bo")  # per player: someone else may still rename
    assert (await rename(other, "Bo Two")).code == 303


async def test_head_answers_what_get_would(server):
    nobody = Browser(server.base_url)
    got = await nobody._fetch("/account", method="HEAD")
    want = await nobody.get("/account")
    assert (got.code, want.code) == (302, 302) and got.body == b""
    assert got.headers["Location"] == want.headers["Location"]
