"""Bank-wide cross-check: no answer, variant or alternative of a starter question
scores as the answer of another question.

Every text of every question (answer, variants, wrong alternatives) is typed
against every other question, as a battle would judge it. The judge must refuse
it unless it is that question's answer or one of its variants once normalised
(then accepting it is right: two questions may share an answer).

The judge runs with the default lexicon, not one extended with the bank's own
texts: extending the lexicon only makes the judge refuse more, so a bank that
passes here passes under any extended lexicon too.

To stay fast the judge only sees the pairs that could pass: an accepted guess
is never more than `MAX_TYPOS` edits (OSA, words joined without spaces) from
the normalised answer it matched (the judge's own bound, asserted below on the
typos it forgives), so a pair farther than that from every answer of the other
question is refused without asking.
"""

from __future__ import annotations

import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA

from kwissle.bank.starter import load_starter_bank
from kwissle.game.judge import MAX_TYPOS, judge, normalize
from kwissle.game.lexicon import Lexicon

BANK = load_starter_bank()


def joined(text: str) -> str:
    return "".join(normalize(text))


def typed_texts() -> list[tuple[int, str]]:
    """(question index, text) for every answer, variant and alternative of the bank."""
    return [(index, text) for index, question in enumerate(BANK)
            for text in (*question.answers, *question.wrong)]


def answer_owners() -> tuple[list[int], list[str]]:
    """Every right answer of the bank (canonical or variant) with the index of its question."""
    owners, answers = [], []
    for index, question in enumerate(BANK):
        for answer in question.answers:
            owners.append(index)
            answers.append(answer)
    return owners, answers


def collisions() -> list[str]:
    texts = typed_texts()
    owners, answers = answer_owners()
    choices = [joined(answer) for answer in answers]
    found = []
    for source, text in texts:
        near = process.extract(joined(text), choices, scorer=OSA.distance,
                               score_cutoff=MAX_TYPOS, limit=None)
        for target in sorted({owners[index] for _, _, index in near} - {source}):
            found += collision(text, source, target)
    return found


def collision(text: str, source: int, target: int) -> list[str]:
    """The complaint if the judge accepts `text`, from question `source`, for question `target`."""
    question = BANK[target]
    if normalize(text) in {normalize(a) for a in question.answers}:
        return []  # the same answer: accepting it is right
    if judge(text, question.answers, question.wrong, lexicon=Lexicon.default()):
        return [(f"{text!r} (from {BANK[source].text[:50]!r}) is accepted for "
                 f"{question.text[:50]!r} (answer {question.answer!r})")]
    return []


def test_no_text_of_one_question_is_accepted_for_another():
    assert collisions() == []


@pytest.mark.parametrize("typed, answers", [
    ("Wiliam Shakespere", ["William Shakespeare"]),
    ("Leonardo da Vinic", ["Leonardo da Vinci"]),
    ("Ghengis Khan", ["Genghis Khan"]),
    ("Hiaku", ["Haiku"]),
    ("Tchaikovski", ["Tchaikovsky"]),
    ("leonardo davinci", ["Leonardo da Vinci"]),
    ("Misisipi River", ["Mississippi River"]),
])
def test_the_pre_filter_bound_holds_for_the_typos_the_judge_forgives(typed, answers):
    """The bound the pre-filter relies on: whatever the judge accepts is within MAX_TYPOS."""
    assert judge(typed, answers)
    assert min(OSA.distance(joined(typed), joined(a)) for a in answers) <= MAX_TYPOS


def test_the_cross_check_finds_a_collision_when_there_is_one(monkeypatch):
    """An answer one typo from another question's answer, and not a lexicon word, collides
    (the other way round, "Tchaikovsky" is a lexicon word, so it is refused for "Tchaikovski")."""
    from kwissle.model import NewQuestion

    planted = [NewQuestion("Who composed Swan Lake?", "Tchaikovsky", (), ("Brahms", "Liszt", "Verdi"), "Music"),
               NewQuestion("Whose name is spelled this way?", "Tchaikovski", (), ("Mahler", "Ravel", "Bizet"), "Music")]
    monkeypatch.setattr(f"{__name__}.BANK", planted)
    assert collisions() == [("'Tchaikovski' (from 'Whose name is spelled this way?') is accepted for "
                             "'Who composed Swan Lake?' (answer 'Tchaikovsky')")]
