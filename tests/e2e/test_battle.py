"""Two guests in two browsers play a whole battle on the play page."""

import asyncio
import re

from kwissle.bank.starter import load_starter_bank
from kwissle.model import QuestionStatus
from tests.realtime.test_battle_over_sockjs import answer_book, with_typo

from .conftest import Player


async def publish_typo_friendly_bank(store) -> None:
    """The starter questions whose answer is long enough for the judge to forgive a typo."""
    bank = [q for q in load_starter_bank() if with_typo(q.answer, q) != q.answer.upper()]
    assert len(bank) >= 10
    await store.add_questions(bank, QuestionStatus.PUBLISHED)


async def pair_up(server, new_player, **kwargs) -> tuple[Player, Player]:
    a = await new_player(server, **kwargs)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await new_player(server, **kwargs)
    await b.open_play()
    await a.wait_screen("battle")
    await b.wait_screen("battle")
    return a, b


async def eventually(check, timeout: float = 5.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result or loop.time() > deadline:
            return result
        await asyncio.sleep(0.05)


async def test_two_guests_play_a_whole_battle_to_the_result_screen(serve, new_player):
    server = await serve(questions_per_battle=4, seed=False)
    await publish_typo_friendly_bank(server.store)
    book = await answer_book(server.store)

    a = await new_player(server)
    await a.open_play()
    await a.wait_screen("waiting")
    await a.wait_text("#waiting-online", re.compile(r"^Nobody else online right now$"))
    await a.screenshot("02-waiting")
    b = await new_player(server)
    await b.open_play()
    for me, them in ((a, b), (b, a)):
        await me.wait_screen("battle")
        await me.wait_text("#me-name", me.name)
        await me.wait_text("#them-name", them.name)

    # Q1: A misses once, then types the right answer with a typo (3 points): stolen from B.
    text = await a.wait_question(0)
    assert await b.wait_question(0) == text
    assert await a.focused_id() == "answer-input"
    category = await a.text("#q-category")
    assert category == book[text].category
    q1 = book[text]
    await a.screenshot("03-question")
    await a.type_answer(q1.wrong[0])
    await a.wait_text("#feedback", "Wrong — 2 tries left")
    await b.wait_text("#cue", f"{a.name} typed a wrong answer.")
    typo = with_typo(q1.answer, q1)
    assert typo.lower() != q1.answer.lower()
    await a.type_answer(typo)
    await a.wait_reveal("You got it! +3")
    await b.wait_reveal(f"Stolen by {a.name}")
    for player in (a, b):
        await player.wait_text("#reveal-answer", q1.answer)
    await a.wait_scores(3, 0)
    await b.wait_scores(0, 3)

    # A second tab of A joins mid-battle (same cookie, same player): it follows the battle too.
    a2 = Player(a.context, await a.context.new_page(), server.base_url)
    await a2.page.goto("/play")
    await a2.wait_screen("battle")

    # Q2: B shows the alternatives and picks the right one (1 point).
    text = await a.wait_question(1)
    assert await b.wait_question(1) == text
    q2 = book[text]
    choices = await b.show_alternatives()
    assert sorted(choices) == sorted([q2.answer, *q2.wrong])
    await a.wait_text("#cue", f"{b.name} opened the alternatives.")
    await b.screenshot("04-alternatives")
    await b.choose(q2.answer)
    await b.wait_reveal("You got it! +1 (alternatives)")
    await a.wait_reveal(f"Stolen by {b.name} — +1, with the alternatives")
    await a.wait_scores(3, 1)
    await b.wait_scores(1, 3)

    # Q3: A picks a wrong alternative and is locked out; B types the answer (3 points).
    text = await a.wait_question(2)
    await b.wait_question(2)
    q3 = book[text]
    await a.show_alternatives()
    await a.choose(q3.wrong[0])
    await b.wait_text("#cue", f"{a.name} picked a wrong alternative.")
    await b.type_answer(q3.answer)
    await b.wait_reveal("You got it! +3")
    await a.wait_reveal(f"Stolen by {b.name}")
    await a.wait_text("#feedback", "Your pick was wrong.")
    await a.wait_scores(3, 4)
    await b.wait_scores(4, 3)

    # Q4: both pick wrong: the question closes at once and nobody scores.
    text = await a.wait_question(3)
    await b.wait_question(3)
    q4 = book[text]
    await a.show_alternatives()
    await b.show_alternatives()
    await a.choose(q4.wrong[1])
    await b.choose(q4.wrong[2])

    # The result: B wins 4 to 3, and both see the same story.
    await a.wait_screen("result")
    await b.wait_screen("result")
    await a.wait_text("#result-title", "You lose")
    await b.wait_text("#result-title", "You win!")
    await a.wait_text("#result-sub", f"{b.name} wins 4 to 3.")
    for me, mine, theirs in ((a, 3, 4), (b, 4, 3)):
        assert await me.text("#final-me-score") == str(mine)
        assert await me.text("#final-them-score") == str(theirs)
        items = me.page.locator("#review .review__item")
        assert await items.count() == 4
        assert [t.strip() for t in await me.page.locator("#review .review__text").all_text_contents()] == [
            q1.text, q2.text, q3.text, q4.text]
        answers = await me.page.locator("#review .review__answer strong").all_text_contents()
        assert answers == [q1.answer, q2.answer, q3.answer, q4.answer]
    taken_a = await a.page.locator("#review .review__taken").all_text_contents()
    assert taken_a == ["You took it — typed it, +3", f"{b.name} took it — with the alternatives, +1",
                       f"{b.name} took it — typed it, +3", "Nobody took it"]
    taken_b = await b.page.locator("#review .review__taken").all_text_contents()
    assert taken_b[0] == f"{a.name} took it — typed it, +3"
    first_a = a.page.locator("#review .review__item").first
    assert await first_a.locator(".review__typed dd").first.locator(".typed").all_text_contents() == [
        q1.wrong[0], typo]
    first_b = b.page.locator("#review .review__item").first
    assert await first_b.locator(".review__typed dt").all_text_contents() == ["You", a.name]
    assert await first_b.locator(".review__typed dd").nth(1).locator(".typed").all_text_contents() == [
        q1.wrong[0], typo]
    await a.screenshot("06-result")

    # Reporting a question: sent from one tab, refused (already reported) from the other.
    item = a.page.locator("#review .review__item").nth(1)
    await item.get_by_role("button", name="Report this question").click()
    await item.get_by_label("What is wrong with this question?").fill("Two of the alternatives are right")
    await item.get_by_role("button", name="Send report").click()
    await a.wait_text("#review .review__item:nth-child(2) .report__status", "Report sent")
    await a2.wait_screen("result")
    await a2.page.bring_to_front()  # a background tab barely animates: clicks would wait on it
    again = a2.page.locator("#review .review__item").nth(1)
    await again.get_by_role("button", name="Report this question").click()
    await again.get_by_label("What is wrong with this question?").fill("Still wrong")
    await again.get_by_role("button", name="Send report").click()
    await a2.wait_text("#review .review__item:nth-child(2) .report__status",
                       re.compile(r"^Not sent: .*already reported"))
    reports = await eventually(lambda: server.store.list_reports())
    assert [(r.question_id, r.player_id, r.reason) for r in reports] == [
        (q2.id, a.id, "Two of the alternatives are right")]

    # Play again puts B back in the queue.
    await b.page.get_by_role("button", name="Play again").click()
    await b.wait_screen("waiting")
    for player in (a, a2, b):
        player.assert_clean()
