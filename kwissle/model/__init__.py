"""The records every layer speaks: plain frozen dataclasses with no I/O.

The game core emits them, the store keeps them, the web layer renders them.
Nothing here imports another part of Kwissle, so every layer may import this.
"""

from kwissle.model.battles import BattleEnd, BattleRecord, QuestionOutcome, RatingChange
from kwissle.model.crowd import Report, Review
from kwissle.model.mail import Mail
from kwissle.model.players import Player, Rating
from kwissle.model.questions import NewQuestion, Question, QuestionStats, QuestionStatus

__all__ = [
    "BattleEnd", "BattleRecord", "Mail", "NewQuestion", "Player", "Question", "QuestionOutcome",
    "QuestionStats", "QuestionStatus", "Rating", "RatingChange", "Report", "Review",
]
