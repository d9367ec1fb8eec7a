"""The mail outbox's sending side: no request ever talks SMTP.

A request queues a message in the store (`store.enqueue_mail`); `loop.MailLoop` claims
due messages with a lease and hands each to a sender: `smtp.SmtpSender` (aiosmtplib,
`KWISSLE_SMTP_URL`) in production, `files.FileSender` (one .eml file per message in
`data/mail/`, the sign-in link logged) when no SMTP server is configured.
`sender_for(settings)` picks the one the settings ask for.
"""

from __future__ import annotations

from kwissle.mail.files import FileSender
from kwissle.mail.message import PermanentFailure, Sender
from kwissle.mail.smtp import SmtpSender
from kwissle.settings import Settings


def sender_for(settings: Settings) -> Sender:
    if settings.smtp_url:
        return SmtpSender(settings.smtp_url, settings.mail_from)
    return FileSender(settings.data_dir / "mail", settings.mail_from)


__all__ = ["FileSender", "PermanentFailure", "Sender", "SmtpSender", "sender_for"]
