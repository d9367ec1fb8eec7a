"""Bans as the game process sees them: a short-lived cache in front of the store.

The hub refuses `play`, `challenge`, `ghost`, `report` and `appeal` of a banned
player with the protocol error `banned` (`Banned`, carrying `until`). That check
(`refuse_if_banned`) is synchronous and never waits on the store: it reads what
`BanCache` holds, and when that is older than `seconds` (KWISSLE_BAN_CACHE_SECONDS,
default 30) or missing it starts one lookup in the background for next time. The
cache is also filled when a player says `hello` (one lookup per connection), and
pairing looks both players up again, in its async part, when what is held is stale.
So:

- a ban reaches a connected player's next pairing at the latest (they leave the queue
  with `banned`), and every action once the cache holds it;
- a ban that reaches its `until` stops applying at once, from the cache too;
- a ban or an unban given elsewhere (the admin process) is seen within `seconds` plus
  one lookup; in `serve` the admin pages refresh this cache at once (`refresh`).

A failed lookup keeps what was known (nothing: the player is let through): a store
hiccup must not stop play.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from kwissle.game.events import ActionRefused
from kwissle.model import Ban
from kwissle.storage.port import Store

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30.0
# Players whose ban state is held at most: past this the oldest lookups are forgotten.
MAX_HELD = 50_000


class Banned(ActionRefused):
    """`banned`: refused because the player is banned; `until` is when the ban ends (None: no end)."""

    def __init__(self, ban: Ban) -> None:
        super().__init__("banned", ban.explanation)
        self.until = ban.until


class BanCache:
    def __init__(self, store: Store, spawn: Callable[[Coroutine[Any, Any, Any]], None], *,
                 seconds: float = DEFAULT_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.seconds = seconds
        self.clock = clock  # wall time: bans end at seconds since the epoch
        self._spawn = spawn  # the hub's, so its shutdown waits for a lookup under way
        self._held: dict[str, tuple[float, Ban | None]] = {}  # player id -> (looked up at, ban in force)
        # lookups under way: player id -> done when it is (a second asker waits on it, no second query)
        self._looking: dict[str, asyncio.Future[None]] = {}

    def refuse_if_banned(self, player_id: str) -> None:
        """Raise `Banned` if the player is banned as far as is known here; never waits."""
        self.look_up_soon(player_id)
        ban = self.current(player_id)
        if ban is not None:
            raise Banned(ban)

    def current(self, player_id: str) -> Ban | None:
        """The ban in force on the player as far as is known here, fresh or not."""
        held = self._held.get(player_id)
        ban = held[1] if held is not None else None
        return ban if ban is not None and ban.applies(self.clock()) else None

    def fresh(self, player_id: str) -> bool:
        held = self._held.get(player_id)
        return held is not None and self.clock() - held[0] < self.seconds

    def look_up_soon(self, player_id: str) -> None:
        """Start a lookup in the background unless what is held is fresh or one is under way."""
        if not self.fresh(player_id) and player_id not in self._looking:
            self._spawn(self._fetch(player_id, self._under_way(player_id)))

    async def lookup(self, player_id: str) -> Ban | None:
        """The ban in force on the player: what is held while fresh, else the store's (joining
        the lookup under way, if any: a pairing right after `hello` makes no second query)."""
        if self.fresh(player_id):
            return self.current(player_id)
        under_way = self._looking.get(player_id)
        if under_way is None:
            await self._fetch(player_id, self._under_way(player_id))
        else:
            await asyncio.shield(under_way)
        return self.current(player_id)

    async def refresh(self, player_id: str) -> Ban | None:
        """Look the player up now (a moderator banned or unbanned them in this process): a new
        query, even with one under way, which may have been asked before the change."""
        self._held.pop(player_id, None)
        await self._fetch(player_id, None)
        return self.current(player_id)

    def _under_way(self, player_id: str) -> asyncio.Future[None]:
        under_way = self._looking[player_id] = asyncio.get_running_loop().create_future()
        return under_way

    async def _fetch(self, player_id: str, under_way: asyncio.Future[None] | None) -> None:
        try:
            ban = await self.store.active_ban(player_id, self.clock())
        except Exception as problem:
            log.warning("could not look up a ban on player %s (let through): %s", player_id, problem)
        else:
            self._remember(player_id, ban)
        finally:
            if under_way is not None:
                if self._looking.get(player_id) is under_way:
                    del self._looking[player_id]
                under_way.set_result(None)

    def _remember(self, player_id: str, ban: Ban | None) -> None:
        self._held.pop(player_id, None)
        if len(self._held) >= MAX_HELD:
            del self._held[next(iter(self._held))]  # the oldest lookup
        self._held[player_id] = (self.clock(), ban)
