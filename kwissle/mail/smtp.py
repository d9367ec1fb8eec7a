"""Sending by SMTP with aiosmtplib, to the server `KWISSLE_SMTP_URL` names.

`smtp://user:password@host:587` connects in plain text and upgrades with STARTTLS
whenever the server offers it; `smtps://user:password@host:465` speaks TLS from the
first byte. User and password are optional (percent-escaped in the URL). A 5xx reply
to this message's recipient or content is a PermanentFailure; everything else (a 4xx
reply, a refused or dropped connection, a timeout, a login or sender refused: the
server's or the settings' trouble, not this message's) is worth retrying.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import aiosmtplib

from kwissle.mail.message import PermanentFailure, build_message
from kwissle.model import Mail

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("an SMTP address is smtp://user:password@host:587 or smtps://user:password@host:465")
        implicit = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if implicit else 587),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   implicit_tls=implicit)


class SmtpSender:
    def __init__(self, url: str, mail_from: str, timeout: float = TIMEOUT_SECONDS,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.server = SmtpServer.from_url(url)
        self.mail_from = mail_from
        self.timeout = timeout
        self.tls_context = tls_context  # None: the system's trusted certificates, host name checked

    async def send(self, mail: Mail) -> None:
        server = self.server
        try:
            await aiosmtplib.send(
                build_message(mail, self.mail_from), hostname=server.host, port=server.port,
                username=server.username, password=server.password, use_tls=server.implicit_tls,
                start_tls=None if not server.implicit_tls else False,  # None: STARTTLS when offered
                timeout=self.timeout, tls_context=self.tls_context)
        except aiosmtplib.SMTPRecipientsRefused as error:
            refusals = [e for e in error.recipients if isinstance(e, aiosmtplib.SMTPResponseException)]
            if refusals and all(e.code >= 500 for e in refusals):
                raise PermanentFailure(_reply(refusals[0])) from error
            raise
        except aiosmtplib.SMTPDataError as error:  # the message itself refused
            if error.code >= 500:
                raise PermanentFailure(_reply(error)) from error
            raise


def _reply(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}".strip()
