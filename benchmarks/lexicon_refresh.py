"""How long teaching the judge's lexicon new words takes (kwissle/realtime/hub.py `learn_words`).

A refresh of the question pool hands the texts of the questions new or changed since the last
one to the hub, which unites them with the lexicon (~95,000 words): a frozenset union copies
the whole set, so it runs in a thread. This prints what one union costs, for a few texts (one
question published) and for many (an import), and what a refresh with nothing new costs.

    .venv/bin/python -m benchmarks.lexicon_refresh
"""

from __future__ import annotations

import statistics
import time

from kwissle.game.lexicon import Lexicon

ROUNDS = 20


def _median_ms(build) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        build()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    started = time.perf_counter()
    lexicon = Lexicon.default()
    print(f"default lexicon: {len(lexicon)} words, built in {time.perf_counter() - started:.2f} s")
    one = ["Zorbleten", "Fennimarsh", "Crowlingham", "Tuddlebury"]  # one question's texts
    many = [f"Invented{n}word answer{n}x" for n in range(3000)]  # an import's
    known = ["Paris", "London", "Berlin", "Rome"]
    print(f"one question's new words: {_median_ms(lambda: lexicon.extended(one)):.1f} ms (median of {ROUNDS})")
    print(f"3,000 texts of new words: {_median_ms(lambda: lexicon.extended(many)):.1f} ms")
    print(f"nothing new: {_median_ms(lambda: lexicon.extended(known)):.3f} ms")


if __name__ == "__main__":
    main()
