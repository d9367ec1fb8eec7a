"""The moderation journey in real Chromium: an admin opens the queue, edits a queued question
(trying answers in the judge box as they type), publishes it, and two players then meet it in
a battle."""

import json
import re

from playwright.async_api import expect
from tornado.web import create_signed_value

from kwissle.model import NewQuestion, QuestionStatus

from .conftest import PHONE, STEP_MS

OTHER = NewQuestion(text="Which planet is known as the Red Planet?", answer="Mars", variants=(),
                    wrong=("Venus", "Jupiter", "Saturn"), category="Science")
SUBMITTED = NewQuestion(text="Which city is the capitel of Zambia?", answer="Lusaka", variants=(),
                        wrong=("Harare", "Nairobi", "Kampala"), category="Geography", source="player")
EDITED_TEXT = "Which city is the capital of Zambia?"


async def as_admin(new_player, server):
    moderator = await server.store.create_player("Mod Erator", guest=False, email="mod@example.org")
    await server.store.set_admin(moderator.id, True)
    admin = await new_player(server)
    value = json.dumps({"id": moderator.id, "name": moderator.name}, separators=(",", ":"))
    await admin.context.add_cookies([{
        "name": "kwissle_player", "url": server.base_url,
        "value": create_signed_value(server.settings.cookie_secret, "kwissle_player", value).decode()}])
    return admin


async def test_review_queue_edit_publish_then_the_question_is_in_a_battle(serve, new_player):
    server = await serve(questions_per_battle=2, seed=False)
    author = await server.store.create_player("Author", guest=False, email="author@example.org")
    await server.store.add_questions([OTHER], QuestionStatus.PUBLISHED)
    [queued] = await server.store.add_questions(
        [NewQuestion(**{**SUBMITTED.__dict__, "author_id": author.id})], QuestionStatus.QUEUED)

    admin = await as_admin(new_player, server)
    page = admin.page
    await page.goto("/admin")
    await expect(page.locator("#queue-count")).to_have_text("1")
    await page.locator("#queue-link").click()
    item = page.locator(f'.admin__item[data-id="{queued.id}"]')
    await expect(item).to_contain_text(SUBMITTED.text)
    await item.get_by_role("link", name="Moderate").click()
    await expect(page.locator("#question-status")).to_contain_text("queued")

    # The judge box answers as the moderator types, with the answers in the form right now.
    verdict = page.locator("#judge-verdict")
    await page.locator("#judge-typed").fill("Lusaka Town")
    await expect(verdict).to_have_text(re.compile("^Refused"), timeout=STEP_MS)
    await page.locator("#variants").fill("Lusaka Town")
    await expect(verdict).to_have_text(re.compile("^Accepted"), timeout=STEP_MS)
    await page.locator("#judge-typed").fill("lusakka")  # a typo the judge forgives
    await expect(verdict).to_have_text(re.compile("^Accepted"), timeout=STEP_MS)
    await page.locator("#judge-typed").fill("Harare")
    await expect(verdict).to_have_text(re.compile("^Refused"), timeout=STEP_MS)

    await page.set_viewport_size(PHONE)
    await admin.fits_width()
    await page.locator("#text").fill(EDITED_TEXT)
    await page.locator("#publish").click()
    await expect(page.locator("#done")).to_have_text("Published: in battles within a minute.")
    await expect(page.locator("#history")).to_contain_text("publish by Mod Erator")
    await expect(page.locator("#history")).to_contain_text(SUBMITTED.text)
    await admin.screenshot("moderation-published")
    admin.assert_clean()
    stored = await server.store.get_question(queued.id)
    assert (stored.status, stored.text, stored.variants) == (QuestionStatus.PUBLISHED, EDITED_TEXT, ("Lusaka Town",))

    await server.hub.questions.refresh()  # the pool's 30-second refresh, now
    a = await new_player(server)
    await a.open_play()
    await a.wait_screen("waiting")
    b = await new_player(server)
    await b.open_play()
    seen = [await a.wait_question(0)]
    await a.type_answer("Lusaka Town" if seen[0] == EDITED_TEXT else "Mars")  # the new variant counts
    await a.wait_reveal("You got it!")
    seen.append(await a.wait_question(1))
    assert EDITED_TEXT in seen and OTHER.text in seen
    a.assert_clean()  # (b never touches its page: Chromium's console then notes a blocked vibration)
