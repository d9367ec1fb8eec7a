"""Throughput of the answer judge (kwissle.game.judge.judge) over the starter bank.

    python -m benchmarks.judge [--seconds 0.5] [--rounds 5]

Three kinds of typed answer, one per starter question, each judged against that
question's answers (canonical + variants) and decoys (its wrong alternatives),
exactly as a battle calls it:

- right: the canonical answer as stored;
- typo:  the canonical answer with two neighbouring letters swapped in its longest
         word (the judge accepts it when that word is long enough to allow a typo);
- wrong: one of the question's wrong alternatives (always refused).

`normalize` sits behind an lru_cache (maxsize 4096), so each kind is timed three ways:

- cold:     cache cleared, one pass over the bank (what the first battles on a fresh
            process pay; every answer, decoy and guess is normalised once);
- live:     answers and decoys already cached, the guess not (a trailing space, which
            folds away, keeps it out of the cache): what a running server pays for a
            guess it has not seen before (the usual case);
- warm:     repeated passes with the cache filled (steady state: the whole starter bank
            fits in the cache);
- uncached: repeated passes with `normalize` swapped for the undecorated function,
            to show what the cache buys (and what a bank larger than the cache costs).

The judge's lexicon (`Lexicon.default()`) is built before any timing, as a server
does at start; its build time is printed apart.

Figures only, no pass or fail; each timing loop is bounded by --seconds and --rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from kwissle.bank.starter import load_starter_bank
from kwissle.game import judge as judge_module
from kwissle.game.judge import judge, normalize
from kwissle.game.lexicon import Lexicon

Case = tuple[str, tuple[str, ...], tuple[str, ...]]  # typed, answers, decoys


def with_typo(answer: str) -> str:
    """Swap two neighbouring letters inside the longest word (a real, common typo)."""
    words = answer.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    for j in range(1, len(word) - 2):  # keep the first letter, like most typos do
        if word[j] != word[j + 1] and word[j].isalpha() and word[j + 1].isalpha():
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2:]
            return " ".join(words)
    return answer.swapcase()


def cases() -> dict[str, list[Case]]:
    bank = load_starter_bank()
    out: dict[str, list[Case]] = {"right": [], "typo": [], "wrong": []}
    for n, q in enumerate(bank):
        answers = (q.answer, *q.variants)
        out["right"].append((q.answer, answers, q.wrong))
        out["typo"].append((with_typo(q.answer), answers, q.wrong))
        out["wrong"].append((q.wrong[n % len(q.wrong)], answers, q.wrong))
    return out


def one_pass(batch: list[Case]) -> tuple[float, int]:
    """Seconds for one call per case, and how many were accepted."""
    accepted = 0
    began = time.perf_counter()
    for typed, answers, decoys in batch:
        accepted += judge(typed, answers, decoys)
    return time.perf_counter() - began, accepted


def repeated(batch: list[Case], seconds: float, rounds: int) -> float:
    """Best seconds per call over `rounds` rounds, each of whole passes lasting about `seconds`."""
    elapsed, _ = one_pass(batch)
    passes = max(1, int(seconds / max(elapsed, 1e-9)))
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(passes):
            one_pass(batch)
        best = min(best, (time.perf_counter() - began) / (passes * len(batch)))
    return best


def cold(batch: list[Case], rounds: int) -> float:
    """Median seconds per call of a first pass on an empty cache."""
    times = []
    for _ in range(rounds):
        normalize.cache_clear()
        elapsed, _ = one_pass(batch)
        times.append(elapsed / len(batch))
    return statistics.median(times)


def live(batch: list[Case], rounds: int) -> float:
    """Median seconds per call with the bank's answers and decoys cached but every guess new:
    what a long-running server pays for a typed answer it has not seen before."""
    # A trailing space folds away, so the verdict is unchanged, but the guess misses the cache
    # even where it is the very text of an answer or decoy.
    fresh = [(typed + " ", answers, decoys) for typed, answers, decoys in batch]
    times = []
    for _ in range(rounds):
        normalize.cache_clear()
        for _, answers, decoys in batch:
            for text in (*answers, *decoys):
                normalize(text)
        elapsed, _ = one_pass(fresh)
        times.append(elapsed / len(batch))
    return statistics.median(times)


@dataclass
class Row:
    kind: str
    calls: int
    accepted: int
    cold: float
    live: float
    warm: float
    uncached: float


def without_cache(action: Callable[[], float]) -> float:
    """Run `action` with the judge calling the undecorated normalize."""
    judge_module.normalize = normalize.__wrapped__
    try:
        return action()
    finally:
        judge_module.normalize = normalize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.judge", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one timed round (default 0.5)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per figure; the best is kept (default 5)")
    args = parser.parse_args(argv)
    seconds = min(max(args.seconds, 0.01), 10.0)
    rounds = min(max(args.rounds, 1), 50)

    began = time.perf_counter()
    lexicon = Lexicon.default()
    built = time.perf_counter() - began
    batches = cases()
    print(f"Kwissle judge benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
          f"{time.strftime('%Y-%m-%d %H:%M')}; {len(batches['right'])} starter questions, "
          f"normalize cache maxsize {normalize.cache_info().maxsize}; lexicon of {len(lexicon)} words "
          f"built in {built:.2f} s")
    rows = []
    for kind, batch in batches.items():
        first = cold(batch, rounds)
        fresh_guess = live(batch, rounds)
        normalize.cache_clear()
        _, accepted = one_pass(batch)
        info = normalize.cache_info()
        warm = repeated(batch, seconds, rounds)
        uncached = without_cache(lambda batch=batch: repeated(batch, seconds, rounds))
        rows.append(Row(kind, len(batch), accepted, first, fresh_guess, warm, uncached))
        print(f"  {kind}: first pass filled the cache with {info.currsize} entries "
              f"({info.misses} misses, {info.hits} hits)")

    print()
    print(f"{'kind':<7} {'accepted':>10} | {'cold µs':>8} {'live µs':>8} {'warm µs':>8} {'uncached µs':>11} | "
          f"{'live calls/s':>12} {'warm calls/s':>12} {'uncached calls/s':>16} | {'cache speed-up':>14}")
    for r in rows:
        print(f"{r.kind:<7} {r.accepted:>4}/{r.calls:<5} | {r.cold * 1e6:8.2f} {r.live * 1e6:8.2f} {r.warm * 1e6:8.2f} "
              f"{r.uncached * 1e6:11.2f} | {1 / r.live:12,.0f} {1 / r.warm:12,.0f} {1 / r.uncached:16,.0f} | "
              f"{r.uncached / r.warm:13.1f}x")
    print("(cache speed-up = uncached / warm)")
    normalize.cache_clear()
    print("\ncold = first pass on an empty cache (median of rounds); live = answers and decoys cached, the guess"
          "\nnot (median of rounds; the usual case in a running server); warm = best round of repeated passes,"
          "\neverything cached; uncached = best round with normalize's lru_cache bypassed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
