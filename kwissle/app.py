"""make_app: the Tornado application of one role, wired to a store (and a hub, for the game).

`serve` builds every part in one process; the roles of kwissle/roles.py build
only theirs: a web process holds no hub and no SockJS router, the game process
no pages, the admin process only /admin.
"""

from __future__ import annotations

from pathlib import Path

import tornado.web

from kwissle.cache import RefreshingCache
from kwissle.counters import Counters
from kwissle.looplag import LoopLagMonitor
from kwissle.metrics import Metrics, timed_store
from kwissle.ratelimit import KeyedLimiter
from kwissle.ratelimits import RateLimits
from kwissle.realtime.channel import make_router
from kwissle.realtime.hub import Hub
from kwissle.realtime.results import UNSAVED_BATTLES_FILE, ResultsWriter
from kwissle.roles import SERVE, Role
from kwissle.settings import Settings
from kwissle.shutdown import FlushStep
from kwissle.storage.port import Store
from kwissle.web import (
    account,
    admin,
    api,
    challenges,
    leaderboards,
    ops,
    pages,
    profile,
    questions,
    signin,
)
from kwissle.web.base import NotFoundHandler
from kwissle.web.game_status import GameStatus, RemoteStatusHandler
from kwissle.web.known_questions import KnownQuestions
from kwissle.web.proxy import apply_forwarded_headers
from kwissle.web.static import StaticFiles

ROOT = Path(__file__).resolve().parent.parent
STATIC_PATH = ROOT / "static"
TEMPLATE_PATH = ROOT / "templates"
SOCKJS_CLIENT = "vendor/sockjs.min.js"
# Client messages are at most 4 KiB; nothing a client sends needs more than this.
MAX_BODY_BYTES = 64 * 1024


class KwissleApplication(tornado.web.Application):
    role: Role
    store: Store
    hub: Hub | None
    kwissle_settings: Settings
    ticket_limiter: KeyedLimiter
    rate_limits: RateLimits
    known_questions: KnownQuestions | None
    counters: Counters
    game_status: GameStatus | None
    metrics: Metrics
    loop_lag: LoopLagMonitor
    leaderboards: RefreshingCache[leaderboards.Boards] | None  # pages role: refreshed in the background
    flush_steps: list[FlushStep]  # run in order at shutdown, after the battles stop (server.py)
    # Peers whose X-Real-IP / X-Forwarded-Proto are believed: nginx, in production only.
    trusted_proxies: frozenset[str] = frozenset()

    def find_handler(self, request, **kwargs):
        apply_forwarded_headers(request, self.trusted_proxies)
        return super().find_handler(request, **kwargs)


def make_app(settings: Settings, store: Store, hub: Hub | None = None,
             role: Role = SERVE) -> KwissleApplication:
    """Build the application of `role`. Call inside the running IOLoop (the SockJS router captures it)."""
    metrics = hub.metrics if hub else Metrics()
    store = timed_store(store, metrics)  # every store call of this process lands in /metrics
    routes: list = [*ops.routes()]  # /healthz and /metrics: every role serves them
    flush_steps: list[FlushStep] = []
    counters = Counters(store, flush_seconds=settings.counter_flush_seconds)
    rate_limits = RateLimits(settings)  # one set of windows per process: pages and the hub share it
    if role.pages:
        routes += [*pages.routes(), *signin.routes(), (r"/api/ticket", api.TicketHandler)]
        routes += [*profile.routes(), *leaderboards.routes()]
        routes += questions.routes()  # submit, my questions, review
        routes += account.routes()  # a signed-in player's display name
        routes += challenges.routes()  # challenge links: POST /challenges, GET /c/<code>
    if role.game:
        hub = hub or Hub(store, settings.rules, results=ResultsWriter(
            store, settings.result_queue_size, spill_path=settings.data_dir / UNSAVED_BATTLES_FILE),
            metrics=metrics, counters=counters)
        hub.counters = counters  # a hub handed in counts into this app's counters too
        hub.rate_limits = rate_limits  # reports per player per day
        counters.gauge("online", lambda game=hub: game.status()["online"])  # players online, for /admin/stats
        hub.bans.seconds = settings.ban_cache_seconds  # how long a ban lookup is trusted
        hub.rematches.seconds = settings.rematch_seconds  # how long a rematch offer stands
        hub.ghosts.delay = settings.ghost_delay_seconds  # waiting alone this long: a recorded opponent
        hub.questions.keep_fresh()  # a moderator's change reaches battles with nobody being paired too
        flush_steps.append(("the results writer", hub.results.flush))
        router = make_router(hub, settings, sockjs_url=f"/static/{SOCKJS_CLIENT}")
        routes += [(r"/api/status", api.StatusHandler), *router.urls]
    else:
        hub = None
    if role.status_from_game:
        routes.append((r"/api/status", RemoteStatusHandler))
    if role.admin:
        routes += admin.routes()
    app = KwissleApplication(
        routes,
        cookie_secret=settings.cookie_secret,
        xsrf_cookies=True,
        xsrf_cookie_kwargs={"samesite": "Lax", "secure": settings.production},
        template_path=str(TEMPLATE_PATH),
        static_path=str(STATIC_PATH),
        static_handler_class=StaticFiles,
        default_handler_class=NotFoundHandler,
        websocket_max_message_size=MAX_BODY_BYTES,
        compress_response=True,
    )
    app.role = role
    app.store = store
    app.hub = hub
    app.kwissle_settings = settings
    app.metrics = metrics
    app.loop_lag = LoopLagMonitor(metrics.loop_lagged)
    app.loop_lag.start()
    app.flush_steps = flush_steps
    app.rate_limits = rate_limits
    # near-duplicate checks (submissions) and the nearest questions beside each queued one (admin)
    app.known_questions = KnownQuestions(store) if role.pages or role.admin else None
    app.counters = counters
    counters.start()
    flush_steps.append(("the counters", counters.close))  # last: the steps before may still count
    app.leaderboards = leaderboards.boards_cache(store, settings.leaderboard_seconds) if role.pages else None
    if app.leaderboards is not None:
        flush_steps.insert(0, ("the leaderboards", app.leaderboards.close))
    app.ticket_limiter = KeyedLimiter(rate=settings.tickets_per_minute / 60, burst=settings.tickets_per_minute)
    app.game_status = GameStatus(settings.game_url) if role.status_from_game else None
    if settings.production:
        app.trusted_proxies = frozenset(settings.trusted_proxies)
    return app
