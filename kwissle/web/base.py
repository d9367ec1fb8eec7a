"""BaseHandler: what every page and API handler shares.

Shared resources hang off the Application (store, hub, settings, limiters);
the player is named by a signed cookie. API handlers answer errors as JSON,
pages as a friendly HTML page.
"""

from __future__ import annotations

import http
from typing import Any

import tornado.web

from kwissle.model import Player
from kwissle.storage.port import Store

PLAYER_COOKIE = "kwissle_player"
PLAYER_COOKIE_DAYS = 365
# Pages load scripts and styles only from static/ (no inline script, no inline
# style attribute, no CDN); the channel is same-origin (SockJS over WebSocket or XHR).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class BaseHandler(tornado.web.RequestHandler):
    json_errors = False

    @property
    def store(self) -> Store:
        return self.application.store  # type: ignore[attr-defined]

    @property
    def kwissle(self):
        return self.application.kwissle_settings  # type: ignore[attr-defined]

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)  # 'self' covers ws:/wss: (CSP 3)
        self.set_header("Cross-Origin-Opener-Policy", "same-origin")
        self.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=()")

    async def player_from_cookie(self) -> Player | None:
        raw = self.get_signed_cookie(PLAYER_COOKIE, max_age_days=PLAYER_COOKIE_DAYS)
        if raw is None:
            return None
        return await self.store.get_player(raw.decode())

    def remember_player(self, player: Player) -> None:
        self.set_signed_cookie(
            PLAYER_COOKIE, player.id, expires_days=PLAYER_COOKIE_DAYS,
            httponly=True, samesite="Lax", secure=self.kwissle.production)

    def fail(self, status: int, message: str) -> None:
        """Stop with `status` and a message the client can show."""
        raise tornado.web.HTTPError(status, reason=http.HTTPStatus(status).phrase, log_message=message)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = http.HTTPStatus(status_code).phrase
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message and status_code < 500:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        if self.json_errors:
            self.finish({"error": {"status": status_code, "message": message}})
        else:
            self.render("error.html", status_code=status_code, message=message)


class NotFoundHandler(BaseHandler):
    def check_xsrf_cookie(self) -> None:
        """Nothing here changes state, so any method gets the honest 404, not a 403."""

    def prepare(self) -> None:
        self.fail(404, "There is no page at this address.")
