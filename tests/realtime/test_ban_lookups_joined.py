"""A ban lookup under way is joined, not repeated (kwissle/realtime/bans.py).

`hello` starts a lookup in the background; a pairing moments later asks again and, before,
made a second store query while the first was still queued behind the others on the store's
one thread (385 `active_ban` calls during a 200-pair benchmark's battles, 0.5 s each).
"""

from __future__ import annotations

import asyncio

from kwissle.model import Ban
from kwissle.realtime.bans import BanCache


class SlowStore:
    """Answers `active_ban` only when told to, counting the questions."""

    def __init__(self) -> None:
        self.bans: dict[str, Ban] = {}
        self.asked = 0
        self.answer = asyncio.Event()

    async def active_ban(self, player_id: str, now: float) -> Ban | None:
        self.asked += 1
        await self.answer.wait()
        return self.bans.get(player_id)


async def test_a_pairing_joins_the_lookup_hello_started_and_sees_its_answer():
    store, tasks = SlowStore(), []
    cache = BanCache(store, lambda coro: tasks.append(asyncio.ensure_future(coro)))
    store.bans["p"] = Ban("p", "spam", None, "mod", 0.0)
    cache.look_up_soon("p")  # hello
    pairings = [asyncio.ensure_future(cache.lookup("p")) for _ in range(3)]  # pairing, twice more
    await asyncio.sleep(0.01)
    assert store.asked == 1
    store.answer.set()
    for ban in await asyncio.gather(*pairings):
        assert ban is not None and ban.reason == "spam"
    await asyncio.gather(*tasks)
    assert store.asked == 1


async def test_a_refresh_asks_again_even_with_a_lookup_under_way():
    store, tasks = SlowStore(), []
    cache = BanCache(store, lambda coro: tasks.append(asyncio.ensure_future(coro)))
    cache.look_up_soon("p")  # asked before the ban below was given
    await asyncio.sleep(0.01)
    store.bans["p"] = Ban("p", "spam", None, "mod", 0.0)
    refreshed = asyncio.ensure_future(cache.refresh("p"))
    await asyncio.sleep(0.01)
    store.answer.set()
    assert (await refreshed) is not None
    await asyncio.gather(*tasks)
    assert store.asked == 2


async def test_a_failed_lookup_lets_every_waiter_through_and_the_next_one_asks_again():
    class FailingStore(SlowStore):
        async def active_ban(self, player_id: str, now: float) -> Ban | None:
            self.asked += 1
            await self.answer.wait()
            raise RuntimeError("the store is down")

    store, tasks = FailingStore(), []
    cache = BanCache(store, lambda coro: tasks.append(asyncio.ensure_future(coro)))
    cache.look_up_soon("p")
    waiting = asyncio.ensure_future(cache.lookup("p"))
    await asyncio.sleep(0.01)
    store.answer.set()
    assert await waiting is None
    await asyncio.gather(*tasks)
    assert await cache.lookup("p") is None and store.asked == 2
