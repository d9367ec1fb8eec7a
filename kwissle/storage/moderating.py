"""One moderator action worked out on a question as read, the same for every adapter.

`plan` takes the question the store holds and the action asked for, and returns the question
after and each changed field's (before, after), or raises ModerationRefused (nothing to
write). The adapter then writes both atomically, on the condition that the stored version is
still the one the moderator saw. The history's `changes` travel as JSON (`changes_json`,
`changes_from_json`): tuples become lists and come back as tuples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kwissle.game.validation import field_problems
from kwissle.model import Moderation, Question, QuestionStatus
from kwissle.model.moderation import EDITABLE_FIELDS
from kwissle.storage.port import ModerationRefused
from kwissle.textfold import fold

# Which statuses each action applies to, and the status it leaves (None: unchanged).
_ALLOWED: dict[Moderation, tuple[frozenset[QuestionStatus], QuestionStatus | None]] = {
    Moderation.PUBLISH: (frozenset({QuestionStatus.QUEUED}), QuestionStatus.PUBLISHED),
    Moderation.EDIT: (frozenset({QuestionStatus.QUEUED, QuestionStatus.PUBLISHED}), None),
    Moderation.REJECT: (frozenset({QuestionStatus.QUEUED}), QuestionStatus.REJECTED),
    Moderation.RETIRE: (frozenset({QuestionStatus.PUBLISHED}), QuestionStatus.RETIRED),
    Moderation.ADD_VARIANT: (frozenset({QuestionStatus.QUEUED, QuestionStatus.PUBLISHED}), None),
}
_TUPLE_FIELDS = ("variants", "wrong")


@dataclass(frozen=True)
class Plan:
    after: Question
    changes: dict[str, tuple[Any, Any]]


def plan(question: Question, action: str, changes: Mapping[str, Any], reason: str) -> Plan:
    """The question after `action` and what changed; ModerationRefused when it cannot apply."""
    try:
        kind = Moderation(action)
    except ValueError:
        raise ModerationRefused(f"unknown moderation action {action!r}") from None
    allowed, moves_to = _ALLOWED[kind]
    if question.status not in allowed:
        raise ModerationRefused(f"cannot {kind.value} a {question.status.value} question")
    updates = _updates(question, kind, changes, reason)
    if moves_to is not None:
        updates["status"] = moves_to
    after = dataclasses.replace(question, **updates, version=question.version + 1)
    problems = field_problems(after)  # the one validation of a question, as on submission
    if problems:
        raise ModerationRefused("; ".join(f"{name}: {message}" for name, message in problems))
    diff = {name: (getattr(question, name), getattr(after, name)) for name in updates
            if getattr(question, name) != getattr(after, name)}
    if not diff and kind is Moderation.EDIT:
        raise ModerationRefused("nothing to change")
    return Plan(after, diff)


def _updates(question: Question, kind: Moderation, changes: Mapping[str, Any], reason: str) -> dict[str, Any]:
    if kind is Moderation.ADD_VARIANT:
        variant = " ".join(str(changes.get("variant", "")).split())
        if not variant:
            raise ModerationRefused("no variant given")
        if fold(variant) in {fold(answer) for answer in question.answers}:
            raise ModerationRefused(f"{variant!r} is already an accepted answer")
        return {"variants": (*question.variants, variant)}
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ModerationRefused(f"fields a moderator cannot change: {', '.join(sorted(unknown))}")
    if kind in (Moderation.REJECT, Moderation.RETIRE) and changes:
        raise ModerationRefused(f"{kind.value} changes no field")
    updates: dict[str, Any] = {name: tuple(str(v) for v in value) if name in _TUPLE_FIELDS else str(value)
                               for name, value in changes.items()}
    if kind is Moderation.REJECT:
        if not reason.strip():
            raise ModerationRefused("say why the question is rejected: its author sees the reason")
        updates["reject_reason"] = reason.strip()
    return updates


def changes_json(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    return {name: [_plain(before), _plain(after)] for name, (before, after) in changes.items()}


def changes_from_json(data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (_typed(name, pair[0]), _typed(name, pair[1])) for name, pair in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, QuestionStatus):
        return value.value
    return value


def _typed(name: str, value: Any) -> Any:
    return tuple(value) if name in _TUPLE_FIELDS and isinstance(value, list) else value
