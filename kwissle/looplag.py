"""IOLoop lag: how late the loop runs a callback it was asked to run at a given time.

A callback armed for `interval` seconds ahead notes how late it ran, then arms
the next one. Anything that holds the loop (CPU work, a blocking call, a long
garbage collection) shows up as lag, which every battle's timers and every
message suffer too. `/metrics` exports it; `/healthz` reads the latest sample.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

# Ten samples a second: enough for a p99 over a minute, a few microseconds of work each.
SAMPLE_SECONDS = 0.1


class LoopLagMonitor:
    def __init__(self, observe: Callable[[float], None] | None = None, interval: float = SAMPLE_SECONDS) -> None:
        self._observe = observe
        self.interval = interval
        self.lag = 0.0  # seconds, at the latest sample
        self.sampled_at: float | None = None  # loop time of the latest sample
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start sampling on the running loop (idempotent)."""
        if self._handle is None:
            self._loop = asyncio.get_running_loop()
            self._arm()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self) -> None:
        assert self._loop is not None
        expected = self._loop.time() + self.interval
        self._handle = self._loop.call_at(expected, self._sample, expected)

    def _sample(self, expected: float) -> None:
        assert self._loop is not None
        now = self._loop.time()
        # asyncio may run a timer up to its clock resolution early: that is no lag.
        self.lag = max(0.0, now - expected)
        self.sampled_at = now
        if self._observe is not None:
            self._observe(self.lag)
        self._arm()

    def age(self) -> float | None:
        """Seconds since the latest sample, or None before the first one."""
        if self.sampled_at is None or self._loop is None:
            return None
        return self._loop.time() - self.sampled_at
