"""make_app: the Tornado application, wired to a store and a hub."""

from __future__ import annotations

from pathlib import Path

import tornado.web

from kwissle.ratelimit import KeyedLimiter
from kwissle.realtime.channel import make_router
from kwissle.realtime.hub import Hub
from kwissle.realtime.results import UNSAVED_BATTLES_FILE, ResultsWriter
from kwissle.settings import Settings
from kwissle.storage.port import Store
from kwissle.web import api, pages
from kwissle.web.base import NotFoundHandler

ROOT = Path(__file__).resolve().parent.parent
STATIC_PATH = ROOT / "static"
TEMPLATE_PATH = ROOT / "templates"
SOCKJS_CLIENT = "vendor/sockjs.min.js"
# Client messages are at most 4 KiB; nothing a client sends needs more than this.
MAX_BODY_BYTES = 64 * 1024


class KwissleApplication(tornado.web.Application):
    store: Store
    hub: Hub
    kwissle_settings: Settings
    ticket_limiter: KeyedLimiter


def make_app(settings: Settings, store: Store, hub: Hub | None = None) -> KwissleApplication:
    """Build the application. Call inside the running IOLoop (the SockJS router captures it)."""
    hub = hub or Hub(store, settings.rules, results=ResultsWriter(
        store, settings.result_queue_size, spill_path=settings.data_dir / UNSAVED_BATTLES_FILE))
    router = make_router(hub, settings, sockjs_url=f"/static/{SOCKJS_CLIENT}")
    routes = [
        *pages.routes(),
        (r"/api/ticket", api.TicketHandler),
        (r"/api/status", api.StatusHandler),
        *router.urls,
    ]
    app = KwissleApplication(
        routes,
        cookie_secret=settings.cookie_secret,
        xsrf_cookies=True,
        xsrf_cookie_kwargs={"samesite": "Lax", "secure": settings.production},
        template_path=str(TEMPLATE_PATH),
        static_path=str(STATIC_PATH),
        default_handler_class=NotFoundHandler,
        websocket_max_message_size=MAX_BODY_BYTES,
        compress_response=True,
    )
    app.store = store
    app.hub = hub
    app.kwissle_settings = settings
    app.ticket_limiter = KeyedLimiter(rate=settings.tickets_per_minute / 60, burst=settings.tickets_per_minute)
    return app
