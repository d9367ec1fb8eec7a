"""The home page counts the players online; a wrong address gets the friendly 404 page."""

import asyncio

from playwright.async_api import expect

from tests.support.clients import WebSocketClient

from .conftest import shot_path


async def test_home_page_shows_players_online_and_keeps_counting(serve, new_player):
    server = await serve()
    first, second = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await first.hello()
    player = await new_player(server)
    page = player.page
    await page.clock.install()  # the page's 5 s poll runs on a clock the test moves
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Answer first. Steal the question.")
    await expect(page.locator("#online-text")).to_have_text("1 player online now")
    await expect(page.get_by_role("link", name="Play now")).to_have_attribute("href", "/play")
    await page.screenshot(path=shot_path("01-home"), full_page=True, animations="disabled")

    await second.hello()
    await page.clock.run_for(5_100)
    await expect(page.locator("#online-text")).to_have_text("2 players online now")
    await first.close()
    await second.close()
    player.assert_clean()


async def test_an_unknown_address_gets_the_friendly_404_page(serve, new_player):
    server = await serve()
    player = await new_player(server)
    response = await player.page.goto("/no/such/page")
    assert response.status == 404
    await expect(player.page).to_have_title("404 · Page not found · Kwissle")
    await expect(player.page.get_by_role("heading", level=1)).to_have_text("This page has wandered off")
    await expect(player.page.get_by_role("link", name="Back to the home page")).to_have_attribute("href", "/")
    await player.page.screenshot(path=shot_path("10-not-found"), full_page=True, animations="disabled")
    assert [p for p in player.problems if "Content Security Policy" in p] == []


async def test_play_now_on_the_home_page_leads_to_the_queue_and_respects_reduced_motion(serve, new_player):
    server = await serve()
    player = await new_player(server, reduced_motion="reduce")
    page = player.page
    await page.goto("/")
    button = page.get_by_role("link", name="Play now")
    # Asked for less motion, the call to action stops breathing (and so can be clicked at once).
    assert await button.evaluate("b => getComputedStyle(b).animationIterationCount") == "1"
    await button.click()
    await expect(page).to_have_url(f"{server.base_url}/play")
    await expect(page.get_by_role("heading", name="Looking for an opponent…")).to_be_visible()
    for _ in range(100):  # the screen shows at once; the server's queue is what counts
        if server.hub.status()["waiting"] == 1:
            break
        await asyncio.sleep(0.02)
    assert server.hub.status() == {"online": 1, "waiting": 1, "battles": 0, "unsaved": 0}
    player.assert_clean()
