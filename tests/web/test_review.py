"""Reviewing over HTTP against a real server and store: one pending question at a time, never
the player's own; up, or down with a reason; one review per question; thresholds move it."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlparse

import pytest

from kwissle.model import NewQuestion, QuestionStatus
from tests.web.crowd_browser import Browser, signed_in


def pending(n: int, author_id: str | None) -> NewQuestion:
    return NewQuestion(text=f"Review test question {n}: which river flows through Cairo?", answer=f"Nile{n}",
                       variants=(), wrong=(f"Congo{n}", f"Niger{n}", f"Zambezi{n}"), category="Geography",
                       source="player", author_id=author_id)


def shown_id(body: str) -> str | None:
    found = re.search(r'id="review-question" data-id="([^"]+)"', body)
    return found.group(1) if found else None


async def add_pending(server, n: int, author_id: str | None):
    [question] = await server.store.add_questions([pending(n, author_id)])
    return question


async def test_a_reviewer_sees_the_answer_and_alternatives_and_votes_it_to_the_moderators(server):
    author_browser, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    for name in ("Ana", "Bo"):
        browser, _ = await signed_in(server, name)
        page = (await browser.get("/review")).body.decode()
        assert shown_id(page) == question.id
        assert "Nile1" in page and all(w in page for w in question.wrong)
        response = await browser.post("/review", {"question": question.id, "vote": "up"})
        assert response.code == 303 and urlparse(response.headers["Location"]).path == "/review"
        after = (await browser.get(response.headers["Location"])).body.decode()
        assert "Thanks, your review is in." in after and shown_id(after) is None
    assert (await server.store.get_question(question.id)).status is QuestionStatus.QUEUED
    mine = (await author_browser.get("/questions/mine")).body.decode()
    assert 'data-status="queued"' in mine
    await server.app.counters.flush()
    assert await server.store.get_counter("reviews") == 2


async def test_down_votes_with_reasons_reject_and_the_author_reads_why(server):
    author_browser, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    for name, reason in (("Ana", "wrong answer"), ("Bo", "wrong answer")):
        browser, _ = await signed_in(server, name)
        response = await browser.post("/review", {"question": question.id, "vote": "down", "reason": reason})
        assert response.code == 303
    stored = await server.store.get_question(question.id)
    assert stored.status is QuestionStatus.REJECTED
    assert "voted down by reviewers: wrong answer" in (await author_browser.get("/questions/mine")).body.decode()


async def test_the_queue_is_oldest_first_and_never_shows_a_players_own_question(server):
    browser, ana = await signed_in(server, "Ana")
    _, bo = await signed_in(server, "Bo")
    own = await add_pending(server, 1, ana.id)
    older = await add_pending(server, 2, bo.id)
    newer = await add_pending(server, 3, bo.id)
    assert shown_id((await browser.get("/review")).body.decode()) == older.id
    await browser.post("/review", {"question": older.id, "vote": "up"})
    assert shown_id((await browser.get("/review")).body.decode()) == newer.id
    await browser.post("/review", {"question": newer.id, "vote": "down", "reason": "unclear"})
    page = (await browser.get("/review")).body.decode()
    assert shown_id(page) is None and "Nothing to review right now" in page
    refused = await browser.post("/review", {"question": own.id, "vote": "up"})
    assert refused.code == 400 and "You cannot review your own question." in refused.body.decode()
    assert await server.store.review_tally(own.id) == (0, 0)


async def test_a_second_review_of_one_question_is_refused_with_a_clear_message(server):
    _, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    browser, _ = await signed_in(server, "Ana")
    assert (await browser.post("/review", {"question": question.id, "vote": "up"})).code == 303
    again = await browser.post("/review", {"question": question.id, "vote": "down", "reason": "unclear"})
    assert again.code == 400
    assert "You already reviewed this question: one review per question." in again.body.decode()
    assert await server.store.review_tally(question.id) == (1, 0)


@pytest.mark.parametrize("fields, message", [
    ({"vote": "sideways"}, "Choose thumbs up or thumbs down."),
    ({"vote": "down"}, "Say what is wrong with it: pick one of the reasons."),
    ({"vote": "down", "reason": "I just don't like it"}, "Say what is wrong with it: pick one of the reasons."),
    ({"vote": "up", "question": "nope"}, "That question does not exist."),
])
async def test_a_bad_vote_is_refused_and_counts_nothing(server, fields, message):
    _, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    browser, _ = await signed_in(server, "Ana")
    response = await browser.post("/review", {"question": question.id, **fields})
    assert response.code == 400
    assert message.replace("'", "&#39;") in response.body.decode()
    assert await server.store.review_tally(question.id) == (0, 0)


async def test_a_question_that_left_the_queue_takes_no_more_votes(server):
    _, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    await server.store.set_question_status(question.id, QuestionStatus.QUEUED)
    browser, _ = await signed_in(server, "Ana")
    response = await browser.post("/review", {"question": question.id, "vote": "up"})
    assert response.code == 400 and "already left the review queue" in response.body.decode()


async def test_racing_last_votes_over_http_move_the_question_once(server):
    _, author = await signed_in(server, "Author")
    question = await add_pending(server, 1, author.id)
    reviewers = [(await signed_in(server, f"R{n}"))[0] for n in range(6)]
    for browser in reviewers:
        await browser.get("/sign-in")  # the XSRF cookie, before the race
    answers = await asyncio.gather(*(b.post("/review", {"question": question.id, "vote": "up"}) for b in reviewers))
    codes = sorted(a.code for a in answers)
    # the votes that arrived after the move are told the question left the queue; none is lost twice
    ups, downs = await server.store.review_tally(question.id)
    assert codes.count(303) == ups and downs == 0 and ups >= 2
    assert (await server.store.get_question(question.id)).status is QuestionStatus.QUEUED


async def test_a_guest_is_sent_to_sign_in(server):
    page = await Browser(server.base_url).get("/review")
    assert page.code == 302 and urlparse(page.headers["Location"]).path == "/sign-in"


@pytest.mark.parametrize("server", [{"limit_reviews_per_player": "2/hour"}], indirect=True)
async def test_reviews_over_the_hourly_limit_get_429_with_retry_after(server):
    _, author = await signed_in(server, "Author")
    questions = [await add_pending(server, n, author.id) for n in range(3)]
    browser, _ = await signed_in(server, "Ana")
    for question in questions[:2]:
        assert (await browser.post("/review", {"question": question.id, "vote": "up"})).code == 303
    limited = await browser.post("/review", {"question": questions[2].id, "vote": "up"})
    assert limited.code == 429
    assert 60 < int(limited.headers["Retry-After"]) <= 3600
    assert "Too many reviews: at most 2 per hour" in limited.body.decode()
    assert await server.store.review_tally(questions[2].id) == (0, 0)
