"""The moderators' appeals page (/admin/appeals): open appeals grouped by question and folded
text with player counts and distances; accept adds the variant and resolves the group; decline
resolves with a note; XSRF and stale versions refused. And the journey the issue names: a typed
answer refused in a real battle -> appeal -> a moderator accepts -> the next battle between two
players accepts that text."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from kwissle.model import Moderation
from kwissle.model.appeals import Appeal, AppealStatus
from kwissle.storage.checking import new_id
from kwissle.textfold import fold
from tests.realtime.test_appeals import BANK, REFUSED, SMALL_BANK, play, stock
from tests.realtime.test_battle_over_sockjs import pair
from tests.support.clients import WebSocketClient
from tests.web.crowd_browser import Browser, signed_in

pytestmark = pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)


async def admin(server):
    browser, moderator = await signed_in(server, "Moderator")
    await server.store.set_admin(moderator.id, True)
    return browser, moderator


CLOCK = itertools.count(1_700_000_000)


async def appeal(server, question, player_id, text, battle_id="b1"):
    """An appeal as the hub files it, each one a second after the one before."""
    await server.store.add_appeals([Appeal(id=new_id(), question_id=question.id, player_id=player_id,
                                           battle_id=battle_id, text=text, folded=fold(text),
                                           created_at=float(next(CLOCK)))])


def rows(page: str) -> list[tuple[str, str, str, str]]:
    """(question id, typed, players, distance) per row of the page, in order."""
    found = []
    for block in re.findall(r'<li class="admin__item appeals__question" data-id="([^"]+)">(.*?)</li>\s*(?=<li|</ol>)',
                            page, re.DOTALL):
        for typed, players, distance in re.findall(
                r'class="appeals__typed">(.*?)</td>\s*<td class="appeals__players">(\d+)</td>\s*'
                r'<td class="appeals__distance">(.*?)</td>', block[1], re.DOTALL):
            found.append((block[0], html.unescape(typed), players, distance))
    return found


async def test_appeals_are_grouped_by_question_and_folded_text_with_counts_and_distances(server):
    book = await stock(server.store)
    lusaka, mars = book[BANK[0].text], book[BANK[1].text]
    for player in ("p1", "p2", "p3"):
        await appeal(server, lusaka, player, "Lusaka City" if player != "p2" else "lusaka  city!", f"b-{player}")
    await appeal(server, lusaka, "p4", "Lusaka <Town>")
    await appeal(server, mars, "p5", "Marz")
    browser, _ = await admin(server)
    response = await browser.get("/admin/appeals")
    assert response.code == 200
    page = response.body.decode()
    assert rows(page) == [(lusaka.id, "Lusaka City", "3", "5"),  # "lusaka city" vs "lusaka": 5 edits
                          (lusaka.id, "Lusaka <Town>", "1", "5"),
                          (mars.id, "Marz", "1", "1")]
    assert "<Town>" not in page  # players' text is escaped
    assert 'id="appeals-total">5<' in page
    landing = (await browser.get("/admin")).body.decode()
    assert re.search(r'href="/admin/appeals">Appeals\s*<span class="admin__count" id="appeals-count">5</span>', landing)


async def test_accept_adds_the_variant_and_resolves_the_whole_group(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    await appeal(server, lusaka, "p1", "Lusaka City", "b1")
    await appeal(server, lusaka, "p2", "LUSAKA city", "b2")
    await appeal(server, lusaka, "p2", "Lusaka Town", "b2")
    browser, moderator = await admin(server)
    await browser.get("/admin/appeals")
    response = await browser.post("/admin/appeals/accept", {"question": lusaka.id, "folded": "lusaka city",
                                                            "text": "Lusaka City", "version": str(lusaka.version)})
    assert response.code == 303 and response.headers["Location"] == "/admin/appeals?done=accepted"
    stored = await server.store.get_question(lusaka.id)
    assert stored.variants == ("Lusaka City",) and stored.version == lusaka.version + 1
    [record] = await server.store.question_history(lusaka.id)
    assert (record.action, record.moderator_id) == (Moderation.ADD_VARIANT, moderator.id)
    statuses = {(a.player_id, a.folded): a.status for p in ("p1", "p2") for a in await server.store.appeals_of_player(p)}
    assert statuses == {("p1", "lusaka city"): AppealStatus.ACCEPTED, ("p2", "lusaka city"): AppealStatus.ACCEPTED,
                        ("p2", "lusaka town"): AppealStatus.OPEN}
    page = (await browser.get("/admin/appeals?done=accepted")).body.decode()
    assert "Accepted" in page and [r[1] for r in rows(page)] == ["Lusaka Town"]


async def test_a_stale_page_cannot_accept_and_the_appeals_stay_open(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    await appeal(server, lusaka, "p1", "Lusaka City")
    browser, moderator = await admin(server)
    await server.store.moderate_question(lusaka.id, lusaka.version, Moderation.EDIT, {"category": "Capitals"},
                                         moderator.id, "", 5.0)
    await browser.get("/admin/appeals")
    response = await browser.post("/admin/appeals/accept", {"question": lusaka.id, "folded": "lusaka city",
                                                            "text": "Lusaka City", "version": str(lusaka.version)})
    assert response.code == 409 and "Already handled by Moderator" in response.body.decode()
    assert (await server.store.get_question(lusaka.id)).variants == ()
    assert [a.status for a in await server.store.appeals_of_player("p1")] == [AppealStatus.OPEN]


async def test_decline_resolves_the_group_with_the_note_and_a_second_decline_is_already_handled(server):
    book = await stock(server.store)
    mars = book[BANK[1].text]
    await appeal(server, mars, "p1", "Jupiter")
    await appeal(server, mars, "p2", "jupiter", "b2")
    browser, moderator = await admin(server)
    await browser.get("/admin/appeals")
    fields = {"question": mars.id, "folded": "jupiter", "note": "Jupiter is another planet."}
    response = await browser.post("/admin/appeals/decline", fields)
    assert response.code == 303
    for player in ("p1", "p2"):
        [stored] = await server.store.appeals_of_player(player)
        assert (stored.status, stored.note, stored.resolved_by) == (
            AppealStatus.DECLINED, "Jupiter is another planet.", moderator.id)
    assert (await server.store.get_question(mars.id)).variants == ()
    again = await browser.post("/admin/appeals/decline", fields)
    assert again.code == 409 and "Already handled" in again.body.decode()


async def test_actions_without_xsrf_or_by_a_non_admin_change_nothing(server):
    book = await stock(server.store)
    lusaka = book[BANK[0].text]
    await appeal(server, lusaka, "p1", "Lusaka City")
    browser, _ = await admin(server)
    fields = {"question": lusaka.id, "folded": "lusaka city", "text": "Lusaka City", "version": "0"}
    assert (await browser.post("/admin/appeals/accept", fields, xsrf=False)).code == 403
    assert (await browser.post("/admin/appeals/decline", fields, xsrf=False)).code == 403
    player, _ = await signed_in(server, "Player")
    assert (await player.get("/admin/appeals")).code == 403
    assert (await player.post("/admin/appeals/accept", fields)).code == 403
    # a text that is not the appealed one is refused
    assert (await browser.post("/admin/appeals/accept", {**fields, "text": "Harare"})).code == 400
    assert (await server.store.get_question(lusaka.id)).variants == ()
    assert [a.status for a in await server.store.appeals_of_player("p1")] == [AppealStatus.OPEN]


async def test_a_refused_answer_appealed_and_accepted_passes_in_the_next_battle(server):
    book = await stock(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    asked, _ = await play(a, b, book, ["refused", "typed", "typed"])
    refused = REFUSED[asked[0].answer]
    await a.send({"type": "appeal", "q": 0})
    await a.expect("appealed", q=0)
    await a.close()
    await b.close()

    browser, _ = await admin(server)
    page = (await browser.get("/admin/appeals")).body.decode()
    assert [(r[0], r[1]) for r in rows(page)] == [(asked[0].id, refused)]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    accepted = await browser.post("/admin/appeals/accept", {"question": asked[0].id, "folded": fold(refused),
                                                            "text": refused, "version": version})
    assert accepted.code == 303
    # The game's pool refreshes on its own within 30 s; the test does not wait that long.
    await server.hub.questions.refresh()

    c, d = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(c, d)
    for q in range(3):
        question = book[(await c.until("question"))["text"]]
        await d.until("question")
        if question.id == asked[0].id:
            await c.send({"type": "answer", "q": q, "text": refused})
            reveal = await c.until("reveal")
            assert (reveal["by"], reveal["how"], reveal["points"]) == (c.id, "typed", 3)
        else:
            await d.send({"type": "answer", "q": q, "text": question.answer})
            await c.until("reveal")
        await d.until("reveal")
    end = await c.until("end")
    assert any(item["by"] == c.id and item["typed"][c.id] == [refused] for item in end["review"])
    await c.close()
    await d.close()


async def test_the_player_sees_their_appeals_and_outcomes_on_their_own_profile_only(server):
    book = await stock(server.store)
    lusaka, mars = book[BANK[0].text], book[BANK[1].text]
    me, player = await signed_in(server, "Appealer")
    await appeal(server, lusaka, player.id, "Lusaka <City>")
    await appeal(server, mars, player.id, "Jupiter", "b2")
    await server.store.resolve_appeals(mars.id, "jupiter", AppealStatus.DECLINED, "mod", "Another planet.", 9.0)
    page = (await me.get(f"/player/{player.id}")).body.decode()
    assert "Your appeals" in page
    items = re.findall(r'appeals-mine__question">(.*?)</span>\s*<span class="appeals-mine__typed">You typed <q>(.*?)</q>'
                       r'</span>\s*<span class="appeals-mine__status chip">(\w+)</span>', page)
    assert [tuple(html.unescape(x) for x in item) for item in items] == [
        (mars.text, "Jupiter", "Declined"), (lusaka.text, "Lusaka <City>", "Pending")]
    assert "Another planet." in page
    stranger, _ = await signed_in(server, "Stranger")
    other = (await stranger.get(f"/player/{player.id}")).body.decode()
    assert "Your appeals" not in other and "Lusaka &lt;City&gt;" not in other
    nobody = Browser(server.base_url)
    assert "Your appeals" not in (await nobody.get(f"/player/{player.id}")).body.decode()
