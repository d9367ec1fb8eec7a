"""Builders for game-core tests: questions and battles on a hand-held clock."""

import random

import pytest

from kwissle.game.battle import Battle, Contender
from kwissle.game.rules import Rules
from kwissle.model import Question, QuestionStatus

ANA = Contender("ana", "Ana")
BO = Contender("bo", "Bo")


def make_question(n: int) -> Question:
    return Question(
        id=f"q{n}",
        text=f"Question number {n}?",
        answer=f"Answer{n} Canberra",
        variants=(f"Variant{n}",),
        wrong=(f"Sydney{n}", f"Perth{n}", f"Darwin{n}"),
        category="Test",
        status=QuestionStatus.PUBLISHED,
    )


@pytest.fixture
def questions():
    return [make_question(n) for n in range(10)]


@pytest.fixture
def rules():
    return Rules(questions=10, question_seconds=15, reveal_seconds=3, resume_seconds=15, typed_tries=3)


@pytest.fixture
def battle(questions, rules):
    b = Battle("b1", (ANA, BO), questions, rules, rng=random.Random(7))
    b.start(now=100.0)
    return b
