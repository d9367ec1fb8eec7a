"""Signed-in players in two browsers play a battle and see their rating change on the result
screen; the reveal and the review show each question's explanation and source link. A battle
against a guest shows no rating change.

The accounts are made in the server's store and each browser context is given the signed
player cookie the sign-in link would have set (the link itself is tested with the accounts).
"""

import json
import re

from tornado.web import create_signed_value

from kwissle.game import glicko2
from kwissle.model import NewQuestion, QuestionStatus, Rating
from kwissle.web.base import PLAYER_COOKIE
from tests.support.waiting import eventually

from .conftest import PHONE, Player

QUESTIONS = [
    NewQuestion(text="Which planet orbits closest to the Sun?", answer="Mercury", variants=(),
                wrong=("Venus", "Mars", "Jupiter"), category="Science",
                explanation="Mercury's orbit is the smallest: 0.39 times Earth's.",
                link="https://en.wikipedia.org/wiki/Mercury_(planet)"),
    NewQuestion(text="Which element has the chemical symbol Au?", answer="Gold", variants=(),
                wrong=("Silver", "Copper", "Platinum"), category="Science"),
    NewQuestion(text="What is the capital city of Australia?", answer="Canberra", variants=(),
                wrong=("Sydney", "Melbourne", "Perth"), category="Geography",
                explanation="<b>Chosen in 1908</b> as a compromise between Sydney and Melbourne.",
                link="http://www.nla.gov.au/canberra?why=compromise&year=1908"),
]
BOOK = {q.text: q for q in QUESTIONS}


async def signed_in(server, new_player, name: str, email: str, viewport=None) -> Player:
    account = await server.store.create_player(name, guest=False, email=email)
    player = await new_player(server, **({"viewport": viewport} if viewport else {}))
    value = create_signed_value(server.settings.cookie_secret, PLAYER_COOKIE,
                                json.dumps({"id": account.id, "name": account.name}))
    await player.context.add_cookies([{"name": PLAYER_COOKIE, "value": value.decode(), "url": server.base_url}])
    return player


async def play_battle(winner: Player, loser: Player) -> None:
    """Both are on the battle screen: `winner` types every answer first."""
    for q in range(len(QUESTIONS)):
        text = await winner.wait_question(q)
        assert await loser.wait_question(q) == text
        await winner.type_answer(BOOK[text].answer)
        await winner.wait_reveal("You got it! +3")
        await loser.wait_reveal(f"Stolen by {winner.name}")
        for player in (winner, loser):
            await check_reveal_notes(player, BOOK[text])
            await player.fits_width()  # the explanation and a long link wrap at 360 px


async def check_reveal_notes(player: Player, question: NewQuestion) -> None:
    notes = player.page.locator("#reveal-notes")
    if not question.explanation:
        assert await notes.is_hidden()
        return
    assert await notes.locator(".notes__explanation").text_content() == question.explanation
    assert await notes.locator(".notes__source").text_content() == f"Source: {question.link}"
    link = notes.locator("a")
    assert await link.count() == 1
    assert await link.get_attribute("href") == question.link
    assert await link.get_attribute("rel") == "noopener noreferrer"
    assert await link.get_attribute("target") == "_blank"


def shown_change(before: Rating, after: Rating) -> str:
    """What the result screen should say, worked out here from Glicko-2 itself."""
    old, new = round(before.rating), round(after.rating)
    delta = new - old
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return (f"{old}{'?' if before.provisional else ''} → {new}{'?' if after.provisional else ''} "
            f"({sign}{abs(delta)})")


async def test_two_signed_in_players_see_their_rating_change_after_a_battle(serve, new_player):
    server = await serve(questions_per_battle=3, seed=False)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    ana = await signed_in(server, new_player, "Ana", "ana@example.org")
    bo = await signed_in(server, new_player, "Bo", "bo@example.org", viewport=PHONE)
    await ana.open_play()
    assert ana.name == "Ana"
    await ana.wait_screen("waiting")
    await bo.open_play()
    await ana.wait_screen("battle")
    await bo.wait_screen("battle")

    await play_battle(ana, bo)

    won = shown_change(Rating(), glicko2.update(Rating(), Rating(), glicko2.WIN))
    lost = shown_change(Rating(), glicko2.update(Rating(), Rating(), glicko2.LOSS))
    assert won.startswith("1500? → ") and "(+" in won and "(−" in lost
    for me, mine, theirs, them in ((ana, won, lost, "Bo"), (bo, lost, won, "Ana")):
        await me.wait_screen("result")
        await me.page.locator("#result-ratings").wait_for(state="visible")
        assert await me.text("#result-ratings [data-player=me] .ratings__who") == "Your rating"
        assert await me.text("#result-ratings [data-player=me] .ratings__change") == mine
        assert await me.text("#result-ratings [data-player=them] .ratings__who") == f"{them}'s rating"
        assert await me.text("#result-ratings [data-player=them] .ratings__change") == theirs
        # the review repeats each question's explanation and link; player text stays text
        review = me.page.locator("#review .review__item")
        assert await review.count() == 3
        for i in range(3):
            item = review.nth(i)
            question = BOOK[await item.locator(".review__text").text_content()]
            explanation = item.locator(".notes__explanation")
            if question.explanation:
                assert await explanation.text_content() == question.explanation
            else:
                assert await explanation.count() == 0
            assert await item.locator("a.notes__link").count() == (1 if question.link else 0)
        assert await me.page.locator("#review b").count() == 0  # the <b> in an explanation is not markup
    await bo.fits_width()  # the result screen with ratings at 360 px
    await bo.screenshot("ratings-result-phone")
    await ana.screenshot("ratings-result-desktop")

    await eventually(lambda: server.hub.status()["unsaved"] == 0)
    assert (await server.store.get_player(ana.id)).glicko == glicko2.update(Rating(), Rating(), glicko2.WIN)
    assert (await server.store.get_player(bo.id)).glicko == glicko2.update(Rating(), Rating(), glicko2.LOSS)
    for player in (ana, bo):
        player.assert_clean()


async def test_a_battle_between_an_account_and_a_guest_shows_no_rating_change(serve, new_player):
    server = await serve(questions_per_battle=3, seed=False)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    ana = await signed_in(server, new_player, "Ana", "ana@example.org")
    visitor = await new_player(server)
    await ana.open_play()
    await ana.wait_screen("waiting")
    await visitor.open_play()
    await ana.wait_screen("battle")

    await play_battle(visitor, ana)

    for player in (ana, visitor):
        await player.wait_screen("result")
        await player.wait_text("#result-title", re.compile(r"^You (win|lose)!?$"))
        assert await player.page.locator("#result-ratings").is_hidden()
        assert await player.page.locator("#result-ratings .ratings__row").count() == 0
    await eventually(lambda: server.hub.status()["unsaved"] == 0)
    assert (await server.store.get_player(ana.id)).glicko == Rating()
    for player in (ana, visitor):
        player.assert_clean()
