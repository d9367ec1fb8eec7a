"""The seed's "fastestdb" benchmark, for Kwissle's stores: create, fetch, update, retire X questions.

    python -m benchmarks.store [--records 2000]

Through the store port, one call per record, as a server makes them: `add_questions`
with one question, `get_question`, `set_question_status` (pending -> published),
then the last phase. The port has no delete: a stored question is never deleted,
because stored battles name it; it is retired (`set_question_status` -> retired),
which is the write a delete would be. Each phase prints operations per second, and
the worst IOLoop stall seen while it ran: a ticker coroutine asks to wake every
millisecond and notes how late it wakes (a store that blocks the loop shows here).

It runs on the SQLite adapter (a fresh file in a temporary folder), and on MongoDB
too when KWISSLE_TEST_MONGODB_URL is set (a fresh database named kwissle_bench_<random>,
dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Self

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.storage.open import open_store

TICK = 0.001


class Ticker:
    """How late the loop wakes a coroutine that asks to sleep TICK seconds, at worst."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._stop = False
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop:
            before = loop.time()
            await asyncio.sleep(TICK)
            self.worst = max(self.worst, loop.time() - before - TICK)

    def __enter__(self) -> Self:
        self._task = asyncio.ensure_future(self._run())
        return self

    def __exit__(self, *exc) -> None:
        self._stop = True


def question(n: int) -> NewQuestion:
    return NewQuestion(text=f"Benchmark question number {n}: which answer is right?", answer=f"Answer {n}",
                       variants=(f"Answer number {n}",), wrong=(f"Wrong {n} a", f"Wrong {n} b", f"Wrong {n} c"),
                       category="Benchmark", explanation=f"Because {n} is {n}.")


async def phase(name: str, count: int, operation: Callable[[int], Awaitable[object]]) -> None:
    with Ticker() as ticker:
        began = time.perf_counter()
        for i in range(count):
            await operation(i)
        seconds = time.perf_counter() - began
        await asyncio.sleep(2 * TICK)  # let the ticker take its last sample
    print(f"  {name:<8} {count:6d} in {seconds:6.2f} s = {count / seconds:8,.0f} ops/s   "
          f"worst loop stall {ticker.worst * 1000:6.1f} ms")


async def bench(store, shown: str, records: int) -> None:
    try:
        print(f"\n{shown}: {records} records")
        ids: list[str] = []

        async def create(i: int) -> None:
            [stored] = await store.add_questions([question(i)], QuestionStatus.PENDING)
            ids.append(stored.id)

        async def fetch(i: int) -> None:
            if await store.get_question(ids[i]) is None:
                raise RuntimeError(f"question {ids[i]} is not there")

        async def update(i: int) -> None:
            await store.set_question_status(ids[i], QuestionStatus.PUBLISHED)

        async def retire(i: int) -> None:
            await store.set_question_status(ids[i], QuestionStatus.RETIRED)

        await phase("create", records, create)
        await phase("fetch", records, fetch)
        await phase("update", records, update)
        await phase("retire", records, retire)
        retired = await store.count_questions(QuestionStatus.RETIRED)
        print(f"  check    {retired} retired of {records}")
    finally:
        await store.close()


async def main(records: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kwissle-store-bench-") as tmp:
        await bench(await open_store(f"sqlite:///{Path(tmp) / 'bench.db'}"), "SQLite (a file)", records)
    mongo = os.environ.get("KWISSLE_TEST_MONGODB_URL")
    if mongo:
        from pymongo import AsyncMongoClient

        from kwissle.storage.mongo import MongoStore

        name = f"kwissle_bench_{secrets.token_hex(4)}"
        client = AsyncMongoClient(mongo, serverSelectionTimeoutMS=5000)
        try:
            await bench(await MongoStore.start(client, name), f"MongoDB (database {name})", records)
        finally:
            await client.drop_database(name)
            await client.close()
    else:
        print("\nMongoDB: skipped (set KWISSLE_TEST_MONGODB_URL to run it)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    print(f"Kwissle store benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    asyncio.run(main(args.records))
