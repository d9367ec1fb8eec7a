"""Challenge links over HTTP: `POST /challenges` makes one, `GET /c/<code>` is its page.

Anyone may make a challenge, a guest too (the player cookie names them; a visitor with
none becomes a guest here, as `/api/ticket` would make them). The form may name one
category of the published questions. The challenge is stored (the game process, maybe
another process, uses it up: kwissle/realtime/challenges.py) and the answer is `303` to
its page. That page is the play page in challenge mode: `data-challenge` on its root
element starts the challenge flow (static/js/challenge.js), showing the creator the link
to share, and anyone else who challenges them. A challenge that expired or had its
battle answers `410 Gone` with a page that says so.
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from typing import Any

from tornado.web import URLSpec

from kwissle.cache import RefreshingCache
from kwissle.game.names import guest_name
from kwissle.model import Challenge, ChallengeState, Player, QuestionStatus
from kwissle.storage.port import Store
from kwissle.web.pages import PageHandler

CATEGORIES_MAX_AGE = 300.0  # the published categories, read again at most this often per web process
PAGE = 1000
CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_names = random.SystemRandom()


def published_categories(app: Any) -> RefreshingCache[list[str]]:
    """The categories of the published questions, one cache per application."""
    cache = getattr(app, "challenge_categories", None)
    if cache is None:
        store: Store = app.store

        async def compute() -> list[str]:
            found: set[str] = set()
            offset = 0
            while page := await store.list_questions(QuestionStatus.PUBLISHED, PAGE, offset):
                found.update(question.category for question in page)
                offset += len(page)
            app.challenge_category_list = sorted(found, key=str.casefold)
            return app.challenge_category_list

        app.challenge_category_list = []
        cache = app.challenge_categories = RefreshingCache(compute, CATEGORIES_MAX_AGE, name="categories")
    return cache


def categories_now(app: Any) -> list[str]:
    """The published categories as known now, for a page that must not wait (the home page's
    "Challenge a friend" form); starts loading them, or a refresh, in the background."""
    task = asyncio.ensure_future(published_categories(app).get())
    task.add_done_callback(lambda done: done.cancelled() or done.exception())  # logged by the cache
    return list(app.challenge_category_list)


class NewChallengeHandler(PageHandler):
    def get(self) -> None:
        """The form that makes a challenge is on the home page."""
        self.redirect(self.reverse_url("home"))

    async def post(self) -> None:
        category = self.get_body_argument("category", "").strip() or None
        if category is not None and category not in await published_categories(self.application).get():
            self.fail(400, "Choose a category from the list, or any category.")
        player = await self.player_from_cookie()
        if player is None:
            self.limit("guests_per_ip", self.request.remote_ip or "?")
            player = Player(id=secrets.token_hex(8), name=guest_name(_names), guest=True)
            self.remember_player(player)
        self.limit("challenges_per_player", player.id)
        now = time.time()
        challenge = Challenge(code=secrets.token_urlsafe(9), creator_id=player.id, creator_name=player.name,
                              category=category, created_at=now,
                              expires_at=now + self.kwissle.challenge_minutes * 60)
        await self.store.create_challenge(challenge)
        self.count("challenges")
        self.redirect(self.reverse_url("challenge", challenge.code), status=303)


class ChallengeHandler(PageHandler):
    challenge: Challenge | None = None  # set for play.html's challenge mode
    challenge_role: str = ""  # "creator" or "guest"

    async def get(self, code: str) -> None:
        challenge = await self.store.get_challenge(code) if CODE.fullmatch(code) else None
        if challenge is None:
            self.fail(404, "There is no challenge at this address.")
        state = challenge.state(time.time())
        if state is not ChallengeState.OPEN:
            self.set_status(410)
            self.render("challenge_gone.html", title="Challenge over", challenge=challenge,
                        used=state is ChallengeState.USED)
            return
        player = await self.player_from_cookie()
        self.challenge = challenge
        self.challenge_role = "creator" if player is not None and player.id == challenge.creator_id else "guest"
        self.render("play.html", title=f"{challenge.creator_name} challenges you"
                    if self.challenge_role == "guest" else "Your challenge", rules=self.kwissle.rules)

    def challenge_url(self) -> str:
        assert self.challenge is not None
        return f"{self.request.protocol}://{self.request.host}{self.reverse_url('challenge', self.challenge.code)}"

    def challenge_minutes_left(self) -> int:
        assert self.challenge is not None
        return max(1, round((self.challenge.expires_at - time.time()) / 60))


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/challenges", NewChallengeHandler, name="challenges"),
        URLSpec(r"/c/([^/]+)", ChallengeHandler, name="challenge"),
    ]

