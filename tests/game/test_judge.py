"""The judge accepts misspellings of the right answer and never a wrong answer."""

import pytest
from rapidfuzz.distance import OSA

from kwissle.game.judge import MAX_TYPOS, judge, normalize
from kwissle.game.lexicon import Lexicon


@pytest.mark.parametrize(
    "typed, answers",
    [
        # near misses that are different answers: short words allow no typo
        ("Iraq", ["Iran"]),
        ("Rome", ["Rose"]),
        ("Misisipi", ["Mississippi"]),  # three typos on eleven letters
        ("Henri VIII", ["Henry VIII"]),  # Henri is another name
        # a real name one letter away is another name: Elisabeth is a spelling of its own
        # (the French and German one), which an author may list as a variant
        ("Elisabeth II", ["Elizabeth II"]),
        ("Mali", ["Malta"]) ,
        ("Niger", ["Nigeria"]),
        ("Austria", ["Australia"]),
        ("Sweden", ["Swiss"]),
        # numbers, years and regnal numerals are exact
        ("1946", ["1945"]),
        ("nineteen forty six", ["1945"]),
        ("Henry VII", ["Henry VIII"]),
        ("Henry the seventh", ["Henry VIII"]),
        ("Louis XV", ["Louis XIV"]),
        ("7", ["8"]),
        ("seven", ["eight"]),
        ("Apollo 13", ["Apollo 11"]),
        ("Formula 2", ["Formula One"]),
        ("3.14", ["314"]),
        # a list of guesses is not an answer
        ("Paris London Berlin", ["Paris"]),
        ("Paris, London", ["Paris"]),
        ("Paris or Lyon", ["Paris"]),
        ("Sydney Canberra Melbourne", ["Canberra"]),
        ("Leonardo Michelangelo Raphael", ["Leonardo da Vinci"]),
        # a short word inside a long answer is still strict
        ("Islamic Republic of Iraq", ["Islamic Republic of Iran"]),
        ("Gulf of Oman", ["Gulf of Aden"]),
        # too many typos
        ("Canbrrrra", ["Canberra"]),
        ("Mozzzart", ["Mozart"]),
        ("Shakespear Williams", ["William Shakespeare"]),
        # the answer's words plus extra ones
        ("Canberra city", ["Canberra"]),
        ("Mount Everest Peak", ["Mount Everest"]),
        # nothing useful typed
        ("", ["Canberra"]),
        ("   ", ["Canberra"]),
        ("the", ["The Beatles"]),
        ("?!", ["Canberra"]),
        ("x" * 201, ["x" * 201]),
    ],
)
def test_rejects_wrong_answers(typed, answers):
    assert judge(typed, answers) is False


@pytest.mark.parametrize(
    "typed, answers",
    [
        ("Canberra", ["Canberra"]),
        ("canberra", ["Canberra"]),
        ("  CANBERRA  ", ["Canberra"]),
        ("Canbera", ["Canberra"]),  # missing letter
        ("Canbrera", ["Canberra"]),  # swapped letters
        ("Cnaberra", ["Canberra"]),
        ("Mississipi", ["Mississippi"]),
        ("Misissipi", ["Mississippi"]),  # two typos on eleven letters
        ("Zurich", ["Zürich"]),
        ("São Paulo", ["Sao Paulo"]),
        ("Cote d'Ivoire", ["Côte d’Ivoire"]),
        ("cote divoire", ["Côte d'Ivoire"]),
        ("Beatles", ["The Beatles"]),
        ("the beatles", ["Beatles"]),
        ("an apple", ["Apple"]),
        ("Tom and Jerry", ["Tom & Jerry"]),
        ("Tom & Jerry", ["Tom and Jerry"]),
        ("Mt Everest", ["Mount Everest"]),
        ("Mt. Kilimanjaro", ["Mount Kilimanjaro"]),
        ("St Petersburg", ["Saint Petersburg"]),
        ("Saint Lucia", ["St. Lucia"]),
        ("Everest", ["Mount Everest", "Everest"]),  # a variant
        ("Burma", ["Myanmar", "Burma"]),
        ("Leonardo da Vinci", ["Leonardo da Vinci"]),
        ("leonardo davinci", ["Leonardo da Vinci"]),  # spacing only
        ("Leonado da Vinci", ["Leonardo da Vinci"]),
        ("William Shakespear", ["William Shakespeare"]),
        ("Wiliam Shakespere", ["William Shakespeare"]),
        ("1945", ["1945"]),
        ("8", ["eight"]),
        ("eight", ["8"]),
        ("VIII", ["8"]),
        ("Henry VIII", ["Henry VIII"]),
        ("Henry 8", ["Henry VIII"]),
        ("henry the eighth", ["Henry VIII"]),
        ("Henry 8th", ["Henry VIII"]),
        ("Elizabth II", ["Elizabeth II"]),  # typo in the name, number exact
        ("Louis the Fourteenth", ["Louis XIV"]),
        ("twenty one", ["21"]),
        ("twenty-one", ["21"]),
        ("a hundred", ["100"]),
        ("one hundred", ["100"]),
        ("1,000", ["1000"]),
        ("one thousand", ["1000"]),
        ("Apollo eleven", ["Apollo 11"]),
        ("Formula 1", ["Formula One"]),
        ("Pope John Paul 2", ["Pope John Paul II"]),
        ("3.14", ["3.14"]),
        ("Dr Who", ["Doctor Who"]),
        ("rock & roll", ["Rock and roll"]),
        ("O'Brien", ["OBrien"]),
        ("New-York", ["New York"]),
        ("Tchaikovsky", ["Tchaikovsky"]),
        ("Tchaikovski", ["Tchaikovsky"]),
        ("Chaikovsky", ["Tchaikovsky"]),
        ("AT&T", ["AT and T"]),
        ("AT and T", ["AT&T"]),
        ("AT & T", ["AT&T"]),
        ("at&t", ["AT & T"]),
        ("Procter&Gamble", ["Procter & Gamble"]),
    ],
)
def test_accepts_right_answers_and_small_typos(typed, answers):
    assert judge(typed, answers) is True


def test_short_answers_forgive_no_typo_but_accept_exact():
    assert judge("Iran", ["Iran"])
    assert judge("iran", ["Iran"])
    assert not judge("Irn", ["Iran"])
    assert not judge("Oslo", ["Olso"])  # even a swap is a different four-letter word


def test_longer_answers_forgive_more_typos_than_shorter_ones():
    assert judge("Kilimanjro", ["Kilimanjaro"])
    assert judge("Kilimanjr", ["Kilimanjaro"])  # two typos on eleven letters
    assert judge("Canbrera", ["Canberra"])  # one swap on eight letters is forgiven
    assert not judge("Parsi", ["Paris"])  # none on five
    assert not judge("Cnbrera", ["Canberra"])  # two on eight is too many


def test_accepts_any_listed_variant_but_not_unlisted_names():
    answers = ["Myanmar", "Burma"]
    assert judge("burma", answers)
    assert judge("myanmar", answers)
    assert not judge("Thailand", answers)


def test_normalize_folds_numbers_articles_and_abbreviations():
    assert normalize("The Henry the Eighth") == ("henry", "8")
    assert normalize("Mt. St. Helens") == ("mount", "saint", "helens")
    assert normalize("Rock & Roll") == ("rock", "and", "roll")
    assert normalize("twenty one") == ("21",)
    assert normalize("the") == ("the",)


def test_a_guess_nearer_a_listed_wrong_alternative_is_refused():
    answers, decoys = ["Zambia"], ["Gambia", "Namibia", "Angola"]
    assert judge("Zambia", answers, decoys)
    assert judge("Zanbia", answers, ["Namibia", "Angola", "Malawi"])
    assert not judge("Gambia", answers, decoys)  # a wrong alternative typed exactly
    assert not judge("Gambia", answers, ["Gambia"])


def test_a_decoy_farther_away_than_the_answer_does_not_block_a_typo():
    assert judge("Autralia", ["Australia"], ["Austria", "New Zealand", "Fiji"])
    # as near to the decoy as to the answer: ambiguous, so refused
    assert not judge("Austrlia", ["Australia"], ["Austria", "New Zealand", "Fiji"])


@pytest.mark.parametrize(
    "typed, answers",
    [
        ("Baseball", ["Basketball"]),
        ("Einstein", ["Eisenstein"]),
        ("Einstein", ["Sergei Eisenstein", "Eisenstein"]),  # through the variant too
        ("Barley", ["Marley"]),
        ("Barley", ["Bob Marley", "Marley"]),
        ("Bob Barley", ["Bob Marley", "Marley"]),
        ("Ireland", ["Iceland"]),
        ("Gambia", ["Zambia"]),
        ("Prussia", ["Russia"]),
        ("Austrian", ["Australian"]),
        ("North Korea", ["South Korea"]),
        ("Iraq", ["Iran"]),
        ("Parsi", ["Paris"]),  # a swap that makes another word (the Parsi people)
        ("Parts", ["Paris"]),
        ("Michel Jackson", ["Michael Jackson"]),  # another first name, not a typo
        ("Rolling Stone", ["The Rolling Stones"]),  # the magazine is not the band
        ("The Rolling Stones", ["Rolling Stone"]),
        ("Eagle", ["Eagles"]),
    ],
)
def test_a_correctly_spelled_other_word_or_name_is_not_a_typo(typed, answers):
    assert judge(typed, answers) is False


@pytest.mark.parametrize(
    "typed, answers",
    [
        ("Leonardo da Vinic", ["Leonardo da Vinci"]),
        ("Ghengis Khan", ["Genghis Khan"]),  # two typos on a 7-letter word of an 11-letter answer
        ("Qin Shi Haung", ["Qin Shi Huang"]),
        ("Hiaku", ["Haiku"]),
        ("Tom Hnaks", ["Tom Hanks"]),  # a swap in a five-letter word of a short answer
    ],
)
def test_honest_typos_pass_even_in_short_words_of_a_long_answer(typed, answers):
    assert judge(typed, answers) is True


@pytest.mark.parametrize(
    "typed, answers",
    [
        ("Olso", ["Oslo"]),  # four letters: not even a swap
        ("Hiakv", ["Haiku"]),  # five letters, not a swap: no typo on a short word alone
        ("Jmaes Bnodd", ["James Bond"]),  # two swaps in a 9-letter answer: one too many
        ("Da Vinca", ["Da Vinci"]),  # a short answer (7 letters) gives its short words no typo but a swap
        ("Leonardo de Vinci", ["Leonardo da Vinci"]),  # words of three letters: none even in a long answer
        ("Qin Shi Huang Dii", ["Qin Shi Huang Di"]),
    ],
)
def test_short_words_stay_strict_where_the_answer_gives_them_no_room(typed, answers):
    assert judge(typed, answers) is False


def test_a_swap_in_a_word_of_five_letters_is_forgiven_unless_it_makes_a_word():
    assert judge("Hiaku", ["Haiku"])
    assert judge("Da Vinic", ["Da Vinci"])
    assert not judge("Parsi", ["Paris"])


def test_numbers_stay_exact_inside_a_long_answer():
    assert not judge("Pope John Paul 1", ["Pope John Paul II"])
    assert not judge("Apollo 12 mission", ["Apollo 13 mission"])
    assert judge("Pope Jonh Paul the second", ["Pope John Paul II"])
    assert judge("Qin Shi Hunag Di", ["Qin Shi Huang Di"])


def test_the_lexicon_given_decides_which_words_are_real():
    assert judge("Zorbaxen", ["Zorbaxon"], lexicon=Lexicon())
    assert not judge("Zorbaxen", ["Zorbaxon"], lexicon=Lexicon(["Zorbaxen"]))
    # the answer's own words never count against it
    assert judge("Zorbaxon", ["Zorbaxon"], lexicon=Lexicon(["Zorbaxon"]))
    # the default is Lexicon.default()
    assert not judge("Baseball", ["Basketball"], lexicon=None)
    assert judge("Baseball", ["Basketball"], lexicon=Lexicon())


def test_a_decoy_does_not_veto_an_exact_variant():
    """The nearest matching answer counts: "Burma" is exact for the variant, whatever the
    distance to the canonical answer."""
    assert judge("Burma", ["Myanmar", "Burma"], ["Burmar", "Thailand", "Laos"])


@pytest.mark.parametrize("typed, answers", [
    ("Wiliam Shakespere", ["William Shakespeare"]),
    ("Ghengis Khan", ["Genghis Khan"]),
    ("Misisipi River", ["Mississippi River"]),
    ("leonardo davinci", ["Leonardo da Vinci"]),
])
def test_an_accepted_guess_is_never_more_than_max_typos_from_its_answer(typed, answers):
    assert judge(typed, answers)
    assert min(OSA.distance("".join(normalize(typed)), "".join(normalize(a))) for a in answers) <= MAX_TYPOS
