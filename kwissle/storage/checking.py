"""The one validation every adapter runs before storing questions: all of them, every problem named."""

from __future__ import annotations

from collections.abc import Sequence

from kwissle.game.validation import InvalidQuestion, check_question
from kwissle.model import NewQuestion


def check_all(questions: Sequence[NewQuestion]) -> None:
    """InvalidQuestion naming every problem of every question that cannot be played as written."""
    problems: list[str] = []
    for number, question in enumerate(questions, start=1):
        try:
            check_question(question)
        except InvalidQuestion as error:
            where = f"question {number} ({str(question.text)[:60]!r}): " if len(questions) > 1 else ""
            problems += [where + problem for problem in error.problems]
    if problems:
        raise InvalidQuestion(problems)
