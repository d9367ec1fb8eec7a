"""`appeal` over a real server and real clients (raw WebSocket and SockJS XHR), after a real
battle: stored for the moderators and acknowledged with `appealed`; every refusal (before the
end, a question not asked, nothing typed, scored by typing, twice, over the daily limit, a
banned player) answers an error and stores nothing; a store failure lets the player try again."""

from __future__ import annotations

import time

import pytest

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.model.appeals import AppealStatus
from tests.support.clients import WebSocketClient, XhrClient

from .test_battle_over_sockjs import answer_book, pair

# A bank of exactly these, three questions a battle: every battle asks all of them.
BANK = [
    NewQuestion(text="Which city is the capital of Zambia?", answer="Lusaka", variants=(),
                wrong=("Harare", "Nairobi", "Kampala"), category="Geography"),
    NewQuestion(text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
                wrong=("Venus", "Jupiter", "Mercury"), category="Science"),
    NewQuestion(text="Which ocean lies between Africa and Australia?", answer="Indian Ocean", variants=(),
                wrong=("Atlantic Ocean", "Pacific Ocean", "Arctic Ocean"), category="Geography"),
]
# What a player types for each that the judge refuses but a moderator may well accept.
REFUSED = {"Lusaka": "Lusaka City", "Mars": "planet Mars", "Indian Ocean": "the Indian"}
SMALL_BANK = {"seed": False, "questions_per_battle": 3}
TRANSPORTS = {"websocket": WebSocketClient, "xhr": XhrClient}


async def stock(store):
    await store.add_questions(BANK, status=QuestionStatus.PUBLISHED)
    return await answer_book(store)


async def refused_then_stolen(a, b, q, question, text):
    """A types `text` (refused); B loads the alternatives and picks the answer (1 point)."""
    await a.send({"type": "answer", "q": q, "text": text})
    await a.expect("wrong", q=q, tries_left=2)
    await b.send({"type": "alternatives", "q": q})
    choices = (await b.until("alternatives"))["choices"]
    await b.send({"type": "choose", "q": q, "choice": choices.index(question.answer)})


async def play(a, b, book, plan, *, before_end=None):
    """Play one whole battle: plan[q] is "refused" (A types a refused text, B steals by choice),
    "typed" (A types the answer) or "b_typed" (B types the answer, A typed nothing).
    Returns the questions in the order asked and A's `end`."""
    asked = []
    for q, step in enumerate(plan):
        question = book[(await a.until("question"))["text"]]
        await b.until("question")
        asked.append(question)
        if step == "refused":
            await refused_then_stolen(a, b, q, question, REFUSED[question.answer])
        elif step == "typed":
            await a.send({"type": "answer", "q": q, "text": question.answer})
        else:
            await b.send({"type": "answer", "q": q, "text": question.answer})
        await a.until("reveal")
        await b.until("reveal")
        if before_end is not None and q == 0:
            await before_end()
    end = await a.until("end")
    await b.until("end")
    return asked, end


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
@pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)
async def test_an_appeal_after_the_end_is_stored_and_acknowledged_and_every_refusal_changes_nothing(
        server, transport):
    book = await stock(server.store)
    a, b = TRANSPORTS[transport](server.base_url), TRANSPORTS[transport](server.base_url)
    battle, _ = await pair(a, b)

    async def appeal_during_the_battle():
        await a.send({"type": "appeal", "q": 0})
        await a.expect("error", code="not_in_battle")

    asked, end = await play(a, b, book, ["refused", "typed", "b_typed"], before_end=appeal_during_the_battle)
    assert end["review"][0]["typed"][a.id] == [REFUSED[asked[0].answer]]

    for q, code in [(3, "bad_message"), (1, "nothing_to_appeal"), (2, "nothing_to_appeal")]:
        await a.send({"type": "appeal", "q": q})
        await a.expect("error", code=code)
    await b.send({"type": "appeal", "q": 0})  # B scored q 0 by choice but typed nothing
    await b.expect("error", code="nothing_to_appeal")
    assert await server.store.open_appeals_by_answer() == []

    await a.send({"type": "appeal", "q": 0})
    await a.expect("appealed", q=0)
    await a.send({"type": "appeal", "q": 0})
    await a.expect("error", code="already_appealed")
    [appeal] = await server.store.appeals_of_player(a.id)
    assert (appeal.question_id, appeal.battle_id, appeal.text, appeal.folded, appeal.status) == (
        asked[0].id, battle["id"], REFUSED[asked[0].answer], REFUSED[asked[0].answer].lower(), AppealStatus.OPEN)
    [group] = await server.store.open_appeals_by_answer()
    assert (group.question_id, group.players) == (asked[0].id, 1)
    await b.silent(0.2)  # the opponent hears nothing of it
    await a.close()
    await b.close()


@pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)
async def test_an_appeal_covers_every_refused_string_and_someone_who_never_played_has_nothing_to_appeal(server):
    book = await stock(server.store)
    stranger = WebSocketClient(server.base_url)
    await stranger.hello()
    await stranger.send({"type": "appeal", "q": 0})
    await stranger.expect("error", code="not_in_battle")

    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    question = book[(await a.until("question"))["text"]]
    await b.until("question")
    for text, left in (("Lusaka Town", 2), ("lusaka town!", 1), ("Sambia", 0)):
        await a.send({"type": "answer", "q": 0, "text": text})
        await a.expect("wrong", q=0, tries_left=left)
    await b.send({"type": "answer", "q": 0, "text": question.answer})
    for q in (1, 2):
        other = book[(await b.until("question"))["text"]]
        await b.send({"type": "answer", "q": q, "text": other.answer})
    await a.until("end")
    await a.send({"type": "appeal", "q": 0})
    await a.expect("appealed", q=0)
    mine = await server.store.appeals_of_player(a.id)
    # one appeal per folded text, each as first typed
    assert sorted((x.text, x.folded) for x in mine) == [("Lusaka Town", "lusaka town"), ("Sambia", "sambia")]
    await a.close()
    await b.close()
    await stranger.close()


@pytest.mark.parametrize("server", [dict(SMALL_BANK, limit_appeals_per_player="1/day")], indirect=True)
async def test_appeals_over_the_daily_limit_are_refused_with_a_retry_time_and_not_stored(server):
    book = await stock(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    await play(a, b, book, ["refused", "refused", "b_typed"])
    await a.send({"type": "appeal", "q": 0})
    await a.expect("appealed", q=0)
    await a.send({"type": "appeal", "q": 1})
    refusal = await a.expect("error", code="rate_limited")
    assert refusal["retry_after"] >= 1 and "appeals" in refusal["message"]
    assert len(await server.store.appeals_of_player(a.id)) == 1
    await a.close()
    await b.close()


@pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)
async def test_an_appeal_the_store_cannot_take_gets_no_answer_and_may_be_sent_again(server, monkeypatch):
    book = await stock(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    await play(a, b, book, ["refused", "typed", "typed"])

    async def failing(appeals):
        raise OSError("disk full")

    monkeypatch.setattr(server.hub.store, "add_appeals", failing)  # the hub's store: a timing proxy
    await a.send({"type": "appeal", "q": 0})
    await a.silent(0.3)
    monkeypatch.undo()
    await a.send({"type": "appeal", "q": 0})
    await a.expect("appealed", q=0)
    assert len(await server.store.appeals_of_player(a.id)) == 1
    await a.close()
    await b.close()


@pytest.mark.parametrize("server", [SMALL_BANK], indirect=True)
async def test_a_banned_player_cannot_appeal(server):
    book = await stock(server.store)
    a, b = WebSocketClient(server.base_url), WebSocketClient(server.base_url)
    await pair(a, b)
    await play(a, b, book, ["refused", "typed", "typed"])
    until = time.time() + 3600
    await server.store.ban_player(a.id, "spamming appeals", until, "mod", time.time())
    await server.hub.bans.refresh(a.id)  # the hub's cache sees it within its seconds anyway
    await a.send({"type": "appeal", "q": 0})
    refusal = await a.expect("error", code="banned")
    assert refusal["until"] == pytest.approx(until) and "spamming appeals" in refusal["message"]
    assert await server.store.appeals_of_player(a.id) == []
    await a.close()
    await b.close()
