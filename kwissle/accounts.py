"""Accounts: what sign-in by e-mail link needs that is pure (no I/O).

E-mail is the identity: an address is checked and normalised here once (trimmed,
lower-cased, so `Ana@Example.org` and `ana@example.org` are one account), a
sign-in link carries a random token, and the store keeps only the token's
SHA-256, so a copy of the store cannot sign anybody in. `next_path` keeps the
page to return to after signing in, refusing anything that would leave the site.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlsplit

TOKEN_BYTES = 32
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
# Deliberately modest: one @, something before it, a dotted domain after it, no spaces
# or characters that could smuggle a header or a second recipient.
_EMAIL = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
# What a token in a link looks like (secrets.token_urlsafe(32): 43 URL-safe base64 characters).
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class BadEmail(ValueError):
    """The address cannot be used; the message is what the person reads beside the field."""


def normalise_email(raw: str) -> str:
    """The address as stored and compared: trimmed and lower-cased. BadEmail if it is not one."""
    email = (raw or "").strip().lower()
    if not email:
        raise BadEmail("Enter your e-mail address.")
    if len(email) > MAX_EMAIL_LENGTH:
        raise BadEmail(f"That address is too long (at most {MAX_EMAIL_LENGTH} characters).")
    if not _EMAIL.match(email):
        raise BadEmail("That does not look like an e-mail address (name@example.org).")
    return email


def new_token() -> str:
    """A fresh token for a sign-in link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(token: str) -> bool:
    """False for what no link of ours ever held (so it is refused without asking the store)."""
    return bool(_TOKEN.match(token or ""))


def next_path(raw: str | None, default: str = "/") -> str:
    """A same-site path to go to after signing in; `default` for anything else
    (an absolute or protocol-relative URL, a backslash trick, a control character)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def sign_in_mail(link: str, minutes: int) -> tuple[str, str]:
    """(subject, plain-text body) of the mail that carries a sign-in link."""
    subject = "Your Kwissle sign-in link"
    body = (
        "Hello,\n\n"
        "Follow this link to sign in to Kwissle:\n\n"
        f"{link}\n\n"
        f"The link is valid for {minutes} minutes and works once.\n\n"
        "If you didn't ask to sign in, ignore this mail: nothing happens without the link.\n\n"
        "-- Kwissle\n"
    )
    return subject, body
