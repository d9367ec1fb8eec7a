"""What players say about questions: reviews of pending ones, reports from battles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Review:
    question_id: str
    player_id: str
    up: bool
    reason: str = ""
    created_at: float = 0.0


@dataclass(frozen=True)
class Report:
    id: str
    question_id: str
    player_id: str
    battle_id: str | None
    reason: str
    created_at: float = 0.0
    resolved: bool = False
