"""Open reports grouped by question for the moderators: the one grouping rule both adapters share.

SQLite groups in SQL; the MongoDB adapter groups by (question, reason) in the database and
finishes here, so "worst first" means the same on both: most reports, then the latest
report, then the question id; within a question, the reason most given first.
"""

from __future__ import annotations

from collections.abc import Iterable

from kwissle.storage.port import ReportedQuestion


def group_reports(rows: Iterable[tuple[str, str, int, float, float]], limit: int) -> list[ReportedQuestion]:
    """(question id, reason, how many, first at, last at) per reason -> the `limit` worst questions."""
    by_question: dict[str, list[tuple[str, int, float, float]]] = {}
    for question_id, reason, count, first_at, last_at in rows:
        by_question.setdefault(question_id, []).append((reason, count, first_at, last_at))
    grouped = [
        ReportedQuestion(
            question_id=question_id,
            reports=sum(count for _, count, _, _ in reasons),
            reasons=tuple((reason, count) for reason, count, _, _ in
                          sorted(reasons, key=lambda item: (-item[1], item[2], item[0]))),
            first_at=min(first for _, _, first, _ in reasons),
            last_at=max(last for _, _, _, last in reasons))
        for question_id, reasons in by_question.items()]
    grouped.sort(key=lambda group: (-group.reports, -group.last_at, group.question_id))
    return grouped[:max(limit, 0)]
