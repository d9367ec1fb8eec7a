"""The battle on a phone (360x740, touch) in Chromium: no accidental pick, no hidden banner, the
bar with the timer and scores always on screen, leaving mid-battle asks first, the waiting
screen's counters, and /rules."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from kwissle.model import QuestionStatus
from tests.support.clients import WebSocketClient

from .conftest import STEP_MS, shot_path
from .phone import ANSWERS, QUESTIONS, centre, phone, tap_at

# Room to act between the steps a busy machine takes, and a reveal that stays long enough to look at.
TIMINGS = dict(question_seconds=12.0, reveal_seconds=2.5, questions_per_battle=3, seed=False)


async def battle_of_two(serve, browser, **overrides):
    server = await serve(**{**TIMINGS, **overrides})
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    a = await phone(browser, server)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await phone(browser, server)
    await b.open_play()
    return server, a, b


async def in_viewport_below_the_bar(player, selector: str) -> None:
    """Wholly on screen, and not under the sticky bar."""
    await expect(player.page.locator(selector)).to_be_in_viewport(ratio=1.0, timeout=STEP_MS)
    box = await player.page.locator(selector).bounding_box()
    bar = await player.page.locator("#battlebar").bounding_box()
    assert box["y"] >= bar["y"] + bar["height"] - 1, (box, bar)


async def test_a_double_tap_on_show_alternatives_picks_nothing_and_the_steal_banner_is_seen(serve, browser):
    server, a, b = await battle_of_two(serve, browser)
    text = await a.wait_question(0)
    await b.wait_question(0)
    await a.page.locator("#answer-input").blur()  # no on-screen keyboard for this one

    # A taps "Show alternatives", and taps again where it was as soon as the choices appear.
    x, y = await centre(a, "#show-alternatives")
    await tap_at(a, x, y)
    await a.page.locator("#choices").wait_for(state="visible")
    await tap_at(a, x, y)
    under = await a.page.evaluate(f"document.elementFromPoint({x}, {y}).closest('.choice') === null")
    assert under, "a choice appeared under the button just tapped"
    await asyncio.sleep(0.5)
    assert await a.page.locator("#choices .choice--picked").count() == 0
    assert await a.page.locator("#choices .choice:disabled").count() == 0
    await expect(a.page.locator("#feedback")).to_have_text(re.compile("^Pick one"))
    await expect(b.page.locator("#cue")).to_have_text(f"{a.name} opened the alternatives.")
    await a.screenshot("phone-01-alternatives-after-double-tap")

    # B types the answer while A's alternatives are open: A's steal banner is brought into view.
    await b.type_answer(ANSWERS[text].answer)
    await a.wait_reveal(f"Stolen by {b.name}")
    await in_viewport_below_the_bar(a, "#reveal")
    await a.screenshot("phone-02-steal-banner")

    # A tap on a choice a moment after they appear does pick (the guard is short).
    text = await a.wait_question(1)
    await a.page.locator("#answer-input").blur()
    await a.page.locator("#show-alternatives").tap()
    await a.page.locator("#choices").wait_for(state="visible")
    await asyncio.sleep(0.4)
    await a.page.locator("#choices .choice", has_text=ANSWERS[text].answer).tap()
    await a.wait_reveal("You got it! +1 (alternatives)")
    a.assert_clean()
    b.assert_clean()


async def test_the_bar_stays_on_screen_with_the_keyboard_open(serve, browser):
    server, a, b = await battle_of_two(serve, browser)
    await a.wait_question(0)
    # The on-screen keyboard takes half the height: about 400 px are left, then the page scrolls.
    await a.page.set_viewport_size({"width": 360, "height": 400})
    await a.page.locator("#answer-input").focus()
    await a.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert await a.page.evaluate("window.scrollY") > 0  # the page did scroll
    for selector in ("#timer", "#me-score", "#them-score", "#cue"):
        await expect(a.page.locator(selector)).to_be_in_viewport()
    # Nothing covers the timer: the point at its middle is the timer itself.
    x, y = await centre(a, "#timer")
    assert await a.page.evaluate(f"!!document.elementFromPoint({x}, {y}).closest('#timer')")
    await b.type_answer("no idea at all")
    await expect(a.page.locator("#cue")).to_have_text(f"{b.name} typed a wrong answer.")
    await expect(a.page.locator("#cue")).to_be_in_viewport()
    await a.fits_width()
    await a.page.screenshot(path=shot_path("phone-03-keyboard-open"))  # the viewport, as the player sees it
    a.assert_clean()


async def test_leaving_by_a_header_link_asks_first(serve, browser):
    server, a, b = await battle_of_two(serve, browser)
    await a.wait_question(0)
    await b.wait_question(0)
    dialog = a.page.locator("#leave-dialog")

    await a.page.locator(".site-nav a", has_text="Leaders").click()
    await expect(dialog).to_be_visible()
    await expect(a.page.get_by_role("button", name="Stay and play")).to_be_focused()
    await a.screenshot("phone-04-leave-dialog")
    await a.page.get_by_role("button", name="Stay and play").click()
    await expect(dialog).to_be_hidden()
    assert a.page.url.endswith("/play")
    await expect(a.page.locator("#screen-battle")).to_be_visible()

    await a.page.locator(".site-nav a", has_text="Leaders").click()
    await a.page.get_by_role("button", name="Leave and forfeit").click()
    await a.page.wait_for_url(re.compile(r"/leaders$"))
    await b.wait_screen("result")
    await b.wait_text("#result-title", "You win!")
    await b.wait_text("#result-sub", f"{a.name} left the battle — you win by forfeit.")
    a.assert_clean()
    b.assert_clean()


async def test_the_waiting_screen_counts_time_and_the_others_online(serve, browser):
    server = await serve(**TIMINGS)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    a = await phone(browser, server)
    await a.open_play()
    await a.wait_screen("waiting")
    await a.wait_text("#waiting-online", re.compile(r"^Nobody else online right now$"))  # not counting me
    await a.wait_text("#waiting-waited", re.compile(r"^Waiting 0:0[0-2]$"))
    await a.wait_text("#waiting-waited", re.compile(r"^Waiting 0:0[3-9]$"))  # it ticks

    # Someone connects without playing: the status poll shows them.
    lurker = WebSocketClient(server.base_url)
    await lurker.connect()
    await lurker.hello()
    try:
        await expect(a.page.locator("#waiting-online")).to_have_text("1 other player online", timeout=12000)
        await a.fits_width()
        await a.screenshot("phone-05-waiting")
    finally:
        await lurker.close()
    a.assert_clean()


async def test_the_rules_link_reaches_the_rules(serve, browser):
    server = await serve(seed=False)
    a = await phone(browser, server)
    await a.page.goto("/play")
    await a.page.locator(".site-nav a", has_text="Rules").click()
    await a.page.wait_for_url(re.compile(r"/rules$"))
    await expect(a.page.locator("h1")).to_have_text("How to play Kwissle")
    await a.fits_width()


async def test_a_you_vs_them_intro_counts_down_until_the_server_opens_question_one(serve, browser):
    server, a, b = await battle_of_two(serve, browser, intro_seconds=2.5)
    await a.wait_screen("battle")
    intro = a.page.locator("#intro")
    await expect(intro).to_be_visible()
    await expect(a.page.locator("#intro-me")).to_have_text(a.name)
    await expect(a.page.locator("#intro-them")).to_have_text(b.name)
    await expect(a.page.locator("#intro-count")).to_have_text(re.compile(r"^[123]$"))
    assert await a.page.locator("#answer-form").is_hidden()  # nothing to answer yet
    await a.screenshot("phone-06-intro")
    await a.wait_question(0)  # the server's question ends the intro
    await expect(intro).to_be_hidden()
    a.assert_clean()
