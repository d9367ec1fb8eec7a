"""Parsers for public trivia question banks.

Two formats are read:

* OpenTDB (https://opentdb.com): the JSON returned by its API, in the default
  HTML-entity encoding or the `encode=base64` / `encode=url3986` variants.
* OpenTriviaQA (https://github.com/uberspot/OpenTriviaQA): plain text, one file
  per category, a question being a `#Q` line, a `^` right-answer line and
  lettered choice lines.

Parsing is pure: text in, `ParsedBank` out, no I/O and no database. A question
Kwissle cannot use is left out and listed in `ParsedBank.skipped` with the
reason: what only a file format can get wrong (a true/false question, a right
answer that is none of the choices) is checked here; everything else by the one
validation every path that adds a question goes through
(`kwissle.game.validation.question_problems`: three distinct alternatives that
differ from the answer, a judge that accepts the answer and refuses each
alternative...); then repeats of an earlier question. A malformed file raises
`BankFormatError` naming the line or entry at fault, so that the caller imports
nothing from it.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from kwissle.game.validation import question_problems
from kwissle.model import NewQuestion
from kwissle.textfold import fingerprint, fold


class BankFormatError(ValueError):
    """A bank file is malformed; the message says where and what is wrong."""


@dataclass(frozen=True)
class Skipped:
    """A well-formed question left out of the import, and why."""

    where: str  # "results[3]" or "line 40"
    reason: str


@dataclass(frozen=True)
class ParsedBank:
    """The usable questions of a bank file, in file order, and the ones left out."""

    questions: list[NewQuestion]
    skipped: list[Skipped]


# A question, or the reason it is skipped, with where it is in the file.
_Outcome = tuple[str, NewQuestion | str]
# Turns one encoded string of a file into text; raises ValueError if it can't.
_Decoder = Callable[[str], str]


def _collect(outcomes: list[_Outcome]) -> ParsedBank:
    """Sort outcomes into questions and skips, skipping the questions that fail the
    validation (all their problems as the reason) and repeats of an earlier question."""
    questions: list[NewQuestion] = []
    skipped: list[Skipped] = []
    first_seen: dict[str, str] = {}  # fingerprint -> where the question was kept
    for where, outcome in outcomes:
        if isinstance(outcome, str):
            skipped.append(Skipped(where, outcome))
            continue
        problems = question_problems(outcome)
        if problems:
            skipped.append(Skipped(where, "; ".join(problems)))
            continue
        key = fingerprint(outcome.text)
        if key in first_seen:
            skipped.append(Skipped(where, f"same question as {first_seen[key]}"))
            continue
        first_seen[key] = where
        questions.append(outcome)
    return ParsedBank(questions, skipped)


# --- OpenTDB ---------------------------------------------------------------

_OPENTDB_TEXT_FIELDS = ("type", "category", "question", "correct_answer")
_OPENTDB_TYPES = ("multiple", "boolean")
_CATEGORY_PREFIXES = ("Entertainment: ", "Science: ")


def parse_opentdb(text: str, source: str = "opentdb") -> ParsedBank:
    """Parse an OpenTDB API response (JSON) into questions and skips.

    Raises `BankFormatError` naming the entry (e.g. "results[3]") when the
    file is not a successful API response.
    """
    results = _opentdb_results(text)
    for index, entry in enumerate(results):
        _check_opentdb_entry(entry, f"results[{index}]")
    decode = _opentdb_decoder(results)
    outcomes: list[_Outcome] = []
    for index, entry in enumerate(results):
        where = f"results[{index}]"
        outcomes.append((where, _opentdb_question(entry, decode, where, source)))
    return _collect(outcomes)


def _opentdb_results(text: str) -> list[Any]:
    """The "results" list of an API response, after checking the envelope."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BankFormatError(
            f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    if not isinstance(document, dict):
        raise BankFormatError("not an OpenTDB response: the JSON is not an object")
    code = document.get("response_code", 0)
    if code != 0:
        raise BankFormatError(f"response_code is {code!r}: the API returned no questions")
    if "results" not in document:
        raise BankFormatError("no 'results' list")
    results = document["results"]
    if not isinstance(results, list):
        raise BankFormatError("'results' is not a list")
    return results


def _check_opentdb_entry(entry: Any, where: str) -> None:
    """Raise `BankFormatError` unless `entry` has the fields of an OpenTDB question."""
    if not isinstance(entry, dict):
        raise BankFormatError(f"{where}: not an object")
    for name in _OPENTDB_TEXT_FIELDS:
        if not isinstance(entry.get(name), str):
            raise BankFormatError(f"{where}: '{name}' is missing or not a string")
    wrong = entry.get("incorrect_answers")
    if not isinstance(wrong, list) or not all(isinstance(item, str) for item in wrong):
        raise BankFormatError(f"{where}: 'incorrect_answers' is missing or not a list of strings")


def _opentdb_decoder(results: list[Any]) -> _Decoder:
    """Choose how the strings of these entries are encoded.

    The API encodes every string the same way. base64 is recognised by the
    "type" field, which is then "bXVsdGlwbGU=" or "Ym9vbGVhbg=="; url3986 by
    question texts that all contain "%20" and never a plain space. Anything
    else is the default encoding, with HTML entities.
    """
    encoded_types = {_b64(name) for name in _OPENTDB_TYPES}
    if results and all(entry["type"] in encoded_types for entry in results):
        return _decode_base64
    questions = [entry["question"] for entry in results]
    if questions and all("%20" in q and " " not in q for q in questions):
        return _decode_url3986
    return html.unescape


def _b64(text: str) -> str:
    """`text` as the base64 variant of the API writes it."""
    return base64.b64encode(text.encode()).decode("ascii")


def _decode_base64(encoded: str) -> str:
    """Decode one string of an `encode=base64` response."""
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"{encoded!r} is not base64-encoded UTF-8") from None


def _decode_url3986(encoded: str) -> str:
    """Decode one string of an `encode=url3986` response."""
    try:
        return unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        raise ValueError(f"{encoded!r} is not percent-encoded UTF-8") from None


def _opentdb_question(
    entry: dict[str, Any], decode: _Decoder, where: str, source: str
) -> NewQuestion | str:
    """The question of one checked entry, or the reason to skip it."""
    try:
        kind = decode(entry["type"])
        text = decode(entry["question"]).strip()
        answer = decode(entry["correct_answer"]).strip()
        wrong = [decode(item).strip() for item in entry["incorrect_answers"]]
        category = _opentdb_category(decode(entry["category"]))
    except ValueError as error:
        raise BankFormatError(f"{where}: {error}") from None
    if kind not in _OPENTDB_TYPES:
        raise BankFormatError(f"{where}: unknown type {kind!r}")
    if kind == "boolean":
        return "true/false question"
    return _new_question(text, answer, wrong, category, source)


def _new_question(text: str, answer: str, wrong: list[str], category: str, source: str) -> NewQuestion:
    """An imported question, not yet validated (`_collect` does it): imports carry no
    accepted variants, the judge's folding does the rest."""
    return NewQuestion(text=text, answer=answer, variants=(), wrong=tuple(wrong),  # type: ignore[arg-type]
                       category=category, source=source)


def _opentdb_category(name: str) -> str:
    """OpenTDB's category without its "Entertainment: " or "Science: " prefix."""
    for prefix in _CATEGORY_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix).strip()
    return name.strip()


# --- OpenTriviaQA ------------------------------------------------------------

# Only \r\n, \n and \r end lines: str.splitlines() would also split on \x85,
# \x0c and others, which latin-1 decoded files contain inside text.
_LINE_END = re.compile(r"\r\n|\r|\n")
_CHOICE = re.compile(r"([A-Z])(?:\s+(.*))?")
_TRUE_FALSE = ({"true", "false"}, {"yes", "no"})


@dataclass
class _Block:
    """One question of an OpenTriviaQA file, as read."""

    line: int  # 1-based line of its "#Q"
    text_lines: list[str]
    answer: str | None = None  # None until the "^" line is read
    choices: list[str] = field(default_factory=list)


def parse_opentriviaqa(
    text: str, category: str, source: str = "opentriviaqa"
) -> ParsedBank:
    """Parse one OpenTriviaQA category file into questions and skips.

    `category` is used as given for every question. Lines may end in \\r\\n,
    \\n or \\r, mixed. Raises `BankFormatError` naming the 1-based line when
    the file does not follow the format.
    """
    blocks = _read_blocks(_LINE_END.split(text.removeprefix("\ufeff")))
    outcomes: list[_Outcome] = [
        (f"line {block.line}", _opentriviaqa_question(block, category, source))
        for block in blocks
    ]
    return _collect(outcomes)


def _read_blocks(lines: list[str]) -> list[_Block]:
    """Group the lines of a file into question blocks, checking the layout.

    A "#Q" line starts a block; its text runs on, blank lines included, until
    the "^" line; lettered choice lines follow until a blank line or the next
    "#Q".
    """
    blocks: list[_Block] = []
    block: _Block | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("#Q"):
            _check_answered(block)
            block = _Block(number, [line[2:].strip()])
            blocks.append(block)
        elif block is not None and block.answer is None:
            _add_text_or_answer(block, line)
        elif not line:
            block = None
        elif block is None:
            raise BankFormatError(
                f"line {number}: {_line_kind(line)} line {line!r} outside a '#Q' question"
            )
        else:
            _add_choice(block, number, line)
    _check_answered(block)
    return blocks


def _check_answered(block: _Block | None) -> None:
    """Raise `BankFormatError` if `block` never got its "^" line."""
    if block is not None and block.answer is None:
        raise BankFormatError(f"line {block.line}: '#Q' question has no '^' answer line")


def _add_text_or_answer(block: _Block, line: str) -> None:
    """Read a line between "#Q" and "^": the answer, or more question text."""
    if line.startswith("^"):
        block.answer = line[1:].strip()
    else:
        block.text_lines.append(line)


def _add_choice(block: _Block, number: int, line: str) -> None:
    """Read a line after "^": it must be a lettered choice."""
    if line.startswith("^"):
        raise BankFormatError(
            f"line {number}: second '^' answer line in the question of line {block.line}"
        )
    match = _CHOICE.fullmatch(line)
    if match is None:
        raise BankFormatError(f"line {number}: expected a choice like 'A ...', got {line!r}")
    block.choices.append((match.group(2) or "").strip())


def _line_kind(line: str) -> str:
    """How a stray line reads, for error messages."""
    if line.startswith("^"):
        return "answer"
    if _CHOICE.fullmatch(line):
        return "choice"
    return "unexpected"


def _opentriviaqa_question(block: _Block, category: str, source: str) -> NewQuestion | str:
    """The question of one block, or the reason to skip it."""
    assert block.answer is not None  # _read_blocks checked it
    text = "\n".join(block.text_lines).strip()
    answer = block.answer
    choices = block.choices
    folded_choices = [fold(choice) for choice in choices]
    if set(folded_choices) in _TRUE_FALSE:
        return "true/false question"
    if fold(answer) not in folded_choices:
        return f"right answer {answer!r} is not among the choices"
    # The choice that is the answer goes; any other copy of it stays, for the validation to name.
    right = folded_choices.index(fold(answer))
    wrong = choices[:right] + choices[right + 1:]
    return _new_question(text, answer, wrong, category, source)
