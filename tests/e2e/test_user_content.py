"""Question text, categories, alternatives and typed answers are shown as text, never run as HTML."""

from playwright.async_api import expect

from kwissle.model import NewQuestion, QuestionStatus

from .test_battle import pair_up

HOSTILE_TEXT = ('<script>window.__pwned = "script"</script>Which number is '
                '<img src=x onerror="window.__pwned = \'img\'"> two plus two?')
HOSTILE_CATEGORY = '<i onmouseover="window.__pwned = \'category\'">Maths</i>'
HOSTILE_CHOICE = '<img src=x onerror="window.__pwned = \'choice\'">'
HOSTILE_TYPED = '<img src=x onerror="window.__pwned = \'typed\'">'
QUESTION = NewQuestion(
    text=HOSTILE_TEXT,
    answer="Four",
    variants=("4",),
    wrong=(HOSTILE_CHOICE, "<b>Five</b>", "Three & a half"),
    category=HOSTILE_CATEGORY,
)


async def test_markup_in_questions_and_answers_is_shown_as_literal_text(serve, new_player):
    server = await serve(seed=False)
    await server.store.add_questions([QUESTION], QuestionStatus.PUBLISHED)
    a, b = await pair_up(server, new_player)

    for player in (a, b):
        assert await player.wait_question(0) == HOSTILE_TEXT
        await expect(player.page.locator("#q-text")).to_have_text(HOSTILE_TEXT)
        await expect(player.page.locator("#q-category")).to_have_text(HOSTILE_CATEGORY)
        assert await player.page.locator("#q-text *, #q-category *").count() == 0
    await a.screenshot("11-literal-markup")

    await a.type_answer(HOSTILE_TYPED)
    await a.wait_text("#feedback", "Wrong — 2 tries left")
    choices = await b.show_alternatives()
    assert sorted(choices) == sorted(["Four", HOSTILE_CHOICE, "<b>Five</b>", "Three & a half"])
    assert await b.page.locator("#choices img, #choices b").count() == 0
    await b.choose("<b>Five</b>")
    await a.type_answer("four")

    for player in (a, b):
        await player.wait_screen("result")
        await expect(player.page.locator("#review .review__text")).to_have_text([HOSTILE_TEXT])
        assert HOSTILE_TYPED in await player.page.locator("#review .typed").all_text_contents()
        assert await player.page.locator("#app img, #app script, #review b").count() == 0
        assert await player.page.evaluate("window.__pwned") is None
        player.assert_clean()
