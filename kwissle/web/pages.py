"""The pages players see: home, the play page, the rules.

Pages are thin: they render a template that extends base.html. Everything a
page does live (the status poll, the battle) is in static/js, loaded by
static_url, so the pages carry no inline script and a strict CSP holds.
"""

from __future__ import annotations

import inspect

from tornado.web import URLSpec

from kwissle.storage.port import StorageError
from kwissle.web.base import BaseHandler


class PageHandler(BaseHandler):
    """A server-rendered HTML page: never cached by shared caches, always revalidated."""

    template = ""
    title = ""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-cache")

    async def prepare(self) -> None:
        """Who is signed in, for the header of every page (`current_user` in templates: the
        account, or None for a guest or nobody). A store that does not answer shows "Sign in"."""
        try:
            self.current_user = await self.signed_in_player()
        except StorageError:
            self.current_user = None

    def get(self) -> None:
        self.render(self.template, title=self.title, rules=self.kwissle.rules)

    async def head(self, *args: str) -> None:
        """Monitors and link checkers: what GET would answer (Tornado sends no body for HEAD)."""
        answer = self.get(*args)
        if inspect.isawaitable(answer):
            await answer


class HomeHandler(PageHandler):
    template = "home.html"
    title = "Head-to-head quiz battles"


class PlayHandler(PageHandler):
    template = "play.html"
    title = "Play"


class AboutHandler(PageHandler):
    template = "about.html"
    title = "How to play"


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/", HomeHandler, name="home"),
        URLSpec(r"/play", PlayHandler, name="play"),
        URLSpec(r"/about", AboutHandler, name="about"),
        URLSpec(r"/rules", AboutHandler, name="rules"),
    ]
