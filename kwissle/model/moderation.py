"""What moderators do to questions, as records: one `ModerationAction` per publish, edit,
reject, retire or added variant, kept as the question's history (who, when, what changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Moderation(StrEnum):
    """The actions a moderator takes on one question (store.moderate_question)."""

    PUBLISH = "publish"  # a queued question (optionally edited in the same step) goes into battles
    EDIT = "edit"  # change fields, the status stays
    REJECT = "reject"  # a queued question is refused, with a reason its author sees
    RETIRE = "retire"  # a published question is taken out of play
    ADD_VARIANT = "add_variant"  # one more typed answer the judge accepts


# The fields a moderator may change, as named on `Question`.
EDITABLE_FIELDS = ("text", "answer", "variants", "wrong", "category", "explanation", "link")


@dataclass(frozen=True)
class ModerationAction:
    """One moderator action on one question, stored atomically with it.

    `changes` maps each changed field to (before, after); the status is one of them
    when it moved. Tuples (variants, wrong) are kept as tuples.
    """

    question_id: str
    moderator_id: str
    action: Moderation
    reason: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    at: float = 0.0
