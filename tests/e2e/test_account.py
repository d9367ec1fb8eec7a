"""Choosing a display name in real Chromium: a signed-in player finds "Account" in the header,
is told what is wrong with a bad name, saves a good one, and sees it in the header, on their
profile and in their next ticket. On a desktop and on a 360 px phone, with the longest name."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import expect
from tornado.web import create_signed_value

from tests.e2e.conftest import DESKTOP, PHONE

LONGEST = "Wolfgang Amadeus Mozart!"  # 24 characters, wide letters: the header must still fit


async def sign_in(player, server, name: str, email: str):
    """Give the browser the signed cookie of a new account, as following a sign-in link does."""
    account = await server.store.create_player(name, guest=False, email=email)
    value = json.dumps({"id": account.id, "name": account.name}, separators=(",", ":"))
    await player.context.add_cookies([{
        "name": "kwissle_player", "url": server.base_url, "httpOnly": True, "sameSite": "Lax",
        "value": create_signed_value(server.settings.cookie_secret, "kwissle_player", value).decode()}])
    return account


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_player_renames_themselves_and_sees_the_name_everywhere(serve, new_player, viewport):
    server = await serve()
    player = await new_player(server, viewport)
    account = await sign_in(player, server, "Curious Walrus 80", "ada@example.org")
    size = "phone" if viewport is PHONE else "desktop"
    page = player.page

    await page.goto("/")
    await expect(page.locator(".account__name")).to_have_text("Curious Walrus 80")
    await player.fits_width()
    await page.get_by_role("link", name="Account", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    await expect(page.locator("#account-email")).to_have_text("ada@example.org")
    field = page.get_by_label("Display name")
    await expect(field).to_have_value("Curious Walrus 80")
    await player.fits_width()

    # A name of punctuation only is refused beside the field, and what was typed stays there.
    await field.fill("?!?")
    await page.get_by_role("button", name="Save the name").click()
    await expect(page.locator("#name-error")).to_have_text(
        "A name needs at least one letter, digit or emoji, not only punctuation.")
    await expect(page.get_by_label("Display name")).to_have_value("?!?")
    await expect(page.get_by_label("Display name")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".account__name")).to_have_text("Curious Walrus 80")
    await player.fits_width()
    await player.screenshot(f"account-refused-{size}")
    # Chromium logs the refused form's HTTP 400 as a failed load: expected here, and only that.
    assert [p for p in player.problems if "status of 400" not in p] == []
    player.problems.clear()

    # Extra spaces are tidied away; the page says it is saved; the header follows.
    await page.get_by_label("Display name").fill("  Ada   Lovelace ")
    await page.get_by_role("button", name="Save the name").click()
    await expect(page.locator("#saved")).to_have_text("Saved. You are now “Ada Lovelace”.")
    await expect(page.get_by_label("Display name")).to_have_value("Ada Lovelace")
    await expect(page.locator(".account__name")).to_have_text("Ada Lovelace")
    assert (await server.store.get_player(account.id)).name == "Ada Lovelace"
    await player.fits_width()

    # The header's name leads to the profile, which offers the way back.
    await page.locator(".account__name").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    await page.get_by_role("link", name="Change your name").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    # The longest name still fits the header and the page at this width.
    await page.get_by_label("Display name").fill(LONGEST)
    await page.get_by_role("button", name="Save the name").click()
    await expect(page.locator("#saved")).to_be_visible()
    await expect(page.locator(".account__name")).to_have_text(LONGEST)
    await player.fits_width()
    await player.screenshot(f"account-saved-{size}")

    # The play page's ticket names the player by the new name.
    await player.open_play()
    assert (player.id, player.name) == (account.id, LONGEST)
    player.assert_clean()
