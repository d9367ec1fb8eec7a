"""Import a question bank file into the store as published questions.

All or nothing per file: a malformed file imports nothing, and the questions
that pass are stored in one transaction. What cannot be a Kwissle question (the
parsers run the one validation of a question, `question_problems`, on each), or
is already stored, is skipped with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kwissle.bank.formats import (
    BankFormatError,
    ParsedBank,
    Skipped,
    parse_opentdb,
    parse_opentriviaqa,
)
from kwissle.model import QuestionStatus
from kwissle.settings import Settings
from kwissle.storage.open import open_store
from kwissle.textfold import fingerprint

FORMATS = ("opentdb", "opentriviaqa")


class ImportFailed(Exception):
    pass


@dataclass(frozen=True)
class ImportReport:
    imported: int
    skipped: list[Skipped]


def read_text(path: Path) -> str:
    """Bank files come as UTF-8 or, for older OpenTriviaQA files, Latin-1."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"{path}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def category_from_filename(path: Path) -> str:
    """`brain-teasers` -> `Brain Teasers`."""
    return path.stem.replace("-", " ").replace("_", " ").strip().title() or "General"


def parse_file(path: Path, fmt: str, category: str | None = None) -> ParsedBank:
    text = read_text(path)
    try:
        if fmt == "opentdb":
            return parse_opentdb(text)
        if fmt == "opentriviaqa":
            return parse_opentriviaqa(text, category or category_from_filename(path))
    except BankFormatError as error:
        raise ImportFailed(f"{path}: {error} (nothing imported)") from None
    raise ImportFailed(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


async def import_file(settings: Settings, path: Path, fmt: str, category: str | None = None) -> ImportReport:
    parsed = parse_file(path, fmt, category)
    store = await open_store(settings.database_url)
    try:
        stored = await store.existing_fingerprints(q.text for q in parsed.questions)
        fresh, skipped = [], list(parsed.skipped)
        for index, question in enumerate(parsed.questions):
            if fingerprint(question.text) in stored:
                skipped.append(Skipped(where=f"question {index + 1}",
                                       reason=f"already stored: {question.text[:60]!r}"))
            else:
                fresh.append(question)
        await store.add_questions(fresh, QuestionStatus.PUBLISHED)
    finally:
        await store.close()
    return ImportReport(imported=len(fresh), skipped=skipped)
