"""Players: guests and signed-in accounts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Player:
    id: str
    name: str
    guest: bool = True
    email: str | None = None
    is_admin: bool = False
    rating: float = 1500.0
    created_at: float = 0.0
