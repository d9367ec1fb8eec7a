"""The leaderboards, a profile and a battle review in Chromium, at desktop width and at 360 px."""

import re

import pytest
from playwright.async_api import expect

from tests.storage.boards_scenario import build_league
from tests.web.test_leaderboards import this_week_now

from .conftest import DESKTOP, PHONE

# One long unbroken word and markup: what breaks a narrow table, and what must stay text.
LONG_NAME = "Featherstonehaugh-Cholmondeley-Marjoribanks"
SCRIPT_NAME = "<b>Bold</b> & <script>x()</script>"


@pytest.mark.parametrize("viewport, label", [(DESKTOP, "desktop"), (PHONE, "phone")])
async def test_leaders_then_a_profile_then_a_battle_review(serve, new_player, viewport, label):
    server = await serve(seed=False)
    league = await build_league(server.store, ana_name=LONG_NAME, now=this_week_now())
    await server.store.create_player(SCRIPT_NAME, guest=False, email="markup@example.org")
    reader = await new_player(server, viewport=viewport)
    page = reader.page

    await page.goto("/leaders")
    await expect(page.locator("h1")).to_have_text("Leaders")
    rating = page.locator("#board-rating tbody tr")
    await expect(rating).to_have_count(2)
    await expect(rating.nth(0)).to_contain_text(LONG_NAME)
    await expect(rating.nth(0)).to_contain_text("1650")
    await expect(page.locator("#board-categories tbody tr").nth(0)).to_contain_text("Art")
    await reader.fits_width()
    await reader.screenshot(f"boards-leaders-{label}")

    await page.locator("#board-rating").get_by_role("link", name=LONG_NAME).click()
    await expect(page).to_have_url(re.compile(rf"/player/{league.ana.id}$"))
    await expect(page.locator("#profile-name")).to_have_text(LONG_NAME)
    await expect(page.locator("#profile-rating")).to_have_text("1650")
    await expect(page.locator("svg.chart circle")).to_have_count(2)
    await expect(page.locator("#stat-wins")).to_have_text("1")
    await expect(page.locator("#recent-battles li")).to_have_count(4)
    await reader.fits_width()
    chart = await page.locator("svg.chart").bounding_box()
    assert chart["width"] > 200  # drawn at a readable size, not collapsed
    await reader.screenshot(f"boards-profile-{label}")

    await page.locator("#recent-battles li", has_text="Won").get_by_role("link", name=re.compile("^Review")).click()
    await expect(page).to_have_url(re.compile(r"/battle/battle-1$"))
    await expect(page.locator("#battle-review > li")).to_have_count(10)
    await expect(page.locator("#battle-result")).to_have_text(f"{LONG_NAME} won.")
    await reader.fits_width()
    await reader.screenshot(f"boards-battle-{label}")

    # a name made of markup is shown as the text it is
    markup = await server.store.get_player_by_email("markup@example.org")
    await page.goto(f"/player/{markup.id}")
    await expect(page.locator("#profile-name")).to_have_text(SCRIPT_NAME)
    assert await page.locator("main b, main script").count() == 0
    await reader.fits_width()
    reader.assert_clean()
