"""One published question's figures from play, as the store computes them for triage
(kwissle/game/triage.py turns them into flags and a score; /admin/triage shows them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionPlayStats:
    """What stored battles (abandoned ones left out) say about one question.

    A *seat* is one player facing the question in one battle (two per time asked; one, the live player's, in a battle against a recording).
    """

    question_id: str
    asked: int  # times it was put in a stored battle
    typed_right: int  # ... and someone typed the answer
    choice_right: int  # ... and someone picked the right alternative
    nobody: int  # ... and nobody scored
    # Whether a seat opened the alternatives is known only for battles stored since
    # battle records kept `alternatives_at` (with the choices shown): older ones are not counted.
    alternatives_known: int  # seats where it is known
    alternatives_opened: int  # of those, seats that opened them
    median_answer_seconds: float | None  # a seat's last typed answer or its pick, whichever came later
    typed_seats: int  # seats that typed at least one answer
    # Wrong typed answers folded (kwissle/textfold.py), each with how many seats typed it (a seat
    # typing the same text twice counts once), most typed first, ties by text; at most TOP_WRONG_TYPED.
    wrong_typed: tuple[tuple[str, int], ...]
    picks: int  # seats that picked an alternative in battles that kept the choices shown
    wrong_picks: tuple[tuple[str, int], ...]  # each wrong alternative picked, with its picks, most first
    # Battles whose two players' ratings differed by at least RATING_GAP (kwissle/game/triage.py):
    # how often the stronger and the weaker of the two scored. A rating is the one the player had
    # (the rated battle's `before`), or their current rating when the battle was unrated.
    uneven_battles: int
    strong_right: int
    weak_right: int


TOP_WRONG_TYPED = 5
