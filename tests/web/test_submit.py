"""Submitting a question over HTTP against a real server and store: stored as pending, or the
form again (400) with the values kept and a message beside each bad field; near-duplicates
named; XSRF, sign-in and the daily limit enforced."""

from __future__ import annotations

import html
from urllib.parse import urlparse

import pytest

from kwissle.model import NewQuestion, QuestionStatus, Review
from tests.web.crowd_browser import Browser, field_error, input_value, signed_in

GOOD = {
    "text": "Which African country has Lusaka as its capital city?",
    "answer": "Zambia",
    "variants": "Republic of Zambia",
    "wrong_1": "Zimbabwe",
    "wrong_2": "Malawi",
    "wrong_3": "Namibia",
    "category": "geography",
    "explanation": "Lusaka has been the capital since independence in 1964.",
    "link": "https://en.wikipedia.org/wiki/Lusaka",
}
RED_PLANET = NewQuestion(text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
                         wrong=("Venus", "Jupiter", "Saturn"), category="Science")


async def test_a_good_question_is_stored_pending_and_listed_for_its_author(server):
    browser, author = await signed_in(server, "Author")
    response = await browser.post("/questions/new", GOOD)
    assert response.code == 303
    location = response.headers["Location"]
    assert urlparse(location).path == "/questions/mine"
    [stored] = await server.store.questions_by_author(author.id)
    assert (stored.text, stored.answer, stored.variants, stored.wrong) == (
        GOOD["text"], "Zambia", ("Republic of Zambia",), ("Zimbabwe", "Malawi", "Namibia"))
    assert stored.category == "Geography"  # the starter bank's spelling
    assert (stored.status, stored.source, stored.author_id) == (QuestionStatus.PENDING, "player", author.id)
    assert (stored.explanation, stored.link) == (GOOD["explanation"], GOOD["link"])
    page = await browser.get(location)
    body = page.body.decode()
    assert page.code == 200 and "Thanks! Your question is in" in body
    assert html.escape(GOOD["text"], quote=False) in body and 'data-status="pending"' in body
    await server.app.counters.flush()
    assert await server.store.get_counter("submissions") == 1


@pytest.mark.parametrize("field, value, message", [
    ("text", "", "Text is empty."),
    ("text", "Capital?", "Write the whole question: at least 10 characters."),
    ("text", "Which city? " * 50, "Text is longer than 500 characters."),
    ("answer", "", "Answer is empty."),
    ("variants", "Republic of Zambia\n" + "Z" * 121, "Variant 2 is longer than 120 characters."),
    ("wrong_1", "", "This alternative is empty."),
    ("wrong_2", "republic of ZAMBIA",
     "The wrong alternative 'republic of ZAMBIA' is the answer or one of its variants."),
    ("wrong_3", "Zimbabwe!", "Two wrong alternatives are the same."),
    ("wrong_2", "Zambai", "The judge would accept the wrong alternative 'Zambai'."),
    ("category", "", "Category is empty."),
    ("explanation", "x" * 301, "Explanation is longer than 300 characters."),
    ("link", "javascript:alert(1)", "Link must start with http:// or https://."),
    ("link", "https://no host/", "Link is not a web address."),
], ids=["text-empty", "text-short", "text-long", "answer-empty", "variant-long", "wrong1-empty",
        "wrong-is-answer", "wrongs-same", "judge-accepts-wrong", "category-empty", "explanation-long",
        "link-scheme", "link-host"])
async def test_each_bad_field_is_refused_with_its_message_and_nothing_is_stored(server, field, value, message):
    browser, author = await signed_in(server, "Author")
    response = await browser.post("/questions/new", {**GOOD, field: value})
    assert response.code == 400
    body = response.body.decode()
    assert field_error(body, field) == message
    assert 'aria-invalid="true"' in body
    kept = "wrong_1" if field != "wrong_1" else "wrong_2"
    assert input_value(body, kept) == GOOD[kept]  # what was typed is there to fix, not lost
    assert await server.store.questions_by_author(author.id) == []


async def test_a_near_duplicate_of_a_stored_question_is_named(server):
    [known] = await server.store.add_questions([RED_PLANET], QuestionStatus.PUBLISHED)
    browser, author = await signed_in(server, "Author")
    response = await browser.post("/questions/new", {
        **GOOD, "text": "Which planet is called the red planet?", "answer": "Mars",
        "variants": "", "wrong_1": "Venus", "wrong_2": "Jupiter", "wrong_3": "Mercury"})
    assert response.code == 400
    assert field_error(response.body.decode(), "text") == (
        f"This is too close to a question already in the bank: “{known.text}” (answer: Mars).")
    assert await server.store.questions_by_author(author.id) == []


async def test_a_question_just_submitted_is_a_duplicate_for_the_next_one(server):
    browser, _ = await signed_in(server, "Author")
    assert (await browser.post("/questions/new", GOOD)).code == 303
    again = await browser.post("/questions/new", {**GOOD, "text": GOOD["text"].replace("city", "town")})
    assert again.code == 400
    assert "too close to a question already in the bank" in field_error(again.body.decode(), "text")


async def test_a_guest_is_sent_to_sign_in_and_stores_nothing(server):
    guest = Browser(server.base_url)
    page = await guest.get("/questions/new")
    assert page.code == 302 and urlparse(page.headers["Location"]).path == "/sign-in"
    response = await guest.post("/questions/new", GOOD)
    assert response.code == 302
    assert await server.store.count_questions(QuestionStatus.PENDING) == 0


@pytest.mark.parametrize("path", ["/questions/new", "/review"])
async def test_a_post_without_the_xsrf_token_is_refused(server, path):
    browser, author = await signed_in(server, "Author")
    response = await browser.post(path, {**GOOD, "question": "x", "vote": "up"}, xsrf=False)
    assert response.code == 403
    forged = await browser.post(path, {**GOOD, "_xsrf": "2|00000000|00000000000000000000000000000000|1"},
                                xsrf=False)
    assert forged.code == 403
    assert await server.store.questions_by_author(author.id) == []


@pytest.mark.parametrize("server", [{"limit_submissions_per_player": "2/day"}], indirect=True)
async def test_submissions_over_the_daily_limit_get_429_with_retry_after(server):
    browser, author = await signed_in(server, "Author")
    for n, answer in enumerate(("Zambia", "Kenya")):
        response = await browser.post("/questions/new", {
            **GOOD, "text": f"Question number {n} of the limit test: which country?", "answer": answer,
            "variants": ""})
        assert response.code == 303, response.body
    limited = await browser.post("/questions/new", {**GOOD, "text": "One question too many: which country?"})
    assert limited.code == 429
    retry_after = int(limited.headers["Retry-After"])
    assert 3600 < retry_after <= 24 * 3600
    assert "Too many questions submitted: at most 2 per day" in limited.body.decode()
    assert len(await server.store.questions_by_author(author.id)) == 2
    other, _ = await signed_in(server, "Other")  # per player: someone else may still submit
    assert (await other.post("/questions/new", {**GOOD, "text": "Another player's question: which?"})).code == 303


async def test_my_questions_show_where_each_stands_with_the_reason_of_a_rejection(server):
    browser, author = await signed_in(server, "Author")
    await browser.post("/questions/new", GOOD)
    [question] = await server.store.questions_by_author(author.id)
    for name in ("Ana", "Bo"):
        _, reviewer = await signed_in(server, name)
        await server.store.review_question(Review(question.id, reviewer.id, up=False, reason="too obscure"), 2, 2)
    body = (await browser.get("/questions/mine")).body.decode()
    assert 'data-status="rejected"' in body
    assert "voted down by reviewers: too obscure" in body
