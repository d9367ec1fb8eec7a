"""The starter bank: questions written for Kwissle, shipped so a fresh install is playable.

One JSON file per category in `starter/` (see any of them for the shape).
`seed_if_empty` publishes the bank when the store holds no published question.
"""

from __future__ import annotations

import json
from importlib import resources

from kwissle.model import NewQuestion, QuestionStatus
from kwissle.storage.port import DuplicateQuestion, Store
from kwissle.textfold import fingerprint


def load_starter_bank() -> list[NewQuestion]:
    questions = []
    folder = resources.files("kwissle.bank") / "starter"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        for item in data["questions"]:
            questions.append(NewQuestion(
                text=item["text"],
                answer=item["answer"],
                variants=tuple(item["variants"]),
                wrong=tuple(item["wrong"]),
                category=data["category"],
                source="starter",
            ))
    return questions


async def seed_if_empty(store: Store) -> int:
    """Publish the starter bank if nothing is published yet; return how many were added.

    Safe when several servers start at once on one store: `add_questions` stores all
    or nothing, so when a concurrent seeder wins, this one meets DuplicateQuestion,
    looks again, finds the bank published and adds nothing.
    """
    bank = load_starter_bank()
    attempts = 0
    while not await store.count_questions(QuestionStatus.PUBLISHED):
        already = await store.existing_fingerprints(q.text for q in bank)
        fresh = [q for q in bank if fingerprint(q.text) not in already]
        attempts += 1
        try:
            await store.add_questions(fresh, QuestionStatus.PUBLISHED)
        except DuplicateQuestion:
            if attempts == SEED_ATTEMPTS:
                raise
            continue  # someone stored some of these meanwhile: look again
        return len(fresh)
    return 0


SEED_ATTEMPTS = 3
