"""One validation for a question, whatever path adds or edits it.

The importer, the store and every later path (player submissions, moderator
edits) call `check_question`, so a question that would be mis-scored in a
battle can never be stored: its three alternatives must be distinct and differ
from the answer and every variant after folding, and the judge must accept the
answer and each variant as typed (with the alternatives as decoys, as in a
battle) and refuse each alternative typed against the answers alone (an
alternative the judge takes for a spelling of the answer would score as right
for whoever types it, were it not listed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kwissle.game.judge import judge as default_judge
from kwissle.game.rules import CHOICES
from kwissle.model import NewQuestion
from kwissle.textfold import fold

MAX_TEXT_CHARS = 500
MAX_ANSWER_CHARS = 120
MAX_VARIANTS = 20
MAX_CATEGORY_CHARS = 60

Judge = Callable[[str, Sequence[str], Sequence[str]], bool]


class InvalidQuestion(ValueError):
    """A question that cannot be played as written; `problems` says why, one reason each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def question_problems(question: NewQuestion, judge: Judge = default_judge) -> list[str]:
    """Every reason `question` cannot be played as written (empty when it can)."""
    problems: list[str] = []
    for name, value, limit in (("text", question.text, MAX_TEXT_CHARS),
                               ("answer", question.answer, MAX_ANSWER_CHARS),
                               ("category", question.category, MAX_CATEGORY_CHARS)):
        problems += _text_problems(name, value, limit)
    if len(question.variants) > MAX_VARIANTS:
        problems.append(f"at most {MAX_VARIANTS} accepted variants")
    for index, variant in enumerate(question.variants):
        problems += _text_problems(f"variant {index + 1}", variant, MAX_ANSWER_CHARS)
    if len(question.wrong) != CHOICES - 1:
        problems.append(f"exactly {CHOICES - 1} wrong alternatives are needed")
    for index, wrong in enumerate(question.wrong):
        problems += _text_problems(f"alternative {index + 1}", wrong, MAX_ANSWER_CHARS)
    if problems:
        return problems  # the checks below assume well-formed strings

    right = {fold(answer) for answer in question.answers}
    wrong = [fold(item) for item in question.wrong]
    if len(set(wrong)) != len(wrong):
        problems.append("two wrong alternatives are the same")
    for item, folded in zip(question.wrong, wrong, strict=True):
        if folded in right:
            problems.append(f"the wrong alternative {item!r} is the answer or one of its variants")
    if problems:
        return problems  # the judge's verdicts would only repeat these

    for answer in question.answers:
        if not judge(answer, question.answers, question.wrong):
            problems.append(f"the judge would refuse {answer!r}, typed as written")
    for item in question.wrong:
        if judge(item, question.answers, ()):
            problems.append(f"the judge would accept the wrong alternative {item!r}")
    return problems


def check_question(question: NewQuestion, judge: Judge = default_judge) -> NewQuestion:
    """Return `question` if it can be played as written; raise InvalidQuestion otherwise."""
    problems = question_problems(question, judge)
    if problems:
        raise InvalidQuestion(problems)
    return question


def _text_problems(name: str, value: object, limit: int) -> list[str]:
    if not isinstance(value, str):
        return [f"{name} must be text"]
    if not value.strip():
        return [f"{name} is empty"]
    if len(value) > limit:
        return [f"{name} is longer than {limit} characters"]
    if not fold(value):
        return [f"{name} has no letters or digits"]
    if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in value):
        return [f"{name} holds characters that cannot be stored"]
    return []
