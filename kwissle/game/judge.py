"""The judge: does a typed answer match a question's answers?

GAME.md's rule is "spelling mistakes are often allowed, wrong answers never".
Both sides are first normalised the same way (case, accents, punctuation,
white space, `&`/and even inside a word (AT&T / AT and T), a leading article,
Mt/St and friends, number words, ordinals and roman numerals all folded), then
compared word by word:

- numbers must match exactly and in order (1945 is not 1946, Henry VIII is not
  Henry VII), whatever way they were written (8, eight, eighth, VIII);
- a typed word that differs from the answer's word and is itself a correctly
  spelled word or name (it is in the `Lexicon`: common English words, country
  and region names and, once the caller extends it, every answer and
  alternative of the stored questions) is not a typo but another answer: Baseball is not Basketball, Gambia is not
  Zambia, North Korea is not South Korea, and Rolling Stone (the magazine) is
  not The Rolling Stones (the band);
- with the same number of words, the whole answer may carry a few typos
  scaled to its length (none up to 5 letters, 1 up to 9, 2 up to 15, then 3),
  and each word its share: none on words of three letters or fewer; none on
  four or five letters, unless the answer is long (10 letters or more), where
  one is ("Leonardo da Vinic", "Qin Shi Haung"); longer words as many as their
  own length allows, one more inside a multi-word answer ("Ghengis Khan");
- a word of five letters or more may always carry one swap of two
  neighbouring letters ("Hiaku" for "Haiku"), even where its share is none
  (the whole answer then allows that one typo): a swap rarely makes another
  word, and the lexicon refuses those that do (Parsi for Paris). Other typos on
  short words stay refused (Iran is not Iraq, Paris is not Parts), and so does
  a swap in four letters (Oslo is not Olso);
- with a different number of words, only a spacing difference is forgiven
  ("da vinci" / "davinci"), so a list of guesses never passes;
- a guess at least as close to one of the question's wrong alternatives (the
  `decoys`) as to the nearest answer it matches is refused: "Austrlia" never passes for
  "Australia" when the author listed Austria.

Edit distance is rapidfuzz's optimal string alignment distance (OSA), which
counts a swap of two neighbouring letters as one typo. An accepted guess is
never more than `MAX_TYPOS` OSA edits from the normalised answer it matched
(words joined without spaces): a bound callers may use to skip hopeless pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import OSA

from kwissle.game.lexicon import Lexicon
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


def judge(typed: str, answers: Sequence[str], decoys: Sequence[str] = (), *,
          lexicon: Lexicon | None = None) -> bool:
    """True when `typed` is an acceptable spelling of one of `answers`
    (answers[0] is the canonical answer, the rest accepted variants) and is
    strictly nearer to the nearest answer it matches than to any of `decoys`
    (known wrong answers).
    `lexicon` holds the words that are never typos (default: Lexicon.default())."""
    if not typed or len(typed) > MAX_TYPED_CHARS:
        return False
    guess = normalize(typed)
    if not guess:
        return False
    known = Lexicon.default() if lexicon is None else lexicon
    nearest: int | None = None
    for answer in answers:
        target = normalize(answer)
        if _matches(guess, target, known):
            distance = _distance(guess, target)
            nearest = distance if nearest is None else min(nearest, distance)
            if nearest == 0:
                break
    if nearest is None:
        return False
    return all(_distance(guess, normalize(decoy)) > nearest for decoy in decoys)


@lru_cache(maxsize=4096)
def normalize(text: str) -> tuple[str, ...]:
    """The words of `text` after every folding the judge forgives, numbers as digits."""
    text = _THOUSANDS.sub("", text)
    text = _DECIMAL.sub(" point ", text)
    words = [_ABBREVIATIONS.get(word, word) for word in fold(text).replace("&", " and ").split()]
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
    """How many typos an answer of `length` letters may carry in all."""
    if length <= 5:
        return 0
    if length <= 9:
        return 1
    if length <= 15:
        return 2
    return 3


MAX_TYPOS = typo_budget(MAX_TYPED_CHARS)


def word_budget(length: int, answer_budget: int, several_words: bool) -> int:
    """How many typos one answer word of `length` letters may carry, inside an
    answer allowed `answer_budget` in all (a swap aside: see `_is_swap`)."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1 if several_words and answer_budget >= 2 else 0
    return min(answer_budget, typo_budget(length) + several_words)


def _matches(guess: tuple[str, ...], answer: tuple[str, ...], lexicon: Lexicon) -> bool:
    if guess == answer:
        return True
    if not answer or _numbers(guess) != _numbers(answer):
        return False
    if len(guess) != len(answer):
        return "".join(guess) == "".join(answer)
    budget = typo_budget(sum(len(word) for word in answer))
    several = len(answer) > 1
    total = 0
    swapped = False
    for typed_word, answer_word in zip(guess, answer, strict=True):
        if typed_word == answer_word:
            continue
        if typed_word.isdigit() or answer_word.isdigit():
            return False
        if typed_word in lexicon:
            return False  # another real word, not a typo of this one
        distance = OSA.distance(typed_word, answer_word)
        if distance > word_budget(len(answer_word), budget, several):
            if not _is_swap(typed_word, answer_word):
                return False
            swapped = True
        total += distance
        if total > MAX_TYPOS:
            return False
    return total <= (max(budget, 1) if swapped else budget)


def _is_swap(typed_word: str, answer_word: str) -> bool:
    """True when `typed_word` is `answer_word` (five letters or more) with two
    neighbouring letters swapped."""
    if len(answer_word) < 5 or len(typed_word) != len(answer_word):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed_word, answer_word, strict=True)) if a != b]
    return (len(diff) == 2 and diff[1] == diff[0] + 1
            and typed_word[diff[0]] == answer_word[diff[1]] and typed_word[diff[1]] == answer_word[diff[0]])


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    return OSA.distance(" ".join(a), " ".join(b))


def _numbers(words: tuple[str, ...]) -> list[str]:
    return [word for word in words if word.isdigit()]
