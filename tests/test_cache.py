"""RefreshingCache: a reader never waits for a refresh, a cold cache computes once, a failing
refresh keeps the last good value."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from kwissle.cache import RefreshingCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Board:
    """A compute whose runs the test releases one at a time: each run answers the next number."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.runs = 0
        self.fail_with: Exception | None = None

    async def __call__(self) -> str:
        self.runs += 1
        self.started.set()
        await self.release.wait()
        self.release.clear()
        self.started.clear()
        if self.fail_with is not None:
            raise self.fail_with
        return f"board {self.runs}"


async def warm_cache(board: Board, clock: Clock, max_age: float = 60.0) -> RefreshingCache[str]:
    cache = RefreshingCache(board, max_age, clock, name="test board")
    reader = asyncio.create_task(cache.get())
    await board.started.wait()
    board.release.set()
    assert await reader == "board 1"
    return cache


async def test_a_fresh_value_is_served_without_computing_again():
    board, clock = Board(), Clock()
    cache = await warm_cache(board, clock)
    clock.now = 59.9
    assert await cache.get() == "board 1"
    assert board.runs == 1 and not cache.refreshing


async def test_a_stale_read_answers_at_once_with_the_old_value_while_one_refresh_runs():
    board, clock = Board(), Clock()
    cache = await warm_cache(board, clock)
    clock.now = 61.0

    started = time.perf_counter()
    value = await asyncio.wait_for(cache.get(), timeout=1.0)  # the refresh is blocked: it never ends by itself
    waited_ms = (time.perf_counter() - started) * 1000
    print(f"\nstale read while the refresh is blocked: {waited_ms:.3f} ms")
    assert value == "board 1"
    await board.started.wait()
    assert cache.refreshing and board.runs == 2

    # more stale reads meanwhile: the old value each time, and still only the one refresh
    for _ in range(5):
        assert await asyncio.wait_for(cache.get(), timeout=1.0) == "board 1"
    assert board.runs == 2

    board.release.set()
    while cache.refreshing:
        await asyncio.sleep(0)
    assert await cache.get() == "board 2"
    assert cache.age() == pytest.approx(0.0)  # computed at the (test) time the refresh started


async def test_concurrent_cold_readers_share_one_computation():
    board, clock = Board(), Clock()
    cache = RefreshingCache(board, 60.0, clock)
    readers = [asyncio.create_task(cache.get()) for _ in range(50)]
    await board.started.wait()
    await asyncio.sleep(0.01)  # every reader is waiting now
    assert not any(reader.done() for reader in readers)
    board.release.set()
    assert await asyncio.gather(*readers) == ["board 1"] * 50
    assert board.runs == 1 and cache.computations == 1


async def test_a_reader_that_gives_up_does_not_cancel_the_computation_the_others_wait_for():
    board, clock = Board(), Clock()
    cache = RefreshingCache(board, 60.0, clock)
    impatient = asyncio.create_task(cache.get())
    patient = asyncio.create_task(cache.get())
    await board.started.wait()
    impatient.cancel()
    board.release.set()
    assert await patient == "board 1"
    assert impatient.cancelled()


async def test_a_failing_refresh_keeps_the_last_good_value_and_logs(caplog):
    board, clock = Board(), Clock()
    cache = await warm_cache(board, clock)
    clock.now = 61.0
    board.fail_with = RuntimeError("the store is busy")
    with caplog.at_level(logging.ERROR, logger="kwissle.cache"):
        assert await cache.get() == "board 1"
        await board.started.wait()
        board.release.set()
        while cache.refreshing:
            await asyncio.sleep(0)
    assert await cache.get() == "board 1"  # still the last good board; this stale read retries
    assert any("the refresh failed" in r.getMessage() and r.exc_info for r in caplog.records)

    await board.started.wait()
    board.fail_with = None
    board.release.set()
    while cache.refreshing:
        await asyncio.sleep(0)
    assert await cache.get() == "board 3"


async def test_a_failing_cold_computation_fails_its_readers_and_the_next_reader_tries_again():
    board, clock = Board(), Clock()
    cache = RefreshingCache(board, 60.0, clock)
    board.fail_with = RuntimeError("no store")
    readers = [asyncio.create_task(cache.get()) for _ in range(3)]
    await board.started.wait()
    board.release.set()
    results = await asyncio.gather(*readers, return_exceptions=True)
    assert [str(r) for r in results] == ["no store"] * 3 and board.runs == 1
    assert not cache.warm

    board.fail_with = None
    again = asyncio.create_task(cache.get())
    await board.started.wait()
    board.release.set()
    assert await again == "board 2"


async def test_close_cancels_a_refresh_under_way():
    board, clock = Board(), Clock()
    cache = await warm_cache(board, clock)
    clock.now = 61.0
    await cache.get()
    await board.started.wait()
    await cache.close()
    assert not cache.refreshing
    assert await cache.get() == "board 1"  # stale still; a new refresh starts
    await cache.close()
