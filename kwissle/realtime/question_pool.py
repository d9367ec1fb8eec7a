"""The published questions, kept in memory so that pairing two players reads no question from the store.

Matchmaking asks the store one thing: when each of the two players last saw
which question (`last_seen_questions`, one query for both). The questions
themselves come from this pool: it is loaded once (the first time it is asked,
or by the server at start-up, before the garbage collector freezes what
start-up built) and refreshed in the background when older than
`refresh_seconds`, so a question published or retired meanwhile shows up or
goes away within that time. A refresh never holds up a pairing: the battle is
prepared from the questions already held while it runs. A serving game process
also checks on a timer (`keep_fresh`), so a moderator's change reaches battles
within about `refresh_seconds` even when nobody is being paired.

Each (re)load also hands the texts of the questions that are new or changed since the last
one (answers, variants, wrong alternatives) to `learn`: the hub extends the judge's lexicon
with them (`Hub.learn_words`), so a question published, edited or given a variant while the
game runs shields its words within the same `refresh_seconds`. The questions are swapped in
only once `learn` is done: a failed refresh hands the same texts over again next time.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from tornado.ioloop import PeriodicCallback

from kwissle.model import Question, QuestionStatus
from kwissle.storage.port import Store

log = logging.getLogger(__name__)

# How old the pool may get before a pairing starts a refresh in the background.
REFRESH_SECONDS = 30.0
# Questions read per store call while (re)loading.
PAGE = 1000


def question_texts(question: Question) -> tuple[str, ...]:
    """What of a question the judge's lexicon holds: its answers, variants and wrong alternatives."""
    return (*question.answers, *question.wrong)


class QuestionPool:
    def __init__(self, store: Store, spawn: Callable[[Coroutine[Any, Any, None]], None], *,
                 refresh_seconds: float = REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic,
                 learn: Callable[[list[str]], Awaitable[object]] | None = None) -> None:
        self._store = store
        self._spawn = spawn  # runs a background refresh (the hub's, so its shutdown waits for it)
        self._learn = learn  # given the texts of new or changed questions at each (re)load
        self._clock = clock
        self.refresh_seconds = refresh_seconds
        self._by_id: dict[str, Question] = {}
        self._ids: list[str] = []
        self.loaded_at: float | None = None
        self._refreshing = False
        self._timer: PeriodicCallback | None = None

    def keep_fresh(self) -> None:
        """Check for staleness every third of `refresh_seconds` from now on (until `stop`)."""
        if self._timer is None:
            self._timer = PeriodicCallback(self.refresh_if_stale, self.refresh_seconds * 1000 / 3)
            self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    async def refresh(self) -> int:
        """Read every published question from the store, in pages, and swap them in at once.
        Returns how many are held."""
        self._refreshing = True
        try:
            by_id: dict[str, Question] = {}
            offset = 0
            while page := await self._store.list_questions(QuestionStatus.PUBLISHED, PAGE, offset):
                for question in page:
                    by_id[question.id] = question
                offset += len(page)
            if self._learn is not None:
                held = self._by_id
                fresh = [text for question_id, question in by_id.items()
                         if (old := held.get(question_id)) is None or question_texts(old) != question_texts(question)
                         for text in question_texts(question)]
                if fresh:
                    await self._learn(fresh)
            self._by_id = by_id
            self._ids = list(by_id)
            self.loaded_at = self._clock()
            return len(self._ids)
        finally:
            self._refreshing = False

    async def ready(self) -> None:
        """Load the pool if it never was; start a background refresh if it is stale."""
        if self.loaded_at is None:
            await self.refresh()
        else:
            self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        """Start a background refresh if the pool is loaded, older than `refresh_seconds` and not
        being refreshed already."""
        if (self.loaded_at is not None and not self._refreshing
                and self._clock() - self.loaded_at >= self.refresh_seconds):
            self._refreshing = True
            self._spawn(self._refresh_quietly())

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception as problem:  # noqa: BLE001 - logged; the questions held stay in play, the next pairing retries
            self._refreshing = False
            log.error("could not refresh the published questions (%s: %s): keeping the %d held",
                      type(problem).__name__, problem, len(self._ids))

    def categories(self) -> list[str]:
        """The categories of the published questions held, sorted."""
        return sorted({question.category for question in self._by_id.values()})

    def sample(self, n: int, rng: random.Random, exclude: Iterable[str] = (),
               category: str | None = None) -> list[Question]:
        """Up to `n` distinct questions at random, none of those in `exclude`; only of `category`
        when one is given (a challenge link's)."""
        excluded = exclude if isinstance(exclude, (set, frozenset, dict)) else set(exclude)
        ids = self._ids
        if category is not None:
            ids = [question_id for question_id in ids if self._by_id[question_id].category == category]
        if len(ids) - len(excluded) < 4 * n:
            # Few left to choose from: draw from the candidates themselves.
            candidates = [question_id for question_id in ids if question_id not in excluded]
            return [self._by_id[question_id] for question_id in rng.sample(candidates, min(n, len(candidates)))]
        chosen: list[Question] = []
        taken: set[str] = set()
        while len(chosen) < n:  # ends: at least 4 n candidates, so a draw can always land
            question_id = ids[rng.randrange(len(ids))]
            if question_id in excluded or question_id in taken:
                continue
            taken.add(question_id)
            chosen.append(self._by_id[question_id])
        return chosen
