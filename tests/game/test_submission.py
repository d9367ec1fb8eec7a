"""A player's submission read field by field: each bad field gets its own message, beside it."""

from __future__ import annotations

import pytest

from kwissle.game.submission import read_submission
from kwissle.game.validation import (
    MAX_ANSWER_CHARS,
    MAX_CATEGORY_CHARS,
    MAX_EXPLANATION_CHARS,
    MAX_LINK_CHARS,
    MAX_TEXT_CHARS,
)

GOOD = {
    "text": "Which African country has Lusaka as its capital?",
    "answer": "Zambia",
    "variants": "Republic of Zambia\n\n  zambia  \n",
    "wrong_1": "Zimbabwe",
    "wrong_2": "Malawi",
    "wrong_3": "Namibia",
    "category": "geography",
    "explanation": "Lusaka has been the capital since independence in 1964.",
    "link": "https://en.wikipedia.org/wiki/Lusaka",
}


def read(**changes):
    return read_submission({**GOOD, **changes}, "author-1", categories=["Geography", "History"])


def test_a_good_submission_becomes_a_player_question():
    submission = read()
    assert submission.errors == {}
    question = submission.question
    assert question.text == GOOD["text"]
    assert question.variants == ("Republic of Zambia",)  # blank lines and a repeat of the answer dropped
    assert question.wrong == ("Zimbabwe", "Malawi", "Namibia")
    assert question.category == "Geography"  # the stored spelling of the category typed
    assert (question.source, question.author_id) == ("player", "author-1")
    assert question.explanation == GOOD["explanation"] and question.link == GOOD["link"]


def test_optional_fields_may_be_left_empty():
    submission = read(variants="", explanation="", link="")
    assert submission.errors == {} and submission.question.variants == ()


def test_a_new_category_is_kept_as_typed():
    assert read(category="  Board   games ").question.category == "Board games"


@pytest.mark.parametrize("field, message", [
    ("text", "Text is empty."),
    ("answer", "Answer is empty."),
    ("wrong_1", "This alternative is empty."),
    ("wrong_2", "This alternative is empty."),
    ("wrong_3", "This alternative is empty."),
    ("category", "Category is empty."),
])
def test_a_required_field_left_empty_is_named(field, message):
    submission = read(**{field: "   "})
    assert submission.question is None
    assert submission.errors == {field: message}


def test_a_question_too_short_to_be_one():
    assert read(text="Capital?").errors == {"text": "Write the whole question: at least 10 characters."}


@pytest.mark.parametrize("field, limit", [
    ("text", MAX_TEXT_CHARS), ("answer", MAX_ANSWER_CHARS), ("category", MAX_CATEGORY_CHARS),
    ("wrong_2", MAX_ANSWER_CHARS), ("explanation", MAX_EXPLANATION_CHARS)])
def test_a_field_too_long_is_named_with_its_limit(field, limit):
    errors = read(**{field: "Zebra " * (limit // 6 + 1)}).errors
    assert list(errors) == [field]
    assert f"longer than {limit} characters" in errors[field]


def test_a_variant_too_long_is_put_beside_the_variants():
    errors = read(variants="Zambia Republic\n" + "x" * (MAX_ANSWER_CHARS + 1)).errors
    assert errors == {"variants": f"Variant 2 is longer than {MAX_ANSWER_CHARS} characters."}


def test_two_alternatives_the_same_after_folding():
    assert read(wrong_3="ZIMBABWE!").errors == {"wrong_3": "Two wrong alternatives are the same."}


@pytest.mark.parametrize("field, same", [("wrong_1", "  ZAMBIA. "), ("wrong_2", "republic of zambia")])
def test_an_alternative_that_is_the_answer_or_a_variant(field, same):
    assert read(**{field: same}).errors == {
        field: f"The wrong alternative {same.strip()!r} is the answer or one of its variants."}


def test_the_judge_would_accept_an_alternative():
    """One typo from the answer and no word of its own: typed, it would score."""
    errors = read(text="Who composed the ballet Swan Lake?", answer="Tchaikovsky", variants="",
                  wrong_1="Tchaikovski", wrong_2="Brahms", wrong_3="Verdi").errors
    assert errors == {"wrong_1": "The judge would accept the wrong alternative 'Tchaikovski'."}


def test_the_judge_would_refuse_the_answer_as_written():
    errors = read(text="Which English king had six wives?", answer="Henry VIII", variants="",
                  wrong_1="Henry 8", wrong_2="Edward VI", wrong_3="James I").errors
    assert errors["answer"] == "The judge would refuse 'Henry VIII', typed as written."


def test_the_judge_would_refuse_a_variant_as_written():
    def refuses_one_variant(typed, answers, decoys):
        return typed in answers and typed != "Republic of Zambia"  # and never an alternative

    submission = read_submission(GOOD, "author-1", judge=refuses_one_variant)
    assert submission.errors == {"variants": "The judge would refuse 'Republic of Zambia', typed as written."}


@pytest.mark.parametrize("link, message", [
    ("javascript:alert(1)", "Link must start with http:// or https://."),
    ("ftp://example.org/file", "Link must start with http:// or https://."),
    ("https://", "Link is not a web address."),
    ("https://exa mple.org/", "Link is not a web address."),
    ("https://example.org/" + "a" * MAX_LINK_CHARS, f"Link is longer than {MAX_LINK_CHARS} characters."),
])
def test_a_source_link_must_be_a_web_address(link, message):
    assert read(link=link).errors == {"link": message}


def test_an_explanation_is_one_line():
    assert read(explanation="First line\nsecond line").errors == {
        "explanation": "Explanation must be one line of plain text."}


def test_every_bad_field_is_named_at_once():
    errors = read(text="", answer="", wrong_2="", link="mailto:a@b.c").errors
    assert set(errors) == {"text", "answer", "wrong_2", "link"}


def test_values_are_given_back_as_typed_for_the_form():
    submission = read(text="", variants="one\ntwo")
    assert submission.values["variants"] == "one\ntwo" and submission.values["link"] == GOOD["link"]


def test_a_bad_link_does_not_hide_what_is_wrong_with_the_alternatives():
    """Every field at fault is named at once: an author should not fix one, resubmit, and meet the next."""
    form = {**GOOD, "wrong_1": "Zambia", "wrong_2": "Malawi", "wrong_3": "Malawi", "link": "javascript:alert(1)"}
    submission = read_submission(form, "p-1")
    assert submission.question is None
    assert set(submission.errors) == {"wrong_1", "wrong_3", "link"}
