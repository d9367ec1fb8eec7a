"""The result screen in Chromium at phone size: each player's picks and typed answers with
their times, who was faster, accuracy, and the explanation and source."""

from __future__ import annotations

import re

from playwright.async_api import expect

from kwissle.model import QuestionStatus

from .phone import ANSWERS, QUESTIONS, phone

TIMINGS = dict(question_seconds=12.0, reveal_seconds=0.5, questions_per_battle=3, seed=False)
TIME = r"(\d+\.\d) s"


async def test_the_result_screen_names_a_wrong_pick_and_shows_times(serve, browser):
    server = await serve(**TIMINGS)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    a = await phone(browser, server)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await phone(browser, server)
    await b.open_play()

    plan = {}  # question text -> what happened, to check the review against
    for q in range(3):
        text = await a.wait_question(q)
        await b.wait_question(q)
        question = ANSWERS[text]
        if q == 0:
            # A picks a wrong alternative, then B types the answer.
            wrong = question.wrong[0]
            choices = await a.show_alternatives()
            assert wrong in choices
            await a.page.wait_for_timeout(400)  # past the tap guard
            await a.choose(wrong)
            await a.wait_text("#feedback", "Not that one")
            await b.page.wait_for_timeout(600)  # B answers clearly later
            await b.type_answer(question.answer)
            await b.wait_reveal("You got it! +3")
            plan[text] = ("pick", wrong)
        elif q == 1:
            # A types a wrong answer, B types the right one: both have typed times.
            await a.type_answer(question.wrong[0])
            await a.wait_text("#feedback", "Wrong")
            await b.page.wait_for_timeout(600)
            await b.type_answer(question.answer)
            await b.wait_reveal("You got it! +3")
            plan[text] = ("typed", question.wrong[0])
        else:
            await a.type_answer(question.answer)
            await a.wait_reveal("You got it! +3")
            plan[text] = ("right", question.answer)

    for me, them in ((a, b), (b, a)):
        await me.wait_screen("result")
        items = me.page.locator("#review .review__item")
        await expect(items).to_have_count(3)
        texts = [t.strip() for t in await me.page.locator("#review .review__text").all_text_contents()]
        for i, text in enumerate(texts):
            kind, said = plan[text]
            item = items.nth(i)
            a_row = item.locator(".review__typed dd").nth(0 if me is a else 1)
            row_text = (await a_row.text_content()) or ""
            if kind == "pick":
                # The wrong pick is named, with its time: never "typed nothing".
                assert re.fullmatch(rf"picked {re.escape(said)} at {TIME}", row_text.strip()), row_text
                await expect(a_row.locator(".review__pick--wrong strong")).to_have_text(said)
            else:
                assert re.fullmatch(rf"{re.escape(said)} at {TIME}", row_text.strip()), row_text
            if kind in ("pick", "typed"):
                # Both answered: who was faster, by the gap between the times shown.
                rows = [(await item.locator(".review__typed dd").nth(k).text_content()) or "" for k in (0, 1)]
                mine, theirs = (float(re.search(TIME, row).group(1)) for row in rows)
                faster = (await item.locator(".review__faster").text_content()) or ""
                gap = abs(mine - theirs)
                assert (mine < theirs) == (me is a)  # A acted first each time
                if mine < theirs:
                    assert re.fullmatch(rf"You were {TIME} faster", faster), faster
                else:
                    assert re.fullmatch(rf"{re.escape(them.name)} was {TIME} faster", faster), faster
                assert abs(float(re.search(TIME, faster).group(1)) - gap) <= 0.11, (faster, rows)
            else:
                await expect(item.locator(".review__faster")).to_have_count(0)  # only A answered
            if text == QUESTIONS[0].text:
                await expect(item.locator(".notes__explanation")).to_have_text(QUESTIONS[0].explanation)
                await expect(item.locator("a.notes__link")).to_have_attribute("href", QUESTIONS[0].link)

        accuracy = me.page.locator("#result-accuracy li")
        a_line = "You" if me is a else a.name
        b_line = "You" if me is b else b.name
        await expect(accuracy.filter(has_text=re.compile(rf"^{re.escape(a_line)}\b"))).to_have_text(
            f"{a_line}: 1 right of 3 answered (33%)")
        await expect(accuracy.filter(has_text=re.compile(rf"^{re.escape(b_line)}\b"))).to_have_text(
            f"{b_line}: 2 right of 2 answered (100%)")
        await me.fits_width()
        await me.screenshot(f"result-{'a' if me is a else 'b'}")
    a.assert_clean()
    b.assert_clean()
