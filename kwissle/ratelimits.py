"""Rate limits on what a user can repeat: sign-in mails, new guests, submissions, reviews, reports,
name changes.

Each rule is a moving window (the `limits` package) keyed by what it limits: an
address, an IP, a player. `hit(rule, key)` counts one attempt and answers None
when it is allowed, else the whole seconds until it would be; the handler turns
that into HTTP 429 with `Retry-After` (web/base.py `limit`), the hub into a
`rate_limited` error with `retry_after`.

The windows live in this process's memory. nginx hashes web requests by client
address (deploy/nginx.conf.template), so one address always reaches the same web
process and the per-IP and per-address rules see all of its requests; a
per-player rule is per process, which is exact while a player keeps one address.
"""

from __future__ import annotations

import math
import time

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from kwissle.settings import Settings

# rule -> (the setting holding its rate, what the person is told they did too often)
RULES: dict[str, tuple[str, str]] = {
    "sign_in_per_address": ("limit_sign_in_per_address", "sign-in links sent to this address"),
    "sign_in_per_ip": ("limit_sign_in_per_ip", "sign-in links asked for from this network address"),
    "guests_per_ip": ("limit_guests_per_ip", "new guests from this network address"),
    "submissions_per_player": ("limit_submissions_per_player", "questions submitted"),
    "reviews_per_player": ("limit_reviews_per_player", "reviews"),
    "reports_per_player": ("limit_reports_per_player", "reports"),
    "renames_per_player": ("limit_renames_per_player", "name changes"),
    "appeals_per_player": ("limit_appeals_per_player", "appeals"),
    "challenges_per_player": ("limit_challenges_per_player", "challenge links"),
    "imports_per_admin": ("limit_imports_per_admin", "question files imported"),
}


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._items = {rule: limits.parse(getattr(settings, setting)) for rule, (setting, _) in RULES.items()}

    def hit(self, rule: str, key: str) -> int | None:
        """Count one attempt of `rule` by `key`: None if allowed, else whole seconds until it would be."""
        item = self._items[rule]
        if self._limiter.hit(item, rule, key):
            return None
        reset = self._limiter.get_window_stats(item, rule, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def message(self, rule: str, retry_after: int) -> str:
        """What a limited person reads: what they did too often, the limit, and when to come back."""
        item = self._items[rule]
        per = item.GRANULARITY.name
        return (f"Too many {RULES[rule][1]}: at most {item.amount} per {per}. "
                f"Try again in {_duration(retry_after)}.")


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"
