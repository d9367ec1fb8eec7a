"""The numbers that shape a battle (GAME.md), in one place the settings fill in."""

from __future__ import annotations

from dataclasses import dataclass

TYPED_POINTS = 3
CHOICE_POINTS = 1
CHOICES = 4


@dataclass(frozen=True)
class Rules:
    questions: int = 10
    question_seconds: float = 15.0
    reveal_seconds: float = 3.0
    # A dropped player who is not back within this many seconds forfeits.
    resume_seconds: float = 15.0
    typed_tries: int = 3
