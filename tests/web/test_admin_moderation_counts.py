"""Moderators' actions counted for /admin/stats, on a real admin process (the production
layout's `admin` role): each action done over HTTP with its XSRF token is counted once, under
its kind and its moderator; a refused one is not. The stats page shows the counts (stored plus
not yet flushed), and the admin process's counters reach the store at its clean shutdown."""

from __future__ import annotations

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.roles import ADMIN
from kwissle.storage.open import open_store
from kwissle.web import moderation_counts as done
from kwissle.web.admin_queue import form_values
from tests.conftest import start_server, stop_server
from tests.web.admin_browser import admin, member
from tests.web.bank_files import opentdb_entry, opentdb_file, upload
from tests.web.test_admin_appeals import appeal
from tests.web.test_admin_stats import stats_page, total

CAPITALS = [("Zambia", "Lusaka", ("Harare", "Nairobi", "Kampala")),
            ("Zimbabwe", "Harare", ("Lusaka", "Maputo", "Gaborone")),
            ("Kenya", "Nairobi", ("Mombasa", "Kampala", "Dodoma")),
            ("Uganda", "Kampala", ("Entebbe", "Kigali", "Juba")),
            ("Rwanda", "Kigali", ("Butare", "Bujumbura", "Goma"))]


def capital(country: str, answer: str, wrong: tuple[str, ...]) -> NewQuestion:
    return NewQuestion(text=f"What is the capital city of {country}?", answer=answer, variants=(), wrong=wrong,
                       category="Geography")


async def test_each_moderation_action_is_counted_once_and_shown_on_the_stats_page(tmp_path):
    server = await start_server(tmp_path, seed=False, role=ADMIN)
    store = server.store
    try:
        to_publish, to_reject = await store.add_questions([capital(*CAPITALS[0]), capital(*CAPITALS[1])],
                                                           QuestionStatus.QUEUED)
        to_edit, to_retire, appealed = await store.add_questions([capital(*c) for c in CAPITALS[2:]],
                                                                 QuestionStatus.PUBLISHED)
        browser, moderator = await admin(server)
        _, player = await member(server, "Reported Player")
        reporters = [await store.create_player(f"Reporter {i}", guest=False, email=f"r{i}@example.org")
                     for i in range(2)]

        async def post(path, fields, expected=303):
            response = await browser.post(path, fields)
            assert response.code == expected, (path, response.code, response.body[:300])

        # the queue: publish, reject, edit; a stale version is refused and not counted
        await post(f"/admin/questions/{to_publish.id}",
                   {"action": "publish", "version": str(to_publish.version), **form_values(to_publish)})
        await post(f"/admin/questions/{to_reject.id}", {"action": "reject", "version": str(to_reject.version),
                                                          "reason": "Asked already", **form_values(to_reject)})
        edited = {**form_values(to_edit), "explanation": "Nairobi has been the capital since 1963."}
        await post(f"/admin/questions/{to_edit.id}", {"action": "edit", "version": str(to_edit.version), **edited})
        await post(f"/admin/questions/{to_edit.id}", {"action": "edit", "version": str(to_edit.version), **edited},
                   expected=409)
        # reports: one question retired from its reports, another's dismissed; a second dismiss is refused
        await store.add_report(to_retire.id, reporters[0].id, None, "wrong answer")
        await store.add_report(appealed.id, reporters[1].id, None, "typo")
        await post("/admin/reports/retire", {"question": to_retire.id, "version": str(to_retire.version)})
        await post("/admin/reports/dismiss", {"question": appealed.id})
        await post("/admin/reports/dismiss", {"question": appealed.id}, expected=409)
        # appeals: one accepted (a variant added), one declined
        await appeal(server, appealed, reporters[0].id, "Kigali city")
        await appeal(server, appealed, reporters[1].id, "Kampala town")
        await post("/admin/appeals/accept", {"question": appealed.id, "folded": "kigali city", "text": "Kigali city",
                                             "version": str(appealed.version)})
        await post("/admin/appeals/decline", {"question": appealed.id, "folded": "kampala town", "note": "no"})
        # a ban and its lifting
        await post(f"/admin/players/{player.id}/ban", {"reason": "Spam reports", "length": "1"})
        await post(f"/admin/players/{player.id}/unban", {"unban_reason": "Appealed by mail"})
        # an import
        response = await upload(browser, opentdb_file([opentdb_entry("Which river flows through Cairo?", "Nile",
                                                                     ["Niger", "Congo", "Zambezi"])]))
        assert response.code == 303
        await server.app.import_jobs.wait()

        page = await stats_page(browser)
        expected = {("moderated", "questions published"): 1, ("moderated", "questions rejected"): 1,
                    ("changed", "questions edited"): 1, ("changed", "questions retired"): 1,
                    ("variants", "variants added"): 1, ("reports-closed", "reported questions handled"): 2,
                    ("appeals-resolved", "appeals accepted"): 1, ("appeals-resolved", "appeals declined"): 1,
                    ("bans", "bans"): 1, ("bans", "unbans"): 1, ("imports", "imports started"): 1}
        for (chart_id, what), count in expected.items():
            assert total(page, chart_id, what).startswith(f"{count} in 7 days"), (chart_id, what)
    finally:
        await stop_server(server)  # the clean shutdown flushes the admin process's counters

    reopened = await open_store(server.settings.database_url)
    try:
        stored = await reopened.counters_with_prefix("moderation_")
    finally:
        await reopened.close()
    kinds = {name: value for name, value in stored.items() if "|" not in name}
    assert kinds == {
        done.MODERATED["publish"]: 1, done.MODERATED["reject"]: 1, done.MODERATED["edit"]: 1,
        done.MODERATED["retire"]: 1, done.MODERATED["add_variant"]: 1, done.REPORTS_CLOSED: 2,
        done.APPEALS_ACCEPTED: 1, done.APPEALS_DECLINED: 1, done.BANS: 1, done.UNBANS: 1, done.IMPORTS: 1}
    assert stored[f"{done.REPORTS_CLOSED}|moderator={moderator.id}"] == 2
