"""Run the whole game in one process, or one role of it: store, starter bank, application, clean shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time

from tornado.httpserver import HTTPServer

from kwissle import gctuning
from kwissle.app import MAX_BODY_BYTES, make_app
from kwissle.bank.starter import seed_if_empty
from kwissle.model import QuestionStatus
from kwissle.roles import SERVE, Role
from kwissle.settings import Settings
from kwissle.shutdown import run_flush_steps
from kwissle.storage.open import open_store
from kwissle.storage.port import Store, StoreUnavailable, masked_url
from kwissle.worker import JobRunner, mail_job

log = logging.getLogger("kwissle.server")

# A polling client polls again at once after each answer; one that has not come back within
# SockJS's own disconnect delay (5 s) is gone anyway.
POLL_LINGER_SECONDS = 5.0


async def serve(settings: Settings, install_signal_handlers: bool = False,
                stop: asyncio.Event | None = None, role: Role = SERVE) -> None:
    """Serve `role` until `stop` is set (or SIGINT/SIGTERM), then stop gracefully (see `shut_down`)."""
    stop = stop or asyncio.Event()
    store = await open_store_patiently(settings.database_url, settings.store_start_seconds)
    # `serve` is the whole game in one process, so it sends the outbox itself (into data/mail/
    # with no SMTP server): the README's play command alone lets a new user sign in.
    mail_stop = asyncio.Event()
    mail = asyncio.create_task(JobRunner([mail_job(settings, store)]).run(mail_stop)) if role is SERVE else None
    try:
        if settings.load_starter_bank and role.game:
            added = await seed_if_empty(store)
            if added:
                log.info("published the starter bank: %d questions", added)
        published = await store.count_questions(QuestionStatus.PUBLISHED)
        app = make_app(settings, store, role=role)
        if app.hub is not None:
            await app.hub.load_lexicon()
            await app.hub.questions.refresh()  # before the freeze below: start-up built them
        # No xheaders: the app believes X-Real-IP only from KWISSLE_TRUSTED_PROXIES (kwissle/web/proxy.py).
        server = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
        server.listen(settings.port, settings.address)
        port = bound_port(server) or settings.port
        if install_signal_handlers:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, _stop_or_hurry, stop, app)
        if install_signal_handlers and role.game and settings.gc_tuning:  # only a process of its own
            gctuning.tune()
            log.info("garbage collector: %d start-up objects frozen, thresholds %s",
                     gctuning.freeze_start_up(), gc.get_threshold())
        gc_pauses = gctuning.PauseRecorder(app.metrics.gc_paused)  # from here on, pauses players feel
        gc_pauses.install()
        # Tests and scripts read this line to learn the port when --port 0 was asked.
        name = "Kwissle" if role is SERVE else f"Kwissle {role.name}"
        print(f"{name} is up on http://{settings.address}:{port}/ "
              f"({published} published questions, {masked_url(settings.database_url)})", flush=True)
        await stop.wait()
        await shut_down(app, server, settings.shutdown_grace_seconds)
        gc_pauses.uninstall()
    finally:
        if mail is not None:
            mail_stop.set()  # a send under way finishes its turn
            await mail
        await store.close()


async def shut_down(app, server: HTTPServer, grace_seconds: float) -> None:
    """The stop sequence, in order (the server listens until the end, so every transport keeps
    working and a dropped player may come back; only then is the port free):

    1. drain the game: pair nobody new, send `restarting` to every player, let running
       battles finish within `grace_seconds`;
    2. record the battles still running as abandoned;
    3. run the flush steps (`app.flush_steps`: the results writer, ...), each logged;
    4. let polling clients pick up their last messages (at most POLL_LINGER_SECONDS), then
       close every connection;
    5. stop listening.
    """
    hub = getattr(app, "hub", None)
    if hub is not None:
        await hub.drain(grace_seconds)
        await hub.stop()
    await run_flush_steps(app.flush_steps)
    if hub is not None:
        await hub.settle(POLL_LINGER_SECONDS)
        hub.close_connections()
    server.stop()
    await server.close_all_connections()
    app.loop_lag.stop()
    log.info("stopped")


def install_fast_loop() -> bool:
    """Run asyncio (and so Tornado's IOLoop) on uvloop where it is installed. Call before the
    loop is created (before `asyncio.run`). Returns whether uvloop is in use."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def _stop_or_hurry(stop: asyncio.Event, app) -> None:
    """The first SIGTERM / Ctrl-C stops gracefully; a second one cuts the battles' grace short."""
    hub = getattr(app, "hub", None)
    if not stop.is_set():
        log.info("stopping (signal again to stop at once)")
        stop.set()
    elif hub is not None:
        log.warning("stopping at once: running battles are recorded as abandoned")
        hub.end_grace()


def bound_port(server: HTTPServer) -> int | None:
    """The port the server actually listens on (what --port 0 got from the system)."""
    for sock in server._sockets.values():  # tornado keeps the bound sockets here
        return sock.getsockname()[1]
    return None


async def open_store_patiently(url: str, within_seconds: float) -> Store:
    """Open the store, waiting out one that cannot be reached yet (StoreUnavailable: MongoDB
    not answering, a SQLite file another process holds) with back-off, each wait logged in
    one line; after `within_seconds` (KWISSLE_STORE_START_SECONDS) the last failure is raised.
    Every other StorageError (a bad URL, a damaged file) is raised at once."""
    deadline = time.monotonic() + within_seconds
    delay = 0.5
    while True:
        try:
            return await open_store(url)
        except StoreUnavailable as error:
            reason = str(error).replace(url, masked_url(url))  # an adapter's message must not show a password
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreUnavailable(f"{reason}; gave up after {within_seconds:g} s "
                                       f"(KWISSLE_STORE_START_SECONDS)") from error
            wait = min(delay, left)
            log.warning("the store is not reachable yet: %s; retrying in %.3g s", reason, wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, 10.0)
