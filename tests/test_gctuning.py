"""The garbage collector's settings for a long-running server, and the pause recorder behind /metrics."""

from __future__ import annotations

import gc
import subprocess
import sys

from kwissle.gctuning import PauseRecorder, tune
from kwissle.metrics import Metrics


def test_every_collection_is_timed_by_generation_and_the_longest_kept():
    seen: list[tuple[int, float]] = []
    recorder = PauseRecorder(lambda generation, seconds: seen.append((generation, seconds)))
    recorder.install()
    try:
        gc.collect(0)
        gc.collect(2)
    finally:
        recorder.uninstall()
    assert [generation for generation, _ in seen][-2:] == [0, 2]
    assert all(seconds >= 0 for _, seconds in seen)
    assert recorder.longest == max(seconds for _, seconds in seen)
    assert recorder.collections[2] >= 1
    gc.collect()
    assert recorder.collections[2] == sum(1 for generation, _ in seen if generation == 2)  # uninstalled


def test_the_pauses_reach_the_metrics_registry():
    metrics = Metrics()
    recorder = PauseRecorder(metrics.gc_paused)
    recorder.install()
    try:
        gc.collect(2)
    finally:
        recorder.uninstall()
    registry = metrics.registry
    assert registry.get_sample_value("kwissle_gc_pause_seconds_count", {"generation": "2"}) >= 1
    assert registry.get_sample_value("kwissle_gc_pause_max_seconds") == recorder.longest > 0


def test_tune_sets_the_thresholds_and_hands_back_the_old_ones():
    before = gc.get_threshold()
    try:
        assert tune(50_000, 20, 10) == before
        assert gc.get_threshold() == (50_000, 20, 10)
    finally:
        gc.set_threshold(*before)


def test_freezing_moves_what_start_up_built_out_of_every_collection():
    # In a process of its own: freezing the test runner's objects would outlive this test.
    script = (
        "import gc\n"
        "from kwissle.gctuning import freeze_start_up\n"
        "start_up = [[i] for i in range(20000)]\n"
        "before = len(gc.get_objects())\n"
        "frozen = freeze_start_up()\n"
        "print(before, frozen, len(gc.get_objects()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    before, frozen, after = map(int, out.split())
    assert frozen >= 20000 and before > 20000
    assert after < 100  # nothing left for a collection to walk but what the call itself made
