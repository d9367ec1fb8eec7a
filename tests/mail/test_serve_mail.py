"""`serve` sends the outbox itself: with no SMTP server, a link asked for over HTTP lands in
data/mail/ and in the log within the mail job's few seconds, with nothing else running."""

from __future__ import annotations

import asyncio
import logging

from kwissle.server import serve
from kwissle.settings import from_env
from tests.support.smtp_server import free_port
from tests.web.test_sign_in import LINK, Browser


async def test_serve_alone_writes_the_sign_in_mail_to_data_mail_and_logs_the_link(tmp_path, caplog):
    port = free_port()
    settings = from_env({}, env="test", data_dir=tmp_path, port=port, load_starter_bank=False)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="kwissle.mail"):
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            browser = Browser(f"http://127.0.0.1:{port}")
            for _ in range(100):  # until it listens
                try:
                    response = await browser.ask_for_link("ana@example.org")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            assert response.code == 200
            folder = tmp_path / "mail"
            for _ in range(100):
                if folder.exists() and list(folder.glob("*.eml")):
                    break
                await asyncio.sleep(0.05)
            [written] = folder.glob("*.eml")
            link = LINK.search(written.read_text()).group(0)
            assert f"link: {link}" in caplog.text
            assert (await browser.fetch(link)).code == 302
            assert (await browser.ticket_player())["guest"] is False
        finally:
            stop.set()
            await running
