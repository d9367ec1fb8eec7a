"""What every adapter does to new records before storing them: one validation, one id scheme.

`new_questions` runs the one question validation (all of the questions, every
problem named) off the IOLoop, then stamps ids, status and time, so the SQLite
and MongoDB adapters store exactly the same records.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Sequence

from kwissle.game.validation import InvalidQuestion, check_question
from kwissle.model import NewQuestion, Question, QuestionStatus


def new_id() -> str:
    """A record id: 16 hex digits, the same for every adapter (a dump moves between them)."""
    return secrets.token_hex(8)


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


async def new_questions(questions: Sequence[NewQuestion], status: QuestionStatus) -> list[Question]:
    """Validate `questions` (the judge does real work per question: off the IOLoop for a large
    import) and return them as records to store, with fresh ids."""
    await asyncio.to_thread(check_all, questions)
    now = time.time()
    return [
        Question(**{f: getattr(q, f) for f in NewQuestion.__dataclass_fields__},
                 id=new_id(), status=status, created_at=now)
        for q in questions
    ]
