"""The starter bank is big, varied, consistent with itself, and fair under the judge."""

from collections import Counter

import pytest

from kwissle.bank.starter import load_starter_bank, seed_if_empty
from kwissle.game.judge import judge, normalize
from kwissle.game.validation import question_problems
from kwissle.model import QuestionStatus
from kwissle.storage.open import open_store
from kwissle.textfold import fingerprint, fold

BANK = load_starter_bank()
IDS = [f"{q.category}: {q.text[:50]}" for q in BANK]


def test_bank_has_at_least_300_questions_in_at_least_8_categories():
    assert len(BANK) >= 300
    categories = Counter(q.category for q in BANK)
    assert len(categories) >= 8
    assert min(categories.values()) >= 20, categories


def test_no_question_is_in_the_bank_twice():
    counts = Counter(fingerprint(q.text) for q in BANK)
    assert [text for text, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_each_question_is_well_formed(question):
    assert question.text.strip() and question.answer.strip() and question.category.strip()
    assert len(question.wrong) == 3
    assert all(isinstance(s, str) and s.strip() for s in (*question.wrong, *question.variants))
    assert len(question.text) <= 300 and len(question.answer) <= 60


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_each_question_passes_the_one_validation_of_a_question(question):
    assert question_problems(question) == []


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_alternatives_are_distinct_from_each_other_and_from_every_right_answer(question):
    wrong = [normalize(w) for w in question.wrong]
    assert len(set(wrong)) == 3
    rights = {normalize(a) for a in question.answers}
    assert not rights & set(wrong)


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_judge_accepts_the_answer_and_every_variant(question):
    for answer in question.answers:
        assert judge(answer, question.answers, question.wrong), answer


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_judge_refuses_every_wrong_alternative_typed_out(question):
    for wrong in question.wrong:
        assert not judge(wrong, question.answers), f"{wrong!r} would be accepted"


@pytest.mark.parametrize("question", BANK, ids=IDS)
def test_the_question_does_not_give_its_answer_away(question):
    assert f" {fold(question.answer)} " not in f" {fold(question.text)} "


async def test_seeding_publishes_the_bank_once(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'seed.db'}")
    try:
        assert await seed_if_empty(store) == len(BANK)
        assert await store.count_questions(QuestionStatus.PUBLISHED) == len(BANK)
        assert await seed_if_empty(store) == 0
        assert await store.count_questions() == len(BANK)
    finally:
        await store.close()
