"""The published questions, kept in memory so that pairing two players reads no question from the store.

Matchmaking asks the store one thing: when each of the two players last saw
which question (`last_seen_questions`, one query for both). The questions
themselves come from this pool: it is loaded once (the first time it is asked,
or by the server at start-up, before the garbage collector freezes what
start-up built) and refreshed in the background when older than
`refresh_seconds`, so a question published or retired meanwhile shows up or
goes away within that time. A refresh never holds up a pairing: the battle is
prepared from the questions already held while it runs.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from kwissle.model import Question, QuestionStatus
from kwissle.storage.port import Store

log = logging.getLogger(__name__)

# How old the pool may get before a pairing starts a refresh in the background.
REFRESH_SECONDS = 30.0
# Questions read per store call while (re)loading.
PAGE = 1000


class QuestionPool:
    def __init__(self, store: Store, spawn: Callable[[Coroutine[Any, Any, None]], None], *,
                 refresh_seconds: float = REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._spawn = spawn  # runs a background refresh (the hub's, so its shutdown waits for it)
        self._clock = clock
        self.refresh_seconds = refresh_seconds
        self._by_id: dict[str, Question] = {}
        self._ids: list[str] = []
        self.loaded_at: float | None = None
        self._refreshing = False

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
        elif not self._refreshing and self._clock() - self.loaded_at >= self.refresh_seconds:
            self._refreshing = True
            self._spawn(self._refresh_quietly())

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh()
        except Exception as problem:  # noqa: BLE001 - logged; the questions held stay in play, the next pairing retries
            self._refreshing = False
            log.error("could not refresh the published questions (%s: %s): keeping the %d held",
                      type(problem).__name__, problem, len(self._ids))

    def sample(self, n: int, rng: random.Random, exclude: Iterable[str] = ()) -> list[Question]:
        """Up to `n` distinct questions at random, none of those in `exclude`."""
        excluded = exclude if isinstance(exclude, (set, frozenset, dict)) else set(exclude)
        ids = self._ids
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
