"""What a ban does to the crowd's forms over HTTP: submitting and reviewing are refused (403)
with the reason and the end, and nothing is stored; pages and the profile stay readable; a
ban whose end has passed, or that a moderator lifted, stops applying by itself."""

from __future__ import annotations

import asyncio
import html
import time

from kwissle.model import NewQuestion, QuestionStatus
from tests.web.crowd_browser import signed_in

GOOD = {
    "text": "Which African country has Lusaka as its capital city?", "answer": "Zambia", "variants": "",
    "wrong_1": "Zimbabwe", "wrong_2": "Malawi", "wrong_3": "Namibia", "category": "Geography",
    "explanation": "", "link": "",
}


async def banned_player(server, reason="posting spam <again>", until=None):
    browser, player = await signed_in(server, "Banned")
    moderator = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    ban = await server.store.ban_player(player.id, reason, until, moderator.id, time.time())
    return browser, player, ban


async def a_pending_question(server):
    author = await server.store.create_player("Author", guest=False, email="author@example.org")
    [question] = await server.store.add_questions([NewQuestion(
        text="Which river flows through Cairo, the capital of Egypt?", answer="Nile", variants=(),
        wrong=("Congo", "Niger", "Zambezi"), category="Geography", source="player", author_id=author.id)])
    return question


def says_why_and_until(body: str, ban) -> bool:
    return html.escape(ban.reason) in body and ban.until_text in body and "<again>" not in body


async def test_a_banned_player_cannot_submit_and_is_told_why_and_until_when(server):
    browser, player, ban = await banned_player(server, until=time.time() + 7 * 86400)
    page = await browser.get("/questions/new")
    assert page.code == 403 and says_why_and_until(page.body.decode(), ban)
    refused = await browser.post("/questions/new", GOOD)
    assert refused.code == 403 and says_why_and_until(refused.body.decode(), ban)
    assert await server.store.questions_by_author(player.id) == []


async def test_a_banned_player_cannot_review_and_the_vote_is_not_stored(server):
    question = await a_pending_question(server)
    browser, _, ban = await banned_player(server)  # no end
    page = await browser.get("/review")
    assert page.code == 403 and says_why_and_until(page.body.decode(), ban)
    assert "until further notice" in page.body.decode()
    refused = await browser.post("/review", {"question": question.id, "vote": "up"})
    assert refused.code == 403 and says_why_and_until(refused.body.decode(), ban)
    assert await server.store.review_tally(question.id) == (0, 0)
    assert (await server.store.get_question(question.id)).status is QuestionStatus.PENDING


async def test_a_banned_player_can_still_read_pages_and_their_profile(server):
    browser, player, _ = await banned_player(server)
    for path in ("/", "/about", "/leaders", "/questions/mine", f"/player/{player.id}", "/account"):
        assert (await browser.get(path)).code == 200, path


async def test_an_expired_ban_no_longer_applies(server):
    question = await a_pending_question(server)
    browser, player = await signed_in(server, "Once")
    moderator = await server.store.create_player("Mod", guest=False, email="mod@example.org")
    await server.store.ban_player(player.id, "cooling off", time.time() + 0.3, moderator.id, time.time())
    assert (await browser.get("/questions/new")).code == 403
    await asyncio.sleep(0.4)
    assert (await browser.get("/questions/new")).code == 200
    assert (await browser.post("/questions/new", GOOD)).code == 303
    assert (await browser.post("/review", {"question": question.id, "vote": "up"})).code == 303


async def test_a_lifted_ban_no_longer_applies(server):
    browser, player, ban = await banned_player(server)
    assert (await browser.get("/review")).code == 403
    await server.store.unban_player(player.id, ban.by, "sorted out", time.time())
    assert (await browser.get("/review")).code == 200

