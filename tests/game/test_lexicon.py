"""The judge's lexicon: which words count as correctly spelled, and where they come from."""

import pytest
from wordfreq import zipf_frequency

from kwissle.game.lexicon import MIN_ZIPF, Lexicon, english_words

# Real words and names one or two letters from a likely answer (Basketball, Eisenstein,
# Marley, Russia, Zambia, Paris, Oslo): the judge must know them.
REAL = ["baseball", "einstein", "barley", "prussia", "gambia", "austrian", "ireland", "parsi", "henri"]
# Honest typos of answers: the judge must not know them.
TYPOS = ["ghengis", "vinic", "haung", "hiaku", "shakespear", "wiliam", "olso", "leonado", "tchaikovski"]


@pytest.mark.parametrize("word", REAL)
def test_real_words_and_names_near_answers_are_above_the_threshold_and_known(word):
    assert zipf_frequency(word, "en") >= MIN_ZIPF
    assert word in Lexicon.default()


@pytest.mark.parametrize("word", TYPOS)
def test_honest_typos_are_below_the_threshold_and_unknown(word):
    assert zipf_frequency(word, "en") < MIN_ZIPF
    assert word not in Lexicon.default()


def test_the_threshold_decides_which_english_words_are_in():
    # eisenstein has a Zipf frequency of 2.36
    assert "eisenstein" in Lexicon.from_sources(min_zipf=2.0, places=False)
    assert "eisenstein" not in Lexicon.from_sources(min_zipf=3.0, places=False)


def test_place_names_come_from_pycountry_whatever_their_frequency():
    # Eswatini (1.1), Gagauzia (1.1) and Sipaliwini (0.0) are rare in English text
    english_only = Lexicon.from_sources(places=False)
    for word in ("eswatini", "gagauzia", "sipaliwini"):
        assert word not in english_only
        assert word in Lexicon.default()


def test_words_are_folded_and_stored_one_by_one():
    lexicon = Lexicon(["Côte d'Ivoire", "Curaçao", "AT&T", "  Saint-Pierre and Miquelon "])
    assert set(lexicon) == {"cote", "divoire", "curacao", "at", "t", "saint", "pierre", "and", "miquelon"}
    assert "Curaçao" not in lexicon  # callers look up folded words, as the judge does


def test_the_default_lexicon_is_built_once():
    assert Lexicon.default() is Lexicon.default()
    assert len(Lexicon.default()) > 90_000


def test_extended_adds_the_words_of_the_texts_given_and_leaves_the_original_alone():
    base = Lexicon(["Zambia"])
    bigger = base.extended(["Sergei Eisenstein", "Zorbaxon"])
    assert set(bigger) == {"zambia", "sergei", "eisenstein", "zorbaxon"}
    assert set(base) == {"zambia"}
    assert base.extended(["ZAMBIA"]) is base  # nothing new: the same lexicon


def test_tokens_of_the_word_list_with_digits_are_left_out():
    words = english_words()
    assert "baseball" in words
    assert [word for word in words if any(ch.isdigit() for ch in word)] == []
