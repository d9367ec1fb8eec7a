"""Near-duplicate questions: is a new question one the bank already holds, in other words?

The store refuses an exact duplicate (same fingerprint). This finds the near ones, with
rapidfuzz's token sort ratio on the folded texts (so word order and punctuation do not
matter): a text at least `SAME_ANSWER_TEXT` similar with the same folded answer is the
same question asked another way ("Which planet is called the red planet?"), and a text at
least `SAME_TEXT` similar is the same question whatever answer it gives (a typo fixed).
Short texts make the ratio jumpy, hence the high bars: "Who wrote Hamlet?" and "Who wrote
Macbeth?" (both Shakespeare, 79) and "the capital of Austria / Australia" (different
answers, 97) are different questions, and so are two texts whose numbers differ ("Best
Original Song for 1980 / 1984", "the 1998 / 2018 World Cup", whatever the answers).

The index is plain lists that rapidfuzz scans in C: a look-up takes tens of milliseconds on
a bank of 40,000 questions (benchmarks/duplicates.py), too long for the IOLoop, so callers
in the server run `find` in a thread (kwissle/web/known_questions.py).

Pure: no store and no I/O; the caller fills the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from kwissle.textfold import fingerprint, fold

SAME_TEXT = 98.0
SAME_ANSWER_TEXT = 82.0
CANDIDATES = 20  # the best-scoring texts looked at for an answer that matches
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Known:
    """A stored question as the index knows it."""

    id: str
    text: str
    answer: str


class DuplicateIndex:
    def __init__(self, questions: list[Known] | tuple[Known, ...] = ()) -> None:
        self._known: list[Known] = []
        self._texts: list[str] = []
        self._ids: set[str] = set()
        for question in questions:
            self.add(question)

    def __len__(self) -> int:
        return len(self._known)

    def add(self, question: Known) -> None:
        if question.id in self._ids:
            return
        self._ids.add(question.id)
        self._known.append(question)
        self._texts.append(fingerprint(question.text))

    def find(self, text: str, answer: str) -> Known | None:
        """The stored question `text` (answered `answer`) nearly duplicates, the closest first; None if none."""
        query = fingerprint(text)
        if not query:
            return None
        folded_answer = fold(answer)
        matches = process.extract(query, self._texts, scorer=fuzz.token_sort_ratio,
                                  score_cutoff=SAME_ANSWER_TEXT, limit=CANDIDATES)
        numbers = _numbers(query)
        for _, score, index in matches:  # best first
            known = self._known[index]
            if _numbers(self._texts[index]) != numbers:
                continue  # the 1980 award is not the 1984 one, whatever the answers
            if score >= SAME_TEXT or fold(known.answer) == folded_answer:
                return known
        return None

    def nearest(self, text: str, limit: int = 3, exclude: str = "") -> list[tuple[Known, float]]:
        """The `limit` stored questions whose texts are most like `text` (score 0-100), best first,
        `exclude` (an id: the question itself) left out. The moderators see them side by side."""
        query = fingerprint(text)
        if not query or limit <= 0:
            return []
        matches = process.extract(query, self._texts, scorer=fuzz.token_sort_ratio, limit=limit + 1)
        return [(self._known[index], score) for _, score, index in matches
                if self._known[index].id != exclude][:limit]


def _numbers(folded: str) -> list[str]:
    return _NUMBER.findall(folded)
