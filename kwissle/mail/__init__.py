"""The mail outbox's sending side: no request ever talks SMTP.

A request queues a message in the store (`store.enqueue_mail`); `loop.MailLoop` claims
due messages with a lease and hands each to a sender: `smtp.SmtpSender` (aiosmtplib,
`KWISSLE_SMTP_URL`) in production, `files.FileSender` (one .eml file per message in
`data/mail/`, the sign-in link logged) when no SMTP server is configured.
`sender_for(settings)` picks the one the settings ask for.
"""

from __future__ import annotations

import logging

from kwissle.mail.files import FileSender
from kwissle.mail.message import PermanentFailure, Sender
from kwissle.mail.smtp import SmtpSender
from kwissle.settings import Settings

log = logging.getLogger("kwissle.mail")


def sender_for(settings: Settings) -> Sender:
    if settings.smtp_url:
        return SmtpSender(settings.smtp_url, settings.mail_from)
    if settings.production:
        log.warning("KWISSLE_SMTP_URL is not set: mail (sign-in links) is written to %s and NOT sent; "
                    "set it in .env to let players sign in", settings.data_dir / "mail")
    return FileSender(settings.data_dir / "mail", settings.mail_from)


__all__ = ["FileSender", "PermanentFailure", "Sender", "SmtpSender", "sender_for"]
