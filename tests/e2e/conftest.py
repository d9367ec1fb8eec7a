"""Browser tests: Debian's Chromium driven by Playwright's async API, against the in-process server.

The server (tests/conftest.py start_server) and Playwright share the test's event
loop. Each `Player` is its own browser context, so its own cookie jar: one guest.
Nothing here downloads a browser: /usr/bin/chromium comes from `apt-get install chromium`.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.conftest import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SOCKJS_CLIENT = ROOT / "static" / "vendor" / "sockjs.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Short enough for quick tests, long enough that a browser on a busy CI machine keeps up.
E2E_TIMINGS = dict(question_seconds=4.0, reveal_seconds=0.3, resume_seconds=5.0)
# Waiting on page state: generous, since a battle step includes a server round trip.
STEP_MS = 8000
DESKTOP = {"width": 1000, "height": 860}
# How long after the alternatives appear a test picks one: past the page's 300 ms tap guard.
PICK_AFTER_SECONDS = 0.4
PHONE = {"width": 360, "height": 740}


CLIPPED_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.body.querySelectorAll("*")) {
    const rect = node.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || !node.checkVisibility()) continue;
    if (rect.left < -0.5 || rect.right > width + 0.5) {
      out.push(`${node.tagName.toLowerCase()}#${node.id}.${node.className}: ${Math.round(rect.left)}..${Math.round(rect.right)}`);
    }
  }
  return out;
}"""
SETTLE_ANIMATIONS = """() => Promise.all(document.getAnimations()
  .filter(a => a.effect.getComputedTiming().iterations !== Infinity && a.effect.target?.id !== "timer-bar")
  .map(a => a.finished.catch(() => null)))"""


def shot_path(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(apt-get update && apt-get install -y chromium). Never `playwright install`.")
    if not SOCKJS_CLIENT.exists():
        pytest.fail(f"{SOCKJS_CLIENT.relative_to(ROOT)} is missing: run `npm install` at the repo root "
                    "(it copies sockjs-client into static/vendor).")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: .venv/bin/pip install -e '.[test]'")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def serve(tmp_path):
    """Start the in-process server with short timings: `server = await serve(**overrides)`."""
    running = []

    async def start(**overrides):
        server = await start_server(tmp_path / f"server{len(running)}", **{**E2E_TIMINGS, **overrides})
        running.append(server)
        return server

    yield start
    for server in running:
        await stop_server(server)


class Player:
    """One browser context (one guest) with a page, and helpers that wait on what the page shows."""

    def __init__(self, context, page, base_url: str) -> None:
        self.context = context
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        self.id: str | None = None
        self.name: str | None = None
        self.watch(page)

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", lambda dialog: self.problems.append(f"dialog: {dialog.message}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or (message.type == "error" and "404" not in text):
            self.problems.append(f"console {message.type}: {text}")

    @classmethod
    async def new(cls, browser, base_url: str, viewport=DESKTOP, reduced_motion=None) -> "Player":
        context = await browser.new_context(viewport=viewport, base_url=base_url, reduced_motion=reduced_motion)
        page = await context.new_page()
        page.set_default_timeout(STEP_MS)
        return cls(context, page, base_url)

    async def open_play(self) -> None:
        # The ticket the page fetches names the guest: listen for it to learn who we are.
        async with self.page.expect_response(re.compile(r"/api/ticket$")) as info:
            await self.page.goto("/play")
        body = await (await info.value).json()
        self.id, self.name = body["player"]["id"], body["player"]["name"]

    # --- reading the page -------------------------------------------------------

    async def text(self, selector: str) -> str:
        return (await self.page.locator(selector).text_content()) or ""

    async def wait_screen(self, name: str) -> None:
        await self.page.locator(f"#screen-{name}").wait_for(state="visible")

    async def wait_text(self, selector: str, pattern: str | re.Pattern) -> None:
        from playwright.async_api import expect
        await expect(self.page.locator(selector)).to_have_text(
            pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern)), timeout=STEP_MS)

    async def wait_question(self, q: int) -> str:
        """Wait until question `q` (0-based) is open on screen and return its text."""
        await self.wait_screen("battle")
        await self.wait_text("#q-number", re.compile(rf"^Question {q + 1} of \d+$"))
        await self.page.locator("#reveal").wait_for(state="hidden")
        await self.page.locator("#answer-form").wait_for(state="visible")
        return await self.text("#q-text")

    async def wait_reveal(self, headline: str | re.Pattern) -> None:
        await self.page.locator("#reveal").wait_for(state="visible")
        await self.wait_text("#reveal-headline", headline)

    async def scores(self) -> tuple[int, int]:
        return int(await self.text("#me-score")), int(await self.text("#them-score"))

    async def wait_scores(self, mine: int, theirs: int) -> None:
        await self.wait_text("#me-score", re.compile(rf"^{mine}$"))
        await self.wait_text("#them-score", re.compile(rf"^{theirs}$"))

    async def focused_id(self) -> str:
        return await self.page.evaluate("document.activeElement && document.activeElement.id")

    async def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0 is good)."""
        return await self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth")

    async def clipped(self) -> list[str]:
        """Visible elements that stick out of the viewport sideways (hidden by some overflow: hidden)."""
        return await self.page.evaluate(CLIPPED_ELEMENTS)

    async def fits_width(self) -> None:
        assert await self.horizontal_overflow() == 0
        assert await self.clipped() == []

    # --- acting ---------------------------------------------------------------------

    async def type_answer(self, text: str) -> None:
        await self.page.locator("#answer-input").fill(text)
        await self.page.locator("#answer-input").press("Enter")

    async def show_alternatives(self) -> list[str]:
        await self.page.locator("#show-alternatives").click()
        await self.page.locator("#choices").wait_for(state="visible")
        # The page ignores a pick in the first TAP_GUARD_MS after the choices appear (a double tap
        # on "Show alternatives" must pick nothing: static/js/battle-view.js); a person reads first.
        await asyncio.sleep(PICK_AFTER_SECONDS)
        return [t.strip() for t in await self.page.locator("#choices .choice__text").all_text_contents()]

    async def choose(self, text: str) -> None:
        await self.page.locator("#choices .choice", has_text=text).first.click()

    async def screenshot(self, name: str) -> None:
        # Let entry animations end (not the countdown) so the picture shows the settled state;
        # a background tab does not animate, so bring this one to the front first.
        await self.page.bring_to_front()
        await self.page.evaluate(SETTLE_ANIMATIONS)
        await self.page.screenshot(path=shot_path(name), full_page=True)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def new_player(serve, browser):  # after `serve`: browsers close before the servers stop
    async def make(server, viewport=DESKTOP, reduced_motion=None) -> Player:
        return await Player.new(browser, server.base_url, viewport, reduced_motion)

    return make
