"""Tickets: signed, short-lived proof of which player opens a channel (`hello`).

Signed with Tornado's signed-value format (HMAC-SHA256, timestamped) under the
cookie secret, with a name of its own so a cookie can never pass as a ticket.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from tornado.web import create_signed_value, decode_signed_value

TICKET_SECONDS = 5 * 60
_NAME = "kwissle-ticket"


@dataclass(frozen=True)
class TicketHolder:
    id: str
    name: str
    guest: bool

    def as_wire(self) -> dict:
        return {"id": self.id, "name": self.name, "guest": self.guest}


def issue(secret: str, holder: TicketHolder, clock: Callable[[], float] = time.time) -> str:
    payload = json.dumps(holder.as_wire(), separators=(",", ":"))
    return create_signed_value(secret, _NAME, payload, clock=clock).decode()


def read(secret: str, ticket: str, clock: Callable[[], float] = time.time) -> TicketHolder | None:
    """The ticket's holder, or None if it is forged, malformed or expired."""
    raw = decode_signed_value(secret, _NAME, ticket, max_age_days=TICKET_SECONDS / 86400, clock=clock)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return TicketHolder(id=str(data["id"]), name=str(data["name"]), guest=bool(data["guest"]))
    except (ValueError, KeyError, TypeError):
        return None
