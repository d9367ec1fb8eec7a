"""The moderation queue and a question's page over HTTP, against a real server and store:
the queue (oldest first, reviews, nearest questions), publish with edits, reject with a reason
the author sees, retire, per-field checks as on submission, the history with before and after,
a moderator acting on a page someone else already acted on (409, nothing overwritten), and
the "try an answer" judge box."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlparse

from tornado.web import create_signed_value

from kwissle.model import NewQuestion, QuestionStatus, Review
from tests.web.admin_browser import admin, member, post_json
from tests.web.crowd_browser import Browser, field_error

RED_PLANET = NewQuestion(text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
                         wrong=("Venus", "Jupiter", "Saturn"), category="Science")
CAPITAL = NewQuestion(text="Which city is the capital of Zambia in Africa?", answer="Lusaka", variants=(),
                      wrong=("Harare", "Nairobi", "Kampala"), category="Geography", source="player")


def text(response) -> str:
    return html.unescape(response.body.decode())


async def queued(server, question: NewQuestion, author=None):
    author = author or await server.store.create_player("Author", guest=False, email="author@example.org")
    stored = await server.store.add_questions([NewQuestion(**{**question.__dict__, "author_id": author.id})],
                                              QuestionStatus.QUEUED)
    return stored[0], author


def form_of(question, **changes) -> dict[str, str]:
    fields = {"text": question.text, "answer": question.answer, "variants": "\n".join(question.variants),
              "wrong_1": question.wrong[0], "wrong_2": question.wrong[1], "wrong_3": question.wrong[2],
              "category": question.category, "explanation": question.explanation, "link": question.link,
              "version": str(question.version), "reason": ""}
    return {**fields, **changes}


async def test_the_landing_page_links_the_queue_with_its_count(server):
    await queued(server, CAPITAL)
    client, _ = await admin(server)
    page = text(await client.get("/admin"))
    assert re.search(r'id="queue-count">1<', page) and 'href="/admin/queue"' in page


async def test_the_queue_shows_queued_questions_oldest_first_with_reviews_and_nearest(server):
    store = server.store
    author = await store.create_player("Author", guest=False, email="author@example.org")
    ana = await store.create_player("Ana", guest=False, email="ana@example.org")
    bo = await store.create_player("Bo", guest=False, email="bo@example.org")
    await store.add_questions([RED_PLANET], QuestionStatus.PUBLISHED)
    [older] = await store.add_questions([NewQuestion(**{**CAPITAL.__dict__, "author_id": author.id})])
    [newer] = await store.add_questions([NewQuestion(
        text="Which planet is called the Red Planet by astronomers?", answer="Mars", variants=(),
        wrong=("Venus", "Mercury", "Saturn"), category="Science", author_id=author.id)])
    for question in (older, newer):
        await store.review_question(Review(question.id, ana.id, up=True), 2, 3)
        await store.review_question(Review(question.id, bo.id, up=False, reason="unclear"), 2, 3)
        await store.set_question_status(question.id, QuestionStatus.QUEUED)
    await store.add_questions([NewQuestion(text="A question still waiting for player reviews?", answer="Yes",
                                           variants=(), wrong=("No", "Maybe", "Never"), category="Misc")])
    client, _ = await admin(server)
    page = text(await client.get("/admin/queue"))
    ids = re.findall(r'<li class="admin__item" data-id="([^"]+)"', page)
    assert ids == [older.id, newer.id]  # queued only, oldest first
    assert 'id="queue-total">2<' in page
    item = page.split(f'data-id="{newer.id}"')[1]
    assert "Ana" in item and "Bo" in item and "unclear" in item
    nearest = item.split("Nearest stored questions")[1]
    assert RED_PLANET.text in nearest.split("</ul>")[0]  # the published near-duplicate, beside it


async def test_publishing_with_edits_checks_like_a_submission_and_keeps_the_history(server):
    question, _author = await queued(server, CAPITAL)
    client, _moderator = await admin(server, "Moderator")
    bad = await client.post(f"/admin/questions/{question.id}", form_of(
        question, action="publish", wrong_2="Lusaka", link="javascript:alert(1)"))
    assert bad.code == 400
    assert "is the answer or one of its variants" in field_error(text(bad), "wrong_2")
    assert field_error(text(bad), "link") == "Link must start with http:// or https://."
    assert await server.store.get_question(question.id) == question  # nothing stored

    edited = form_of(question, action="publish", text="Which city is the capital of Zambia?",
                     variants="Lusaka City", explanation="Capital since independence in 1964.")
    done = await client.post(f"/admin/questions/{question.id}", edited)
    assert done.code == 303
    location = done.headers["Location"]
    assert urlparse(location).path == f"/admin/questions/{question.id}"
    stored = await server.store.get_question(question.id)
    assert stored.status is QuestionStatus.PUBLISHED and stored.version == 1
    assert (stored.text, stored.variants) == ("Which city is the capital of Zambia?", ("Lusaka City",))
    assert stored.explanation == "Capital since independence in 1964."
    page = text(await client.get(location))
    assert "Published: in battles within a minute." in page
    history = page.split('id="history"')[1]
    assert "publish</strong> by Moderator" in history
    assert CAPITAL.text in history and "Which city is the capital of Zambia?" in history  # before and after
    assert "queued" in history and "published" in history
    # the game's pool sees it at its next refresh
    await server.hub.questions.refresh()
    assert server.hub.questions.get(question.id).text == "Which city is the capital of Zambia?"


async def test_reject_needs_a_reason_and_the_author_sees_it(server):
    question, author = await queued(server, CAPITAL)
    client, _ = await admin(server)
    no_reason = await client.post(f"/admin/questions/{question.id}", form_of(question, action="reject"))
    assert no_reason.code == 400 and field_error(text(no_reason), "reason") == "Say why: the author sees this reason."
    assert (await server.store.get_question(question.id)).status is QuestionStatus.QUEUED
    done = await client.post(f"/admin/questions/{question.id}",
                             form_of(question, action="reject", reason="Zambia has had two capitals."))
    assert done.code == 303
    author_browser = Browser(server.base_url)
    author_browser.cookies["kwissle_player"] = create_signed_value(
        server.settings.cookie_secret, "kwissle_player",
        json.dumps({"id": author.id, "name": author.name}, separators=(",", ":"))).decode()
    mine = text(await author_browser.get("/questions/mine"))
    assert 'data-status="rejected"' in mine and "Zambia has had two capitals." in mine


async def test_retire_a_published_question(server):
    question, _ = await queued(server, CAPITAL)
    client, _ = await admin(server)
    await client.post(f"/admin/questions/{question.id}", form_of(question, action="publish"))
    published = await server.store.get_question(question.id)
    page = text(await client.get(f"/admin/questions/{question.id}"))
    assert 'id="retire"' in page and 'id="publish"' not in page
    done = await client.post(f"/admin/questions/{question.id}", form_of(published, action="retire"))
    assert done.code == 303
    assert (await server.store.get_question(question.id)).status is QuestionStatus.RETIRED
    history = text(await client.get(done.headers["Location"])).split('id="history"')[1]
    assert history.index("retire</strong>") < history.index("publish</strong>")  # newest first


async def test_a_page_someone_else_acted_on_gets_already_handled_and_overwrites_nothing(server):
    question, _ = await queued(server, CAPITAL)
    first, _ = await admin(server, "Ada")
    second, _ = await admin(server, "Bea")
    seen = form_of(question)  # both opened the page at version 0
    assert (await first.post(f"/admin/questions/{question.id}", {**seen, "action": "reject",
                                                                  "reason": "Duplicate."})).code == 303
    late = await second.post(f"/admin/questions/{question.id}", {**seen, "action": "publish", "text":
                                                                  "Which city is the capital of Zambia today?"})
    assert late.code == 409
    page = text(late)
    assert "Already handled by Ada at " in page and "your change was not saved" in page
    stored = await server.store.get_question(question.id)
    assert (stored.status, stored.text, stored.reject_reason) == (QuestionStatus.REJECTED, CAPITAL.text, "Duplicate.")
    assert len(await server.store.question_history(question.id)) == 1


async def test_bad_actions_and_versions_are_refused_and_change_nothing(server):
    question, _ = await queued(server, CAPITAL)
    client, _ = await admin(server)
    path = f"/admin/questions/{question.id}"
    for fields in (form_of(question, action="delete"), form_of(question, action="publish", version="x"),
                   form_of(question, action="retire"), form_of(question, action="edit")):
        response = await client.post(path, fields)
        assert response.code in (400, 409), fields
    assert (await client.post("/admin/questions/0000000000000000", form_of(question, action="publish"))).code == 404
    assert (await client.get("/admin/questions/0000000000000000")).code == 404
    assert await server.store.get_question(question.id) == question
    assert await server.store.question_history(question.id) == []


async def test_user_text_is_escaped_on_the_admin_pages(server):
    question, _ = await queued(server, NewQuestion(
        text="Which tag is <script>alert(1)</script> in HTML pages?", answer="Script tag", variants=(),
        wrong=("Style tag", "Body tag", "Head tag"), category="Science"))
    client, _ = await admin(server)
    for path in ("/admin/queue", f"/admin/questions/{question.id}"):
        body = (await client.get(path)).body.decode()
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


async def test_the_judge_box_says_which_typed_answers_would_count(server):
    client, _ = await admin(server)
    form = {"answer": "Lusaka", "variants": ["Lusaka City"], "wrong": ["Harare", "Nairobi", "Kampala"]}
    verdicts = {}
    for typed in ("lusaka", "Lusakka", "lusaka city", "Harare", "Nairobi", "Paris"):
        response = await post_json(client, "/admin/judge", {**form, "typed": typed})
        assert response.code == 200
        verdicts[typed] = json.loads(response.body)["accepted"]
    assert verdicts == {"lusaka": True, "Lusakka": True, "lusaka city": True, "Harare": False, "Nairobi": False,
                        "Paris": False}
    # the answers currently in the form, not the stored ones: a variant typed in is taken at once
    response = await post_json(client, "/admin/judge", {**form, "variants": ["Lusaka City", "Paris"],
                                                        "typed": "Paris"})
    assert json.loads(response.body)["accepted"] is True


async def test_the_judge_box_refuses_bad_input_and_non_admins(server):
    client, _ = await admin(server)
    for body in (None, [], {"typed": 1, "answer": "A"}, {"typed": "a", "answer": ""},
                 {"typed": "a", "answer": "A", "variants": "B"}, {"typed": "a", "answer": "A", "wrong": ["1"] * 9},
                 {"typed": "a" * 500, "answer": "A"}):
        response = await post_json(client, "/admin/judge", body)
        assert response.code == 400, body
        assert json.loads(response.body)["error"]["status"] == 400
    assert (await post_json(client, "/admin/judge", {"typed": "a", "answer": "a"}, xsrf=False)).code == 403
    player, _ = await member(server)
    assert (await post_json(player, "/admin/judge", {"typed": "a", "answer": "a"})).code == 403
