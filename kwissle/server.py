"""Run the whole game in one process: store, starter bank, application, clean shutdown."""

from __future__ import annotations

import asyncio
import logging
import signal

from tornado.httpserver import HTTPServer

from kwissle.app import MAX_BODY_BYTES, make_app
from kwissle.bank.starter import seed_if_empty
from kwissle.model import QuestionStatus
from kwissle.settings import Settings
from kwissle.storage.open import open_store

log = logging.getLogger("kwissle.server")


async def serve(settings: Settings, install_signal_handlers: bool = False,
                stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set (or SIGINT/SIGTERM), then record running battles as abandoned."""
    stop = stop or asyncio.Event()
    store = await open_store(settings.database_url)
    try:
        if settings.load_starter_bank:
            added = await seed_if_empty(store)
            if added:
                log.info("published the starter bank: %d questions", added)
        published = await store.count_questions(QuestionStatus.PUBLISHED)
        app = make_app(settings, store)
        await app.hub.load_lexicon()
        server = HTTPServer(app, max_body_size=MAX_BODY_BYTES, xheaders=settings.production)
        server.listen(settings.port, settings.address)
        port = bound_port(server) or settings.port
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        # Tests and scripts read this line to learn the port when --port 0 was asked.
        print(f"Kwissle is up on http://{settings.address}:{port}/ "
              f"({published} published questions, {settings.database_url})", flush=True)
        await stop.wait()
        log.info("stopping: recording running battles as abandoned")
        server.stop()
        await app.hub.shutdown()
        await server.close_all_connections()
    finally:
        await store.close()


def bound_port(server: HTTPServer) -> int | None:
    """The port the server actually listens on (what --port 0 got from the system)."""
    for sock in server._sockets.values():  # tornado keeps the bound sockets here
        return sock.getsockname()[1]
    return None
