"""Counters: count hits by name, batched in memory and flushed to the store.

(First cut: the seam the handlers and the hub call. `hit` never touches the store;
`flush` writes what accumulated. Partitions, windows, callbacks and the flush timer
are being built on top of this interface.)
"""

from __future__ import annotations

from collections import Counter

from kwissle.storage.port import Store


class Counters:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: Counter[str] = Counter()

    def hit(self, name: str, by: int = 1, **partitions: str) -> None:
        """Count `by` hits of `name` (an action: "submissions", "reviews", ...); never waits."""
        self._pending[name] += by

    async def flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        for name, by in pending.items():
            await self.store.increment(name, by)
