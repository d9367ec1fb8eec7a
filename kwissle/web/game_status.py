"""`/api/status` on a web process: the game process's figures, asked over HTTP.

A web process holds no hub, so it asks the game process (`KWISSLE_GAME_URL`) and
remembers the answer for a moment: however many pages poll, the game hears at
most one request per web process per `FRESH_SECONDS`, and concurrent requests
share one in-flight ask. A game that does not answer within `TIMEOUT_SECONDS`
(or answers nonsense) is a 503 with a JSON error, never a made-up figure.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from kwissle.web.base import BaseHandler

# Players see "N online" refreshed every few seconds; one second of staleness is invisible.
FRESH_SECONDS = 1.0
# The game answers /api/status from memory in well under a millisecond; two seconds
# without an answer means it is down or stalled, and the page should say so.
TIMEOUT_SECONDS = 2.0


class GameUnreachable(Exception):
    """The game process did not give its status; the message says why, for the client."""


class GameStatus:
    def __init__(self, game_url: str, fresh_seconds: float = FRESH_SECONDS,
                 timeout: float = TIMEOUT_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = game_url.rstrip("/") + "/api/status"
        self._fresh_seconds = fresh_seconds
        self._timeout = timeout
        self._clock = clock
        self._answer: tuple[float, dict[str, Any] | GameUnreachable] | None = None
        self._asking: asyncio.Future | None = None

    async def get(self) -> dict[str, Any]:
        """The game's status (at most `fresh_seconds` old), or raise GameUnreachable."""
        if self._answer is not None and self._clock() - self._answer[0] < self._fresh_seconds:
            result = self._answer[1]
        else:
            if self._asking is None or self._asking.done():
                self._asking = asyncio.ensure_future(self._ask())
            result = await asyncio.shield(self._asking)
        if isinstance(result, GameUnreachable):
            raise result
        return result

    async def _ask(self) -> dict[str, Any] | GameUnreachable:
        result: dict[str, Any] | GameUnreachable
        try:
            response = await AsyncHTTPClient().fetch(
                self.url, connect_timeout=self._timeout, request_timeout=self._timeout,
                headers={"Accept": "application/json"})
            body = json.loads(response.body)
            if not isinstance(body, dict) or not all(
                    isinstance(body.get(key), int) for key in ("online", "waiting", "battles")):
                raise ValueError(f"unexpected answer {response.body[:80]!r}")
            result = body
        except HTTPClientError as error:
            result = GameUnreachable(f"The game server answered {error.code}: try again in a moment.")
        except (OSError, ValueError) as error:
            result = GameUnreachable(f"The game server is not answering ({error}): try again in a moment.")
        self._answer = (self._clock(), result)
        return result


class RemoteStatusHandler(BaseHandler):
    json_errors = True

    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        try:
            status = await self.application.game_status.get()  # type: ignore[attr-defined]
        except GameUnreachable as error:
            self.set_status(503)
            self.finish({"error": {"status": 503, "message": str(error)}})
            return
        self.write(status)
