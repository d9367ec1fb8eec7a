"""Metrics: one prometheus-client registry per application and every metric object, in one place.

`/metrics` (kwissle/web/ops.py) renders `Metrics.registry`. Each application gets its
own `CollectorRegistry`, never the library's global one, so several servers in one
test process do not collide.

The hot path stays cheap: a labelled child is looked up once per label value and
kept in a dict (`.labels()` builds and locks on every call); figures the hub already
holds (players, queue, battles, results queued) are read when Prometheus scrapes,
not kept up to date on every change. `timed_store` measures every store call from
the outside, so adapters know nothing of metrics.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

# Seconds. The answer-to-reveal target is tens of milliseconds; the top buckets catch stalls.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
GC_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25)
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Label value for a received message that is not a protocol message (bad JSON, unknown type...).
INVALID = "invalid"


class Metrics:
    """Every metric of one application, on its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        # CPU seconds, RSS, open files, GC collections: what the benchmarks read beside ours.
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        self.messages_received = Counter(
            "kwissle_messages_received", "Channel messages received, by type ('invalid': not a protocol message).",
            ["type"], registry=registry)
        self.messages_sent = Counter(
            "kwissle_messages_sent", "Channel messages sent, by type (one per connection written to).",
            ["type"], registry=registry)
        self.answer_to_reveal = Histogram(
            "kwissle_answer_to_reveal_seconds",
            "From a player's accepted answer or choice reaching the hub to the reveal being sent.",
            buckets=LATENCY_BUCKETS, registry=registry)
        self.loop_lag = Histogram(
            "kwissle_ioloop_lag_seconds", "How late the IOLoop ran a periodic callback (sampled).",
            buckets=LAG_BUCKETS, registry=registry)
        self.loop_lag_last = Gauge(
            "kwissle_ioloop_lag_last_seconds", "The IOLoop lag at the latest sample.", registry=registry)
        self.store_latency = Histogram(
            "kwissle_store_call_seconds", "Duration of store calls, by port method.",
            ["method"], buckets=STORE_BUCKETS, registry=registry)
        # --- gc pauses (kwissle/gctuning.py PauseRecorder feeds these)
        self.gc_pause = Histogram(
            "kwissle_gc_pause_seconds", "How long each cyclic garbage collection held the process, by generation.",
            ["generation"], buckets=GC_BUCKETS, registry=registry)
        self.gc_pause_max = Gauge(
            "kwissle_gc_pause_max_seconds", "The longest garbage collection pause since start-up.",
            registry=registry)
        self._gc_children = [self.gc_pause.labels(str(generation)) for generation in range(3)]
        self._gc_longest = 0.0
        self._received: dict[str, Any] = {}
        self._sent: dict[str, Any] = {}
        self._store_children: dict[str, Any] = {}

    # --- the channel's counters ---------------------------------------------------------

    def received(self, kind: str) -> None:
        child = self._received.get(kind)
        if child is None:
            child = self._received[kind] = self.messages_received.labels(kind)
        child.inc()

    def sent(self, kind: str, count: int = 1) -> None:
        child = self._sent.get(kind)
        if child is None:
            child = self._sent[kind] = self.messages_sent.labels(kind)
        child.inc(count)

    def loop_lagged(self, seconds: float) -> None:
        """One IOLoop lag sample (kwissle/looplag.py calls this)."""
        self.loop_lag_last.set(seconds)
        self.loop_lag.observe(seconds)

    def gc_paused(self, generation: int, seconds: float) -> None:
        """One garbage collection's pause (kwissle/gctuning.py `PauseRecorder` calls this)."""
        self._gc_children[generation].observe(seconds)
        if seconds > self._gc_longest:
            self._gc_longest = seconds
            self.gc_pause_max.set(seconds)

    # --- the game's figures, read at scrape time ----------------------------------------------

    def watch_game(self, status: Callable[[], dict[str, int]]) -> None:
        """Export the hub's figures (`Hub.status()`): only a process with a hub calls this."""
        for name, key, doc in (
            ("kwissle_players_connected", "online", "Players connected (several tabs count once)."),
            ("kwissle_players_waiting", "waiting", "Players in the matchmaking queue."),
            ("kwissle_battles_running", "battles", "Battles running."),
            ("kwissle_results_queued", "unsaved", "Finished battles waiting to be stored."),
        ):
            Gauge(name, doc, registry=self.registry).set_function(lambda key=key: status()[key])

    # --- the store ------------------------------------------------------------------------------

    def store_timer(self, method: str):
        child = self._store_children.get(method)
        if child is None:
            child = self._store_children[method] = self.store_latency.labels(method)
        return child


def timed_store(store: Any, metrics: Metrics) -> Any:
    """`store` with every async method timed into `kwissle_store_call_seconds` (by method)."""
    return _TimedStore(store, metrics)


class _TimedStore:
    """A thin proxy: each coroutine method of the store it wraps is timed, the rest passes through.

    The wrapper of each method is built once, on first use, and kept on the proxy.
    """

    def __init__(self, store: Any, metrics: Metrics) -> None:
        self._store = store
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(attribute):
            return attribute
        observe = self._metrics.store_timer(name).observe

        @functools.wraps(attribute)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await attribute(*args, **kwargs)
            finally:
                observe(time.perf_counter() - started)

        setattr(self, name, timed)  # found on the instance from now on: __getattr__ is not asked again
        return timed

