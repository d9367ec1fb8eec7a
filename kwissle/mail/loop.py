"""The mail loop: claim due mail with a lease, send each, record what happened.

One turn (`run_once`) claims up to `batch` messages (leased for LEASE_SECONDS, so two
workers, or a worker and a `serve`, never send the same one) and sends them side by
side, each on its own: one slow or failing message delays no other. A sent message is
marked sent. A failed one is retried after `mail_retry_seconds * 2**(attempts-1)`
(plus up to a quarter more, at random, so retries of many messages spread out), and
given up after `mail_attempts` attempts, or at once when the server refused it for good
(PermanentFailure); each failure is logged with its reason and stored as `last_error`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable

from kwissle.mail.message import PermanentFailure, Sender
from kwissle.model import Mail
from kwissle.settings import Settings
from kwissle.storage.port import Store

log = logging.getLogger("kwissle.mail")

# Longer than any one send can take (the SMTP timeout is 30 s): a lease that ran out means
# the worker holding it died, and the message is due again.
LEASE_SECONDS = 120.0
BATCH = 20
JITTER = 0.25


def retry_delay(settings: Settings, attempts: int, rng: Callable[[], float] = random.random) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones; None when that was the last allowed."""
    if attempts >= settings.mail_attempts:
        return None
    return settings.mail_retry_seconds * 2 ** (attempts - 1) * (1 + JITTER * rng())


class MailLoop:
    def __init__(self, store: Store, sender: Sender, settings: Settings, *,
                 clock: Callable[[], float] = time.time, rng: Callable[[], float] = random.random,
                 lease_seconds: float = LEASE_SECONDS, batch: int = BATCH) -> None:
        self.store = store
        self.sender = sender
        self.settings = settings
        self.clock = clock
        self.rng = rng
        self.lease_seconds = lease_seconds
        self.batch = batch

    async def run_once(self) -> str | None:
        """One turn; what it did, for the log, or None when nothing was due."""
        claimed = await self.store.claim_mail(self.clock(), self.lease_seconds, self.batch)
        if not claimed:
            return None
        outcomes = await asyncio.gather(*(self._deliver(mail) for mail in claimed))
        sent = outcomes.count("sent")
        return (f"sent {sent} of {len(claimed)} mail(s)"
                + (f", {outcomes.count('retry')} to retry" if "retry" in outcomes else "")
                + (f", {outcomes.count('given up')} given up" if "given up" in outcomes else ""))

    async def _deliver(self, mail: Mail) -> str:
        try:
            await self.sender.send(mail)
        except Exception as error:  # noqa: BLE001 - every failure is recorded, none stops the loop
            return await self._failed(mail, error)
        await self.store.mark_mail_sent(mail.id, self.clock())
        return "sent"

    async def _failed(self, mail: Mail, error: Exception) -> str:
        attempts = mail.attempts + 1
        reason = f"{type(error).__name__}: {error}"[:500]
        now = self.clock()
        delay = None if isinstance(error, PermanentFailure) else retry_delay(self.settings, attempts, self.rng)
        if delay is None:
            log.error("mail %s to %s given up after %d attempt(s): %s", mail.id, mail.to, attempts, reason)
            await self.store.mark_mail_failed(mail.id, reason, None, now)
            return "given up"
        log.warning("mail %s to %s failed (attempt %d of %d): %s; retrying in %.0f s",
                    mail.id, mail.to, attempts, self.settings.mail_attempts, reason, delay)
        await self.store.mark_mail_failed(mail.id, reason, now + delay, now)
        return "retry"
