"""Cost of counting (kwissle.counters): one `hit`, and one flush of many keys to SQLite.

    python -m benchmarks.counters [--hits 200000] [--keys 1000] [--rounds 5]

- hit: ns per `Counters.hit` call, with no partition, with two partitions (what a
  report counts: player and question), and on a name that keeps a sliding window and
  has a callback every 100 hits. The store is never touched by a hit.
- flush: ms for one `flush` of `--keys` distinct counters (one `add_counts`: one
  transaction, one upsert per key) to a real SQLite file in a temporary folder,
  first when every key is new (inserts), then when every key exists (updates).

Figures only, no pass or fail; every loop is bounded by --hits and --rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from kwissle.counters import Counters
from kwissle.storage.open import open_store


def time_hits(counters: Counters, hits: int, name: str, **partitions: str) -> float:
    """ns per hit, over `hits` calls."""
    hit = counters.hit
    started = time.perf_counter_ns()
    for _ in range(hits):
        hit(name, **partitions)
    return (time.perf_counter_ns() - started) / hits


async def main(hits: int, keys: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            counters = Counters(store)
            counters.keep_window("sign_ins", 60)
            counters.on_every("sign_ins", 100, lambda milestone: None)
            cases = {
                "hit, no partition": lambda: time_hits(counters, hits, "typed_answers"),
                "hit, 2 partitions": lambda: time_hits(counters, hits, "reports", player="a3f1c2d4e5b60718",
                                                       question="9b8c7d6e5f403122"),
                "hit, window + callback, 1 partition": lambda: time_hits(counters, hits, "sign_ins",
                                                                         ip="203.0.113.9"),
            }
            for label, case in cases.items():
                figures = [case() for _ in range(rounds)]
                print(f"{label:40s} median {statistics.median(figures):7.0f} ns/hit  "
                      f"(best {min(figures):.0f}, {rounds} rounds of {hits})")
            await counters.flush()
            for kind in ("new keys (inserts)", "existing keys (updates)"):
                figures = []
                for round_ in range(rounds):
                    prefix = f"r{round_}" if kind.startswith("new") else "same"
                    for n in range(keys):
                        counters.hit(f"{prefix}_{n}")
                    # Each hit also counts its hour bucket: keep the batch at exactly `keys` keys.
                    batch = {k: v for k, v in counters._pending.items() if not k.startswith("stat|")}
                    counters._pending = batch
                    started = time.perf_counter()
                    written = await counters.flush()
                    figures.append((time.perf_counter() - started) * 1000)
                    assert written == keys
                print(f"flush of {keys} {kind:24s} median {statistics.median(figures):7.1f} ms  "
                      f"(best {min(figures):.1f}, worst {max(figures):.1f}, {rounds} rounds)")
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hits", type=int, default=200_000)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.hits, args.keys, args.rounds))
