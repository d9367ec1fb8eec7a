"""The records every layer speaks: plain frozen dataclasses with no I/O.

The game core emits them, the store keeps them, the web layer renders them.
Nothing here imports another part of Kwissle, so every layer may import this.
"""

from kwissle.model.bans import Ban
from kwissle.model.battles import (
    BattleEnd,
    BattleRecord,
    QuestionOutcome,
    RatingChange,
    Recording,
)
from kwissle.model.challenges import Challenge, ChallengeState
from kwissle.model.crowd import Report, Review
from kwissle.model.mail import Mail
from kwissle.model.moderation import Moderation, ModerationAction
from kwissle.model.players import Player, Rating
from kwissle.model.questions import NewQuestion, Question, QuestionStats, QuestionStatus

__all__ = [
    "Ban",
    "BattleEnd",
    "BattleRecord",
    "Challenge",
    "ChallengeState",
    "Mail",
    "Moderation",
    "ModerationAction",
    "NewQuestion",
    "Player",
    "Question",
    "QuestionOutcome",
    "QuestionStats",
    "QuestionStatus",
    "Rating",
    "RatingChange",
    "Recording",
    "Report",
    "Review",
]
