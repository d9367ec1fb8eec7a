"""A challenge link in real Chromium at 360x740 with touch: a guest makes one on the home
page, sees the link with "Copy link" (no Web Share API in headless Chromium) and a visible
confirmation, and waits; a friend opens the link in a second browser context, sees who
challenges them, presses Play, and both battle. The used link then says so (410).
Screenshots of each state go to test-artifacts/."""

from __future__ import annotations

import re

from playwright.async_api import expect

from .conftest import PHONE, STEP_MS, Player


async def phone(browser, server, **options) -> Player:
    context = await browser.new_context(viewport=PHONE, base_url=server.base_url, has_touch=True, is_mobile=True,
                                        **options)
    page = await context.new_page()
    page.set_default_timeout(STEP_MS)
    return Player(context, page, server.base_url)


async def test_a_challenge_link_opened_in_a_second_context(serve, browser):
    server = await serve(questions_per_battle=2)
    creator = await phone(browser, server, permissions=["clipboard-read", "clipboard-write"])
    await creator.page.goto("/")
    await creator.page.locator("#challenge-make").tap()
    await creator.page.wait_for_url(re.compile(r"/c/[A-Za-z0-9_-]{12}$"))
    link = creator.page.url
    await expect(creator.page.locator("#challenge-title")).to_have_text("Challenge a friend")
    await expect(creator.page.locator("#challenge-status")).to_have_text(re.compile("Waiting for your friend"))
    await expect(creator.page.locator("#challenge-url")).to_have_value(link)
    await expect(creator.page.locator("#screen-lobby")).to_be_hidden()
    share = creator.page.locator("#challenge-share")
    await expect(share).to_have_text("Copy link")
    await share.tap()
    await expect(creator.page.locator("#challenge-shared")).to_have_text("Link copied! Send it to a friend.")
    assert await creator.page.evaluate("navigator.clipboard.readText()") == link
    await creator.fits_width()
    await creator.screenshot("challenge-1-creator-waiting")

    name = (await server.store.get_challenge(link.rsplit("/", 1)[1])).creator_name
    friend = await phone(browser, server)
    await friend.page.goto(link)
    await expect(friend.page.locator("#challenge-title")).to_have_text(f"{name} challenges you")
    play = friend.page.locator("#challenge-play")
    await expect(play).to_be_enabled()
    await friend.fits_width()
    await friend.screenshot("challenge-2-friend-invited")
    await play.tap()
    for player in (creator, friend):
        await player.wait_question(0)
    await expect(friend.page.locator("#them-name")).to_have_text(name)
    await expect(creator.page.locator("#challenge-card")).to_be_hidden()
    await friend.screenshot("challenge-3-battle")

    late = await phone(browser, server)
    response = await late.page.goto(link)
    assert response.status == 410
    await expect(late.page.locator("#challenge-gone-title")).to_have_text("This challenge has been played")
    await late.screenshot("challenge-4-used")
    for player in (creator, friend):  # `late` logs the 410 it was meant to get
        player.assert_clean()
