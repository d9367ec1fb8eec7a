"""A battle survives a page reload and a dropped connection."""

from playwright.async_api import expect

from tests.realtime.test_battle_over_sockjs import answer_book

from .test_battle import pair_up

# Records every text an element shows, so a state that lasts a moment can be asserted afterwards.
RECORD_TEXTS = """([selector, key]) => {
  const node = document.querySelector(selector);
  window[key] = [];
  new MutationObserver(() => window[key].push(node.textContent))
    .observe(node, {childList: true, characterData: true, subtree: true});
}"""


async def test_reloading_mid_battle_resumes_the_same_question_and_keeps_the_scores(serve, new_player):
    # Longer questions: a reload must never race the question's deadline on a slow machine.
    server = await serve(questions_per_battle=3, question_seconds=10.0)
    book = await answer_book(server.store)
    a, b = await pair_up(server, new_player)

    text = await a.wait_question(0)
    await b.wait_question(0)
    await a.type_answer(book[text].answer)
    await b.wait_reveal(f"Stolen by {a.name}")

    text = await b.wait_question(1)
    await a.wait_question(1)
    choices = await b.show_alternatives()
    await a.wait_text("#cue", f"{b.name} opened the alternatives.")
    await b.page.evaluate(RECORD_TEXTS, ["#cue", "cueLog"])
    await a.page.evaluate(RECORD_TEXTS, ["#cue", "cueLog"])

    await b.page.reload()
    await b.wait_screen("battle")
    await b.wait_text("#q-number", "Question 2 of 3")
    await expect(b.page.locator("#q-text")).to_have_text(text)
    await expect(b.page.locator("#choices")).to_be_visible()  # the alternatives she had loaded
    assert [c.strip() for c in await b.page.locator("#choices .choice__text").all_text_contents()] == choices
    await b.wait_scores(0, 3)
    await b.wait_text("#them-name", a.name)
    await b.wait_text("#me-name", b.name)
    left = int((await b.text("#timer-seconds")).rstrip("s"))
    assert 0 < left <= 10  # the time left as the server told it on resume
    await a.wait_text("#cue", f"{b.name} is back.")
    cues = await a.page.evaluate("window.cueLog")
    assert any(c.startswith(f"{b.name} lost connection — waiting for them to come back (") for c in cues), cues

    await b.page.keyboard.press(str(choices.index(book[text].answer) + 1))
    await b.wait_reveal("You got it! +1 (alternatives)")
    await a.wait_reveal(f"Stolen by {b.name}")
    await a.wait_scores(3, 1)
    await b.wait_scores(1, 3)

    # Now the server drops A's connection: the page says so, reconnects with a fresh ticket, resumes.
    text = await a.wait_question(2)
    await b.wait_question(2)
    await a.page.evaluate(RECORD_TEXTS, ["#connection", "bannerLog"])
    await b.page.evaluate(RECORD_TEXTS, ["#cue", "cueLog"])
    async with a.page.expect_response("**/api/ticket"):
        for conn in list(server.hub._online[a.id].connections):
            conn.close()
    await a.wait_text("#connection", "Reconnected.")
    banners = await a.page.evaluate("window.bannerLog")
    assert any(t.startswith("Connection lost") for t in banners), banners
    await b.wait_text("#cue", f"{a.name} is back.")
    cues = await b.page.evaluate("window.cueLog")
    assert any(c.startswith(f"{a.name} lost connection — waiting for them to come back (") for c in cues), cues
    await expect(a.page.locator("#q-text")).to_have_text(text)
    await a.wait_scores(3, 1)
    await a.type_answer(book[text].answer)

    await a.wait_screen("result")
    await b.wait_screen("result")
    await a.wait_text("#result-title", "You win!")
    await b.wait_text("#result-title", "You lose")
    assert (await a.text("#final-me-score"), await a.text("#final-them-score")) == ("6", "1")
    assert await a.page.locator("#review .review__item").count() == 3
    for player in (a, b):
        player.assert_clean()


async def test_reloading_during_a_reveal_shows_that_question_with_its_reveal(serve, new_player):
    """Not "This question has closed.": the reloaded page shows what was asked and who stole it."""
    server = await serve(questions_per_battle=2, question_seconds=10.0, reveal_seconds=6.0)
    book = await answer_book(server.store)
    a, b = await pair_up(server, new_player)
    text = await a.wait_question(0)
    await b.wait_question(0)
    await a.type_answer(book[text].answer)
    await b.wait_reveal(f"Stolen by {a.name}")

    await b.page.reload()
    await b.wait_screen("battle")
    await b.wait_reveal(f"Stolen by {a.name}")
    await expect(b.page.locator("#q-text")).to_have_text(text)
    await b.wait_text("#q-number", "Question 1 of 2")
    await expect(b.page.locator("#reveal-answer")).to_have_text(book[text].answer)
    await b.wait_scores(0, 3)
    await expect(b.page.locator("#answer-form")).to_be_hidden()  # nothing to type on a closed question
    # and the battle goes on to the next question as usual
    await b.wait_question(1)
