"""Guests' player rows, written in batches: a burst of new guests pressing Play costs one store call, not one each.

A guest's row is written when they first play (their battles refer to it). Doing
that one `ensure_guest` at a time puts one write transaction per guest on the
store's single writer: 2,000 guests pressing Play at once wait for 2,000
transactions in a row. `GuestRows` gathers every request made within one loop
iteration, or while a write is in flight, into ONE `ensure_guests` call; each
caller awaits its own guests, and a failed write raises its error in every
caller of that batch (the guests are not remembered, so asking again writes
again). The ids written lately are remembered (an LRU, bounded), so a guest who
plays again causes no write at all.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from kwissle.storage.port import Store

# Guest ids remembered as stored: far more than play on one server between restarts
# (about 100 bytes each). One forgotten costs one row in a later batch, nothing more.
REMEMBERED = 100_000
# Rows per store call: bounds how long one batch holds the store's writer.
BATCH_LIMIT = 1000


class GuestRows:
    def __init__(self, store: Store, spawn: Callable[[Coroutine[Any, Any, None]], None], *,
                 remembered: int = REMEMBERED, batch_limit: int = BATCH_LIMIT) -> None:
        self._store = store
        self._spawn = spawn  # runs the writer (the hub's, so its shutdown waits for it)
        self._remembered = remembered
        self._batch_limit = batch_limit
        self._stored: OrderedDict[str, None] = OrderedDict()  # ids known stored, most recent last
        self._queued: dict[str, tuple[str, asyncio.Future[None]]] = {}  # id -> (name, its result)
        self._in_flight: dict[str, asyncio.Future[None]] = {}
        self._writing = False

    def __contains__(self, player_id: str) -> bool:
        """Whether this guest's row is known to be stored."""
        return player_id in self._stored

    async def ensure(self, guests: Iterable[tuple[str, str]]) -> None:
        """Store each (id, name) as a guest unless a player with that id exists; return once
        all of them are stored. StorageError if the batch carrying one of them failed."""
        waits = [self._request(player_id, name) for player_id, name in guests]
        for wait in waits:
            if wait is not None:
                # shielded: one caller cancelled must not cancel the result others await
                await asyncio.shield(wait)

    def _request(self, player_id: str, name: str) -> asyncio.Future[None] | None:
        if player_id in self._stored:
            self._stored.move_to_end(player_id)
            return None
        pending = self._in_flight.get(player_id)
        if pending is not None:
            return pending
        queued = self._queued.get(player_id)
        if queued is not None:
            return queued[1]
        future = asyncio.get_running_loop().create_future()
        # Whoever awaits it sees the error; retrieved here so that nobody left to (all cancelled)
        # does not log "exception was never retrieved".
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._queued[player_id] = (name, future)
        if not self._writing:
            self._writing = True
            self._spawn(self._write_batches())  # its first step runs next iteration: this one's requests join
        return future

    async def _write_batches(self) -> None:
        try:
            while self._queued:
                batch: list[tuple[str, str]] = []
                for player_id in list(self._queued)[:self._batch_limit]:
                    name, future = self._queued.pop(player_id)
                    self._in_flight[player_id] = future
                    batch.append((player_id, name))
                try:
                    await self._store.ensure_guests(batch)
                except Exception as problem:  # noqa: BLE001 - delivered to every caller of the batch
                    for future in self._in_flight.values():
                        future.set_exception(problem)
                else:
                    for player_id, future in self._in_flight.items():
                        self._remember(player_id)
                        future.set_result(None)
                self._in_flight = {}
        except BaseException:  # cancelled (the loop is closing): nobody may wait forever
            for future in (*self._in_flight.values(), *(future for _, future in self._queued.values())):
                future.cancel()
            self._in_flight, self._queued = {}, {}
            raise
        finally:
            self._writing = False

    def forget(self, player_id: str) -> None:
        """This guest's row may be gone (merged into an account): write it again when they next play."""
        self._stored.pop(player_id, None)

    def _remember(self, player_id: str) -> None:
        self._stored[player_id] = None
        self._stored.move_to_end(player_id)
        while len(self._stored) > self._remembered:
            self._stored.popitem(last=False)
