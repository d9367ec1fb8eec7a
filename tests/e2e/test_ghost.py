"""A recorded opponent in real Chromium on a phone (360x740, touch): alone on the site, a
player is offered a recording within the delay (2 s here), sees plainly that it is one
("Recording of <name>, played 2 days ago"), plays it, and reaches the result screen.
Screenshots of each state go to test-artifacts/."""

from __future__ import annotations

import re
import time

from playwright.async_api import expect

from kwissle.model import BattleEnd, BattleRecord, QuestionOutcome, QuestionStatus

from .conftest import STEP_MS
from .phone import phone
from .test_resume import RECORD_TEXTS

DELAY = 2.0


async def store_a_recording(store) -> tuple[str, list]:
    """A complete battle two days old between Marta Recorded and Olle: Marta types q0's answer
    after 1 s, and picks q1's among the alternatives after 1.6 s; q2 nobody takes."""
    marta = await store.create_player("Marta Recorded", guest=False, email="marta@example.org")
    olle = await store.create_player("Olle", guest=False, email="olle@example.org")
    questions = (await store.list_questions(QuestionStatus.PUBLISHED, limit=3))[:3]
    m, o = marta.id, olle.id
    q0, q1, q2 = questions
    outcomes = (
        QuestionOutcome(q0.id, m, "typed", 3, typed={m: [q0.answer], o: []}, chose={m: None, o: None},
                        typed_at={m: [1.0], o: []}, choices=(q0.answer, *q0.wrong)),
        QuestionOutcome(q1.id, m, "choice", 1, typed={m: [], o: []}, chose={m: 2, o: None},
                        typed_at={m: [], o: []}, chose_at={m: 1.6},
                        choices=(q1.wrong[0], q1.wrong[1], q1.answer, q1.wrong[2]), alternatives_at={m: 0.8}),
        QuestionOutcome(q2.id, None, None, 0, typed={m: [], o: []}, chose={m: None, o: None},
                        choices=(q2.answer, *q2.wrong)),
    )
    ended = time.time() - 2 * 86400 - 600
    await store.save_battle(BattleRecord(id="recorded-battle", player_ids=(m, o), scores={m: 4, o: 0}, winner=m,
                                         reason=BattleEnd.COMPLETE, started_at=ended - 40, ended_at=ended,
                                         outcomes=outcomes))
    return m, questions


async def test_alone_on_the_site_a_recording_is_offered_labelled_and_played_to_the_end(serve, browser):
    server = await serve(questions_per_battle=3, ghost_delay_seconds=DELAY, intro_seconds=0)
    marta_id, questions = await store_a_recording(server.store)
    player = await phone(browser, server)
    await player.open_play()
    await player.wait_screen("waiting")
    started = time.monotonic()
    offer = player.page.locator("#ghost-offer")
    await expect(offer).to_be_visible(timeout=int((DELAY + 3) * 1000))
    assert time.monotonic() - started < DELAY + 3
    await expect(player.page.locator("#ghost-offer-who")).to_have_text(
        re.compile(r"^Recording of Marta Recorded, played 2 days ago: .*Not rated\.$"))
    await player.fits_width()
    await player.screenshot("ghost-1-offered")

    # The recording plays on its own clock while this test looks around: record every reveal
    # headline, so a slow machine cannot make the test miss one.
    await player.page.evaluate(RECORD_TEXTS, ["#reveal-headline", "revealLog"])
    await player.page.locator("#ghost-play").tap()
    await player.wait_question(0)
    await expect(player.page.locator("#them-name")).to_have_text("Marta Recorded")
    await expect(player.page.locator("#them-label")).to_have_text("Recording")
    await expect(player.page.locator("#recording-note")).to_have_text(
        "Recording of Marta Recorded, played 2 days ago · not rated")
    await player.fits_width()
    await player.screenshot("ghost-2-battle")
    # Marta's answer comes after her recorded second, typed; her pick on q1 after 1.6 s
    await player.wait_question(2)
    await player.screenshot("ghost-3-question-3")
    await player.type_answer(questions[2].answer)  # the live player takes the last one
    await player.wait_screen("result")
    headlines = [h for h in await player.page.evaluate("window.revealLog") if h.strip()]
    assert [h for h in dict.fromkeys(headlines)][:2] == ["Stolen by Marta Recorded — +3, typed it",
                                                         "Stolen by Marta Recorded — +1, with the alternatives"], headlines
    assert (await player.text("#final-me-score"), await player.text("#final-them-score")) == ("3", "4")
    await expect(player.page.locator("#recording-result")).to_contain_text(
        "You played against a recording: Recording of Marta Recorded, played 2 days ago.")
    await expect(player.page.locator("#rematch-offer")).to_have_count(0)  # nobody to rematch
    await player.fits_width()
    await player.screenshot("ghost-4-result")

    stored = await server.store.recent_battles(player.id)
    assert stored and stored[0].recording_of == "recorded-battle" and stored[0].ratings == ()
    assert [b.id for b in await server.store.recent_battles(marta_id)] == ["recorded-battle"]
    player.assert_clean()


async def test_a_live_opponent_arriving_first_takes_the_offer_away(serve, browser):
    server = await serve(questions_per_battle=3, ghost_delay_seconds=DELAY, intro_seconds=0)
    await store_a_recording(server.store)
    a = await phone(browser, server)
    await a.open_play()
    await expect(a.page.locator("#ghost-offer")).to_be_visible(timeout=int((DELAY + 3) * 1000))
    b = await phone(browser, server)
    await b.open_play()
    await a.wait_question(0)
    await expect(a.page.locator("#them-name")).to_have_text(b.name, timeout=STEP_MS)
    await expect(a.page.locator("#them-label")).to_have_text("Opponent")
    await expect(a.page.locator("#recording-note")).to_have_count(0)
    await a.screenshot("ghost-5-live-opponent-won")
    a.assert_clean()
    b.assert_clean()
