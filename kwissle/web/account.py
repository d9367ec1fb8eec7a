"""The account page (/account): a signed-in player sees their e-mail address and chooses their
display name.

A guest (or nobody) is sent to sign in and back (`require_signed_in`). The name is checked
and normalised by kwissle/game/names.py; a bad one is the form again, HTTP 400, with the
message beside the field. A good one is stored (`Store.rename_player`), the player cookie
is written again with it, and the browser is sent back here (303) to read "Saved". Renames
are rate-limited per player (429 with Retry-After); keeping the same name is not a rename.
Leaderboards are refreshed in the background, so they show a new name within
`leaderboard_seconds`; profiles, battle reviews, the header and the next ticket at once.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from tornado.web import URLSpec

from kwissle.game.names import MAX_DISPLAY_NAME, BadName, check_display_name
from kwissle.model import Player
from kwissle.storage.port import StorageError
from kwissle.web.pages import PageHandler

# What a refused name shows in the field again: enough to see the mistake, never more.
ECHO_CHARACTERS = 4 * MAX_DISPLAY_NAME


class AccountHandler(PageHandler):
    template = "account.html"
    title = "Your account"

    async def get(self) -> None:
        player = await self.require_signed_in()
        self.render_form(player, player.name, saved=self.get_argument("saved", "") == "1")

    async def post(self) -> None:
        player = await self.require_signed_in()
        raw = self.raw_body_argument("name")
        try:
            name = check_display_name(raw)
        except BadName as bad:
            self.set_status(400)
            self.render_form(player, _echo(raw), error=str(bad))
            return
        if name != player.name:
            self.limit("renames_per_player", player.id)
            try:
                renamed = await self.store.rename_player(player.id, name)
            except StorageError:
                self.fail(503, "We could not save your name just now. Please try again in a minute.")
            if not renamed:  # the account went away between reading the cookie and now
                self.fail(404, "There is no account with this id any more.")
            self.remember_player(dataclasses.replace(player, name=name))
            self.count("renames")
        self.redirect(self.reverse_url("account") + "?saved=1", status=303)

    def raw_body_argument(self, name: str) -> str:
        """The field as sent: get_body_argument would turn control characters into spaces and
        strip, so a name with a control character would be saved altered instead of refused."""
        values = self.request.body_arguments.get(name) or [b""]
        return self.decode_argument(values[-1], name=name)

    def render_form(self, player: Player, name: str, error: str | None = None, saved: bool = False) -> None:
        self.render(self.template, title=self.title, player=player, name=name, error=error, saved=saved,
                    max_name=MAX_DISPLAY_NAME)


def _echo(raw: str) -> str:
    """A refused name as the field shows it again: shortened, without what cannot be shown
    (control characters, lone surrogates), so re-rendering the form can never fail."""
    return "".join(c for c in raw[:ECHO_CHARACTERS] if unicodedata.category(c) not in ("Cc", "Cs"))


def routes() -> list[URLSpec]:
    return [URLSpec(r"/account", AccountHandler, name="account")]
