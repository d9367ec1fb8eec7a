"""Parsing OpenTDB and OpenTriviaQA bank files into questions, skips and errors."""

import json
from pathlib import Path

import pytest

from kwissle.bank.formats import (
    BankFormatError,
    ParsedBank,
    Skipped,
    parse_opentdb,
    parse_opentriviaqa,
)
from kwissle.model import NewQuestion

DATA = Path(__file__).parent / "data"


def read_text(name: str) -> str:
    """A fixture file as text, line endings untouched."""
    return (DATA / name).read_bytes().decode("utf-8")


def opentdb_document(*entries: object, response_code: object = 0) -> str:
    return json.dumps({"response_code": response_code, "results": list(entries)})


def opentdb_entry(**changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "type": "multiple",
        "difficulty": "easy",
        "category": "Geography",
        "question": "What is the capital of Chile?",
        "correct_answer": "Santiago",
        "incorrect_answers": ["Lima", "Quito", "La Paz"],
    }
    entry.update(changes)
    return entry


# --- OpenTDB -----------------------------------------------------------------


@pytest.fixture(scope="module")
def opentdb_good() -> ParsedBank:
    return parse_opentdb(read_text("opentdb_good.json"))


def test_opentdb_keeps_usable_questions_in_file_order_with_entities_decoded(
    opentdb_good: ParsedBank,
) -> None:
    assert [q.text for q in opentdb_good.questions] == [
        'Who wrote "The Hobbit"?',
        "What does 'CPU' stand for?",
        'Who composed the music of "Les Misérables"?',
        "Which element has the symbol Fe?",
    ]


def test_opentdb_question_carries_answer_wrong_answers_category_and_source(
    opentdb_good: ParsedBank,
) -> None:
    assert opentdb_good.questions[0] == NewQuestion(
        text='Who wrote "The Hobbit"?',
        answer="J. R. R. Tolkien",
        variants=(),
        wrong=("C. S. Lewis", "Terry Pratchett", "George R. R. Martin"),
        category="Books",
        source="opentdb",
    )


def test_opentdb_decodes_entities_in_answers(opentdb_good: ParsedBank) -> None:
    assert opentdb_good.questions[2].answer == "Claude-Michel Schönberg"


def test_opentdb_category_loses_entertainment_and_science_prefixes_only(
    opentdb_good: ParsedBank,
) -> None:
    assert [q.category for q in opentdb_good.questions] == [
        "Books",
        "Computers",
        "Musicals & Theatres",
        "Science & Nature",
    ]


def test_opentdb_lists_skipped_entries_with_where_and_why(opentdb_good: ParsedBank) -> None:
    assert opentdb_good.skipped == [
        Skipped("results[1]", "true/false question"),
        Skipped("results[3]", "same question as results[0]"),
        Skipped("results[4]", "exactly 3 wrong alternatives are needed"),
        Skipped("results[5]", "the wrong alternative 'LIMA' is the answer or one of its variants"),
        Skipped("results[6]", "two wrong alternatives are the same"),
        Skipped("results[7]", "text is empty"),
    ]


def test_opentdb_uses_the_source_given() -> None:
    bank = parse_opentdb(opentdb_document(opentdb_entry()), source="opentdb-2024")
    assert bank.questions[0].source == "opentdb-2024"


def test_opentdb_empty_results_give_an_empty_bank() -> None:
    assert parse_opentdb(opentdb_document()) == ParsedBank([], [])


def test_opentdb_strips_white_space_around_question_and_answers() -> None:
    entry = opentdb_entry(
        question="  What is the capital of Chile?  ",
        correct_answer=" Santiago ",
        incorrect_answers=["Lima ", " Quito", "La Paz"],
    )
    question = parse_opentdb(opentdb_document(entry)).questions[0]
    assert question.text == "What is the capital of Chile?"
    assert question.answer == "Santiago"
    assert question.wrong == ("Lima", "Quito", "La Paz")


def test_opentdb_skips_an_entry_with_an_empty_answer() -> None:
    entry = opentdb_entry(incorrect_answers=["Lima", " ", "Quito"])
    assert parse_opentdb(opentdb_document(entry)).skipped == [
        Skipped("results[0]", "alternative 2 is empty")
    ]


@pytest.mark.parametrize("name", ["opentdb_base64.json", "opentdb_url3986.json"])
def test_opentdb_reads_base64_and_url3986_encodings(name: str) -> None:
    bank = parse_opentdb(read_text(name))
    assert [(q.text, q.answer, q.wrong, q.category) for q in bank.questions] == [
        (
            'Who directed "Jaws" & "E.T."?',
            "Steven Spielberg",
            ("George Lucas", "James Cameron", "Ridley Scott"),
            "Film",
        ),
        (
            'Which city is called the 100% "Eternal City"?',
            "Rome",
            ("Athens", "Zürich", "Paris"),
            "Geography",
        ),
    ]
    assert bank.skipped == [Skipped("results[1]", "true/false question")]


def test_opentdb_default_encoding_keeps_percent_signs_and_base64_like_text() -> None:
    entry = opentdb_entry(
        question="Is 100%20 a valid score?", correct_answer="bXVsdGlwbGU="
    )
    question = parse_opentdb(opentdb_document(entry)).questions[0]
    assert question.text == "Is 100%20 a valid score?"
    assert question.answer == "bXVsdGlwbGU="


def test_opentdb_bad_base64_string_names_the_entry() -> None:
    entry = opentdb_entry(
        type="bXVsdGlwbGU=",
        category="R2VvZ3JhcGh5",
        question="not base64!",
        correct_answer="U2FudGlhZ28=",
        incorrect_answers=["TGltYQ==", "UXVpdG8=", "TGEgUGF6"],
    )
    with pytest.raises(BankFormatError, match=r"^results\[0\]: 'not base64!' is not base64"):
        parse_opentdb(opentdb_document(entry))


def test_opentdb_entry_without_incorrect_answers_is_malformed_and_named() -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentdb(read_text("opentdb_bad_entry.json"))
    assert str(raised.value) == (
        "results[2]: 'incorrect_answers' is missing or not a list of strings"
    )


def test_opentdb_non_zero_response_code_is_malformed() -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentdb(read_text("opentdb_no_results.json"))
    assert str(raised.value) == "response_code is 1: the API returned no questions"


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"results": [', r"^not JSON: .* at line 1 column 14$"),
        ("[]", r"^not an OpenTDB response: the JSON is not an object$"),
        ('{"response_code": 0}', r"^no 'results' list$"),
        ('{"response_code": 0, "results": {}}', r"^'results' is not a list$"),
        (
            opentdb_document(opentdb_entry(), "What is the capital of Peru?"),
            r"^results\[1\]: not an object$",
        ),
        (
            opentdb_document(opentdb_entry(question=None)),
            r"^results\[0\]: 'question' is missing or not a string$",
        ),
        (
            opentdb_document(opentdb_entry(), opentdb_entry(correct_answer=7)),
            r"^results\[1\]: 'correct_answer' is missing or not a string$",
        ),
        (
            opentdb_document(opentdb_entry(incorrect_answers="Lima")),
            r"^results\[0\]: 'incorrect_answers' is missing or not a list of strings$",
        ),
        (
            opentdb_document(opentdb_entry(incorrect_answers=["Lima", 3, "Quito"])),
            r"^results\[0\]: 'incorrect_answers' is missing or not a list of strings$",
        ),
        (
            opentdb_document(opentdb_entry(type="open")),
            r"^results\[0\]: unknown type 'open'$",
        ),
    ],
)
def test_opentdb_malformed_file_raises_naming_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(BankFormatError, match=message):
        parse_opentdb(text)


def test_opentdb_malformed_entry_after_good_ones_still_rejects_the_whole_file() -> None:
    text = opentdb_document(opentdb_entry(), opentdb_entry(), {"type": "multiple"})
    with pytest.raises(BankFormatError, match=r"^results\[2\]: "):
        parse_opentdb(text)


def test_bank_format_error_is_a_value_error() -> None:
    assert issubclass(BankFormatError, ValueError)


# --- OpenTriviaQA --------------------------------------------------------------


@pytest.fixture(scope="module")
def opentriviaqa_mixed() -> ParsedBank:
    return parse_opentriviaqa(read_text("opentriviaqa_mixed.txt"), "Geography")


def test_opentriviaqa_reads_crlf_lf_and_cr_line_endings_mixed(
    opentriviaqa_mixed: ParsedBank,
) -> None:
    assert [q.text for q in opentriviaqa_mixed.questions] == [
        "What is the capital of France?",
        "Which letter comes next in this series:\nW-L-C-N-I-T-?",
        ("Yesterday I heard this in a shop:\n\n"
         "Client: How much is one?\n"
         "Salesman: Twenty cents.\n"
         "A customer asked that. What was being sold?"),
        "Who painted the Mona Lisa?",
    ]


def test_opentriviaqa_question_has_answer_and_the_other_choices_in_file_order(
    opentriviaqa_mixed: ParsedBank,
) -> None:
    assert opentriviaqa_mixed.questions[0] == NewQuestion(
        text="What is the capital of France?",
        answer="Paris",
        variants=(),
        wrong=("London", "Berlin", "Madrid"),
        category="Geography",
        source="opentriviaqa",
    )
    assert opentriviaqa_mixed.questions[3].wrong == ("Michelangelo", "Raphael", "Donatello")


def test_opentriviaqa_lists_skipped_questions_by_their_q_line(
    opentriviaqa_mixed: ParsedBank,
) -> None:
    assert opentriviaqa_mixed.skipped == [
        Skipped("line 9", "true/false question"),
        Skipped("line 22", "exactly 3 wrong alternatives are needed"),
        Skipped("line 28", "true/false question"),
        Skipped("line 44", "same question as line 2"),
        Skipped("line 51", "right answer 'Nile' is not among the choices"),
        Skipped("line 58", "the wrong alternative 'whale' is the answer or one of its variants"),
    ]


def test_opentriviaqa_uses_category_and_source_as_given() -> None:
    text = "#Q Who wrote Hamlet?\n^ Shakespeare\nA Marlowe\nB Shakespeare\nC Jonson\nD Kyd\n"
    question = parse_opentriviaqa(text, "Literature", source="otqa").questions[0]
    assert (question.category, question.source) == ("Literature", "otqa")


def test_opentriviaqa_matches_the_right_answer_to_a_choice_ignoring_case_and_spacing() -> None:
    text = "#Q Which sea?\n^ the  Dead Sea\nA Red Sea\nB The Dead Sea\nC Black Sea\nD Aral Sea\n"
    question = parse_opentriviaqa(text, "Geography").questions[0]
    assert question.answer == "the  Dead Sea"
    assert question.wrong == ("Red Sea", "Black Sea", "Aral Sea")


def test_opentriviaqa_counts_more_than_four_choices_as_a_skip() -> None:
    text = "#Q Pick one.\n^ A1\nA A1\nB B1\nC C1\nD D1\nE E1\n"
    assert parse_opentriviaqa(text, "General").skipped == [
        Skipped("line 1", "exactly 3 wrong alternatives are needed")
    ]


def test_opentriviaqa_skips_a_question_with_no_text() -> None:
    text = "#Q   \n^ Yes\nA Yes\nB No\nC Maybe\nD Never\n"
    assert parse_opentriviaqa(text, "General").skipped == [
        Skipped("line 1", "text is empty")
    ]


def test_opentriviaqa_skips_a_question_with_an_empty_choice() -> None:
    text = "#Q Pick one.\n^ Yes\nA Yes\nB\nC Maybe\nD Never\n"
    assert parse_opentriviaqa(text, "General").skipped == [Skipped("line 1", "alternative 1 is empty")]


def test_opentriviaqa_skips_a_question_the_judge_could_not_score() -> None:
    """The parsers run the one validation of a question, judge included: "Henry 8" folds
    differently from "Henry VIII" but is the same answer to the judge."""
    text = "#Q Which king had six wives?\n^ Henry VIII\nA Henry VIII\nB Henry 8\nC Edward VI\nD James I\n"
    assert parse_opentriviaqa(text, "History").skipped == [Skipped("line 1", (
        "the judge would refuse 'Henry VIII', typed as written; "
        "the judge would accept the wrong alternative 'Henry 8'"))]


def test_opentdb_skips_an_entry_whose_alternative_the_judge_takes_for_the_answer() -> None:
    entry = opentdb_entry(question="Who composed Swan Lake?", correct_answer="Tchaikovsky",
                          incorrect_answers=["Tchaikovski", "Brahms", "Verdi"])
    assert parse_opentdb(opentdb_document(entry)).skipped == [
        Skipped("results[0]", "the judge would accept the wrong alternative 'Tchaikovski'")
    ]


def test_opentriviaqa_splits_lines_only_on_cr_and_lf() -> None:
    text = "#Q Wait\x85 what\u2028now?\n^ Yes\nA Yes\nB No\nC Maybe\nD Never\n"
    question = parse_opentriviaqa(text, "General").questions[0]
    assert question.text == "Wait\x85 what\u2028now?"


def test_opentriviaqa_ignores_a_byte_order_mark() -> None:
    text = "\ufeff#Q Who wrote Hamlet?\n^ Kyd\nA Marlowe\nB Shakespeare\nC Jonson\nD Kyd\n"
    assert parse_opentriviaqa(text, "Literature").questions[0].text == "Who wrote Hamlet?"


def test_opentriviaqa_empty_file_gives_an_empty_bank() -> None:
    assert parse_opentriviaqa("\r\n\n\r", "General") == ParsedBank([], [])


def test_opentriviaqa_answer_line_before_any_question_is_malformed() -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentriviaqa(read_text("opentriviaqa_answer_first.txt"), "Geography")
    assert str(raised.value) == "line 2: answer line '^ Paris' outside a '#Q' question"


def test_opentriviaqa_question_without_answer_line_is_malformed() -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentriviaqa(read_text("opentriviaqa_no_answer.txt"), "Geography")
    assert str(raised.value) == "line 8: '#Q' question has no '^' answer line"


def test_opentriviaqa_garbage_line_among_choices_is_malformed() -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentriviaqa(read_text("opentriviaqa_garbage.txt"), "Geography")
    assert str(raised.value) == (
        "line 11: expected a choice like 'A ...', got 'this line is junk'"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "#Q Who wrote Hamlet?\n^ Kyd\nA Kyd\nB Jonson\nC Marlowe\nD Shakespeare\n\nE Bacon\n",
            "line 8: choice line 'E Bacon' outside a '#Q' question",
        ),
        (
            "Trivia questions\n#Q Who wrote Hamlet?\n",
            "line 1: unexpected line 'Trivia questions' outside a '#Q' question",
        ),
        (
            "#Q Who wrote Hamlet?\r\n^ Kyd\r\nA Kyd\r\n^ Marlowe\r\n",
            "line 4: second '^' answer line in the question of line 1",
        ),
        (
            "#Q Who wrote Hamlet?\rA Kyd\rB Marlowe\r",
            "line 1: '#Q' question has no '^' answer line",
        ),
    ],
)
def test_opentriviaqa_malformed_text_raises_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(BankFormatError) as raised:
        parse_opentriviaqa(text, "Literature")
    assert str(raised.value) == message
