"""The play page at phone width (360 px): no sideways scrolling, and the keyboard alone plays."""

from playwright.async_api import expect

from kwissle.model import NewQuestion, QuestionStatus
from tests.realtime.test_battle_over_sockjs import answer_book

from .conftest import PHONE

# Long words, a long category and a long answer: what breaks a narrow layout.
QUESTIONS = [
    NewQuestion(
        text="Which village on Anglesey has the longest place name in Europe, "
             "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch for short?",
        answer="Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
        variants=("Llanfairpwll", "Llanfair PG"),
        wrong=("Aberystwyth", "Betws-y-Coed", "Rhosllannerchrugog-by-the-Sea-and-the-Mountains"),
        category="Geography of the British Isles and Ireland",
    ),
    NewQuestion(
        text="Which element has the chemical symbol Au?",
        answer="Gold",
        variants=(),
        wrong=("Silver", "Argon", "Aluminium"),
        category="Science",
    ),
]


async def test_phone_width_has_no_horizontal_scroll_and_the_keyboard_plays(serve, new_player):
    server = await serve(seed=False)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    book = await answer_book(server.store)
    a = await new_player(server, viewport=PHONE)
    await a.open_play()
    await a.wait_screen("waiting")
    await a.fits_width()
    b = await new_player(server, viewport=PHONE)
    await b.open_play()

    for q in range(2):
        text = await a.wait_question(q)
        await b.wait_question(q)
        question = book[text]
        assert await a.focused_id() == "answer-input"  # focused at once: just type
        await a.fits_width()
        if question.answer != "Gold":
            # A wrong typed answer, then Tab to "Show alternatives", Enter, and a number key.
            await a.page.keyboard.type(question.wrong[0])
            await a.page.keyboard.press("Enter")
            await a.wait_text("#feedback", "Wrong — 2 tries left")
            await a.screenshot("07-phone-question")
            for _ in range(4):
                if await a.focused_id() == "show-alternatives":
                    break
                await a.page.keyboard.press("Shift+Tab")  # the tools row sits above the answer box
            assert await a.focused_id() == "show-alternatives"
            outline = await a.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("", "none")  # the focus is visible
            await a.page.keyboard.press("Enter")
            await a.page.locator("#choices").wait_for(state="visible")
            assert await a.page.evaluate("document.activeElement.classList.contains('choice')")
            choices = [c.strip() for c in await a.page.locator("#choices .choice__text").all_text_contents()]
            await a.fits_width()
            await a.screenshot("08-phone-alternatives")
            await a.page.keyboard.press(str(choices.index(question.answer) + 1))
            await a.wait_reveal("You got it! +1 (alternatives)")
        else:
            # B opens the alternatives and picks a wrong one: the page says so at once.
            await b.page.click("#show-alternatives")
            await b.page.locator("#choices").wait_for(state="visible")
            picks = [c.strip() for c in await b.page.locator("#choices .choice__text").all_text_contents()]
            wrong = next(i for i, c in enumerate(picks) if c != question.answer)
            await b.page.keyboard.press(str(wrong + 1))
            await b.wait_text("#feedback", "Not that one — you are out of this question. Waiting for the reveal…")
            await expect(b.page.locator("#choices .choice").nth(wrong)).to_have_class("choice choice--wrong")
            await a.page.keyboard.type(question.answer)
            await a.page.keyboard.press("Enter")
            await a.wait_reveal("You got it! +3")
        await a.fits_width()
        await b.fits_width()
        if q == 1:  # the last reveal stays up a moment before the result screen
            await b.screenshot("07-phone-reveal")

    await a.wait_screen("result")
    await a.wait_text("#result-title", "You win!")
    await a.fits_width()
    await b.fits_width()
    await a.screenshot("09-phone-result")

    # Reporting works from the keyboard too: Tab to the control, Enter, type, Enter.
    for _ in range(12):
        if await a.page.evaluate("document.activeElement.classList.contains('report__toggle')"):
            break
        await a.page.keyboard.press("Tab")
    await a.page.keyboard.press("Enter")
    await a.page.keyboard.type("The answer should accept Llanfair PG")
    await a.page.keyboard.press("Enter")
    await a.wait_text("#review .review__item:first-child .report__status", "Report sent")
    for player in (a, b):
        player.assert_clean()
