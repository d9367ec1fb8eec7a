"""The published questions in memory: what pairing picks from, and how it keeps up with the store."""

from __future__ import annotations

import asyncio
import logging
import random

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.realtime.question_pool import QuestionPool
from tests.support.hub_driver import connect, make_hub, paired


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Spawner:
    """Runs what the pool starts in the background, and keeps the tasks to await."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task] = []

    def __call__(self, coro) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    async def settle(self) -> None:
        await asyncio.gather(*self.tasks)


class CountingStore:
    """The real store, counting the calls made through it."""

    def __init__(self, store) -> None:
        self._store = store
        self.calls: list[str] = []

    def __getattr__(self, name):
        attribute = getattr(self._store, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)
        return counted


def question(n: int) -> NewQuestion:
    return NewQuestion(text=f"Pool question {n}?", answer=f"Answer {n}", variants=(),
                       wrong=(f"W{n}a", f"W{n}b", f"W{n}c"), category="Test")


async def test_it_loads_the_published_questions_once_and_samples_distinct_ones_outside_the_excluded(store):
    pending = await store.add_questions([question(1)], QuestionStatus.PENDING)
    spawner = Spawner()
    pool = QuestionPool(store, spawner)
    assert len(pool) == 0
    await pool.ready()
    assert len(pool) == 30  # the published ones only: make_store publishes 30
    assert pool.get(pending[0].id) is None
    ids = [q.id for q in await store.list_questions(QuestionStatus.PUBLISHED, 100, 0)]
    rng = random.Random(3)
    for _ in range(50):
        excluded = set(rng.sample(ids, 12))
        chosen = pool.sample(10, rng, exclude=excluded)
        assert len(chosen) == 10 and len({q.id for q in chosen}) == 10
        assert not {q.id for q in chosen} & excluded
    # Fewer candidates than wanted: all of them, once each.
    left = pool.sample(10, rng, exclude=set(ids[:25]))
    assert sorted(q.id for q in left) == sorted(ids[25:])
    assert not spawner.tasks  # fresh: no refresh started


async def test_a_stale_pool_refreshes_in_the_background_and_sees_publishing_and_retiring(store):
    clock, spawner = Clock(), Spawner()
    pool = QuestionPool(store, spawner, refresh_seconds=30, clock=clock)
    await pool.ready()
    [new] = await store.add_questions([question(99)], QuestionStatus.PUBLISHED)
    retired = (await store.list_questions(QuestionStatus.PUBLISHED, 1, 0))[0]
    await store.set_question_status(retired.id, QuestionStatus.RETIRED)
    clock.now = 29
    await pool.ready()
    assert not spawner.tasks and pool.get(new.id) is None  # not stale yet: what it holds stays
    clock.now = 31
    await pool.ready()  # returns at once: the refresh runs in the background
    assert len(spawner.tasks) == 1
    await pool.ready()  # one refresh at a time
    assert len(spawner.tasks) == 1
    await spawner.settle()
    assert pool.get(new.id) is not None and pool.get(retired.id) is None and len(pool) == 30


async def test_a_failed_refresh_keeps_the_questions_held_and_the_next_pairing_tries_again(store, caplog):
    clock, spawner = Clock(), Spawner()
    pool = QuestionPool(store, spawner, refresh_seconds=1, clock=clock)
    await pool.ready()
    await store.close()  # the store is gone
    clock.now = 5
    with caplog.at_level(logging.ERROR):
        await pool.ready()
        await spawner.settle()
    assert len(pool) == 30
    assert any("could not refresh the published questions" in r.getMessage() for r in caplog.records)
    await pool.ready()
    assert len(spawner.tasks) == 2  # tried again
    await spawner.settle()


async def test_pairing_asks_the_store_only_what_the_players_saw_lately(store, clock):
    counting = CountingStore(store)
    hub = make_hub(counting, clock)
    await hub.questions.refresh()
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    for _ in range(10):  # joining looks each player's ban up once, in the background (realtime/bans.py)
        await asyncio.sleep(0)
    assert counting.calls.count("active_ban") == 2
    counting.calls.clear()
    await paired(hub, ana, bo)
    picked = [call for call in counting.calls if call not in ("ensure_guest", "ensure_guests")]
    assert picked == ["last_seen_questions"]
    assert len(ana.of("question")) == 1
    await hub.shutdown()


async def test_a_player_gets_no_question_they_saw_lately_while_the_bank_has_others(store, clock):
    hub = make_hub(store, clock)
    ana, bo, cy = connect(hub, "ana"), connect(hub, "bo"), connect(hub, "cy")
    texts = []
    for opponent in (bo, cy):
        await paired(hub, ana, opponent)
        while not ana.of("end") or len(ana.of("end")) < len(texts) + 1:
            clock.next_deadline()  # nobody answers: each question runs out
        texts.append({m["text"] for m in ana.of("question")} - set().union(*texts))
    assert len(texts[0]) == len(texts[1]) == 10  # 30 in the bank: none of the first 10 again
    await hub.shutdown()


async def test_a_serving_pool_refreshes_on_its_own_when_nobody_is_paired(store):
    """keep_fresh: a question published after loading is held within about refresh_seconds,
    with no pairing asking for it."""
    spawner = Spawner()
    pool = QuestionPool(store, spawner, refresh_seconds=0.3)
    held = await pool.refresh()
    await store.add_questions([question(3)], QuestionStatus.PUBLISHED)
    pool.keep_fresh()
    try:
        for _ in range(100):
            if len(pool) == held + 1:
                break
            await asyncio.sleep(0.02)
        assert len(pool) == held + 1
    finally:
        pool.stop()
        await spawner.settle()
