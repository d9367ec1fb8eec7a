"""The flush steps of a clean stop: what must reach the store before the process exits.

Each role registers its steps on the application (`app.flush_steps`): the game
its results writer, later the worker its counters. They run in order after the
battles have stopped, each logged with how long it took; one that fails is
logged and the next still runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable

log = logging.getLogger(__name__)

FlushStep = tuple[str, Callable[[], Awaitable[object]]]


async def run_flush_steps(steps: Iterable[FlushStep]) -> None:
    for name, step in steps:
        log.info("flushing %s", name)
        started = time.monotonic()
        try:
            await step()
        except Exception:
            log.exception("flushing %s failed", name)
        else:
            log.info("flushed %s in %.2f s", name, time.monotonic() - started)
