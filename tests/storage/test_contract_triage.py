"""The storage contract for triage's figures from play (`question_play_stats`), on every adapter.

The history is tests/storage/triage_scenario.py: twelve rated battles between Strong (1800
before each) and Weak (1500 before, 1750 now), each asking six questions built for one flag.
"""

import pytest

from kwissle.game.triage import Flag, assess, rank
from kwissle.model import NewQuestion, QuestionStatus
from kwissle.storage.play_stats import PLAY_STATS_MAX_LIMIT
from tests.storage.triage_scenario import build_history


async def _by_kind(store, history, **page):
    kinds = {qid: kind for kind, qid in history.ids.items()}
    return {kinds[q.id]: (q, stats) for q, stats in await store.question_play_stats(**page)}


async def test_counts_outcomes_answer_times_and_alternatives_without_abandoned_battles(store):
    history = await build_history(store)
    stats = await _by_kind(store, history)

    easy = stats["easy"][1]
    # twelve typed in the rated battles, one picked in the older battle
    assert (easy.asked, easy.typed_right, easy.choice_right, easy.nobody) == (13, 12, 1, 0)
    # the older battle kept no choices: its two seats are not known either way
    assert (easy.alternatives_known, easy.alternatives_opened) == (24, 0)
    # answers at 2..13 s and the older pick at 9 s: thirteen times, the middle one is 8
    assert easy.median_answer_seconds == 8.0

    hard = stats["hard"][1]
    # the abandoned battle, where Strong typed it, counts nowhere
    assert (hard.asked, hard.typed_right, hard.choice_right, hard.nobody) == (12, 0, 0, 12)
    assert hard.median_answer_seconds == 11.0  # 10 s and 12 s, twelve of each

    lopsided = stats["lopsided"][1]
    assert (lopsided.alternatives_known, lopsided.alternatives_opened) == (24, 18)
    assert lopsided.picks == 18 and lopsided.wrong_picks == (("Beta", 12),)

    balanced = stats["balanced"][1]
    assert balanced.wrong_picks == (("Beta", 2), ("Gamma", 2), ("Alpha", 1))


async def test_wrong_typed_answers_are_folded_and_counted_once_per_player_and_battle(store):
    history = await build_history(store)
    shared = (await _by_kind(store, history))["shared"][1]
    # "Sydney", "sydney" and "SYDNEY!" are one text; the scoring "Canberra" is not a wrong answer
    assert shared.wrong_typed == (("sydney", 12), ("melbourne", 1))
    assert shared.typed_seats == 18
    hard = (await _by_kind(store, history))["hard"][1]
    assert len(hard.wrong_typed) == 5 and all(n == 1 for _, n in hard.wrong_typed)


async def test_strong_and_weak_use_the_ratings_before_a_rated_battle_and_current_ones_otherwise(store):
    history = await build_history(store)
    stats = await _by_kind(store, history)
    miss = stats["strong_miss"][1]
    # rated: 1800 vs 1500 before each battle (today 1800 vs 1750 would make none of them uneven)
    assert (miss.uneven_battles, miss.strong_right, miss.weak_right) == (12, 2, 8)
    # unrated: the guest (1500 now) beat Strong (1800 now)
    guest = stats["guest"][1]
    assert (guest.uneven_battles, guest.strong_right, guest.weak_right) == (1, 0, 1)
    # the older, unrated battle is Strong 1800 vs Weak 1750 today: even, not counted
    assert stats["easy"][1].uneven_battles == 12


async def test_pages_are_most_asked_first_bounded_and_only_published_asked_questions(store):
    history = await build_history(store)
    everything = await store.question_play_stats()
    # by the questions' play counts (which count the abandoned battle too), ties by id
    assert [q.id for q, _ in everything] == [q.id for q in sorted((q for q, _ in everything),
                                                                  key=lambda q: (-q.stats.asked, q.id))]
    assert {q.id for q, _ in everything[:2]} == {history.ids["easy"], history.ids["hard"]}  # 13 times each
    assert everything[-1][0].id == history.ids["guest"]  # once
    assert len(everything) == 8

    first = await store.question_play_stats(limit=3)
    rest = await store.question_play_stats(limit=10, offset=3)
    assert [q.id for q, _ in first + rest] == [q.id for q, _ in everything]
    assert await store.question_play_stats(limit=0) == []
    assert len(await store.question_play_stats(limit=PLAY_STATS_MAX_LIMIT * 5)) == 8

    # a retired question is not triaged; a published one never asked is not listed
    await store.set_question_status(history.ids["easy"], QuestionStatus.RETIRED)
    [fresh] = await store.add_questions([_fresh()], QuestionStatus.PUBLISHED)
    ids = [q.id for q, _ in await store.question_play_stats()]
    assert history.ids["easy"] not in ids and fresh.id not in ids and len(ids) == 7


async def test_the_question_comes_with_its_figures(store):
    history = await build_history(store)
    question, stats = (await _by_kind(store, history))["shared"]
    assert question.answer == "Canberra" and question.id == stats.question_id
    assert question.stats.asked == 12


def _fresh():
    return NewQuestion(text="Which question was never asked?", answer="This one", variants=(),
                       wrong=("A", "B", "C"), category="Triage", source="test")


@pytest.mark.parametrize("limit,offset", [(-5, 0), (5, -3)])
async def test_nonsense_paging_is_bounded_not_an_error(store, limit, offset):
    await build_history(store)
    got = await store.question_play_stats(limit=limit, offset=offset)
    assert len(got) == (0 if limit < 0 else 5)


async def test_the_seeded_history_raises_each_flag_where_it_should_and_nowhere_else(store):
    history = await build_history(store)
    stats = await _by_kind(store, history)
    assessed = {kind: assess(s, q.answers) for kind, (q, s) in stats.items()}
    assert {kind: a.flags for kind, a in assessed.items()} == {
        "easy": {Flag.TOO_EASY},
        "hard": {Flag.TOO_HARD},
        "shared": {Flag.SHARED_WRONG},
        "lopsided": {Flag.LOPSIDED_ALTERNATIVE},
        "strong_miss": {Flag.STRONG_MISS},
        "balanced": set(),
        "few": set(),  # nobody ever scored it, but five plays are too few to say
        "guest": set(),
    }
    assert [f.text for f in assessed["shared"].findings] == ["sydney"]
    assert [f.text for f in assessed["lopsided"].findings] == ["Beta"]
    ranked = [a.stats.question_id for a in rank(assessed.values())]
    kinds = {qid: kind for kind, qid in history.ids.items()}
    # a likely wrong key first, the merely easy last among the flagged, then the unflagged by plays
    assert [kinds[qid] for qid in ranked][:5] == ["hard", "strong_miss", "shared", "lopsided", "easy"]


async def test_mongo_indexes_the_triage_reads(mongo):
    from kwissle.storage import mongo_schema
    from tests.storage.conftest import open_mongo_store

    client, name = mongo
    store = await open_mongo_store(client, name)
    assert await store.schema_version() == len(mongo_schema.MIGRATIONS)
    battles = await client[name]["battles"].index_information()
    assert battles["outcome_question"]["key"] == [("outcomes.question_id", 1)]
    questions = await client[name]["questions"].index_information()
    assert questions["status_asked"]["key"] == [("status", 1), ("stats.asked", -1), ("_id", 1)]
    await store.close()
