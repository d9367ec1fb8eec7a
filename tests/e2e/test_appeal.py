"""The result screen's "My answer should count" in real Chromium: the button appears only on a
question where the player's typed answer was refused (not where they scored by typing, nor
for the opponent who typed nothing refused), and says "Sent to the moderators" once the
appeal is stored."""

from __future__ import annotations

from playwright.async_api import expect

from tests.realtime.test_appeals import REFUSED, stock

from .conftest import Player


async def test_the_appeal_button_shows_only_for_a_refused_typed_answer_and_is_acknowledged(serve, browser):
    server = await serve(seed=False, questions_per_battle=2, question_seconds=8.0)
    book = await stock(server.store)
    a = await Player.new(browser, server.base_url)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await Player.new(browser, server.base_url)
    await b.open_play()

    first = book[await a.wait_question(0)]
    await b.wait_question(0)
    refused = REFUSED[first.answer]
    await a.type_answer(refused)
    await a.wait_text("#feedback", "Wrong")
    await b.type_answer(first.answer)  # B types it: 3 points
    second = book[await a.wait_question(1)]
    await a.type_answer(second.answer)  # A scores q 1 by typing: nothing to appeal there

    for player in (a, b):
        await player.wait_screen("result")
    items = a.page.locator("#review .review__item")
    await expect(items).to_have_count(2)
    buttons = a.page.locator("#review .appeal-button")
    await expect(buttons).to_have_count(1)
    button = items.nth(0).locator(".appeal-button")
    await expect(button).to_have_text("My answer should count")
    await expect(b.page.locator("#review .review__item")).to_have_count(2)
    await expect(b.page.locator("#review .appeal-button")).to_have_count(0)

    await button.click()
    await expect(button).to_have_text("Sent to the moderators")
    await expect(button).to_be_disabled()
    [stored] = await server.store.appeals_of_player(a.id)
    assert (stored.question_id, stored.text) == (first.id, refused)
    await a.screenshot("appeal-sent")
    a.assert_clean()
    b.assert_clean()
