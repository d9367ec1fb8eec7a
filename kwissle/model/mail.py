"""Mail waiting in the outbox for the worker to send."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mail:
    id: str
    to: str
    subject: str
    body: str
    created_at: float = 0.0
    sent_at: float | None = None
    attempts: int = 0  # sending attempts made so far
    next_attempt_at: float = 0.0  # not claimed before this (exponential back-off after a failure)
    last_error: str = ""  # why the last attempt failed
    failed_at: float | None = None  # given up after the last allowed attempt: never sent
