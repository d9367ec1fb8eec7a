"""Near-duplicate look-ups of the submit form (kwissle/game/duplicates.py) over a large real bank.

    python -m benchmarks.duplicates [--data DIR] [--limit N] [--lookups 200] [--seed 1]

Reads OpenTriviaQA where it lies (default `../shared/data/opentriviaqa/categories/` next to
the repository) with the project's parser, builds the index once, then times `find` for
questions of the bank reworded a little (two words swapped). Prints the build time, the
look-up time (median, 95th percentile), how many reworded questions were found, and a
sample of the pairs the index calls duplicates when 2,000 questions of one half of the bank
are looked up in the other half (to judge the thresholds by eye). Figures only, no pass or
fail.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from kwissle.bank.formats import parse_opentriviaqa
from kwissle.bank.importer import category_from_filename, read_text
from kwissle.game.duplicates import DuplicateIndex, Known

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "opentriviaqa" / "categories"


def load(data: Path, limit: int) -> list[Known]:
    known: list[Known] = []
    for path in sorted(data.iterdir()):
        parsed = parse_opentriviaqa(read_text(path), category_from_filename(path))
        for question in parsed.questions:
            known.append(Known(f"q{len(known)}", question.text, question.answer))
            if len(known) >= limit:
                return known
    return known


def reworded(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bank = load(args.data, args.limit)
    started = time.perf_counter()
    index = DuplicateIndex(bank)
    built = time.perf_counter() - started
    print(f"bank: {len(bank)} questions; index built in {built * 1000:.0f} ms")

    sample = rng.sample(bank, min(args.lookups, len(bank)))
    timings, found = [], 0
    for known in sample:
        started = time.perf_counter()
        match = index.find(reworded(known.text, rng), known.answer)
        timings.append(time.perf_counter() - started)
        found += match is not None
    timings.sort()
    p95 = timings[int(len(timings) * .95) - 1]
    print(f"reworded look-ups: {len(sample)}, found {found}; "
          f"median {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")

    # The bank against itself: the first half indexed, the second half looked up as if submitted.
    half = len(bank) // 2
    first = DuplicateIndex(bank[:half])
    pairs = [(known, first.find(known.text, known.answer)) for known in bank[half:half + 2000]]
    hits = [(known, match) for known, match in pairs if match is not None]
    print(f"second half against the first: {len(hits)} of {len(pairs)} called duplicates; a sample:")
    for known, match in rng.sample(hits, min(10, len(hits))):
        print(f"  {known.text!r} ({known.answer})\n    ~ {match.text!r} ({match.answer})")

if __name__ == "__main__":
    main()
