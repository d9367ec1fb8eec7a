"""A value computed in the background and served from memory: persistent caching with
fire-and-forget updates (the leaderboards).

`RefreshingCache(compute, max_age)` keeps the last value `compute()` produced:
- warm and fresh: `get()` answers at once;
- warm and stale (older than `max_age`): `get()` still answers at once with the stale
  value, and starts one refresh in the background (never two at a time);
- cold: the first reader starts the computation and every reader until it ends awaits
  that same one; if it fails they all get its error, and the next reader tries again;
- a failing refresh is logged and the last good value keeps being served; the next
  stale read tries again.

The computation runs as its own task, so a reader that goes away (a client that
disconnects mid-request) cancels only its own wait, never the work others share.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class RefreshingCache(Generic[T]):
    def __init__(self, compute: Callable[[], Awaitable[T]], max_age: float,
                 clock: Callable[[], float] = time.monotonic, name: str = "cache") -> None:
        self._compute = compute
        self._max_age = max_age
        self._clock = clock
        self._name = name
        self._value: T | None = None
        self._computed_at: float | None = None  # None: cold
        self._running: asyncio.Task[T] | None = None  # the one computation under way
        self.computations = 0  # started, for /metrics and tests

    @property
    def warm(self) -> bool:
        return self._computed_at is not None

    @property
    def refreshing(self) -> bool:
        return self._running is not None

    def age(self) -> float | None:
        """Seconds since the value served was computed; None while cold."""
        return None if self._computed_at is None else self._clock() - self._computed_at

    async def get(self) -> T:
        if self._computed_at is not None:
            if self._clock() - self._computed_at >= self._max_age and self._running is None:
                self._start()
            return self._value  # type: ignore[return-value]
        task = self._running or self._start()
        return await asyncio.shield(task)

    def _start(self) -> asyncio.Task[T]:
        self.computations += 1
        task = asyncio.get_running_loop().create_task(self._run(), name=f"refresh {self._name}")
        self._running = task
        task.add_done_callback(_retrieve)  # a background refresh's failure is logged, not left unread
        return task

    async def _run(self) -> T:
        started = self._clock()
        try:
            value = await self._compute()
        except Exception:
            if self._computed_at is not None:
                log.exception("%s: the refresh failed; still serving the value from %.0f s ago",
                              self._name, self._clock() - self._computed_at)
            else:
                log.exception("%s: the computation failed; the next reader tries again", self._name)
            raise
        finally:
            self._running = None
        self._value, self._computed_at = value, started
        return value

    async def close(self) -> None:
        """Cancel a computation under way (at shutdown)."""
        task = self._running
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()
