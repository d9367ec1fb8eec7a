"""The admin process's pages, under /admin: every one of them is for admins only.

`AdminHandler.prepare` checks the admin role on every request, whatever the
method, before any handler code runs. Nobody can be made an admin yet (that and
the moderators' dashboard arrive with a later issue), so today everyone meets the
403 page; an admin marked in the store directly sees that there is nothing to
moderate from here yet.
"""

from __future__ import annotations

from tornado.web import URLSpec

from kwissle.web.base import BaseHandler

NOT_AN_ADMIN = "The moderators' dashboard is for admins."


class AdminHandler(BaseHandler):
    async def prepare(self) -> None:
        self.set_header("Cache-Control", "no-store")
        player = await self.player_from_cookie()
        if player is None or not player.is_admin:
            self.fail(403, NOT_AN_ADMIN)


class DashboardHandler(AdminHandler):
    def get(self) -> None:
        self.render("admin.html", title="Moderators")


def routes() -> list[URLSpec]:
    return [URLSpec(r"/admin/?", DashboardHandler, name="admin")]
