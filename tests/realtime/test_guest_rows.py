"""Guest rows written in batches (kwissle/realtime/guest_rows.py), on a real SQLite store.

The store is wrapped to count (and, where a test needs it, hold back or fail) its
`ensure_guests` calls; every row still goes to the real file.
"""

from __future__ import annotations

import asyncio

import pytest

from kwissle.realtime.guest_rows import GuestRows
from kwissle.storage.port import StorageError
from tests.support.hub_driver import connect, make_hub, send
from tests.support.waiting import eventually


class Spawner:
    """Runs background coroutines as tasks the test can wait for."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task] = []

    def __call__(self, coro) -> None:
        self.tasks.append(asyncio.ensure_future(coro))


class CountedGuests:
    """The real store, recording each `ensure_guests` call; it waits for `gate` when one is
    given and raises StorageError while `failing`."""

    def __init__(self, store) -> None:
        self._store = store
        self.batches: list[list[tuple[str, str]]] = []
        self.gate: asyncio.Event | None = None
        self.writing = asyncio.Event()
        self.failing = False

    async def ensure_guests(self, guests):
        self.batches.append(list(guests))
        self.writing.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failing:
            raise StorageError("database or disk is full; nothing was written")
        await self._store.ensure_guests(guests)

    def __getattr__(self, name):
        return getattr(self._store, name)


@pytest.fixture
def counted(store):
    return CountedGuests(store)


async def test_many_requests_at_once_make_one_store_call_and_every_guest_is_stored(store, counted):
    rows = GuestRows(counted, Spawner())
    await asyncio.gather(*(rows.ensure([(f"g-{n}", f"Guest {n}")]) for n in range(300)))
    assert len(counted.batches) == 1
    assert sorted(counted.batches[0]) == sorted((f"g-{n}", f"Guest {n}") for n in range(300))
    for n in (0, 150, 299):
        player = await store.get_player(f"g-{n}")
        assert player is not None and player.guest and player.name == f"Guest {n}"


async def test_requests_made_while_a_write_is_in_flight_go_together_into_the_next_call(store, counted):
    rows = GuestRows(counted, Spawner())
    counted.gate = asyncio.Event()
    first = asyncio.ensure_future(rows.ensure([("early", "Early Bird 1")]))
    await counted.writing.wait()
    later = [asyncio.ensure_future(rows.ensure([(f"late-{n}", f"Late {n}"), ("early", "Early Bird 1")]))
             for n in range(40)]
    await asyncio.sleep(0.01)
    assert len(counted.batches) == 1 and not first.done() and not any(task.done() for task in later)
    counted.gate.set()
    await asyncio.gather(first, *later)
    assert [len(batch) for batch in counted.batches] == [1, 40]  # "early" was not written twice
    assert (await store.get_player("late-39")).name == "Late 39"


async def test_a_burst_larger_than_one_batch_goes_in_consecutive_calls_of_at_most_the_limit(store, counted):
    rows = GuestRows(counted, Spawner(), batch_limit=10)
    await asyncio.gather(*(rows.ensure([(f"g-{n}", f"Guest {n}")]) for n in range(25)))
    assert [len(batch) for batch in counted.batches] == [10, 10, 5]
    assert all([await store.get_player(f"g-{n}") for n in range(25)])


async def test_a_failing_write_reaches_every_waiter_and_the_next_request_writes_again(store, counted):
    rows = GuestRows(counted, Spawner())
    counted.failing = True
    results = await asyncio.gather(*(rows.ensure([(f"g-{n}", f"Guest {n}")]) for n in range(20)),
                                   return_exceptions=True)
    assert len(results) == 20 and all(isinstance(result, StorageError) for result in results)
    assert "disk is full" in str(results[0])
    assert len(counted.batches) == 1 and await store.get_player("g-3") is None
    assert "g-3" not in rows
    counted.failing = False
    await rows.ensure([("g-3", "Guest 3")])
    assert len(counted.batches) == 2 and (await store.get_player("g-3")).name == "Guest 3"


async def test_a_remembered_guest_causes_no_store_call_and_a_forgotten_one_does(store, counted):
    rows = GuestRows(counted, Spawner(), remembered=2)
    await rows.ensure([("ana", "Ana"), ("bo", "Bo")])
    assert len(counted.batches) == 1
    await rows.ensure([("ana", "Ana")])
    await rows.ensure([("bo", "Bo"), ("ana", "Ana")])
    assert len(counted.batches) == 1  # both remembered: nothing written
    await rows.ensure([("cy", "Cy")])  # the third pushes out the least recently seen: bo
    assert len(counted.batches) == 2 and "bo" not in rows and "ana" in rows
    await rows.ensure([("bo", "Bo")])
    assert counted.batches[-1] == [("bo", "Bo")]
    rows.forget("bo")  # its row may be gone (merged into an account): written again next time
    await rows.ensure([("bo", "Bo")])
    assert len(counted.batches) == 4


async def test_one_waiter_cancelled_leaves_the_others_their_result(store, counted):
    rows = GuestRows(counted, Spawner())
    counted.gate = asyncio.Event()
    impatient = asyncio.ensure_future(rows.ensure([("g-1", "Guest 1")]))
    patient = asyncio.ensure_future(rows.ensure([("g-1", "Guest 1"), ("g-2", "Guest 2")]))
    await counted.writing.wait()
    impatient.cancel()
    counted.gate.set()
    await patient
    assert impatient.cancelled()
    assert (await store.get_player("g-1")).name == "Guest 1" and len(counted.batches) == 1


async def test_the_hub_pairs_a_burst_of_guests_with_one_store_call(store, clock, counted):
    hub = make_hub(counted, clock)
    conns = [connect(hub, f"player-{n}") for n in range(40)]
    for conn in conns:
        send(hub, conn, "play")
    await eventually(lambda: all(hub.battle_of(conn.holder.id) is not None for conn in conns))
    assert len(counted.batches) == 1 and len(counted.batches[0]) == 40
    assert (await store.get_player("player-7")).name == "Player-7"
    await hub.shutdown()


async def test_the_hub_prepares_no_battle_when_the_guest_rows_cannot_be_written(store, clock, counted):
    hub = make_hub(counted, clock)
    counted.failing = True
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    send(hub, ana, "play")
    send(hub, bo, "play")
    await eventually(lambda: ana.of("error") and bo.of("error"))
    assert ana.of("error")[0]["code"] == "no_questions" and not ana.of("battle")
    counted.failing = False  # the store recovered: playing again works, and writes the rows then
    send(hub, ana, "play")
    send(hub, bo, "play")
    await eventually(lambda: hub.battle_of("ana") is not None)
    assert len(counted.batches) == 2 and (await store.get_player("bo")).guest
    await hub.shutdown()
