"""The cyclic garbage collector, set for a long-running server, and its pauses measured.

A full (generation-2) collection walks every tracked object and holds the
IOLoop while it does: with a few hundred thousand objects that is tens to
hundreds of milliseconds, felt by every battle at once. Two things keep it short:

- `freeze_start_up()`: everything built while starting (modules, the
  application, the routes, the starter bank, the judge's lexicon) lives as long
  as the process. `gc.freeze()` moves it to the permanent generation, which no
  collection walks again.
- `tune()`: a higher generation-0 threshold, so the young generation is
  collected less often (the objects of one message are freed by reference
  counting long before; what a collection finds is mostly still alive).

`PauseRecorder` times every collection through `gc.callbacks` and hands
(generation, seconds) to a sink: `Metrics.gc_paused`, which `/metrics` exports
as `kwissle_gc_pause_seconds` and its maximum.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# A young (generation-0) collection runs after this many more allocations than deallocations of
# tracked objects (Python's default is 700). Objects of one message are freed by reference
# counting, so in a steady game the count grows only with new players and battles: at 25,000 a
# busy game process makes a few young collections a minute instead of several a second. Each
# walks the young objects: 50,000 made each one ~35 ms on this machine, over the 20 ms target;
# 25,000 keeps them at 10-20 ms (benchmarks/README.md has the runs).
THRESHOLD_YOUNG = 25_000
# Young collections per middle (generation-1) one; Python's default is 10. A middle collection
# walks every survivor since the last one (every connection opened meanwhile): rarer is better.
THRESHOLD_MIDDLE = 50
# Python's default: an old (full) collection also waits until the old objects grew by 25%.
THRESHOLD_OLD = 10


def tune(young: int = THRESHOLD_YOUNG, middle: int = THRESHOLD_MIDDLE, old: int = THRESHOLD_OLD) -> tuple[int, int, int]:
    """Set the collector's thresholds for a long-running server; returns the previous ones."""
    previous = gc.get_threshold()
    gc.set_threshold(young, middle, old)
    return previous


def freeze_start_up() -> int:
    """Collect what starting left behind, then move every surviving object to the permanent
    generation, which no collection walks again. Call once the server is up, before it
    serves anyone. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class PauseRecorder:
    """Times each collection (`gc.callbacks`) and reports it to `sink(generation, seconds)`.

    The callback runs inside the collector, on whatever thread triggered it: it only
    reads the clock and calls the sink, which must be cheap and must not allocate much.
    """

    def __init__(self, sink: Callable[[int, float], None] | None = None) -> None:
        self._sink = sink
        self._started = 0.0
        self.longest = 0.0  # seconds, the longest pause seen
        self.collections = [0, 0, 0]  # by generation

    def install(self) -> None:
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)

    def uninstall(self) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        seconds = time.perf_counter() - self._started
        generation = info.get("generation", 2)
        self.collections[generation] += 1
        self.longest = max(self.longest, seconds)
        if self._sink is not None:
            self._sink(generation, seconds)


def tracked_objects() -> int:
    """Objects the collector would walk in a full collection (the frozen ones are not)."""
    return len(gc.get_objects())
