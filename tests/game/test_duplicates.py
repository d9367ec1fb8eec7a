"""Near-duplicate questions: the same question in other words is found and named; a different one is not."""

from __future__ import annotations

import pytest

from kwissle.game.duplicates import DuplicateIndex, Known

BANK = [
    Known("mars", "Which planet is known as the Red Planet?", "Mars"),
    Known("hamlet", "Who wrote Hamlet?", "William Shakespeare"),
    Known("austria", "What is the capital of Austria?", "Vienna"),
    Known("lisa", "Who painted the Mona Lisa?", "Leonardo da Vinci"),
]


@pytest.mark.parametrize("text, answer, duplicate", [
    ("Which planet is called the red planet?", "Mars", "mars"),  # reworded, same answer
    ("The Mona Lisa was painted by whom?", "Leonardo da Vinci", "lisa"),  # words moved
    ("WHICH planet is known as the 'Red Planet'", "Mars", "mars"),  # case and punctuation
    ("Which planet is known as the Red Planet!", "Ares", "mars"),  # nearly the same text, whatever the answer
])
def test_a_near_duplicate_is_named(text, answer, duplicate):
    found = DuplicateIndex(BANK).find(text, answer)
    assert found is not None and found.id == duplicate


@pytest.mark.parametrize("text, answer", [
    ("Who wrote Macbeth?", "William Shakespeare"),  # same answer, another question
    ("What is the capital of Australia?", "Canberra"),  # nearly the same words, another answer
    ("Which planet has the Great Red Spot?", "Jupiter"),
    ("", "Mars"),
])
def test_a_different_question_is_not_a_duplicate(text, answer):
    assert DuplicateIndex(BANK).find(text, answer) is None


def test_questions_added_later_are_found_and_an_id_counts_once():
    index = DuplicateIndex()
    assert index.find("Which gas do plants take in to make food?", "Carbon dioxide") is None
    index.add(Known("co2", "Which gas do plants take in to make their food?", "Carbon dioxide"))
    index.add(Known("co2", "Which gas do plants take in to make their food?", "Carbon dioxide"))
    assert len(index) == 1
    assert index.find("Which gas do plants take in to make food?", "carbon dioxide").id == "co2"


@pytest.mark.parametrize("text, answer", [
    ("What song won the Academy Award for Best Original Song for 1984?", "Fame"),
    ("Who won the 2018 World Cup?", "France"),
])
def test_texts_whose_numbers_differ_are_different_questions_whatever_the_answer(text, answer):
    index = DuplicateIndex([Known("1980", "What song won the Academy Award for Best Original Song for 1980?", "Fame"),
                            Known("1998", "Who won the 1998 World Cup?", "France")])
    assert index.find(text, answer) is None
    assert index.find(text.replace("1984", "1980").replace("2018", "1998"), answer) is not None
