"""The moderators' reports page (/admin/reports): reported questions grouped with their
reasons and counts, worst first; dismiss, "fixed" and retire resolve every open report of
the question (retire also takes it out of play); XSRF, non-admins and stale pages refused."""

from __future__ import annotations

import html
import re

import pytest

from kwissle.model import Moderation, QuestionStatus
from tests.realtime.test_appeals import BANK, SMALL_BANK, stock
from tests.web.crowd_browser import signed_in

pytestmark = pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)


async def admin(server):
    browser, moderator = await signed_in(server, "Moderator")
    await server.store.set_admin(moderator.id, True)
    return browser, moderator


async def reporters(server, n):
    return [await server.store.create_player(f"Reporter {i}", guest=False, email=f"r{i}@example.org")
            for i in range(n)]


def groups(page: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(question id, reports, [(times, reason)]) per reported question on the page, in order."""
    found = []
    for qid, block in re.findall(r'<li class="admin__item reports__question" data-id="([^"]+)">(.*?)</li>\s*'
                                 r'(?=<li class="admin__item|</ol>)', page, re.DOTALL):
        count = re.search(r'<p class="reports__count"><strong>(\d+)</strong>', block).group(1)
        reasons = [(times, html.unescape(text)) for times, text in re.findall(
            r'<span class="reports__times">(\d+)×</span> <span class="reports__text">(.*?)</span>', block)]
        found.append((qid, count, reasons))
    return found


async def test_reported_questions_are_grouped_worst_first_with_reasons_and_counts(server):
    book = await stock(server.store)
    lusaka, mars, ocean = (book[q.text] for q in BANK)
    people = await reporters(server, 4)
    await server.store.add_report(mars.id, people[0].id, None, "The answer is <wrong>")
    await server.store.add_report(lusaka.id, people[0].id, None, "typo")
    for person in people[1:]:
        await server.store.add_report(lusaka.id, person.id, None, "two answers are right" if person != people[3]
                                      else "typo")
    browser, _ = await admin(server)
    response = await browser.get("/admin/reports")
    assert response.code == 200
    page = response.body.decode()
    assert groups(page) == [(lusaka.id, "4", [("2", "typo"), ("2", "two answers are right")]),
                            (mars.id, "1", [("1", "The answer is <wrong>")])]
    assert "<wrong>" not in page  # escaped
    assert ocean.id not in page
    landing = (await browser.get("/admin")).body.decode()
    assert re.search(r'href="/admin/reports">Reports\s*<span class="admin__count" id="reports-count">2</span>', landing)


async def test_dismiss_and_fixed_resolve_every_report_of_the_question_and_keep_it_in_play(server):
    book = await stock(server.store)
    lusaka, mars, _ = (book[q.text] for q in BANK)
    people = await reporters(server, 3)
    for person in people:
        await server.store.add_report(lusaka.id, person.id, None, "typo")
    await server.store.add_report(mars.id, people[0].id, None, "unclear")
    browser, _ = await admin(server)
    await browser.get("/admin/reports")
    response = await browser.post("/admin/reports/dismiss", {"question": lusaka.id})
    assert response.code == 303 and response.headers["Location"] == "/admin/reports?done=dismiss"
    assert [g.question_id for g in await server.store.reports_by_question()] == [mars.id]
    assert len(await server.store.list_reports(resolved=True)) == 3
    assert (await server.store.get_question(lusaka.id)).status is QuestionStatus.PUBLISHED
    page = (await browser.get("/admin/reports?done=dismiss")).body.decode()
    assert "Dismissed" in page and [g[0] for g in groups(page)] == [mars.id]
    again = await browser.post("/admin/reports/dismiss", {"question": lusaka.id})
    assert again.code == 409 and "Already handled" in again.body.decode()
    assert (await browser.post("/admin/reports/edited", {"question": mars.id})).code == 303
    assert await server.store.reports_by_question() == []


async def test_retire_takes_the_question_out_of_play_with_its_history_and_closes_its_reports(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    [person] = await reporters(server, 1)
    await server.store.add_report(lusaka.id, person.id, None, "wrong answer key")
    browser, moderator = await admin(server)
    page = (await browser.get("/admin/reports")).body.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = await browser.post("/admin/reports/retire", {"question": lusaka.id, "version": version})
    assert response.code == 303
    stored = await server.store.get_question(lusaka.id)
    assert stored.status is QuestionStatus.RETIRED
    [record] = await server.store.question_history(lusaka.id)
    assert (record.action, record.moderator_id) == (Moderation.RETIRE, moderator.id)
    assert await server.store.reports_by_question() == []


async def test_a_stale_retire_changes_nothing(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    [person] = await reporters(server, 1)
    await server.store.add_report(lusaka.id, person.id, None, "wrong")
    browser, moderator = await admin(server)
    await browser.get("/admin/reports")
    await server.store.moderate_question(lusaka.id, lusaka.version, Moderation.EDIT, {"category": "Capitals"},
                                         moderator.id, "", 5.0)
    response = await browser.post("/admin/reports/retire", {"question": lusaka.id, "version": str(lusaka.version)})
    assert response.code == 409 and "Already handled by Moderator" in response.body.decode()
    assert (await server.store.get_question(lusaka.id)).status is QuestionStatus.PUBLISHED
    assert [g.question_id for g in await server.store.reports_by_question()] == [lusaka.id]


async def test_actions_without_xsrf_or_by_a_non_admin_change_nothing(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    [person] = await reporters(server, 1)
    await server.store.add_report(lusaka.id, person.id, None, "wrong")
    browser, _ = await admin(server)
    for action in ("dismiss", "edited", "retire"):
        fields = {"question": lusaka.id, "version": str(lusaka.version)}
        assert (await browser.post(f"/admin/reports/{action}", fields, xsrf=False)).code == 403
    player, _ = await signed_in(server, "Player")
    assert (await player.get("/admin/reports")).code == 403
    assert (await player.post("/admin/reports/dismiss", {"question": lusaka.id})).code == 403
    assert [g.question_id for g in await server.store.reports_by_question()] == [lusaka.id]
    assert (await server.store.get_question(lusaka.id)).status is QuestionStatus.PUBLISHED
