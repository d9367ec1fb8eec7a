"""Two real clients play whole battles against a real server, over two SockJS transports."""

import pytest

from kwissle.game.judge import judge
from kwissle.model import BattleEnd, QuestionStatus
from tests.support.clients import TRANSPORTS


async def answer_book(store):
    """What a bot with the database open knows: question text -> question."""
    return {q.text: q for q in await store.list_questions(QuestionStatus.PUBLISHED, limit=10_000)}


def with_typo(answer: str, question) -> str:
    """A misspelling of `answer` that the judge still accepts, if the answer is long enough."""
    for i in range(1, len(answer) - 2):
        typo = answer[:i] + answer[i + 1] + answer[i] + answer[i + 2:]
        if typo.lower() != answer.lower() and judge(typo, question.answers, question.wrong):
            return typo
    return answer.upper()


async def pair(a, b):
    await a.hello()
    await b.hello()
    await a.send({"type": "play"})
    await a.expect("waiting")
    await b.send({"type": "play"})
    battle_a = await a.until("battle")
    battle_b = await b.until("battle")
    return battle_a, battle_b


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
async def test_two_players_play_ten_questions_to_the_end(server, transport):
    book = await answer_book(server.store)
    a, b = TRANSPORTS[transport](server.base_url), TRANSPORTS[transport](server.base_url)
    battle_a, battle_b = await pair(a, b)
    assert battle_a["id"] == battle_b["id"]
    assert battle_a["opponent"] == {"id": b.id, "name": b.player["name"]}
    assert battle_a["questions"] == 10
    assert type(battle_a["seconds"]) is int and battle_a["seconds"] == server.settings.question_seconds
    asked = []
    for q in range(10):
        question = await a.expect("question", q=q)
        assert (await b.expect("question", q=q))["text"] == question["text"]
        assert 0 < question["seconds"] <= server.settings.question_seconds
        stored = book[question["text"]]
        asked.append(stored)
        if q < 8 and q % 2 == 0:  # A misses once, then types the answer with a typo: 3 points
            await a.send({"type": "answer", "q": q, "text": stored.wrong[0]})
            await a.expect("wrong", q=q, tries_left=2)
            await b.expect("opponent", q=q, action="typed_wrong")
            await a.send({"type": "answer", "q": q, "text": with_typo(stored.answer, stored)})
            expected = dict(by=a.id, points=3, how="typed")
        elif q < 8:  # B loads the four alternatives and picks the right one: 1 point
            await b.send({"type": "alternatives", "q": q})
            choices = (await b.expect("alternatives", q=q))["choices"]
            assert sorted(choices) == sorted([stored.answer, *stored.wrong])
            await a.expect("opponent", q=q, action="alternatives")
            await b.send({"type": "choose", "q": q, "choice": choices.index(stored.answer)})
            expected = dict(by=b.id, points=1, how="choice")
        elif q == 8:  # both pick wrong: the question closes early, nobody scores
            for me, other in ((a, b), (b, a)):
                await me.send({"type": "alternatives", "q": q})
                choices = (await me.expect("alternatives", q=q))["choices"]
                await other.expect("opponent", q=q, action="alternatives")
                wrong = next(i for i, c in enumerate(choices) if c != stored.answer)
                await me.send({"type": "choose", "q": q, "choice": wrong})
                await me.expect("wrong", q=q, tries_left=0, choice=wrong)
                await other.expect("opponent", q=q, action="chose_wrong")
            expected = dict(by=None, points=0, how=None)
        else:  # nobody answers: the server's clock closes it
            expected = dict(by=None, points=0, how=None)
        for player in (a, b):
            reveal = await player.expect("reveal", q=q, answer=stored.answer, **expected)
        assert reveal["scores"] == {a.id: 3 * min(q // 2 + 1, 4), b.id: min((q + 1) // 2, 4)}

    for player in (a, b):
        end = await player.expect("end", id=battle_a["id"], reason="complete", winner=a.id)
        assert end["scores"] == {a.id: 12, b.id: 4}
        assert [item["text"] for item in end["review"]] == [q.text for q in asked]
    assert end["review"][0]["typed"][a.id] == [asked[0].wrong[0], with_typo(asked[0].answer, asked[0])]
    assert end["review"][1]["how"] == "choice" and end["review"][1]["by"] == b.id

    await server.hub.shutdown()  # waits for the result to be written
    record = await server.store.get_battle(battle_a["id"])
    assert record.reason is BattleEnd.COMPLETE and record.winner == a.id
    assert record.scores == {a.id: 12, b.id: 4}
    assert [o.question_id for o in record.outcomes] == [q.id for q in asked]
    assert record.outcomes[0].typed[a.id][0] == asked[0].wrong[0]
    stats = [(await server.store.get_question(q.id)).stats for q in asked]
    assert [s.asked for s in stats] == [1] * 10
    assert sum(s.typed_right for s in stats) == 4 and sum(s.choice_right for s in stats) == 4
    assert sum(s.nobody for s in stats) == 2
    await a.close()
    await b.close()


async def test_questions_are_distinct_and_avoid_what_the_players_just_saw(server):
    book = await answer_book(server.store)
    a, b = TRANSPORTS["websocket"](server.base_url), TRANSPORTS["websocket"](server.base_url)
    await pair(a, b)
    first = []
    for q in range(10):
        first.append((await a.expect("question", q=q))["text"])
        await a.send({"type": "answer", "q": q, "text": book[first[-1]].answer})
        await a.until("reveal")
    await a.until("end")
    assert len(set(first)) == 10
    await b.send({"type": "play"})
    await a.send({"type": "play"})
    await a.until("battle")
    second = [(await a.until("question"))["text"]]
    assert not set(second) & set(first)
    await a.close()
    await b.close()
