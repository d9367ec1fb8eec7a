"""The judge: does a typed answer match a question's answers?

GAME.md's rule is "spelling mistakes are often allowed, wrong answers never".
Both sides are first normalised the same way (case, accents, punctuation,
white space, `&`/and, a leading article, Mt/St and friends, number words,
ordinals and roman numerals all folded), then compared:

- numbers must match exactly and in order (1945 is not 1946, Henry VIII is not
  Henry VII), whatever way they were written (8, eight, eighth, VIII);
- with the same number of words, each word may carry a few typos scaled to its
  own length (none on words of five letters or fewer: Iran is not Iraq, Paris is not Parts), and
  the whole answer a few more scaled to its length;
- with a different number of words, only a spacing difference is forgiven
  ("da vinci" / "davinci"), so a list of guesses never passes;
- a guess at least as close to one of the question's wrong alternatives (the
  `decoys`) as to the answer is refused: "Gambia" never passes for "Zambia"
  when the author listed Gambia.

Edit distance is rapidfuzz's optimal string alignment distance, which counts a
swap of two neighbouring letters as one typo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import OSA

from kwissle.textfold import fold

MAX_TYPED_CHARS = 200

_ARTICLES = frozenset({"the", "a", "an"})
_ABBREVIATIONS = {
    "mt": "mount",
    "mtn": "mountain",
    "st": "saint",
    "ste": "sainte",
    "ft": "fort",
    "dr": "doctor",
    "jr": "junior",
    "sr": "senior",
    "vs": "versus",
    "&": "and",
}
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
    "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Roman numerals up to 39 only: enough for regnal numbers and centuries, and
# it keeps ordinary words such as "mix", "dc" or "liv" from turning into numbers.
_ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_DIGIT_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def judge(typed: str, answers: Sequence[str], decoys: Sequence[str] = ()) -> bool:
    """True when `typed` is an acceptable spelling of one of `answers`
    (answers[0] is the canonical answer, the rest accepted variants) and is
    not nearer to one of `decoys` (known wrong answers) than to that answer."""
    if not typed or len(typed) > MAX_TYPED_CHARS:
        return False
    guess = normalize(typed)
    if not guess:
        return False
    for answer in answers:
        target = normalize(answer)
        if _matches(guess, target):
            distance = _distance(guess, target)
            return all(_distance(guess, normalize(decoy)) > distance for decoy in decoys)
    return False


@lru_cache(maxsize=4096)
def normalize(text: str) -> tuple[str, ...]:
    """The words of `text` after every folding the judge forgives, numbers as digits."""
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub(" point ", text)
    words = [_ABBREVIATIONS.get(word, word) for word in fold(text).split()]
    words = _numbers_to_digits(words)
    # "Henry the Eighth" reads as "Henry VIII": an article before a number is noise.
    words = [w for i, w in enumerate(words)
             if not (w in _ARTICLES and i + 1 < len(words) and words[i + 1].isdigit())]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return tuple(words)


def _numbers_to_digits(words: list[str]) -> list[str]:
    out: list[str] = []
    pending: int | None = None  # a number spelled over several words, being summed

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            out.append(str(pending))
            pending = None

    for word in words:
        value = _single_number(word)
        if word in _MULTIPLIERS and (pending is not None or (out and out[-1] in _ARTICLES)):
            if pending is None:  # "a hundred"
                out.pop()
                pending = 1
            pending *= _MULTIPLIERS[word]
        elif word in _UNITS and pending is not None and pending % 100 in _TENS.values():
            pending += _UNITS[word]  # "twenty one"
        elif word in _UNITS or word in _TENS:
            if pending is not None and pending >= 100 and pending % 100 == 0:
                pending += _UNITS.get(word, _TENS.get(word, 0))  # "one hundred five"
            else:
                flush()
                pending = _UNITS.get(word, _TENS.get(word))
        elif value is not None:
            flush()
            out.append(str(value))
        else:
            flush()
            out.append(word)
    flush()
    return out


def _single_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _ORDINALS:
        return _ORDINALS[word]
    ordinal = _DIGIT_ORDINAL.match(word)
    if ordinal:
        return int(ordinal.group(1))
    if word and _ROMAN.match(word):
        return _roman_value(word)
    return None


def _roman_value(numeral: str) -> int:
    total = 0
    for letter, following in zip(numeral, numeral[1:] + " ", strict=True):
        value = _ROMAN_VALUES[letter]
        total += -value if _ROMAN_VALUES.get(following, 0) > value else value
    return total


def typo_budget(length: int) -> int:
    """How many typos an answer (or a word) of `length` letters may carry."""
    if length <= 5:
        return 0
    if length <= 9:
        return 1
    if length <= 15:
        return 2
    return 3


def _matches(guess: tuple[str, ...], answer: tuple[str, ...]) -> bool:
    if guess == answer:
        return True
    if not answer or _numbers(guess) != _numbers(answer):
        return False
    if len(guess) != len(answer):
        return "".join(guess) == "".join(answer)
    total = 0
    for typed_word, answer_word in zip(guess, answer, strict=True):
        distance = OSA.distance(typed_word, answer_word)
        if distance > typo_budget(len(answer_word)):
            return False
        total += distance
    return total <= typo_budget(sum(len(word) for word in answer))


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    return OSA.distance(" ".join(a), " ".join(b))


def _numbers(words: tuple[str, ...]) -> list[str]:
    return [word for word in words if word.isdigit()]
