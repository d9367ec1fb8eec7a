"""The one validation of a question: each problem it names, and nothing on a good question."""

from dataclasses import replace

import pytest

from kwissle.game.validation import (
    MAX_ANSWER_CHARS,
    MAX_CATEGORY_CHARS,
    MAX_TEXT_CHARS,
    MAX_VARIANTS,
    InvalidQuestion,
    check_question,
    question_problems,
)
from kwissle.model import NewQuestion

GOOD = NewQuestion(
    text="Which country has Lusaka as its capital?",
    answer="Zambia",
    variants=("Republic of Zambia",),
    wrong=("Gambia", "Namibia", "Malawi"),
    category="Geography",
)


def problems(**changes: object) -> list[str]:
    return question_problems(replace(GOOD, **changes))


def test_a_good_question_has_no_problem_and_passes_the_check():
    assert question_problems(GOOD) == []
    assert check_question(GOOD) is GOOD


def test_the_check_raises_with_every_problem():
    with pytest.raises(InvalidQuestion) as raised:
        check_question(replace(GOOD, text=" ", category=""))
    assert raised.value.problems == ["text is empty", "category is empty"]
    assert str(raised.value) == "text is empty; category is empty"


def test_a_field_that_is_not_text():
    assert problems(answer=None) == ["answer must be text"]


def test_an_empty_field():
    assert problems(variants=("Zambia", "  ")) == ["variant 2 is empty"]


@pytest.mark.parametrize("field, limit", [("text", MAX_TEXT_CHARS), ("answer", MAX_ANSWER_CHARS),
                                          ("category", MAX_CATEGORY_CHARS)])
def test_a_field_that_is_too_long(field, limit):
    assert problems(**{field: "x" * (limit + 1)}) == [f"{field} is longer than {limit} characters"]


def test_a_field_with_no_letter_or_digit():
    assert problems(wrong=("Gambia", "?!", "Malawi")) == ["alternative 2 has no letters or digits"]


@pytest.mark.parametrize("bad", ["Zam\x00bia", "Zam\ud800bia"])
def test_a_field_with_characters_that_cannot_be_stored(bad):
    assert problems(answer=bad) == ["answer holds characters that cannot be stored"]


def test_too_many_variants():
    variants = tuple(f"Zambia {n}" for n in range(MAX_VARIANTS + 1))
    assert problems(variants=variants) == [f"at most {MAX_VARIANTS} accepted variants"]


@pytest.mark.parametrize("wrong", [("Gambia", "Namibia"), ("Gambia", "Namibia", "Malawi", "Angola")])
def test_not_exactly_three_alternatives(wrong):
    assert problems(wrong=wrong) == ["exactly 3 wrong alternatives are needed"]


def test_two_alternatives_the_same_after_folding():
    assert problems(wrong=("Gambia", "Namibia", "GAMBIA!")) == ["two wrong alternatives are the same"]


@pytest.mark.parametrize("same", ["ZAMBIA", "  zambia. ", "Zämbia", "republic of zambia"])
def test_a_wrong_alternative_equals_the_answer_or_a_variant_after_folding(same):
    assert problems(wrong=("Gambia", same, "Malawi")) == [
        f"the wrong alternative {same!r} is the answer or one of its variants"]


def test_the_judge_would_refuse_the_answer_typed_as_written():
    """ "Henry 8" folds apart from "Henry VIII" but is the same answer to the judge, so the
    answer typed as written is as near that alternative as to itself."""
    found = question_problems(NewQuestion("Which king had six wives?", "Henry VIII", (),
                                          ("Henry 8", "Edward VI", "James I"), "History"))
    assert "the judge would refuse 'Henry VIII', typed as written" in found


def test_the_judge_would_accept_a_wrong_alternative():
    """An alternative one typo from the answer, and no word of its own: typed, it would score."""
    question = NewQuestion("Who composed Swan Lake?", "Tchaikovsky", (),
                           ("Tchaikovski", "Brahms", "Verdi"), "Music")
    assert question_problems(question) == ["the judge would accept the wrong alternative 'Tchaikovski'"]


def test_the_judge_given_is_the_one_asked():
    def accepts_nothing(typed, answers, decoys):
        return False

    assert question_problems(GOOD, judge=accepts_nothing) == [
        "the judge would refuse 'Zambia', typed as written",
        "the judge would refuse 'Republic of Zambia', typed as written",
    ]
