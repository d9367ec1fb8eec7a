"""A player's question as the submit form sends it: read, tidied and checked field by field.

Pure: no store, no I/O. `read_submission` turns the form's strings into a NewQuestion
and a message beside each field at fault. The checks are the one validation of a
question (validation.py: lengths, three distinct alternatives that differ from the
answer and every variant after folding, the judge accepting the answer and every
variant and refusing every alternative, a one-line explanation, an http(s) link)
plus what only a form needs (a question long enough to be one, variants given one a
line, a category spelled as the stored one it matches). Whether the question nearly
duplicates a stored one is asked of duplicates.py by the caller, which holds the bank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kwissle.game.judge import judge as default_judge
from kwissle.game.rules import CHOICES
from kwissle.game.validation import Judge, field_problems
from kwissle.model import NewQuestion
from kwissle.textfold import fold

WRONG_FIELDS = tuple(f"wrong_{n}" for n in range(1, CHOICES))
FIELDS = ("text", "answer", "variants", *WRONG_FIELDS, "category", "explanation", "link")
MIN_TEXT_CHARS = 10  # "Capital?" is not a question anyone can answer
MAX_FIELD_CHARS = 2000  # anything longer is cut before the checks (they then say it is too long)


@dataclass(frozen=True)
class Submission:
    """What the form said: `values` to show again, and either a question or `errors` (field -> message)."""

    values: dict[str, str]
    question: NewQuestion | None
    errors: dict[str, str] = field(default_factory=dict)


def read_submission(form: Mapping[str, str], author_id: str, categories: Iterable[str] = (),
                    judge: Judge = default_judge) -> Submission:
    """Read the submit form (fields `FIELDS`; variants one a line). `categories` are the stored
    ones: a category typed with other capitals or accents takes the stored spelling."""
    values = {name: str(form.get(name, ""))[:MAX_FIELD_CHARS] for name in FIELDS}
    text, answer = _one_line(values["text"]), _one_line(values["answer"])
    variants = _variants(values["variants"], answer)
    question = NewQuestion(
        text=text, answer=answer, variants=variants,
        wrong=tuple(_one_line(values[name]) for name in WRONG_FIELDS),  # type: ignore[arg-type]
        category=_category(_one_line(values["category"]), categories),
        source="player", author_id=author_id,
        explanation=values["explanation"].strip(), link=values["link"].strip())
    errors: dict[str, str] = {}
    if text and len(text) < MIN_TEXT_CHARS:
        errors["text"] = f"Write the whole question: at least {MIN_TEXT_CHARS} characters."
    for name, message in field_problems(question, judge):
        errors.setdefault(_form_field(name), _sentence(message))
    return Submission(values, None if errors else question, errors)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _variants(raw: str, answer: str) -> tuple[str, ...]:
    """One a line, blanks dropped; a line that folds to the answer or an earlier variant says nothing new."""
    seen = {fold(answer)}
    kept: list[str] = []
    for line in raw.splitlines():
        variant = _one_line(line)
        if variant and fold(variant) not in seen:
            seen.add(fold(variant))
            kept.append(variant)
    return tuple(kept)


def _category(typed: str, categories: Iterable[str]) -> str:
    folded = fold(typed)
    return next((stored for stored in categories if fold(stored) == folded and folded), typed)


def _form_field(name: str) -> str:
    """validation.py's field names to the form's."""
    if name.startswith("variant"):
        return "variants"
    if name.startswith("wrong"):
        number = name.removeprefix("wrong").strip() or "1"
        return f"wrong_{number}"
    return name


def _sentence(message: str) -> str:
    message = message.replace("alternative 1", "this alternative").replace(
        "alternative 2", "this alternative").replace("alternative 3", "this alternative")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
