"""A rematch between two phone-sized pages (360x740, touch) in real Chromium: after the
result, one offers, the other sees the offer with a countdown and accepts, and a new battle
starts on both; a declined offer says so. Screenshots of each state go to test-artifacts/."""

from __future__ import annotations

import re

from playwright.async_api import expect

from .conftest import PHONE, STEP_MS, Player


async def phone(browser, server) -> Player:
    context = await browser.new_context(viewport=PHONE, base_url=server.base_url, has_touch=True, is_mobile=True)
    page = await context.new_page()
    page.set_default_timeout(STEP_MS)
    return Player(context, page, server.base_url)


async def to_result(server, browser) -> tuple[Player, Player]:
    a = await phone(browser, server)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await phone(browser, server)
    await b.open_play()
    for player in (a, b):
        await player.wait_screen("battle")
    for player in (a, b):  # one question nobody answers: the battle ends on its clock
        await player.wait_screen("result")
    return a, b


async def test_a_rematch_between_two_phones(serve, browser):
    server = await serve(questions_per_battle=1, question_seconds=2.0)
    a, b = await to_result(server, browser)
    await a.screenshot("rematch-1-result")
    await a.page.locator("#rematch-offer").tap()
    await expect(b.page.locator("#rematch-status")).to_have_text(re.compile(rf"^{re.escape(a.name)} wants a rematch \(\d+ s\)$"))
    await expect(a.page.locator("#rematch-status")).to_have_text(re.compile(rf"Rematch offered to {re.escape(b.name)}"))
    await expect(b.page.locator("#rematch-accept")).to_be_visible()
    await a.screenshot("rematch-2-offered")
    await b.screenshot("rematch-3-offer-received")
    await b.page.locator("#rematch-accept").tap()
    for player in (a, b):
        await player.wait_question(0)
    await expect(a.page.locator("#them-name")).to_have_text(b.name)
    await b.screenshot("rematch-4-new-battle")
    assert len(server.hub._battles) == 1
    a.assert_clean()
    b.assert_clean()


async def test_a_declined_rematch_says_so(serve, browser):
    server = await serve(questions_per_battle=1, question_seconds=2.0)
    a, b = await to_result(server, browser)
    await b.page.locator("#rematch-offer").tap()
    await a.page.locator("#rematch-decline").tap()
    await expect(b.page.locator("#rematch-status")).to_have_text("The rematch was declined.")
    await expect(a.page.locator("#rematch-accept")).to_be_hidden()
    await b.screenshot("rematch-5-declined")
    assert not server.hub._battles
    a.assert_clean()
    b.assert_clean()
