"""Text folding shared by the judge and the question store.

Folding turns free text into a comparable form: ASCII, lower case, punctuation
and runs of white space collapsed to single spaces. The judge builds its answer
normalisation on it; the store uses it to fingerprint questions so that the
same question typed with other capitals or punctuation is found as a duplicate.
"""

from __future__ import annotations

import re

from anyascii import anyascii

_NOT_WORD = re.compile(r"[^a-z0-9&]+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")


def fold(text: str) -> str:
    """Return `text` transliterated to ASCII, lower-cased, with punctuation and
    white space collapsed to single spaces. `&` is kept: callers decide what it means.

    >>> fold("  Côte d'Ivoire!! ")
    'cote divoire'
    """
    ascii_text = anyascii(text).lower()
    # "O'Brien" and "OBrien" should meet, so apostrophes vanish instead of splitting words.
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    return _NOT_WORD.sub(" ", ascii_text).strip()


def fingerprint(question_text: str) -> str:
    """A key under which two wordings that differ only in case, accents,
    punctuation or spacing collide (used to refuse duplicate questions)."""
    return " ".join(fold(question_text).replace("&", " and ").split())
