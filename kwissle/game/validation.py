"""One validation for a question, whatever path adds or edits it.

The importer, the store and every later path (player submissions, moderator
edits) call `check_question`, so a question that would be mis-scored in a
battle can never be stored: its three alternatives must be distinct and differ
from the answer and every variant after folding, and the judge must accept the
answer and each variant as typed (with the alternatives as decoys, as in a
battle) and refuse each alternative typed against the answers alone (an
alternative the judge takes for a spelling of the answer would score as right
for whoever types it, were it not listed). The optional explanation is one line,
the optional source link an http(s) address. `field_problems` names the field at
fault of each problem, for a form (kwissle/game/submission.py).
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
MAX_EXPLANATION_CHARS = 300
MAX_LINK_CHARS = 500

Judge = Callable[[str, Sequence[str], Sequence[str]], bool]


class InvalidQuestion(ValueError):
    """A question that cannot be played as written; `problems` says why, one reason each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def question_problems(question: NewQuestion, judge: Judge = default_judge) -> list[str]:
    """Every reason `question` cannot be played as written (empty when it can)."""
    return [message for _, message in field_problems(question, judge)]


def field_problems(question: NewQuestion, judge: Judge = default_judge) -> list[tuple[str, str]]:
    """`question_problems`, each with the field at fault: "text", "answer", "category",
    "variants" (also "variant <n>" for one of them), "wrong <n>" (1-based; "wrong" for
    their number), "explanation" or "link". A form puts each message beside its field."""
    problems: list[tuple[str, str]] = []
    for name, value, limit in (("text", question.text, MAX_TEXT_CHARS),
                               ("answer", question.answer, MAX_ANSWER_CHARS),
                               ("category", question.category, MAX_CATEGORY_CHARS)):
        problems += [(name, message) for message in _text_problems(name, value, limit)]
    if len(question.variants) > MAX_VARIANTS:
        problems.append(("variants", f"at most {MAX_VARIANTS} accepted variants"))
    for index, variant in enumerate(question.variants):
        problems += [(f"variant {index + 1}", message)
                     for message in _text_problems(f"variant {index + 1}", variant, MAX_ANSWER_CHARS)]
    if len(question.wrong) != CHOICES - 1:
        problems.append(("wrong", f"exactly {CHOICES - 1} wrong alternatives are needed"))
    for index, wrong in enumerate(question.wrong):
        problems += [(f"wrong {index + 1}", message)
                     for message in _text_problems(f"alternative {index + 1}", wrong, MAX_ANSWER_CHARS)]
    # The explanation and link stand alone: their problems never hide the others' (and the
    # other way round), so an author sees every field at fault at once.
    extra = _extra_problems(question)
    if problems:
        return problems + extra  # the checks below assume well-formed strings

    right = {fold(answer) for answer in question.answers}
    wrong = [fold(item) for item in question.wrong]
    for index, folded in enumerate(wrong):
        if folded in wrong[:index]:
            problems.append((f"wrong {index + 1}", "two wrong alternatives are the same"))
            break
    for index, (item, folded) in enumerate(zip(question.wrong, wrong, strict=True)):
        if folded in right:
            problems.append((f"wrong {index + 1}",
                             f"the wrong alternative {item!r} is the answer or one of its variants"))
    if problems:
        return problems + extra  # the judge's verdicts would only repeat these

    for index, answer in enumerate(question.answers):
        if not judge(answer, question.answers, question.wrong):
            problems.append(("answer" if index == 0 else f"variant {index}",
                             f"the judge would refuse {answer!r}, typed as written"))
    for index, item in enumerate(question.wrong):
        if judge(item, question.answers, ()):
            problems.append((f"wrong {index + 1}", f"the judge would accept the wrong alternative {item!r}"))
    return problems + extra


def _extra_problems(question: NewQuestion) -> list[tuple[str, str]]:
    """The optional one-line explanation and the http(s) source link."""
    problems: list[tuple[str, str]] = []
    explanation, link = question.explanation, question.link
    if not isinstance(explanation, str):
        problems.append(("explanation", "explanation must be text"))
    elif explanation:
        if len(explanation) > MAX_EXPLANATION_CHARS:
            problems.append(("explanation", f"explanation is longer than {MAX_EXPLANATION_CHARS} characters"))
        elif any(ch in explanation for ch in "\r\n\x00") or _has_surrogate(explanation):
            problems.append(("explanation", "explanation must be one line of plain text"))
    if not isinstance(link, str):
        problems.append(("link", "link must be text"))
    elif link:
        problems += [("link", message) for message in _link_problems(link)]
    return problems


def _link_problems(link: str) -> list[str]:
    if len(link) > MAX_LINK_CHARS:
        return [f"link is longer than {MAX_LINK_CHARS} characters"]
    scheme, _, rest = link.partition("://")
    if scheme.lower() not in ("http", "https"):
        return ["link must start with http:// or https://"]
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if not host or any(ch.isspace() or ord(ch) < 32 for ch in link) or _has_surrogate(link):
        return ["link is not a web address"]
    return []


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


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
