"""The judge's lexicon learns the questions published while the game runs.

A word that is the answer (or a variant, or a wrong alternative) of a stored question is never
taken for a typo of another answer. The question pool teaches the hub's lexicon the texts of
the questions new or changed at each refresh: within `refresh_seconds` of publishing, not at the
next restart. The invented words below are unknown to wordfreq, so only the stored questions
can put them in the lexicon."""

from __future__ import annotations

import asyncio

import pytest

from kwissle.model import Moderation, NewQuestion, QuestionStatus
from kwissle.realtime.question_pool import QuestionPool
from tests.conftest import start_server, stop_server
from tests.realtime.test_battle_over_sockjs import pair
from tests.realtime.test_question_pool import Spawner, question
from tests.support.clients import TRANSPORTS

# One letter apart, both invented: "Zorbleten" passes for "Zorbleton" as a typo until the
# question whose answer it is gets published.
OLD = NewQuestion(text="Which invented harbour town is this test about?", answer="Zorbleton", variants=(),
                  wrong=("Quimbleford", "Drassington", "Pellowick"), category="Invented")
NEW = NewQuestion(text="Which invented hill village is this other test about?", answer="Zorbleten", variants=(),
                  wrong=("Fennimarsh", "Crowlingham", "Tuddlebury"), category="Invented")


class Learner:
    """Records what the pool hands over; fails when told to."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.fail = False

    async def __call__(self, texts: list[str]) -> None:
        if self.fail:
            raise RuntimeError("the lexicon could not be built")
        self.calls.append(list(texts))


async def test_each_refresh_hands_over_the_texts_of_new_and_changed_questions_only(store):
    learner = Learner()
    pool = QuestionPool(store, Spawner(), learn=learner)
    await pool.refresh()
    assert len(learner.calls) == 1 and len(learner.calls[0]) == 30 * 4  # every answer and wrong alternative
    await pool.refresh()
    assert len(learner.calls) == 1  # nothing new: nothing to learn
    [new] = await store.add_questions([question(77)], QuestionStatus.PUBLISHED)
    await pool.refresh()
    assert learner.calls[-1] == ["Answer 77", "W77a", "W77b", "W77c"]
    await store.moderate_question(new.id, new.version, Moderation.ADD_VARIANT, {"variant": "Answer seventy-seven"},
                                  "mod", "accepted from an appeal", 1.0)
    await pool.refresh()
    assert learner.calls[-1] == ["Answer 77", "Answer seventy-seven", "W77a", "W77b", "W77c"]


async def test_a_failed_lesson_keeps_the_questions_held_and_the_next_refresh_hands_them_over_again(store):
    learner = Learner()
    pool = QuestionPool(store, Spawner(), learn=learner)
    await pool.refresh()
    [new] = await store.add_questions([question(78)], QuestionStatus.PUBLISHED)
    learner.fail = True
    with pytest.raises(RuntimeError):
        await pool.refresh()
    assert pool.get(new.id) is None  # not swapped in: its words are not known yet
    learner.fail = False
    await pool.refresh()
    assert pool.get(new.id) is not None and learner.calls[-1] == ["Answer 78", "W78a", "W78b", "W78c"]


async def test_a_serving_pool_teaches_the_hub_on_its_own_timer(tmp_path):
    server = await start_server(tmp_path, seed=False)
    try:
        hub = server.hub
        await server.store.add_questions([OLD], QuestionStatus.PUBLISHED)
        await hub.questions.refresh()
        assert hub._judge("Zorbleten", ("Zorbleton",), ())
        hub.questions.stop()
        hub.questions.refresh_seconds = 0.3
        hub.questions.keep_fresh()  # the serving game's own timer, shortened
        await server.store.add_questions([NEW], QuestionStatus.PUBLISHED)
        for _ in range(200):
            if not hub._judge("Zorbleten", ("Zorbleton",), ()):
                break
            await asyncio.sleep(0.02)
        assert not hub._judge("Zorbleten", ("Zorbleton",), ())
        assert hub._judge("Zorbletton", ("Zorbleton",), ())  # an honest typo still passes
    finally:
        await stop_server(server)


async def _typed(player, q: int, text: str) -> dict:
    await player.send({"type": "answer", "q": q, "text": text})
    while True:
        message = await player.recv()
        if message["type"] in ("wrong", "reveal"):
            return message


async def _battle(a, b, first: bool) -> str:
    """Start one one-question battle between a and b; the text of its question."""
    if first:
        await pair(a, b)
    else:
        await a.send({"type": "play"})
        await b.send({"type": "play"})
        await a.until("battle")
    return (await a.until("question"))["text"]


async def test_a_question_published_while_the_game_runs_shields_its_answer_after_the_refresh(tmp_path):
    server = await start_server(tmp_path, seed=False, questions_per_battle=1, question_seconds=20)
    a, b = TRANSPORTS["websocket"](server.base_url), TRANSPORTS["websocket"](server.base_url)
    try:
        await server.store.add_questions([OLD], QuestionStatus.PUBLISHED)
        # before: the only question is OLD, and "Zorbleten" is a typo of its answer
        assert await _battle(a, b, first=True) == OLD.text
        reveal = await _typed(a, 0, "Zorbleten")
        assert (reveal["type"], reveal["by"], reveal["how"]) == ("reveal", a.id, "typed")
        await a.until("end")
        await b.until("end")

        await server.store.add_questions([NEW], QuestionStatus.PUBLISHED)
        await server.hub.questions.refresh()  # what the pool's timer runs every refresh_seconds

        # both just saw OLD: they get NEW, which they answer
        assert await _battle(a, b, first=False) == NEW.text
        assert (await _typed(a, 0, "Zorbleten"))["type"] == "reveal"
        await a.until("end")
        await b.until("end")
        # both saw both: OLD, seen longer ago, comes back; "Zorbleten" is now another answer
        assert await _battle(a, b, first=False) == OLD.text
        refused = await _typed(a, 0, "Zorbleten")
        assert refused["type"] == "wrong" and refused["q"] == 0
        reveal = await _typed(a, 0, "Zorbletton")  # an honest typo of it still passes
        assert (reveal["type"], reveal["by"], reveal["how"]) == ("reveal", a.id, "typed")
    finally:
        await a.close()
        await b.close()
        await stop_server(server)
