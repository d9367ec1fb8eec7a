"""The admin players pages over HTTP against a real server and store: search by name or
e-mail (paged), a player's page (battles, reports filed and received, questions, bans),
ban and unban with a reason (per-field 400s, past dates refused, XSRF), only for admins."""

from __future__ import annotations

import datetime
import html
import re
import time
from urllib.parse import urlparse

import pytest

from kwissle.model import BattleEnd, BattleRecord, NewQuestion, QuestionOutcome
from kwissle.model.appeals import Appeal
from kwissle.web.admin_players import PAGE_SIZE
from tests.web.crowd_browser import Browser, field_error, signed_in


async def admin(server, name="Moderator"):
    browser, player = await signed_in(server, name)
    await server.store.set_admin(player.id, True)
    return browser, player


def listed_ids(body: str) -> list[str]:
    return re.findall(r'class="admin-players__row" data-id="([^"]+)"', body)


async def test_search_finds_players_by_name_or_email_and_links_to_their_page(server):
    browser, _ = await admin(server)
    ana = await server.store.create_player("Ana Lima", guest=False, email="ana@example.org")
    bob = await server.store.create_player("Bob", guest=False, email="bob@ANALYTICS.test".lower())
    await server.store.create_player("Cy", guest=False, email="cy@example.org")
    page = await browser.get("/admin/players?q=ANA")
    body = page.body.decode()
    assert page.code == 200
    assert listed_ids(body) == [ana.id, bob.id]
    assert f'href="/admin/players/{ana.id}"' in body and "bob@analytics.test" in body
    by_email = (await browser.get("/admin/players?q=analytics")).body.decode()
    assert listed_ids(by_email) == [bob.id]
    nothing = (await browser.get("/admin/players?q=zzz")).body.decode()
    assert listed_ids(nothing) == [] and 'id="no-players"' in nothing


async def test_search_results_are_paged(server):
    browser, _ = await admin(server)
    made = [await server.store.create_player(f"Pager {n:02d}", guest=False, email=f"pager{n}@example.org")
            for n in range(PAGE_SIZE + 3)]
    first = (await browser.get("/admin/players?q=pager")).body.decode()
    assert listed_ids(first) == [p.id for p in made[:PAGE_SIZE]]
    assert 'id="next-page"' in first
    second = (await browser.get("/admin/players?q=pager&page=2")).body.decode()
    assert listed_ids(second) == [p.id for p in made[PAGE_SIZE:]]
    assert 'id="next-page"' not in second


@pytest.mark.parametrize("query", ["q=" + "x" * 101, "page=0", "page=abc", "page=%D9%A3", "page=1001"])
async def test_bad_search_input_is_a_clear_400(server, query):
    browser, _ = await admin(server)
    response = await browser.get(f"/admin/players?{query}")
    assert response.code == 400


async def test_only_admins_reach_the_players_pages(server):
    player_browser, player = await signed_in(server, "Plain")
    for path in ("/admin/players", f"/admin/players/{player.id}"):
        assert (await player_browser.get(path)).code == 403
        guest = await Browser(server.base_url).get(path)
        assert guest.code in (302, 403)  # never the page
    refused = await player_browser.post(f"/admin/players/{player.id}/ban", {"reason": "x", "length": "7"})
    assert refused.code == 403
    assert await server.store.active_ban(player.id, time.time()) is None


async def test_a_players_page_shows_battles_reports_and_questions(server):
    browser, _ = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await server.store.create_player("Bo", guest=False, email="bo@example.org")
    written, other = await server.store.add_questions([
        NewQuestion(text="Which river flows through <b>Cairo</b>, the capital?", answer="Nile", variants=(),
                    wrong=("Congo", "Niger", "Zambezi"), category="Geography", source="player", author_id=ana.id),
        NewQuestion(text="Which planet do people call the red planet?", answer="Mars", variants=(),
                    wrong=("Venus", "Jupiter", "Saturn"), category="Science")])
    now = time.time()
    record = BattleRecord(id="b0a1b2c3d4e5f607", player_ids=(ana.id, bo.id), scores={ana.id: 1, bo.id: 0},
                          winner=ana.id, reason=BattleEnd.COMPLETE, started_at=now - 60, ended_at=now,
                          outcomes=(QuestionOutcome(question_id=other.id, by=ana.id, how="typed", points=1,
                                                    typed={ana.id: ["Mars"]}),))
    await server.store.save_battle(record)
    await server.store.add_report(other.id, ana.id, record.id, "alternatives are unclear")
    await server.store.add_report(written.id, bo.id, None, "typo in the question")
    await server.store.add_appeals([Appeal(id="a0a1b2c3d4e5f607", question_id=other.id, player_id=ana.id,
                                           battle_id=record.id, text="the red one", folded="the red one",
                                           created_at=now)])
    page = await browser.get(f"/admin/players/{ana.id}")
    body = page.body.decode()
    assert page.code == 200
    appeals = re.search(r'id="appeals">(.*?)</ul>', body, re.DOTALL).group(1)
    assert "the red one" in appeals and 'data-status="open"' in appeals
    assert "ana@example.org" in body and re.search(r'id="battle-count">1<', body)
    assert f'href="/battle/{record.id}"' in body and "won" in body
    filed = re.search(r'id="reports-filed">(.*?)</ul>', body, re.DOTALL).group(1)
    received = re.search(r'id="reports-received">(.*?)</ul>', body, re.DOTALL).group(1)
    assert "alternatives are unclear" in filed and "typo in the question" in received
    questions = re.search(r'id="questions">(.*?)</ul>', body, re.DOTALL).group(1)
    assert html.escape("<b>Cairo</b>") in questions and "<b>Cairo</b>" not in body  # user text escaped
    assert 'id="not-banned"' in body
    assert (await browser.get("/admin/players/0000000000000000")).code == 404


async def test_ban_then_unban_with_reasons_recorded_with_who_and_when(server):
    browser, moderator = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    before = time.time()
    response = await browser.post(f"/admin/players/{ana.id}/ban",
                                  {"reason": "spamming <reports>", "length": "7", "until_date": ""})
    assert response.code == 303 and urlparse(response.headers["Location"]).path == f"/admin/players/{ana.id}"
    ban = await server.store.active_ban(ana.id, time.time())
    assert (ban.reason, ban.by) == ("spamming <reports>", moderator.id)
    assert before <= ban.at <= time.time() and abs(ban.until - (ban.at + 7 * 86400)) < 1
    body = (await browser.get(response.headers["Location"])).body.decode()
    current = re.search(r'id="current-ban">(.*?)</p>', body, re.DOTALL).group(1)
    assert "spamming &lt;reports&gt;" in current and "Moderator" in current and ban.until_text in current

    refused = await browser.post(f"/admin/players/{ana.id}/unban", {"unban_reason": "  "})
    assert refused.code == 400 and field_error(refused.body.decode(), "unban_reason")
    assert await server.store.active_ban(ana.id, time.time()) is not None
    lifted = await browser.post(f"/admin/players/{ana.id}/unban", {"unban_reason": "appeal accepted"})
    assert lifted.code == 303
    assert await server.store.active_ban(ana.id, time.time()) is None
    [kept] = await server.store.ban_history(ana.id)
    assert (kept.lifted_by, kept.lift_reason) == (moderator.id, "appeal accepted")
    body = (await browser.get(f"/admin/players/{ana.id}")).body.decode()
    history = re.search(r'id="ban-history">(.*?)</ul>', body, re.DOTALL).group(1)
    assert "spamming &lt;reports&gt;" in history and "appeal accepted" in history
    again = await browser.post(f"/admin/players/{ana.id}/unban", {"unban_reason": "twice"})
    assert again.code == 400 and "not banned" in field_error(again.body.decode(), "unban_reason")


async def test_a_ban_until_a_date_ends_at_midnight_utc_and_no_end_means_until_lifted(server):
    browser, _ = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await server.store.create_player("Bo", guest=False, email="bo@example.org")
    assert (await browser.post(f"/admin/players/{ana.id}/ban",
                               {"reason": "r", "length": "date", "until_date": "2999-01-31"})).code == 303
    midnight = datetime.datetime(2999, 1, 31, tzinfo=datetime.UTC).timestamp()
    assert (await server.store.active_ban(ana.id, time.time())).until == midnight
    assert (await browser.post(f"/admin/players/{bo.id}/ban", {"reason": "r", "length": "never"})).code == 303
    assert (await server.store.active_ban(bo.id, time.time())).until is None


@pytest.mark.parametrize("fields, field, message", [
    ({"reason": "", "length": "7"}, "reason", "Say why"),
    ({"reason": "x" * 501, "length": "7"}, "reason", "At most 500"),
    ({"reason": "bad\x0bbyte", "length": "7"}, "reason", "control characters"),
    ({"reason": "r", "length": "forever-and-ever"}, "length", "Choose how long"),
    ({"reason": "r", "length": "date", "until_date": "2001-01-01"}, "length", "That date has passed"),
    ({"reason": "r", "length": "date", "until_date": "31/01/2999"}, "length", "YYYY-MM-DD"),
])
async def test_a_bad_ban_form_is_a_400_beside_the_field_and_bans_nobody(server, fields, field, message):
    browser, _ = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    response = await browser.post(f"/admin/players/{ana.id}/ban", fields)
    assert response.code == 400
    assert message in field_error(response.body.decode(), field)
    assert await server.store.ban_history(ana.id) == []


async def test_a_moderator_cannot_ban_themselves_and_unknown_players_are_404(server):
    browser, moderator = await admin(server)
    response = await browser.post(f"/admin/players/{moderator.id}/ban", {"reason": "oops", "length": "7"})
    assert response.code == 400 and "yourself" in field_error(response.body.decode(), "reason")
    assert (await browser.post("/admin/players/0000000000000000/ban", {"reason": "r", "length": "7"})).code == 404
    assert (await browser.post("/admin/players/0000000000000000/unban", {"unban_reason": "r"})).code == 404


async def test_ban_and_unban_need_the_xsrf_token(server):
    browser, moderator = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    refused = await browser.post(f"/admin/players/{ana.id}/ban", {"reason": "r", "length": "7"}, xsrf=False)
    assert refused.code == 403
    assert await server.store.ban_history(ana.id) == []
    await server.store.ban_player(ana.id, "r", None, moderator.id, time.time())
    refused = await browser.post(f"/admin/players/{ana.id}/unban", {"unban_reason": "r"}, xsrf=False)
    assert refused.code == 403
    assert await server.store.active_ban(ana.id, time.time()) is not None


async def test_get_on_the_actions_is_not_allowed(server):
    browser, _ = await admin(server)
    ana = await server.store.create_player("Ana", guest=False, email="ana@example.org")
    assert (await browser.get(f"/admin/players/{ana.id}/ban")).code == 405
    assert (await browser.get(f"/admin/players/{ana.id}/unban")).code == 405
