"""The admin app: every page and action under /admin is for admins only.

`AdminHandler` is the base of every admin handler (this module's, and those of
admin_queue, admin_players, admin_reports, admin_triage, admin_imports, admin_stats).
Its `prepare` runs before any handler code, whatever the method: nobody (or a guest)
is sent to sign in and back, a signed-in player who is not an admin gets the 403 page,
and an admin goes on as `self.admin`. Tornado checks the XSRF token of every POST before
`prepare`, so no action can be forged from another site.

`routes()` is where the admin sections register: each module's `routes()` is mounted
under /admin. The admin runs as its own process (`python -m kwissle admin`) or inside
`serve`; sign-in lives on the pages process, so the redirect names `/sign-in` by path.
"""

from __future__ import annotations

import importlib
import time
from urllib.parse import urlencode

import tornado.web
from tornado.web import URLSpec

from kwissle.model import Player, QuestionStatus
from kwissle.storage.port import AlreadyHandled
from kwissle.web.pages import PageHandler

NOT_AN_ADMIN = "The moderators' dashboard is for admins."
SIGN_IN_PATH = "/sign-in"  # served by the pages process, not necessarily this one
# The admin sections, each a module of kwissle.web with a `routes()`, mounted in this order.
SECTIONS = ("admin_queue", "admin_players", "admin_reports", "admin_appeals", "admin_triage",
            "admin_imports", "admin_stats")
# The landing page's links: (label, route name), shown when that route is mounted.
LINKS = (("Players", "admin_players"), ("Reports", "admin_reports"), ("Appeals", "admin_appeals"),
         ("Triage", "admin_triage"), ("Imports", "admin_imports"), ("Stats", "admin_stats"))


class AdminHandler(PageHandler):
    admin: Player

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")  # admin pages show other people's data

    async def prepare(self) -> None:
        player = await self.signed_in_player()
        self.current_user = player
        if player is None:
            if self.json_errors:
                self.fail(401, "Sign in first: this is for admins.")
            self.redirect(SIGN_IN_PATH + "?" + urlencode({"next": self.request.uri}))
            raise tornado.web.Finish()
        if not player.is_admin:
            self.fail(403, NOT_AN_ADMIN)
        self.admin = player

    async def acted_first(self, handled: AlreadyHandled) -> tuple[str, str]:
        """Who acted on a question before this moderator's page was sent, and when (UTC): what
        every "Already handled by X at T" says."""
        who = await self.store.get_player(handled.by) if handled.by else None
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(handled.at)) if handled.at else "a moment ago"
        return (who.name if who else "another moderator"), when

    def route_url(self, name: str, *args: str) -> str | None:
        """The URL of a named route, or None when this process does not serve it."""
        try:
            return self.reverse_url(name, *args)
        except KeyError:
            return None


class DashboardHandler(AdminHandler):
    async def get(self) -> None:
        queued = await self.store.count_questions(QuestionStatus.QUEUED)
        links = [(label, url) for label, name in LINKS if (url := self.route_url(name))]
        # the open appeals and reported questions, shown on their links (K)
        reported, reports = await self.store.count_open_reports()
        counts = {"Appeals": sum((await self.store.open_appeal_counts()).values()), "Reports": reported}
        # the count is of questions (what the reports page lists); the reports themselves beside it
        details = {"Reports": f"{reports} report{'s' if reports != 1 else ''}"} if reports else {}
        self.render("admin.html", title="Moderators", queued=queued, links=links, counts=counts, details=details)


def routes() -> list[URLSpec]:
    specs = [URLSpec(r"/admin/?", DashboardHandler, name="admin")]
    for section in SECTIONS:
        # imported here, not at the top: each section subclasses AdminHandler from this module
        specs += importlib.import_module(f"kwissle.web.{section}").routes()
    return specs
