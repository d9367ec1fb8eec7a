"""Counters: count hits by name and partition, batched in memory and flushed to the store.

One mechanism for everything Kwissle counts (after the seeds' action counter and
findig's Counter). `hit("reports", player=p, question=q)` adds to three counters,
`reports`, `reports|player=p` and `reports|question=q`, and to the statistics
bucket of the current UTC hour, `stat|reports|2026-11-23T15` (the admin dashboard
reads those with `hourly`). Partition values are ids, addresses and action names:
they must not contain `|`. A gauge (`gauge`: players online) is a level sampled each
minute into two such counters, read back as an hourly average (`hourly_average`).

`hit` is synchronous and O(1) (a few dict increments): it never touches the store,
so counting never slows a battle. The increments gather in memory and `flush`
writes them with one `Store.add_counts` (one atomic write, one upsert per key), on
an IOLoop timer every `counter_flush_seconds` (`start`) and once more at a clean
shutdown (`close`, an `app.flush_steps` step). A flush that fails puts its batch
back, so the next one writes it: nothing is lost short of the process dying.

Besides the stored totals, a name can keep its recent hits in memory
(`keep_window`) to answer `window_count` over a sliding window, and call back
every n hits (`on_every`). Both see this process's hits only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from inspect import isawaitable

from tornado.ioloop import PeriodicCallback

from kwissle.storage.port import StorageError, Store

log = logging.getLogger(__name__)

HOUR_FORMAT = "%Y-%m-%dT%H"
STATISTICS = "stat"
# A gauge is sampled once a minute into `<name>_samples` and `<name>_total` (`Counters.gauge`).
GAUGE_SECONDS = 60.0
GAUGE_SAMPLES = "_samples"
GAUGE_TOTAL = "_total"


def counter_key(name: str, partition: str | None = None, value: str | None = None) -> str:
    """The stored name of `name` overall, or of one partition value of it."""
    return name if partition is None else f"{name}|{partition}={value}"


def hour_key(name: str, hour: datetime) -> str:
    """The stored name of `name`'s statistics bucket for the UTC hour holding `hour`."""
    return f"{STATISTICS}|{name}|{hour.astimezone(UTC).strftime(HOUR_FORMAT)}"


@dataclass(frozen=True)
class Milestone:
    """What an `on_every` callback is given: `count` hits of `name` (of one partition value, if
    the callback watches a partition) have been counted in this process."""

    name: str
    count: int
    partition: str | None = None
    value: str | None = None


@dataclass
class _Every:
    n: int
    callback: Callable[[Milestone], object]
    partition: str | None
    counts: dict[str | None, int]  # partition value (None: overall) -> hits seen


class _Window:
    """The hits of one counter within the last `horizon` seconds: (time, by), oldest first."""

    __slots__ = ("hits", "total")

    def __init__(self) -> None:
        self.hits: deque[tuple[float, int]] = deque()
        self.total = 0

    def add(self, now: float, by: int, horizon: float) -> None:
        self.hits.append((now, by))
        self.total += by
        self.forget_before(now - horizon)

    def forget_before(self, oldest: float) -> None:
        hits = self.hits
        while hits and hits[0][0] <= oldest:
            self.total -= hits.popleft()[1]

    def since(self, oldest: float) -> int:
        counted = 0
        for when, by in reversed(self.hits):
            if when <= oldest:
                break
            counted += by
        return counted


class Counters:
    def __init__(self, store: Store, *, flush_seconds: float = 2.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.flush_seconds = flush_seconds
        self._clock = clock
        self._pending: dict[str, int] = {}
        self._hour_ends = 0.0  # the current hour's bucket suffix is kept until then
        self._hour = ""
        self._hour_keys: dict[str, str] = {}  # name -> its bucket of the current hour
        self._horizons: dict[str, float] = {}  # name -> seconds of hits its windows keep
        self._windows: dict[str, _Window] = {}  # counter key -> its recent hits
        self._every: dict[str, list[_Every]] = {}
        self._flushing = asyncio.Lock()
        self._timer: PeriodicCallback | None = None
        self._gauges: dict[str, Callable[[], int]] = {}
        self._gauge_timer: PeriodicCallback | None = None
        # Figures of the flushes so far (for logs and the operator).
        self.flushes = 0
        self.failed_flushes = 0
        self.last_flush_keys = 0
        self.last_flush_seconds = 0.0

    # --- counting ------------------------------------------------------------------

    def hit(self, name: str, by: int = 1, **partitions: str) -> None:
        """Count `by` hits of `name` (an action: "submissions", "reviews", ...) overall, per
        partition value and in this hour's statistics; never waits."""
        now = self._clock()
        if now >= self._hour_ends:
            self._enter_hour(now)
        pending = self._pending
        pending[name] = pending.get(name, 0) + by
        key = self._hour_keys.get(name)
        if key is None:
            key = self._hour_keys[name] = f"{STATISTICS}|{name}|{self._hour}"
        pending[key] = pending.get(key, 0) + by
        for partition, value in partitions.items():
            key = f"{name}|{partition}={value}"
            pending[key] = pending.get(key, 0) + by
        if name in self._horizons:
            self._add_to_windows(name, now, by, partitions)
        if name in self._every:
            self._call_back(name, by, partitions)

    def pending(self, key: str) -> int:
        """Hits of the counter `key` (see `counter_key`) not yet written to the store."""
        return self._pending.get(key, 0)

    def _enter_hour(self, now: float) -> None:
        hour_start = now - now % 3600  # POSIX time has no leap seconds: UTC hours start at multiples of 3600
        self._hour = datetime.fromtimestamp(hour_start, UTC).strftime(HOUR_FORMAT)
        self._hour_ends = hour_start + 3600
        self._hour_keys = {}

    # --- sliding windows -----------------------------------------------------------

    def keep_window(self, name: str, seconds: float) -> None:
        """Keep `name`'s hits of the last `seconds` in memory (overall and per partition value),
        for `window_count`. Hits before this call are not in any window."""
        if seconds <= 0:
            raise ValueError("a window must be longer than 0 seconds")
        self._horizons[name] = max(seconds, self._horizons.get(name, 0.0))

    def window_count(self, name: str, seconds: float, **partition: str) -> int:
        """Hits of `name` (or of one partition value: `player="..."`) in this process within the
        last `seconds`, which must be at most what `keep_window` keeps."""
        horizon = self._horizons.get(name)
        if horizon is None or seconds > horizon:
            raise ValueError(f"{name!r} keeps no window of {seconds:g} s (keep_window first)")
        if len(partition) > 1:
            raise ValueError("a window is counted overall or for one partition value")
        key = counter_key(name, *next(iter(partition.items()))) if partition else name
        window = self._windows.get(key)
        if window is None:
            return 0
        now = self._clock()
        window.forget_before(now - horizon)
        return window.total if seconds == horizon else window.since(now - seconds)

    def _add_to_windows(self, name: str, now: float, by: int, partitions: dict[str, str]) -> None:
        horizon = self._horizons[name]
        for key in (name, *(counter_key(name, p, v) for p, v in partitions.items())):
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = _Window()
            window.add(now, by, horizon)

    def _forget_idle_windows(self) -> None:
        now = self._clock()
        for key, window in list(self._windows.items()):
            window.forget_before(now - self._horizons[key.split("|", 1)[0]])
            if not window.hits:
                del self._windows[key]

    # --- callbacks every n hits ----------------------------------------------------

    def on_every(self, name: str, n: int, callback: Callable[[Milestone], object],
                 partition: str | None = None) -> None:
        """Call `callback(Milestone)` each time this process has counted another `n` hits of
        `name` (of each value of `partition`, when given). A callback that raises (or returns an
        awaitable that fails) is logged and never breaks a hit. It runs inside `hit`, so it must
        be quick: one with I/O returns a coroutine, which runs as a task."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._every.setdefault(name, []).append(_Every(n, callback, partition, {}))

    def _call_back(self, name: str, by: int, partitions: dict[str, str]) -> None:
        for every in self._every[name]:
            if every.partition is None:
                value = None
            elif every.partition in partitions:
                value = partitions[every.partition]
            else:
                continue
            before = every.counts.get(value, 0)
            after = every.counts[value] = before + by
            if after // every.n > before // every.n:
                self._run(every.callback, Milestone(name, after, every.partition, value))

    @staticmethod
    def _run(callback: Callable[[Milestone], object], milestone: Milestone) -> None:
        try:
            result = callback(milestone)
            if isawaitable(result):
                task = asyncio.ensure_future(result)
                task.add_done_callback(lambda done: _log_failed_callback(done, milestone))
        except Exception:
            log.exception("a callback every %s hits failed at %s", milestone.name, milestone)

    # --- writing to the store ------------------------------------------------------

    async def flush(self) -> int:
        """Write every pending hit with one `add_counts`; return how many counters it wrote.
        On failure the batch is kept for the next flush (then the StorageError is raised)."""
        async with self._flushing:  # the timer's flush and the shutdown flush never overlap
            self._forget_idle_windows()
            batch, self._pending = self._pending, {}
            if not batch:
                return 0
            started = time.perf_counter()
            try:
                await self.store.add_counts(batch)
            except BaseException:
                self.failed_flushes += 1
                for key, by in batch.items():  # hits counted meanwhile stay; the batch joins them
                    self._pending[key] = self._pending.get(key, 0) + by
                raise
            self.flushes += 1
            self.last_flush_keys = len(batch)
            self.last_flush_seconds = time.perf_counter() - started
            return len(batch)

    def start(self) -> None:
        """Flush every `flush_seconds` on the IOLoop (call with the loop running)."""
        if self._timer is None:
            self._timer = PeriodicCallback(self._flush_on_timer, self.flush_seconds * 1000)
            self._timer.start()
        if self._gauges and self._gauge_timer is None:
            self._gauge_timer = PeriodicCallback(self.sample_gauges, GAUGE_SECONDS * 1000)
            self._gauge_timer.start()

    # --- gauges: a level (players online) sampled into two counters -------------------

    def gauge(self, name: str, read: Callable[[], int]) -> None:
        """Sample `read()` every GAUGE_SECONDS (from `start`): each sample adds 1 to `name_samples`
        and the level to `name_total`, so an hour's average level is total / samples, whatever
        part of the hour this process ran (`hourly_average` reads it)."""
        self._gauges[name] = read

    def sample_gauges(self) -> None:
        for name, read in self._gauges.items():
            try:
                level = int(read())
            except Exception:
                log.exception("the gauge %s could not be read", name)
                continue
            self.hit(f"{name}{GAUGE_SAMPLES}")
            self.hit(f"{name}{GAUGE_TOTAL}", by=level)

    async def close(self) -> None:
        """Stop the timer and write what is pending: the clean-shutdown flush step."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._gauge_timer is not None:
            self._gauge_timer.stop()
            self._gauge_timer = None
        await self.flush()

    async def _flush_on_timer(self) -> None:
        try:
            await self.flush()
        except StorageError as problem:
            log.error("counters not written (%s); %d kept for the next flush", problem, len(self._pending))
        except Exception:
            log.exception("counters not written; %d kept for the next flush", len(self._pending))

    # --- reading ---------------------------------------------------------------------

    async def hourly(self, name: str, since: datetime, until: datetime) -> list[tuple[datetime, int]]:
        """`name`'s hits per UTC hour, every hour from the one holding `since` to the one holding
        `until` (hours without a hit count 0), stored and still pending."""
        prefix = f"{STATISTICS}|{name}|"
        counts = await self.store.counters_with_prefix(prefix)
        hour = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        last = until.astimezone(UTC)
        series: list[tuple[datetime, int]] = []
        while hour <= last:
            key = hour_key(name, hour)
            series.append((hour, counts.get(key, 0) + self._pending.get(key, 0)))
            hour += timedelta(hours=1)
        return series


async def hourly_average(counters: Counters, name: str, since: datetime,
                         until: datetime) -> list[tuple[datetime, float | None]]:
    """A gauge's average level per UTC hour (None for an hour without a sample)."""
    totals = await counters.hourly(f"{name}{GAUGE_TOTAL}", since, until)
    samples = await counters.hourly(f"{name}{GAUGE_SAMPLES}", since, until)
    return [(hour, total / count if count else None)
            for (hour, total), (_, count) in zip(totals, samples, strict=True)]


def _log_failed_callback(task: asyncio.Future, milestone: Milestone) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a callback every %s hits failed at %s", milestone.name, milestone, exc_info=task.exception())
