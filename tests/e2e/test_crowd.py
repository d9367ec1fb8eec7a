"""Questions from players in real Chromium: a signed-in player submits a question (fixing a
bad field first), two other signed-in players review it up, and the author sees it queued
for the moderators. On a desktop and on a 360 px phone."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from tornado.web import create_signed_value

from kwissle.model import QuestionStatus
from tests.e2e.conftest import DESKTOP, PHONE

QUESTION = {
    "text": "Which river flows through Baghdad?",
    "answer": "Tigris",
    "wrong_1": "Euphrates",
    "wrong_2": "Jordan",
    "wrong_3": "Nile",
}


async def sign_in(player, server, name: str):
    """Give the browser the signed cookie of a stored account, as following a sign-in link does."""
    account = await server.store.create_player(name, guest=False, email=f"{name.lower()}@example.org")
    value = json.dumps({"id": account.id, "name": account.name}, separators=(",", ":"))
    await player.context.add_cookies([{
        "name": "kwissle_player", "url": server.base_url, "httpOnly": True, "sameSite": "Lax",
        "value": create_signed_value(server.settings.cookie_secret, "kwissle_player", value).decode()}])
    player.id, player.name = account.id, account.name
    return account


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_submitted_question_reaches_the_moderators_after_two_up_reviews(serve, new_player, viewport):
    server = await serve()
    author, ana, bo = [await new_player(server, viewport) for _ in range(3)]
    for player, name in ((author, "Author"), (ana, "Ana"), (bo, "Bo")):
        await sign_in(player, server, name)
    size = "phone" if viewport is PHONE else "desktop"

    # The author finds the form from the header, fills it with one mistake, and is told where.
    page = author.page
    await page.goto("/")
    await page.get_by_role("link", name="Questions").click()
    await page.get_by_role("link", name="Submit a question").click()
    await page.get_by_label("Question", exact=True).fill(QUESTION["text"])
    await page.get_by_label("Answer", exact=True).fill(QUESTION["answer"])
    for n in (1, 2, 3):
        await page.get_by_label(f"Wrong alternative {n}").fill(QUESTION[f"wrong_{n}"])
    await page.get_by_label("Category").fill("Geography")
    await page.get_by_label("Source (optional)").fill("ftp://rivers.example/tigris")
    await author.fits_width()
    await page.get_by_role("button", name="Submit the question").click()
    await author.wait_text("#link-error", "Link must start with http:// or https://.")
    # The form came back as HTTP 400, which Chromium logs to the console: that one is expected.
    expected = "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert author.problems == [expected]
    author.problems.clear()
    assert await page.get_by_label("Question", exact=True).input_value() == QUESTION["text"]  # kept
    await author.fits_width()
    await author.screenshot(f"crowd-submit-error-{size}")
    await page.get_by_label("Source (optional)").fill("https://en.wikipedia.org/wiki/Tigris")
    await page.get_by_role("button", name="Submit the question").click()
    await author.wait_text("#submitted", "Your question is in")
    await author.wait_text("#my-questions .crowd__item .status", re.compile("^pending$"))
    assert urlparse(page.url).path == "/questions/mine"
    [stored] = await server.store.questions_by_author(author.id)
    assert stored.status is QuestionStatus.PENDING and stored.link == "https://en.wikipedia.org/wiki/Tigris"
    await author.fits_width()

    # The author has nothing of their own to review.
    await page.get_by_role("link", name="Review other players' questions").click()
    await author.wait_text("#nothing-to-review", "Nothing to review right now")

    # Two other players review it up.
    for reviewer in (ana, bo):
        await reviewer.page.goto("/review")
        await reviewer.wait_text("#review-answer", "Tigris")
        assert "Euphrates" in await reviewer.text("#review-question")
        await reviewer.fits_width()
        if reviewer is ana:
            await reviewer.screenshot(f"crowd-review-{size}")
        await reviewer.page.get_by_role("button", name="Looks good").click()
        await reviewer.wait_text("#voted", "Thanks, your review is in.")
        await reviewer.wait_text("#nothing-to-review", "Nothing to review right now")

    # It is queued for the moderators, and the author's page says so.
    await page.goto("/questions/mine")
    await author.wait_text("#my-questions .crowd__item .status", re.compile("^queued$"))
    assert "waiting for a moderator" in await author.text("#my-questions")
    assert (await server.store.get_question(stored.id)).status is QuestionStatus.QUEUED
    await author.fits_width()
    await author.screenshot(f"crowd-queued-{size}")
    for player in (author, ana, bo):
        player.assert_clean()


async def test_a_down_vote_needs_a_reason_and_the_author_reads_it(serve, new_player):
    server = await serve(review_reject_downs=1)
    author, ana = [await new_player(server) for _ in range(2)]
    await sign_in(author, server, "Author")
    await sign_in(ana, server, "Ana")
    await author.page.goto("/questions/new")
    page = author.page
    await page.get_by_label("Question", exact=True).fill("Which planet has the most moons known?")
    await page.get_by_label("Answer", exact=True).fill("Saturn")
    for n, wrong in enumerate(("Jupiter", "Uranus", "Neptune"), start=1):
        await page.get_by_label(f"Wrong alternative {n}").fill(wrong)
    await page.get_by_label("Category").fill("Science")
    await page.get_by_role("button", name="Submit the question").click()
    await author.wait_text("#submitted", "Your question is in")

    await ana.page.goto("/review")
    await ana.page.get_by_role("radio", name="too obscure").check()
    await ana.page.get_by_role("button", name="Vote it down").click()
    await ana.wait_text("#voted", "Thanks, your review is in.")
    await page.goto("/questions/mine")
    await author.wait_text("#my-questions .crowd__item .status", re.compile("^rejected$"))
    assert "voted down by reviewers: too obscure" in await author.text("#my-questions")
    for player in (author, ana):
        player.assert_clean()
