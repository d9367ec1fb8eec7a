"""What every sender shares: the RFC 5322 message built from a queued Mail, and how a send fails."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from kwissle.model import Mail


class PermanentFailure(Exception):
    """Sending this message can never work (the server refused the recipient or the message
    for good, a 5xx reply): give it up now instead of retrying. Any other exception a sender
    raises is taken as temporary and retried with back-off."""


class Sender(Protocol):
    async def send(self, mail: Mail) -> None:
        """Deliver `mail`, or raise (PermanentFailure when retrying is pointless)."""
        ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The plain-text message for `mail`, from `sender` (KWISSLE_MAIL_FROM)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(mail.created_at or None, localtime=False)
    # One id per queued mail: a retried send carries the same Message-ID, so a receiving
    # server that got an earlier attempt can tell it is the same message.
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "kwissle.localhost"
    message["Message-ID"] = make_msgid(idstring=mail.id, domain=domain)
    # Plain ASCII stays as it is (7bit allows lines of up to 998 characters), so a long link is
    # never broken by quoted-printable soft line breaks in a .eml file read as text.
    plain = mail.body.isascii() and all(len(line) <= 998 for line in mail.body.splitlines())
    message.set_content(mail.body, cte="7bit" if plain else None)
    return message
