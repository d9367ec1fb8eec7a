"""Names: generated guest names, and the check of a display name a player chooses."""

from __future__ import annotations

import random

import pytest

from kwissle.game.names import MAX_DISPLAY_NAME, BadName, check_display_name, guest_name


def refusal(raw: str) -> str:
    with pytest.raises(BadName) as caught:
        check_display_name(raw)
    return str(caught.value)


def test_guest_names_are_an_adjective_an_animal_and_a_number():
    names = {guest_name(random.Random(seed)) for seed in range(50)}
    assert len(names) > 40
    for name in names:
        adjective, animal, number = name.split(" ")
        assert adjective.istitle() and animal.istitle() and 10 <= int(number) <= 99
        assert check_display_name(name) == name  # a guest's name is a fine display name


@pytest.mark.parametrize("raw, stored", [
    ("Ana", "Ana"),
    ("  Ana   de  la   Cruz  ", "Ana de la Cruz"),
    ("Ana\tde\nla\u00a0Cruz\u3000!", "Ana de la Cruz !"),  # tab, newline, no-break and ideographic spaces
    ("Jose\u0301", "José"),  # NFC: e + combining acute becomes é, one character
    ("Zoë 🦊", "Zoë 🦊"),
    ("🦊", "🦊"),
    ("R2-D2", "R2-D2"),
    ("<b>Ana</b> & 'Bo'", "<b>Ana</b> & 'Bo'"),  # markup is text: escaped wherever it is shown
    ("李小龍", "李小龍"),
    ("x" * MAX_DISPLAY_NAME, "x" * MAX_DISPLAY_NAME),
])
def test_names_are_normalised(raw, stored):
    assert check_display_name(raw) == stored


def test_the_length_counts_characters_after_normalising():
    assert check_display_name("  " + "a" * MAX_DISPLAY_NAME + "  ") == "a" * MAX_DISPLAY_NAME
    assert check_display_name("e\u0301" * MAX_DISPLAY_NAME) == "é" * MAX_DISPLAY_NAME  # 48 code points in
    assert "at most 24 characters (25 given)" in refusal("a" * (MAX_DISPLAY_NAME + 1))
    assert "at most 24" in refusal("a" * 10_000)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "\u3000\u00a0"])
def test_an_empty_name_is_refused(raw):
    assert refusal(raw) == "Enter a name."


@pytest.mark.parametrize("raw", ["Ana\x00", "Ana\x07Bo", "\x1bAna", "Ana\x7f", "Ana\x1c", "A\x9bna"])
def test_control_characters_are_refused(raw):
    assert refusal(raw) == "A name cannot hold control characters."


@pytest.mark.parametrize("raw", [
    "Ana\u200d",  # zero-width joiner
    "A\u200bna",  # zero-width space
    "\u202eanA",  # right-to-left override
    "Ana\u00ad",  # soft hyphen
    "Ana\u2060",  # word joiner
    "\ufeffAna",  # byte-order mark
    "Ana\U000e0041",  # tag letter
    "\u3164",  # Hangul filler: a letter that draws nothing
    "Ana\u2800",  # blank Braille pattern
])
def test_invisible_characters_are_refused(raw):
    assert "invisible characters" in refusal(raw)


@pytest.mark.parametrize("raw", ["Ana\ud800", "\udfffAna"])
def test_lone_surrogates_are_refused(raw):
    assert "broken character" in refusal(raw)


@pytest.mark.parametrize("raw", ["...", "!?!", "- -", "«»", "()", "\u0301\u0301"])
def test_a_name_of_only_punctuation_is_refused(raw):
    assert "at least one letter, digit or emoji" in refusal(raw)
