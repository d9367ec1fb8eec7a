"""Players' names: generated ones for guests (friendly, short, unlikely to collide), and the
check of a display name a signed-in player chooses (normalised, nothing invisible or empty)."""

from __future__ import annotations

import random
import unicodedata

ADJECTIVES = (
    "Brave", "Clever", "Curious", "Swift", "Quiet", "Lucky", "Bold", "Witty", "Sunny", "Keen",
    "Nimble", "Jolly", "Gentle", "Mighty", "Sly", "Calm", "Daring", "Eager", "Merry", "Wise",
)
ANIMALS = (
    "Otter", "Fox", "Heron", "Lynx", "Panda", "Falcon", "Badger", "Koala", "Gecko", "Puffin",
    "Walrus", "Marten", "Ibis", "Tapir", "Wombat", "Orca", "Bison", "Crane", "Hare", "Newt",
)


def guest_name(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)} {rng.randint(10, 99)}"


# --- display names a signed-in player chooses (kwissle/web/account.py)

MAX_DISPLAY_NAME = 24  # characters (code points) after normalising
# What counts as a space between words: Unicode space separators, line and paragraph
# separators, and the ASCII tab/line-feed family. (str.isspace() is not used: it also
# calls the C0 information separators \x1c-\x1f spaces, which are control characters.)
_SPACES = frozenset("\t\n\x0b\x0c\r\x85")
_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): the
# usual way to an "invisible" name once format characters are refused.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class BadName(ValueError):
    """The name cannot be used; the message is what the person reads beside the field."""


def check_display_name(raw: str) -> str:
    """The name as stored and shown: NFC, runs of spaces made one, trimmed. BadName if it cannot be one.

    Refused: empty, over MAX_DISPLAY_NAME characters, control characters, lone surrogates,
    invisible format characters (category Cf: zero-width joiners and spaces, bidi overrides,
    soft hyphens; and letters that draw nothing, like the Hangul filler), and a name with no
    letter, digit or emoji (only punctuation, say)."""
    # Lone surrogates first: NFC leaves them alone, and nothing after could show them.
    if any(unicodedata.category(c) == "Cs" for c in raw or ""):
        raise BadName("That name holds a broken character; please type it again.")
    spaced = "".join(" " if _is_space(c) else c for c in unicodedata.normalize("NFC", raw or ""))
    name = " ".join(part for part in spaced.split(" ") if part)
    if not name:
        raise BadName("Enter a name.")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise BadName("A name cannot hold control characters.")
    if any(unicodedata.category(c) == "Cf" or c in _BLANK_LOOKING for c in name):
        raise BadName("A name cannot hold invisible characters (such as zero-width joiners).")
    if len(name) > MAX_DISPLAY_NAME:
        raise BadName(f"That name is too long: at most {MAX_DISPLAY_NAME} characters ({len(name)} given).")
    if not any(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "So" for c in name):
        raise BadName("A name needs at least one letter, digit or emoji, not only punctuation.")
    return name


def _is_space(c: str) -> bool:
    return c in _SPACES or unicodedata.category(c) in _SPACE_CATEGORIES
