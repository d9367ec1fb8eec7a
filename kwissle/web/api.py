"""The JSON API of PROTOCOL.md: tickets for the channel and the public status."""

from __future__ import annotations

import random

from tornado.ioloop import IOLoop

from kwissle.game.names import guest_name
from kwissle.realtime import tickets
from kwissle.web.base import BaseHandler

_names = random.SystemRandom()


class TicketHandler(BaseHandler):
    json_errors = True

    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        limiter = self.application.ticket_limiter  # type: ignore[attr-defined]
        if not limiter.allow(self.request.remote_ip or "?", IOLoop.current().time()):
            self.fail(429, "Too many ticket requests from this address: wait a minute.")
        player = await self.player_from_cookie()
        if player is None:
            player = await self.store.create_player(guest_name(_names), guest=True)
            self.remember_player(player)
        holder = tickets.TicketHolder(id=player.id, name=player.name, guest=player.guest)
        self.write({"ticket": tickets.issue(self.kwissle.cookie_secret, holder), "player": holder.as_wire()})


class StatusHandler(BaseHandler):
    json_errors = True

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.write(self.application.hub.status())  # type: ignore[attr-defined]
