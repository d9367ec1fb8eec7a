"""The question bank as the submit form needs it: near-duplicate look-ups and the categories.

One per web process. The first submission loads every stored question that was not
rejected (a rejected one may come back corrected) into a `DuplicateIndex`; after that the
index is refreshed in the background when older than `max_age`, and a reader never waits
for a refresh (the old index answers meanwhile; a failing refresh is logged and the old
one kept). Questions this process stores are added at once. Look-ups and building run in
a thread (about 65 ms per look-up on the 42,000 questions of OpenTriviaQA, see
benchmarks/duplicates.py), so the IOLoop never scans the bank. Look-ups and additions
take turns under one lock, so a thread never reads the index while it grows. The store's
fingerprint still refuses an exact duplicate another process stored since the last refresh.
"""

from __future__ import annotations

import asyncio
import logging
import time

from kwissle.game.duplicates import DuplicateIndex, Known
from kwissle.model import Question, QuestionStatus
from kwissle.storage.port import Store

log = logging.getLogger(__name__)

PAGE = 1000
MAX_AGE_SECONDS = 300.0


class KnownQuestions:
    def __init__(self, store: Store, max_age: float = MAX_AGE_SECONDS) -> None:
        self.store = store
        self.max_age = max_age
        self._index: DuplicateIndex | None = None
        self._categories: set[str] = set()
        self._loaded_at = 0.0
        self._loading: asyncio.Task | None = None
        self._added: list[Question] = []  # stored here since the load under way began
        self._lock = asyncio.Lock()

    async def find(self, text: str, answer: str) -> Known | None:
        """The stored question `text` nearly duplicates, or None."""
        index = await self._current()
        async with self._lock:
            return await asyncio.to_thread(index.find, text, answer)

    async def nearest(self, text: str, limit: int = 3, exclude: str = "") -> list[tuple[Known, float]]:
        """The stored questions most like `text`, best first, with their scores (DuplicateIndex.nearest)."""
        index = await self._current()
        async with self._lock:
            return await asyncio.to_thread(index.nearest, text, limit, exclude)

    async def categories(self) -> list[str]:
        """The categories of the stored questions, sorted."""
        await self._current()
        return sorted(self._categories, key=str.casefold)

    async def add(self, question: Question) -> None:
        """A question this process just stored: known from now on."""
        self._added.append(question)
        if self._index is not None:
            async with self._lock:
                self._index.add(Known(question.id, question.text, question.answer))

    async def _current(self) -> DuplicateIndex:
        if self._index is None:
            await self._load_once()
        elif time.monotonic() - self._loaded_at > self.max_age and self._loading is None:
            self._loading = asyncio.ensure_future(self._load())  # readers go on with the old index
        assert self._index is not None
        return self._index

    async def _load_once(self) -> None:
        """A cold index: concurrent first readers share one load."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        await asyncio.shield(self._loading)
        if self._index is None:
            raise RuntimeError("the question bank could not be loaded")

    async def _load(self) -> None:
        self._added = []
        try:
            questions: list[Question] = []
            offset = 0
            while page := await self.store.list_questions(None, PAGE, offset):
                questions += [q for q in page if q.status is not QuestionStatus.REJECTED]
                offset += len(page)
            known = [Known(q.id, q.text, q.answer) for q in questions + self._added]
            index = await asyncio.to_thread(DuplicateIndex, known)
            async with self._lock:
                for late in self._added:  # stored while the index was being built
                    index.add(Known(late.id, late.text, late.answer))
                self._index = index
                self._categories = {q.category for q in questions if q.status is QuestionStatus.PUBLISHED}
                self._loaded_at = time.monotonic()
        except Exception:
            if self._index is None:
                raise
            log.exception("refreshing the question bank for duplicate checks failed: the last one is kept")
        finally:
            self._loading = None
