"""How the play page feels on a phone: dark mode (the system's, and a toggle remembered on the
device), the sound toggle remembered too, a buzz on a steal, and reduced motion honoured."""

from __future__ import annotations

import re

from playwright.async_api import expect

from kwissle.model import QuestionStatus

from .phone import ANSWERS, QUESTIONS, phone

TIMINGS = dict(question_seconds=12.0, reveal_seconds=2.5, questions_per_battle=3, seed=False)
BACKGROUND = "getComputedStyle(document.body).backgroundColor"
CARD = "getComputedStyle(document.querySelector('.card')).backgroundColor"


def luminance(css_rgb: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css_rgb)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


async def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(serve, browser):
    server = await serve(seed=False)
    dark = await phone(browser, server, color_scheme="dark")
    await dark.page.goto("/play")
    assert luminance(await dark.page.evaluate(BACKGROUND)) < 0.2
    assert luminance(await dark.page.evaluate(CARD)) < 0.2
    toggle = dark.page.locator("#theme-toggle")
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await dark.screenshot("feel-01-dark")

    # The toggle pins the light theme; a reload (and another page) keeps it, before any script runs.
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    assert luminance(await dark.page.evaluate(BACKGROUND)) > 0.8
    await dark.page.reload()
    await expect(dark.page.locator("html")).to_have_attribute("data-theme", "light")
    assert luminance(await dark.page.evaluate(BACKGROUND)) > 0.8
    await dark.page.goto("/rules")
    assert luminance(await dark.page.evaluate(BACKGROUND)) > 0.8

    # And the other way round from a light system.
    light = await phone(browser, server, color_scheme="light")
    await light.page.goto("/")
    assert luminance(await light.page.evaluate(BACKGROUND)) > 0.8
    await light.page.locator("#theme-toggle").click()
    await light.page.goto("/play")
    assert luminance(await light.page.evaluate(BACKGROUND)) < 0.2
    await light.fits_width()
    dark.assert_clean()
    light.assert_clean()


async def test_sound_is_off_until_turned_on_and_remembered(serve, browser):
    server = await serve(seed=False)
    player = await phone(browser, server)
    await player.page.goto("/play")
    sound = player.page.get_by_role("button", name=re.compile("^Sound"))
    await expect(sound).to_have_text("Sound off")
    await expect(sound).to_have_attribute("aria-pressed", "false")
    await sound.click()
    await expect(sound).to_have_text("Sound on")
    await player.page.reload()
    await expect(player.page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "true")
    player.assert_clean()


async def test_reduced_motion_and_a_buzz_on_a_steal(serve, browser):
    server = await serve(**TIMINGS)
    await server.store.add_questions(QUESTIONS, QuestionStatus.PUBLISHED)
    a = await phone(browser, server, reduced_motion="reduce")
    # Record vibrations instead of making them (the test browser has no motor).
    await a.context.add_init_script("navigator.vibrate = (p) => { (window.kwissleBuzz ||= []).push(p); return true; };")
    await a.open_play()
    await a.wait_screen("waiting")
    b = await phone(browser, server)
    await b.open_play()
    text = await a.wait_question(0)
    await b.wait_question(0)

    motion = await a.page.evaluate("""() => {
      const q = document.querySelector('#question');
      const choice = document.querySelector('.choice');
      return {
        question: getComputedStyle(q).animationName,
        cue: getComputedStyle(document.querySelector('#cue')).transitionDuration,
        choice: getComputedStyle(choice).transitionDuration,
        scroll: getComputedStyle(document.documentElement).scrollBehavior,
      };
    }""")
    assert motion["question"] == "none", motion  # no pop-in for the question card
    assert all(float(d.rstrip("ms") or 0) <= 0.01 for d in motion["cue"].split(",")), motion
    assert all(float(d.rstrip("ms") or 0) <= 0.01 for d in motion["choice"].split(",")), motion
    assert motion["scroll"] == "auto", motion
    # The timer is information, not decoration: its bar still shows the time left (in steps).
    scale = await a.page.evaluate("new DOMMatrix(getComputedStyle(document.querySelector('#timer-bar')).transform).a")
    assert 0.5 < scale <= 1, scale

    await a.page.locator("#answer-input").blur()
    await a.page.locator("#show-alternatives").tap()
    await a.page.locator("#choices").wait_for(state="visible")
    await b.type_answer(ANSWERS[text].answer)
    await a.wait_reveal(f"Stolen by {b.name}")
    # No smooth scroll: the banner is in view at once, not after an animation.
    await expect(a.page.locator("#reveal")).to_be_in_viewport(ratio=1.0, timeout=500)
    assert await a.page.evaluate("window.kwissleBuzz") == [[60, 40, 60]]
    await a.screenshot("feel-02-reduced-motion-steal")
    a.assert_clean()
    b.assert_clean()
