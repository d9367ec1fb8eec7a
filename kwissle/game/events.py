"""What the game core hands back to the hub: messages to send and finished battles.

Messages are plain dicts shaped exactly as PROTOCOL.md's server-to-client
messages, so the hub only routes and encodes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kwissle.model import BattleRecord


@dataclass(frozen=True)
class Send:
    """Deliver `message` to every connection of player `to`."""

    to: str
    message: dict[str, Any]


@dataclass(frozen=True)
class Finished:
    """The battle is over: store `record`."""

    record: BattleRecord


Event = Send | Finished


class ActionRefused(Exception):
    """A player's action is not allowed now; nothing changed. Becomes a protocol `error`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
