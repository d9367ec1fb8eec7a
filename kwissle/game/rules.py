"""The numbers that shape a battle (GAME.md), in one place the settings fill in."""

from __future__ import annotations

from dataclasses import dataclass

TYPED_POINTS = 3
CHOICE_POINTS = 1
CHOICES = 4


@dataclass(frozen=True)
class Rules:
    questions: int = 10
    # Whole seconds: `battle.seconds` is an integer on the wire (PROTOCOL.md).
    question_seconds: int = 15
    reveal_seconds: float = 3.0
    # A dropped player who is not back within this many seconds forfeits.
    resume_seconds: float = 15.0
    typed_tries: int = 3
    # The "you vs them" intro: seconds from `battle` to question 0 (0: none).
    intro_seconds: float = 0.0

    def __post_init__(self) -> None:
        seconds = self.question_seconds
        whole = isinstance(seconds, int | float) and not isinstance(seconds, bool) and float(seconds).is_integer()
        if not whole or seconds < 1:
            raise ValueError(f"question_seconds must be whole seconds, at least 1 (got {seconds!r})")
        # 15.0 is accepted and kept as 15, so the wire never carries a float here.
        object.__setattr__(self, "question_seconds", int(seconds))
