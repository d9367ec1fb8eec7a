"""The submit form's view of the bank: one load for concurrent cold readers, questions stored
here known at once, rejected ones left out, and a failing background refresh keeping the old."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError
from kwissle.web.known_questions import KnownQuestions
from tests.support.waiting import eventually


class CountingLists:
    """The real store, counting `list_questions` calls and failing them on demand."""

    def __init__(self, store) -> None:
        self.store = store
        self.calls = 0
        self.fail = False

    async def list_questions(self, *args, **kwargs):
        self.calls += 1
        if self.fail:
            raise StorageError("the store at test.db failed: disk I/O error")
        await asyncio.sleep(0.01)  # a round trip: lets concurrent readers pile up
        return await self.store.list_questions(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.store, name)


def question(text: str, answer: str, category: str = "Science") -> NewQuestion:
    return NewQuestion(text=text, answer=answer, variants=(), wrong=("Venus", "Neptune", "Uranus"), category=category)


@pytest.fixture
async def store(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'known.db'}")
    await store.add_questions([question("Which planet is known as the Red Planet?", "Mars")], QuestionStatus.PUBLISHED)
    yield store
    await store.close()


async def test_concurrent_cold_readers_share_one_load(store):
    counting = CountingLists(store)
    known = KnownQuestions(counting)
    found = await asyncio.gather(*(known.find("Which planet is called the red planet?", "Mars") for _ in range(8)))
    assert {f.answer for f in found} == {"Mars"}
    assert counting.calls == 2  # one page, then the empty page that ends it: once for all eight
    assert await known.categories() == ["Science"]


async def test_a_question_stored_here_is_known_at_once_and_rejected_ones_are_not(store):
    [rejected] = await store.add_questions([question("Which gas giant has the Great Red Spot?", "Jupiter")])
    await store.set_question_status(rejected.id, QuestionStatus.REJECTED)
    known = KnownQuestions(store)
    assert await known.find("Which gas giant has the great red spot?", "Jupiter") is None
    [added] = await store.add_questions([question("Which planet is closest to the Sun?", "Mercury")])
    await known.add(added)
    assert (await known.find("Which planet is the closest one to the Sun?", "Mercury")).id == added.id


async def test_a_failing_refresh_keeps_the_last_index_and_readers_never_wait_for_it(store, caplog):
    counting = CountingLists(store)
    known = KnownQuestions(counting, max_age=0.0)
    assert await known.find("Which planet is called the red planet?", "Mars") is not None
    counting.fail = True
    assert await known.find("Which planet is called the red planet?", "Mars") is not None  # the old index
    await eventually(lambda: "refreshing the question bank" in caplog.text)
    counting.fail = False
    assert await known.find("Which planet is called the red planet?", "Mars") is not None
