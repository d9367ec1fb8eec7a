"""Crowd review of a pending question: the reasons a reviewer may vote down, and the verdict.

Pure. Each adapter's `review_question` calls `decide` on the votes it read inside the
same atomic step as the vote, so the rule lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kwissle.model import QuestionStatus

# A down vote gives one of these, shown to the author when the question is rejected.
DOWN_REASONS = ("wrong answer", "unclear", "offensive", "duplicate", "too obscure")


def verdict(ups: int, downs: int, queue_ups: int, reject_downs: int) -> QuestionStatus | None:
    """Where a pending question goes with this tally: rejected at `reject_downs` down votes,
    else queued for the moderators at `queue_ups` up votes that outnumber the downs; None: it stays."""
    if downs >= reject_downs:
        return QuestionStatus.REJECTED
    if ups >= queue_ups and ups > downs:
        return QuestionStatus.QUEUED
    return None


def reject_reason(down_reasons: Iterable[str]) -> str:
    """What the author reads: the reason most reviewers gave (the first given, on a tie)."""
    counts: dict[str, int] = {}
    for reason in down_reasons:
        counts[reason] = counts.get(reason, 0) + 1
    most = max(counts.items(), key=lambda item: item[1], default=("", 0))[0]  # max keeps the first of a tie
    return f"voted down by reviewers: {most}" if most else "voted down by reviewers"


def decide(votes: Sequence[tuple[bool, str]], queue_ups: int,
           reject_downs: int) -> tuple[QuestionStatus, str] | None:
    """Given every vote on a pending question as (up, reason), oldest first: where it moves and
    the reason its author reads (empty unless rejected); None while it stays pending."""
    ups = sum(1 for up, _ in votes if up)
    moved = verdict(ups, len(votes) - ups, queue_ups, reject_downs)
    if moved is None:
        return None
    reason = reject_reason(r for up, r in votes if not up) if moved is QuestionStatus.REJECTED else ""
    return moved, reason
