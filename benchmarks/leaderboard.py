"""Leaderboard read latency, cold and warm, on a real SQLite store with a league in it.

    python -m benchmarks.leaderboard [--players 1000] [--battles 10000] [--reads 2000] [--seed 1]

Builds a store in a temporary folder: the starter bank, `--players` signed-in players
with settled ratings (and as many guests), and `--battles` stored battles of ten
questions each with answer times, spread over the last two weeks (imported in one
transaction, as `import-data` does). Then prints:

- each board query on its own (top rated, this week's most wins, best per category),
  and one profile, in ms;
- a cold read of the leaderboard cache (`RefreshingCache.get()` computing the boards:
  what the first reader after a start waits for);
- warm reads (the boards in memory): per-read µs, median and 99th percentile;
- stale reads while a refresh runs in the background: per-read µs (the reader never
  waits for the refresh), and how long that refresh took.

Figures only: nothing passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from kwissle.bank.starter import seed_if_empty
from kwissle.cache import RefreshingCache
from kwissle.model import (
    BattleEnd,
    BattleRecord,
    Player,
    QuestionOutcome,
    QuestionStatus,
    Rating,
    RatingChange,
)
from kwissle.storage import dump
from kwissle.storage.open import open_store
from kwissle.web.leaderboards import compute_boards, week_start

DAY = 24 * 3600


def league_rows(rng: random.Random, players: int, battles: int, questions: list[str], now: float):
    members = [Player(id=f"m{n:06d}", name=f"Member {n}", guest=False, email=f"m{n}@example.org",
                      rating=rng.gauss(1500, 250), deviation=rng.uniform(45, 200), created_at=now - 30 * DAY)
               for n in range(players)]
    guests = [Player(id=f"g{n:06d}", name=f"Guest {n}", created_at=now - 30 * DAY) for n in range(players)]
    everyone = [p.id for p in members + guests]
    for player in members + guests:
        yield dump.to_row(player)
    for n in range(battles):
        a, b = rng.sample(everyone, 2)
        ended = now - rng.uniform(0, 14 * DAY)
        outcomes = []
        for question_id in rng.sample(questions, 10):
            by = rng.choice((a, b, None))
            how = rng.choice(("typed", "choice")) if by else None
            outcomes.append(QuestionOutcome(
                question_id=question_id, by=by, how=how, points={"typed": 3, "choice": 1}.get(how or "", 0),
                typed={a: ["x"], b: ["y"]}, typed_at={a: [rng.uniform(1, 15)], b: [rng.uniform(1, 15)]},
                chose={a: None, b: 1}, chose_at={b: rng.uniform(1, 15)}))
        scores = {a: sum(o.points for o in outcomes if o.by == a), b: sum(o.points for o in outcomes if o.by == b)}
        winner = None if scores[a] == scores[b] else max(scores, key=scores.get)
        ratings = ()
        if a.startswith("m") and b.startswith("m"):
            ratings = (RatingChange(a, Rating(), Rating(1510.0, 90.0, 0.09)),
                       RatingChange(b, Rating(), Rating(1490.0, 90.0, 0.09)))
        yield dump.to_row(BattleRecord(id=f"b{n:07d}", player_ids=(a, b), scores=scores, winner=winner,
                                       reason=BattleEnd.COMPLETE, started_at=ended - 200, ended_at=ended,
                                       outcomes=tuple(outcomes), ratings=ratings))


async def timed(label: str, call) -> object:
    started = time.perf_counter()
    result = await call()
    print(f"  {label:<44} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return result


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1e6:7.1f} µs   p99 {p99 * 1e6:7.1f} µs   max {ordered[-1] * 1e6:7.1f} µs"


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kwissle-bench-") as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            await seed_if_empty(store)
            questions = [q.id for q in await store.list_questions(QuestionStatus.PUBLISHED, limit=10_000)]
            now = time.time()
            started = time.perf_counter()
            await store.import_rows(league_rows(rng, args.players, args.battles, questions, now))
            print(f"league: {args.players} members, {args.players} guests, {args.battles} battles of 10 questions "
                  f"(imported in {time.perf_counter() - started:.1f} s)")

            print("queries:")
            await timed("top_rated(100)", lambda: store.top_rated(100))
            await timed("most_wins_since(this Monday, 100)", lambda: store.most_wins_since(week_start(now), 100))
            await timed("best_per_category(5)", lambda: store.best_per_category(5))
            await timed("player_profile(one member)", lambda: store.player_profile("m000001"))

            clock_now = [0.0]
            cache = RefreshingCache(lambda: compute_boards(store), 60.0, clock=lambda: clock_now[0])
            print("the leaderboard cache:")
            await timed("cold read (computes the three boards)", cache.get)

            warm = []
            for _ in range(args.reads):
                started = time.perf_counter()
                await cache.get()
                warm.append(time.perf_counter() - started)
            print(f"  warm reads ({args.reads}): {spread(warm)}")

            clock_now[0] = 61.0  # stale: the next read starts a refresh and answers at once
            stale = []
            refresh_started = time.perf_counter()
            while True:
                started = time.perf_counter()
                await cache.get()
                stale.append(time.perf_counter() - started)
                if not cache.refreshing or len(stale) >= args.reads * 100:
                    break
                await asyncio.sleep(0.001)  # a reader arriving every millisecond or so
            refresh_seconds = time.perf_counter() - refresh_started
            print(f"  stale reads during the refresh ({len(stale)}): {spread(stale)}")
            print(f"  the background refresh took about {refresh_seconds * 1000:.0f} ms; "
                  f"computations in all: {cache.computations}")
        finally:
            await store.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--battles", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
