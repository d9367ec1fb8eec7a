"""What the game core hands back to the hub: messages to send, finished battles, outcomes.

Messages are plain dicts shaped exactly as the protocol's server-to-client
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


@dataclass(frozen=True)
class Outcome:
    """What one player action did to a battle.

    A battle first carries out whatever fell due up to the action's `now` (`due`:
    a question closing at its deadline, the next one opening, a forfeit), then the
    action itself (`events`), or says why it refused it (`refused`, and then
    `events` is empty). `due` happened either way and must be delivered either way.
    """

    due: tuple[Event, ...] = ()
    events: tuple[Event, ...] = ()
    refused: ActionRefused | None = None

    @property
    def all_events(self) -> tuple[Event, ...]:
        return self.due + self.events
