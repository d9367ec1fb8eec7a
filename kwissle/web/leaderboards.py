"""The leaderboards page (/leaders): top rated, this week's most wins, best per category.

The three boards are computed together and served from one RefreshingCache on the
application (kwissle/cache.py): a reader never waits for a refresh, which starts in
the background once the boards are older than `leaderboard_seconds`.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from tornado.web import URLSpec

from kwissle.cache import RefreshingCache
from kwissle.model import Player
from kwissle.model.profiles import MIN_CATEGORY_QUESTIONS
from kwissle.storage.port import Store
from kwissle.web.pages import PageHandler

BOARD_SIZE = 100
# To lead a category, a player must have met MIN_CATEGORY_QUESTIONS of its questions (as on a profile).


@dataclass(frozen=True)
class Boards:
    top_rated: list[Player]
    most_wins: list[tuple[Player, int]]
    best_per_category: dict[str, tuple[Player, int, int]]
    week_start: float  # this week's board counts wins since then: Monday 00:00 UTC
    computed_at: float


def week_start(now: float) -> float:
    """Monday 00:00 UTC of the week holding `now` (seconds since the epoch)."""
    day = datetime.datetime.fromtimestamp(now, datetime.UTC).date()
    monday = day - datetime.timedelta(days=day.weekday())
    return datetime.datetime.combine(monday, datetime.time(), datetime.UTC).timestamp()


async def compute_boards(store: Store, now: Callable[[], float] = time.time) -> Boards:
    at = now()
    since = week_start(at)
    return Boards(
        top_rated=await store.top_rated(BOARD_SIZE),
        most_wins=await store.most_wins_since(since, BOARD_SIZE),
        best_per_category=await store.best_per_category(MIN_CATEGORY_QUESTIONS),
        week_start=since,
        computed_at=at,
    )


def boards_cache(store: Store, max_age: float) -> RefreshingCache[Boards]:
    return RefreshingCache(lambda: compute_boards(store), max_age, name="the leaderboards")


class LeadersHandler(PageHandler):
    template = "leaderboards.html"
    title = "Leaders"

    async def get(self) -> None:
        boards = await self.application.leaderboards.get()  # type: ignore[attr-defined]
        monday = datetime.datetime.fromtimestamp(boards.week_start, datetime.UTC)
        self.render(self.template, title=self.title, boards=boards, week_label=f"{monday:%A %d %B}",
                    updated_seconds=max(0, round(time.time() - boards.computed_at)),
                    min_category_questions=MIN_CATEGORY_QUESTIONS,
                    refresh_every=_every(self.kwissle.leaderboard_seconds))


def _every(seconds: float) -> str:
    if seconds == 60:
        return "every minute"
    if seconds % 60 == 0:
        return f"every {seconds / 60:g} minutes"
    return f"every {seconds:g} s"


def routes() -> list[URLSpec]:
    return [URLSpec(r"/leaders", LeadersHandler, name="leaders")]
