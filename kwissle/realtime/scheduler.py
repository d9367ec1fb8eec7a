"""The hub's clock and timers, as a small seam: the IOLoop in production, a hand-held one in tests.

The hub reads the time and arms one deadline per battle only through a
`Scheduler`, so a test can set the clock and fire deadlines by hand without
waiting on real time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tornado.ioloop import IOLoop


class Scheduler(Protocol):
    def time(self) -> float:
        """Now, on the clock every battle's deadlines are on."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> object:
        """Run `callback` at `when` (or as soon as possible after); returns a handle for `cancel`."""
        ...

    def cancel(self, handle: object) -> None: ...

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the next loop iteration."""
        ...


class LoopScheduler:
    """The current IOLoop's monotonic clock and timers."""

    def time(self) -> float:
        return IOLoop.current().time()

    def call_at(self, when: float, callback: Callable[[], None]) -> object:
        return IOLoop.current().call_at(when, callback)

    def cancel(self, handle: object) -> None:
        IOLoop.current().remove_timeout(handle)

    def call_soon(self, callback: Callable[[], None]) -> None:
        IOLoop.current().add_callback(callback)
