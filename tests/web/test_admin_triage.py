"""/admin/triage against a real server and SQLite store holding the seeded play history
(tests/storage/triage_scenario.py): the ranking and its sorts, the one-click "Accept as a
variant" (changes the question, recorded in its history, drops the flag), XSRF, a stale
page, and hostile input refused with nothing changed."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest

from kwissle.model import Moderation
from kwissle.model.appeals import Appeal
from tests.storage.triage_scenario import build_history
from tests.web.crowd_browser import Browser, signed_in


async def _admin(server):
    browser, admin = await signed_in(server, "Moderator")
    await server.store.set_admin(admin.id, True)
    return browser, admin


def _ids(body: str) -> list[str]:
    return re.findall(r'<li class="admin__item triage__item" data-id="([^"]+)"', body)


def _flags(body: str, question_id: str) -> list[str]:
    item = body.split(f'data-id="{question_id}"', 1)[1].split('<li class="admin__item', 1)[0]
    return re.findall(r'data-flag="([^"]+)"', item)


async def _page(browser, query: str = "") -> str:
    response = await browser.get("/admin/triage" + query)
    assert response.code == 200, response.body[:300]
    return response.body.decode()


async def test_the_list_ranks_the_questions_that_need_a_look_first_with_their_figures_and_flags(server):
    history = await build_history(server.store)
    browser, _ = await _admin(server)
    body = await _page(browser)
    kinds = {qid: kind for kind, qid in history.ids.items()}
    assert [kinds[qid] for qid in _ids(body)][:5] == ["hard", "strong_miss", "shared", "lopsided", "easy"]
    assert set(_ids(body)) == set(history.ids.values())  # the starter bank was never played: not listed
    assert _flags(body, history.ids["shared"]) == ["shared_wrong_answer"]
    assert _flags(body, history.ids["balanced"]) == [] and _flags(body, history.ids["few"]) == []
    assert "“sydney”" in body and "12×" in body
    assert f'href="/admin/questions/{history.ids["hard"]}"' in body
    assert "stronger 17%" in body and "weaker 67%" in body  # strong_miss: 2 and 8 of 12


async def test_sorting_by_reports_appeals_and_times_asked(server):
    history = await build_history(server.store)
    browser, _ = await _admin(server)
    balanced, few = history.ids["balanced"], history.ids["few"]
    for reporter in (history.strong, history.weak):
        await server.store.add_report(balanced, reporter.id, "triage-03", "The answer is debatable")
    await server.store.add_appeals([Appeal(id="appeal-1", question_id=few, player_id=history.weak.id,
                                           battle_id="triage-01", text="Answr few", folded="answr few",
                                           created_at=1.0)])
    by_reports = _ids(await _page(browser, "?sort=reports"))
    assert by_reports[0] == balanced
    assert _ids(await _page(browser, "?sort=appeals"))[0] == few
    by_asked = _ids(await _page(browser, "?sort=asked"))
    assert set(by_asked[:2]) == {history.ids["easy"], history.ids["hard"]} and by_asked[-1] == history.ids["guest"]
    # two open reports lift the balanced question's score above the merely easy one
    by_score = _ids(await _page(browser))
    assert by_score.index(balanced) < by_score.index(history.ids["easy"])


async def test_pages_of_the_list(server, monkeypatch):
    from kwissle.web import admin_triage

    monkeypatch.setattr(admin_triage, "TRIAGE_PAGE", 3)
    await build_history(server.store)
    browser, _ = await _admin(server)
    first, second, third = [await _page(browser, f"?page={n}") for n in (1, 2, 3)]
    everything = _ids(await _page(browser, "?page=1"))
    assert len(_ids(first)) == 3 and len(_ids(third)) == 2
    assert len(set(_ids(first) + _ids(second) + _ids(third))) == 8
    assert 'rel="next"' in first and 'rel="prev"' not in first and 'rel="next"' not in third
    assert everything == _ids(first)
    assert "No questions on this page." in await _page(browser, "?page=9")


async def test_accepting_a_shared_wrong_answer_adds_the_variant_records_it_and_drops_the_flag(server):
    history = await build_history(server.store)
    browser, admin = await _admin(server)
    shared = history.ids["shared"]
    body = await _page(browser, "?sort=score&page=1")
    form = body.split(f'data-id="{shared}"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields["variant"] == "sydney" and fields["question"] == shared
    response = await browser.post("/admin/triage/variant", {k: html.unescape(v) for k, v in fields.items()
                                                             if k != "_xsrf"})
    assert response.code == 303
    location = urlparse(response.headers["Location"])
    assert location.path == "/admin/triage" and parse_qs(location.query)["done"] == ["sydney"]

    question = await server.store.get_question(shared)
    assert question.variants == ("sydney",)
    [record] = await server.store.question_history(shared)
    assert (record.action, record.moderator_id) == (Moderation.ADD_VARIANT, admin.id)
    assert record.changes["variants"] == ((), ("sydney",))

    after = await _page(browser, "?" + location.query)
    assert "Accepted “sydney” as a variant" in after
    assert _flags(after, shared) == []  # the judge takes "Sydney" now


async def _accept(browser, target, **override):
    fields = {"question": target.id, "version": str(target.version), "variant": "sydney"}
    fields.update(override)
    return await browser.post("/admin/triage/variant", fields)


async def test_a_second_click_on_an_old_page_is_already_handled_and_adds_nothing(server):
    history = await build_history(server.store)
    browser, _ = await _admin(server)
    stale = await server.store.get_question(history.ids["shared"])
    assert (await _accept(browser, stale)).code == 303
    again = await _accept(browser, stale, variant="melbourne")
    assert again.code == 409 and "Already handled" in again.body.decode()
    assert (await server.store.get_question(stale.id)).variants == ("sydney",)


async def test_the_variant_action_needs_the_xsrf_token_and_an_admin(server):
    history = await build_history(server.store)
    browser, _ = await _admin(server)
    question = await server.store.get_question(history.ids["shared"])
    forged = await browser.post("/admin/triage/variant", {"question": question.id, "version": "0",
                                                          "variant": "sydney"}, xsrf=False)
    assert forged.code == 403
    player, _ = await signed_in(server, "Player")
    assert (await _accept(player, question)).code == 403
    assert (await player.get("/admin/triage")).code == 403
    guest = Browser(server.base_url)
    assert (await guest.get("/admin/triage")).code == 302
    assert (await server.store.get_question(question.id)).variants == ()
    assert await server.store.question_history(question.id) == []


@pytest.mark.parametrize("override, code, message", [
    ({"variant": "  "}, 400, "Say which typed answer to accept."),
    ({"variant": "x" * 121}, 400, "at most 120 characters"),
    ({"version": "one"}, 400, "reload the page"),
    ({"question": "no-such-question"}, 404, "There is no such question."),
    ({"question": ""}, 404, "There is no such question."),
    ({"variant": "Alpha"}, 400, "Not added"),  # the judge would then take a wrong alternative
    ({"variant": "Canberra!"}, 409, "already an accepted answer"),
], ids=["empty", "too-long", "no-version", "unknown", "no-question", "a-wrong-alternative", "the-answer"])
async def test_hostile_or_pointless_variants_are_refused_and_change_nothing(server, override, code, message):
    history = await build_history(server.store)
    browser, _ = await _admin(server)
    question = await server.store.get_question(history.ids["shared"])
    response = await _accept(browser, question, **override)
    assert response.code == code
    assert message in html.unescape(response.body.decode())
    assert (await server.store.get_question(question.id)).variants == ()
    assert await server.store.question_history(question.id) == []


@pytest.mark.parametrize("query", ["?sort=nonsense", "?page=0", "?page=abc", "?page=99999999999"])
async def test_a_bad_sort_or_page_is_a_clear_400(server, query):
    browser, _ = await _admin(server)
    response = await browser.get("/admin/triage" + query)
    assert response.code == 400


async def test_an_empty_history_says_so(server):
    browser, _ = await _admin(server)
    assert "No published question has been played yet." in await _page(browser)
