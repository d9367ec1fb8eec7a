"""Signing in in real Chromium with no SMTP server: ask on /sign-in, read the link from the
server's data/mail/ (written by the same mail job `serve` runs in-process), open it, see your
name in the header, sign out; on a desktop and at 360 px."""

from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy

import pytest
from playwright.async_api import expect

from kwissle.worker import JobRunner, mail_job

from .conftest import DESKTOP, PHONE, STEP_MS

LINK = re.compile(r"http://\S+/sign-in/\S+")


async def link_from_mail_folder(folder, address: str) -> str:
    """The sign-in link of the first .eml file to `address`, waiting for the mail job to write it."""
    for _ in range(STEP_MS // 100):
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                return LINK.search(message.get_content()).group(0)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail to {address} in {folder}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_sign_in_with_the_link_from_data_mail_then_sign_out(serve, new_player, viewport):
    server = await serve()
    assert server.settings.smtp_url == ""
    stop = asyncio.Event()
    mail = asyncio.create_task(JobRunner([mail_job(server.settings, server.store)]).run(stop))
    try:
        player = await new_player(server, viewport=viewport)
        page = player.page
        await player.open_play()  # a guest first, as a visitor is
        guest_name = player.name
        await page.goto("/")
        await page.get_by_role("link", name="Sign in").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        await player.fits_width()

        await page.get_by_label("Your e-mail address").fill("nope")
        await page.get_by_role("button", name="Send me a sign-in link").click()
        await expect(page.locator("#email-error")).to_contain_text("does not look like an e-mail address")

        await page.get_by_label("Your e-mail address").fill("Ana@Example.org")
        await page.get_by_role("button", name="Send me a sign-in link").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Check your mail")
        await expect(page.locator(".sign-in__email")).to_have_text("ana@example.org")
        await player.fits_width()

        link = await link_from_mail_folder(server.settings.data_dir / "mail", "ana@example.org")
        await page.goto(link)
        await expect(page).to_have_url(server.base_url + "/")
        await expect(page.locator(".account__name")).to_have_text(guest_name)  # the guest became the account
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        await expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
        await player.fits_width()
        await player.screenshot(f"sign-in-signed-in-{viewport['width']}")

        await page.goto(link)  # the same link again: calm page, nothing changed
        await expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
        await expect(page.locator(".account__name")).to_have_text(guest_name)
        await player.fits_width()

        await page.get_by_role("button", name="Sign out").click()
        await expect(page).to_have_url(server.base_url + "/")
        await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        await expect(page.locator(".account__name")).to_have_count(0)
        await player.open_play()
        assert player.name and player.id  # a new guest on the next ticket
        account = await server.store.get_player_by_email("ana@example.org")
        assert account.name == guest_name and player.id != account.id
        # The 400 (bad address) and 410 (used link) pages are the documents themselves, as meant.
        expected = {f"console error: Failed to load resource: the server responded with a status of {status}"
                    for status in ("400 (Bad Request)", "410 (Gone)")}
        assert [problem for problem in player.problems if problem not in expected] == []
    finally:
        stop.set()
        await mail
