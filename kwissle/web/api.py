"""The JSON API of PROTOCOL.md: tickets for the channel and the public status."""

from __future__ import annotations

import math
import random
import secrets

from tornado.ioloop import IOLoop

from kwissle.game.names import guest_name
from kwissle.model import Player
from kwissle.realtime import tickets
from kwissle.web.base import BaseHandler

_names = random.SystemRandom()


class TicketHandler(BaseHandler):
    json_errors = True

    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        limiter = self.application.ticket_limiter  # type: ignore[attr-defined]
        address, now = self.request.remote_ip or "?", IOLoop.current().time()
        if not limiter.allow(address, now):
            seconds = max(1, math.ceil(limiter.retry_after(address, now)))
            self.fail(429, f"Too many ticket requests from this address: try again in {seconds} s.",
                      retry_after=seconds)
        player = await self.player_from_cookie()
        if player is None:
            self.limit("guests_per_ip", address)  # a visitor with a good cookie is no new guest
            # Only the cookie remembers a new guest: the store hears of them when they play.
            player = Player(id=secrets.token_hex(8), name=guest_name(_names), guest=True)
            self.remember_player(player)
        holder = tickets.TicketHolder(id=player.id, name=player.name, guest=player.guest)
        self.write({"ticket": tickets.issue(self.kwissle.cookie_secret, holder), "player": holder.as_wire()})


class StatusHandler(BaseHandler):
    json_errors = True

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.write(self.application.hub.status())  # type: ignore[attr-defined]
