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
    attempts: int = 0
