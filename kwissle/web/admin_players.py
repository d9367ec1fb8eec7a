"""/admin/players: find a player, see what they did, ban and unban them.

The search looks through names and e-mail addresses (case-insensitive for ASCII
letters, a literal substring, paged). A player's page shows their account, their
latest battles, the reports they filed and the reports on questions they wrote,
their answer appeals, their submitted questions, and their bans. A ban needs a reason and ends after a
chosen length, on a date (at 00:00 UTC) or never; an unban needs a reason too.
Every change is recorded with who and when (kwissle/model/bans.py).

What a ban stops: kwissle/web/base.py `refuse_if_banned` (the crowd's forms) and
kwissle/realtime/bans.py (the game). In `serve` the hub of this process looks the
player up again at once, so a ban or an unban applies to their next action; a separate
game process learns it within KWISSLE_BAN_CACHE_SECONDS.
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any
from urllib.parse import urlencode

from tornado.web import URLSpec

from kwissle.model.bans import MAX_BAN_REASON_CHARS
from kwissle.storage.port import UnknownPlayer
from kwissle.web import moderation_counts
from kwissle.web.admin import AdminHandler

PAGE_SIZE = 25
MAX_PAGES = 1000
MAX_QUERY_CHARS = 100
LATEST_BATTLES = 20
LISTED = 50  # reports filed, reports received, bans shown
QUESTIONS_LISTED = 200
DAY = 86_400.0
# The ban lengths offered: form value -> (label, days; None: no end). "date" takes `until_date`.
LENGTHS: dict[str, tuple[str, float | None]] = {
    "1": ("1 day", 1), "7": ("7 days", 7), "30": ("30 days", 30), "365": ("1 year", 365),
    "never": ("Until lifted", None),
}
PLAYER_ID = r"([A-Za-z0-9_-]{1,64})"
_NOT_PROSE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def read_reason(raw: str, what: str) -> tuple[str, str]:
    """(the reason, or "") and (a problem to show beside the field, or "")."""
    reason = raw.strip()
    if not reason:
        return "", f"Say why: players are told the reason for {what}."
    if len(reason) > MAX_BAN_REASON_CHARS:
        return "", f"At most {MAX_BAN_REASON_CHARS} characters."
    if _NOT_PROSE.search(reason):
        return "", "Plain text only: no control characters."
    return reason, ""


def read_end(length: str, date: str, now: float) -> tuple[float | None, str]:
    """(when the ban ends: epoch seconds or None for no end) and (a problem, or "")."""
    if length in LENGTHS:
        days = LENGTHS[length][1]
        return (None if days is None else now + days * DAY), ""
    if length != "date":
        return None, "Choose how long the ban lasts."
    try:
        day = datetime.date.fromisoformat(date.strip())
    except ValueError:
        return None, "Give the end date as YYYY-MM-DD."
    until = datetime.datetime.combine(day, datetime.time(), datetime.UTC).timestamp()
    if until <= now:
        return None, "That date has passed: a ban must end in the future."
    return until, ""


class PlayersHandler(AdminHandler):
    """The search: `q` (name or e-mail, empty: everyone) and `page` (1, 2, ...)."""

    async def get(self) -> None:
        query = self.get_query_argument("q", "").strip()
        if len(query) > MAX_QUERY_CHARS:
            self.fail(400, f"Search for at most {MAX_QUERY_CHARS} characters.")
        raw_page = self.get_query_argument("page", "1")
        if not raw_page.isascii() or not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGES:
            self.fail(400, f"The page must be a whole number from 1 to {MAX_PAGES}.")
        page = int(raw_page)
        found = await self.store.search_players(query, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        self.render("admin_players.html", title="Players", query=query, page=page,
                    players=found[:PAGE_SIZE], more=len(found) > PAGE_SIZE, urlencode=urlencode)


class PlayerPage(AdminHandler):
    """What the player's page and its two forms share."""

    async def render_player(self, player_id: str, errors: dict[str, str] | None = None,
                            values: dict[str, str] | None = None) -> None:
        player = await self.store.get_player(player_id)
        if player is None:
            self.fail(404, "No player has this id.")
        now = time.time()
        profile = await self.store.player_profile(player_id)
        history = await self.store.ban_history(player_id, LISTED)
        names = await self.names({ban.by for ban in history} | {ban.lifted_by for ban in history if ban.lifted_by})
        self.render(
            "admin_player.html", title=f"Player {player.name}", player=player, now=now,
            battle_count=profile.battles if profile else 0,
            battles=await self.store.recent_battles(player_id, LATEST_BATTLES),
            filed=await self.store.reports_filed_by(player_id, LISTED),
            received=await self.store.reports_on_questions_of(player_id, LISTED),
            questions=await self.store.questions_by_author(player_id, QUESTIONS_LISTED),
            appeals=await self.store.appeals_of_player(player_id, LISTED),
            ban=await self.store.active_ban(player_id, now), history=history, names=names,
            lengths=LENGTHS, errors=errors or {}, values=values or {}, when=when)

    async def names(self, player_ids: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for player_id in player_ids:
            player = await self.store.get_player(player_id)
            found[player_id] = player.name if player else player_id
        return found

    async def tell_the_game(self, player_id: str) -> None:
        """In `serve` the game runs here: its ban cache looks the player up again at once."""
        hub: Any = getattr(self.application, "hub", None)
        if hub is not None:
            await hub.bans.refresh(player_id)


class PlayerHandler(PlayerPage):
    """One player: account, battles, reports, questions, bans; the ban and unban forms."""

    async def get(self, player_id: str) -> None:
        await self.render_player(player_id)


class BanHandler(PlayerPage):
    SUPPORTED_METHODS = ("POST",)  # an action: GET and the rest are 405

    async def post(self, player_id: str) -> None:
        moderator = self.admin  # AdminHandler.prepare let only an admin through
        values = {name: self.get_body_argument(name, "") for name in ("reason", "length", "until_date")}
        now = time.time()
        reason, reason_problem = read_reason(values["reason"], "a ban")
        until, end_problem = read_end(values["length"], values["until_date"], now)
        errors = {name: problem for name, problem in (("reason", reason_problem), ("length", end_problem))
                  if problem}
        if player_id == moderator.id:
            errors["reason"] = "You cannot ban yourself."
        if errors:
            self.set_status(400)
            await self.render_player(player_id, errors, values)
            return
        try:
            await self.store.ban_player(player_id, reason, until, moderator.id, now)
        except UnknownPlayer:
            self.fail(404, "No player has this id.")
        self.count(moderation_counts.BANS, moderator=moderator.id)
        await self.tell_the_game(player_id)
        self.redirect(self.reverse_url("admin_player", player_id) + "?banned=1", status=303)


class UnbanHandler(PlayerPage):
    SUPPORTED_METHODS = ("POST",)  # an action: GET and the rest are 405

    async def post(self, player_id: str) -> None:
        moderator = self.admin  # AdminHandler.prepare let only an admin through
        values = {"unban_reason": self.get_body_argument("unban_reason", "")}
        reason, problem = read_reason(values["unban_reason"], "lifting a ban")
        if problem:
            self.set_status(400)
            await self.render_player(player_id, {"unban_reason": problem}, values)
            return
        if await self.store.get_player(player_id) is None:
            self.fail(404, "No player has this id.")
        lifted = await self.store.unban_player(player_id, moderator.id, reason, time.time())
        if lifted is None:
            self.set_status(400)
            await self.render_player(player_id, {"unban_reason": "This player is not banned (any more)."}, values)
            return
        self.count(moderation_counts.UNBANS, moderator=moderator.id)
        await self.tell_the_game(player_id)
        self.redirect(self.reverse_url("admin_player", player_id) + "?unbanned=1", status=303)


def when(seconds: float | None) -> str:
    """A moment for moderators: '2026-11-23 14:05 UTC'."""
    if seconds is None:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/admin/players", PlayersHandler, name="admin_players"),
        URLSpec(rf"/admin/players/{PLAYER_ID}", PlayerHandler, name="admin_player"),
        URLSpec(rf"/admin/players/{PLAYER_ID}/ban", BanHandler, name="admin_ban"),
        URLSpec(rf"/admin/players/{PLAYER_ID}/unban", UnbanHandler, name="admin_unban"),
    ]
