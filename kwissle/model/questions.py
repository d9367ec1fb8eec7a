"""Questions as authors write them and as the store keeps them, with their place in the crowd-sourcing flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionStatus(StrEnum):
    """Where a question is in the crowd-sourcing flow (GAME.md)."""

    PENDING = "pending"  # submitted, waiting for player reviews
    QUEUED = "queued"  # enough positive reviews: waiting for a moderator
    PUBLISHED = "published"  # appears in battles
    REJECTED = "rejected"  # voted down or refused by a moderator
    RETIRED = "retired"  # was published, taken out of play


@dataclass(frozen=True)
class NewQuestion:
    """A question as written by an author or an importer, before it is stored."""

    text: str
    answer: str  # canonical answer, shown at the reveal
    variants: tuple[str, ...]  # other typed answers the judge accepts
    wrong: tuple[str, str, str]  # three wrong alternatives
    category: str
    source: str = "kwissle"  # "starter", "opentdb", "player", ...
    author_id: str | None = None
    explanation: str = ""  # one line, shown with the answer at the reveal and on the result screen
    link: str = ""  # an http(s) address where the answer can be checked, shown with the explanation

    @property
    def answers(self) -> tuple[str, ...]:
        """Canonical answer first, then the accepted variants: what the judge takes."""
        return (self.answer, *self.variants)


@dataclass(frozen=True)
class QuestionStats:
    asked: int = 0
    typed_right: int = 0
    choice_right: int = 0
    nobody: int = 0


@dataclass(frozen=True)
class Question(NewQuestion):
    """A stored question."""

    id: str = ""
    status: QuestionStatus = QuestionStatus.PENDING
    stats: QuestionStats = field(default_factory=QuestionStats)
    created_at: float = 0.0
    reject_reason: str = ""  # why reviewers or a moderator rejected it; the author sees it
    version: int = 0  # bumped by every moderator action (store.moderate_question): the race guard
