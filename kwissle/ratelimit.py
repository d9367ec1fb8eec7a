"""Abuse limits: token-bucket rates (for one connection, or keyed by player / IP) and per-key caps.

Hand-rolled (about sixty lines) because the channel and the API need an
injectable clock and the time until the next token (for `retry_after`); the
`limits` package could replace the buckets if we ever need shared storage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens added per second
    burst: int  # bucket size
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def allow(self, now: float, cost: float = 1.0) -> bool:
        self._refill(now)
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def retry_after(self, now: float, cost: float = 1.0) -> float:
        """Seconds from `now` until `cost` tokens are available (0 if they are now)."""
        self._refill(now)
        return max(0.0, (cost - self.tokens) / self.rate)

    def _refill(self, now: float) -> None:
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class KeyedLimiter:
    """One bucket per key (a player id, an IP), forgetting idle keys so memory stays bounded."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, key: str, now: float) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst)
        return bucket.allow(now)

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until `key` may be allowed again."""
        bucket = self._buckets.get(key)
        return bucket.retry_after(now) if bucket else 0.0

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items()
                         if b.updated is not None and now - b.updated < refill}


class KeyedCap:
    """At most `limit` things open at once per key (e.g. connections per IP)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()

    def admit(self, key: str) -> bool:
        """Count one more for `key`, unless it is at its limit; True if admitted."""
        if self._open[key] >= self.limit:
            return False
        self._open[key] += 1
        return True

    def release(self, key: str) -> None:
        """One admitted for `key` is closed."""
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]

    def count(self, key: str) -> int:
        return self._open.get(key, 0)
