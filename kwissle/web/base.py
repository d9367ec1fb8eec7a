"""BaseHandler: what every page and API handler shares.

Shared resources hang off the Application (store, hub, settings, limiters);
the player is named by a signed cookie. API handlers answer errors as JSON,
pages as a friendly HTML page.

The player cookie holds `{"id", "name"}` (signed JSON), so a guest exists
before the store hears of them: a guest gets a row only when they first play.
A cookie holding only an id (the first format) names a stored player.
"""

from __future__ import annotations

import http
import json
import math
import time
from typing import Any
from urllib.parse import urlencode

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
    retry_after: int | None = None  # whole seconds, set by fail() for a 429

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
        """The stored player the cookie names, else the guest it describes, else None."""
        raw = self.get_signed_cookie(PLAYER_COOKIE, max_age_days=PLAYER_COOKIE_DAYS)
        if raw is None:
            return None
        player_id, name = _read_player_cookie(raw.decode())
        stored = await self.store.get_player(player_id)
        if stored is not None:
            return stored
        return Player(id=player_id, name=name, guest=True) if name else None

    async def signed_in_player(self) -> Player | None:
        """The signed-in account the cookie names; None for a guest or nobody."""
        player = await self.player_from_cookie()
        return player if player is not None and not player.guest else None

    async def require_signed_in(self) -> Player:
        """The signed-in player; else a page is sent to sign in (and back here after), JSON gets 401."""
        player = await self.signed_in_player()
        if player is not None:
            return player
        if self.json_errors:
            self.fail(401, "Sign in first: this needs an account.")
        self.redirect(self.reverse_url("sign_in") + "?" + urlencode({"next": self.request.uri}))
        raise tornado.web.Finish()

    async def refuse_if_banned(self, player: Player) -> None:
        """403 saying why and until when, if a moderator banned the player (kwissle/model/bans.py):
        a banned player may read pages and see their profile, not add to the crowd's work."""
        ban = await self.store.active_ban(player.id, time.time())
        if ban is not None:
            self.fail(403, ban.explanation[0].upper() + ban.explanation[1:] + ". "
                      "You can still read Kwissle's pages and see your profile.")

    def limit(self, rule: str, key: str) -> None:
        """Count one attempt of a rate-limited action (kwissle/ratelimits.py); 429 with Retry-After when over."""
        limits = self.application.rate_limits  # type: ignore[attr-defined]
        retry_after = limits.hit(rule, key)
        if retry_after is not None:
            self.fail(429, limits.message(rule, retry_after), retry_after=retry_after)

    def count(self, action: str, **partitions: str) -> None:
        """Count one `action` for the statistics (kwissle/counters.py); never waits on the store."""
        self.application.counters.hit(action, **partitions)  # type: ignore[attr-defined]

    def remember_player(self, player: Player) -> None:
        value = json.dumps({"id": player.id, "name": player.name}, separators=(",", ":"))
        self.set_signed_cookie(
            PLAYER_COOKIE, value, expires_days=PLAYER_COOKIE_DAYS,
            httponly=True, samesite="Lax", secure=self.kwissle.production)

    def fail(self, status: int, message: str, retry_after: float | None = None) -> None:
        """Stop with `status` and a message the client can show (and when to retry, for a 429)."""
        if retry_after is not None:
            self.retry_after = max(1, math.ceil(retry_after))
        raise tornado.web.HTTPError(status, reason=http.HTTPStatus(status).phrase, log_message=message)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = http.HTTPStatus(status_code).phrase
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message and status_code < 500:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        if self.retry_after is not None:  # send_error() cleared the headers: set it here
            self.set_header("Retry-After", str(self.retry_after))
        if self.json_errors:
            body: dict[str, Any] = {"status": status_code, "message": message}
            if self.retry_after is not None:
                body["retry_after"] = self.retry_after
            self.finish({"error": body})
        else:
            self.render("error.html", status_code=status_code, message=message)


class NotFoundHandler(BaseHandler):
    def check_xsrf_cookie(self) -> None:
        """Nothing here changes state, so any method gets the honest 404, not a 403."""

    def prepare(self) -> None:
        self.fail(404, "There is no page at this address.")


def _read_player_cookie(value: str) -> tuple[str, str | None]:
    """(id, name) from a cookie value we signed; name is None in the first format (a bare id)."""
    if not value.startswith("{"):
        return value, None
    try:
        data = json.loads(value)
        return str(data["id"]), str(data["name"])
    except (ValueError, KeyError, TypeError):
        return "", None
