"""Sign-in by e-mail link, and sign-out.

`/sign-in` asks for an address and queues a mail with a one-time link (no request
talks SMTP: kwissle/mail/ sends it). The link holds a random token; the store keeps
only its hash. Following it (`/sign-in/<token>`) consumes it atomically, merging the
guest who asked into the account, and the player cookie then names the account.
A used, expired or unknown (forged, tampered) link gets a calm page with a form for
a new link and changes nothing. `/sign-out` forgets the account: the next ticket
makes the visitor a new guest.
"""

from __future__ import annotations

import random
import time
from urllib.parse import urlencode

from tornado.web import URLSpec

from kwissle import accounts
from kwissle.game.names import guest_name
from kwissle.storage.port import SignInRefused, StorageError
from kwissle.web.base import PLAYER_COOKIE
from kwissle.web.pages import PageHandler

_names = random.SystemRandom()

# What each refusal tells the person (the page offers a new link under it).
REFUSALS = {
    "used": ("This link has already been used",
             ("Each sign-in link works once. If it was you, you are probably signed in already; "
              "otherwise ask for a new link below.")),
    "expired": ("This link has expired",
                "Sign-in links are valid for {minutes} minutes. Ask for a new one below."),
    "unknown": ("This link does not work",
                "It may have been copied incompletely, or it is not one we sent. Ask for a new one below."),
}


class SignInHandler(PageHandler):
    template = "sign_in.html"
    title = "Sign in"

    def get(self) -> None:
        self.render_form()

    def render_form(self, email: str = "", error: str | None = None) -> None:
        self.render(self.template, title=self.title, email=email, error=error,
                    next_path=accounts.next_path(self.get_argument("next", None)),
                    minutes=self.kwissle.sign_in_link_minutes)

    async def post(self) -> None:
        raw = self.get_body_argument("email", "")
        try:
            email = accounts.normalise_email(raw)
        except accounts.BadEmail as bad:
            self.set_status(400)
            self.render_form(email=raw[:accounts.MAX_EMAIL_LENGTH], error=str(bad))
            return
        self.limit("sign_in_per_ip", self.request.remote_ip or "?")
        self.limit("sign_in_per_address", email)
        visitor = await self.player_from_cookie()
        guest_id = visitor.id if visitor is not None and visitor.guest else None
        token, now = accounts.new_token(), time.time()
        minutes = self.kwissle.sign_in_link_minutes
        try:
            await self.store.create_sign_in_link(accounts.token_hash(token), email, guest_id, now, now + minutes * 60)
            subject, body = accounts.sign_in_mail(self.link_to(token), minutes)
            await self.store.enqueue_mail(email, subject, body)
        except StorageError:
            self.fail(503, "We could not send a link just now. Please try again in a minute.")
        self.render("sign_in_sent.html", title="Check your mail", email=email, minutes=minutes)

    def link_to(self, token: str) -> str:
        """The absolute link in the mail: KWISSLE_PUBLIC_URL, else the address this request came to."""
        base = self.kwissle.public_url.rstrip("/") or f"{self.request.protocol}://{self.request.host}"
        path = self.reverse_url("sign_in_link", token)
        after = accounts.next_path(self.get_argument("next", None))
        return base + path + ("?" + urlencode({"next": after}) if after != "/" else "")


class SignInLinkHandler(PageHandler):
    template = "sign_in_link.html"

    async def get(self, token: str) -> None:
        self.set_header("Referrer-Policy", "no-referrer")  # the token must not leak to another site
        if not accounts.looks_like_token(token):
            self.refuse("unknown")
            return
        visitor = await self.player_from_cookie()
        name = visitor.name if visitor is not None and visitor.guest else guest_name(_names)
        try:
            account = await self.store.consume_sign_in_link(accounts.token_hash(token), time.time(), name=name)
        except SignInRefused as refusal:
            self.refuse(refusal.reason)
            return
        except StorageError:
            self.fail(503, "We could not sign you in just now. Please follow the link again in a minute.")
        self.remember_player(account)
        self.count("sign_ins")
        self.redirect(accounts.next_path(self.get_argument("next", None)))

    def head(self, token: str) -> None:  # a link checker or preview must not use up the link
        self.set_status(405)

    def refuse(self, reason: str) -> None:
        heading, text = REFUSALS[reason]
        minutes = self.kwissle.sign_in_link_minutes
        self.set_status(404 if reason == "unknown" else 410)
        self.render(self.template, title=heading, heading=heading, text=text.format(minutes=minutes),
                    reason=reason, email="", error=None, next_path="/", minutes=minutes)


class SignOutHandler(PageHandler):
    def get(self) -> None:
        self.redirect(self.reverse_url("home"))

    def post(self) -> None:
        self.clear_cookie(PLAYER_COOKIE)
        self.redirect(self.reverse_url("home"))


def routes() -> list[URLSpec]:
    return [
        URLSpec(r"/sign-in", SignInHandler, name="sign_in"),
        URLSpec(r"/sign-in/([^/]+)", SignInLinkHandler, name="sign_in_link"),
        URLSpec(r"/sign-out", SignOutHandler, name="sign_out"),
    ]
