"""A phone for the browser tests: a 360x740 context with touch (has_touch, is_mobile), and a
small question bank whose answers the tests know."""

from __future__ import annotations

from kwissle.model import NewQuestion

from .conftest import PHONE, STEP_MS, Player

QUESTIONS = [
    NewQuestion(text="What is the capital city of Australia?", answer="Canberra", variants=(),
                wrong=("Sydney", "Melbourne", "Perth"), category="Geography",
                explanation="Chosen in 1908 as a compromise between Sydney and Melbourne.",
                link="https://en.wikipedia.org/wiki/Canberra"),
    NewQuestion(text="Which element has the chemical symbol Au?", answer="Gold", variants=(),
                wrong=("Silver", "Copper", "Platinum"), category="Science"),
    NewQuestion(text="Which planet orbits closest to the Sun?", answer="Mercury", variants=(),
                wrong=("Venus", "Mars", "Earth"), category="Space"),
]
ANSWERS = {q.text: q for q in QUESTIONS}


async def phone(browser, server, **options) -> Player:
    """One guest on a touch phone; `options` go to the browser context (color_scheme, reduced_motion...)."""
    context = await browser.new_context(viewport=dict(PHONE), has_touch=True, is_mobile=True,
                                        base_url=server.base_url, **options)
    page = await context.new_page()
    page.set_default_timeout(STEP_MS)
    return Player(context, page, server.base_url)


async def tap_at(player: Player, x: float, y: float) -> None:
    await player.page.touchscreen.tap(x, y)


async def centre(player: Player, selector: str) -> tuple[float, float]:
    box = await player.page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
