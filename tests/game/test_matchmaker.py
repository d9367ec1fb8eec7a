"""The matchmaker pairs waiting players oldest first, never a player with themself: by rating
closeness with a bonus for time waited, at random among equals, and not twice in a row."""

import random

import pytest

from kwissle.game.matchmaker import AlreadyQueued, Matchmaker


def test_a_lone_player_waits():
    mm = Matchmaker()
    mm.enqueue("a", 1.0)
    assert mm.pairs() == [] and "a" in mm and len(mm) == 1


def test_two_waiting_players_are_paired_and_leave_the_queue():
    mm = Matchmaker()
    mm.enqueue("a", 1.0)
    mm.enqueue("b", 2.0)
    assert mm.pairs() == [("a", "b")]
    assert len(mm) == 0


def test_a_player_queued_twice_from_two_tabs_is_one_entry():
    mm = Matchmaker()
    mm.enqueue("a", 1.0)
    with pytest.raises(AlreadyQueued):
        mm.enqueue("a", 2.0)
    assert mm.pairs() == [] and mm.waiting_since("a") == 1.0


def test_nobody_waits_behind_a_later_arrival_and_partners_are_random():
    partners = set()
    for seed in range(30):
        mm = Matchmaker(random.Random(seed))
        for player in "abcde":  # one burst: equal ratings, equal waits
            mm.enqueue(player, 1.0)
        pairs = mm.pairs(1.0)
        assert pairs[0][0] == "a"  # the longest waiting is always served first
        assert len(pairs) == 2 and len(mm) == 1
        partners.add(pairs[0][1])
        left = next(iter(set("abcde") - {p for pair in pairs for p in pair}))
        assert left != "a"
    assert len(partners) >= 3


def test_cancel_takes_a_player_out():
    mm = Matchmaker()
    mm.enqueue("a", 1.0)
    assert mm.cancel("a") is True
    assert mm.cancel("a") is False
    mm.enqueue("b", 2.0)
    assert mm.pairs() == []


def test_requeue_first_puts_a_player_back_at_the_head():
    mm = Matchmaker(random.Random(0))
    mm.enqueue("late", 5.0)
    mm.requeue_first("early", 1.0)
    mm.enqueue("c", 6.0)
    assert mm.pairs()[0][0] == "early"


# --- fair pairing ------------------------------------------------------------------


def test_close_ratings_meet_when_several_wait():
    mm = Matchmaker(random.Random(1))
    mm.enqueue("a", 10.0, rating=1500, deviation=60)
    mm.enqueue("far", 10.0, rating=2100, deviation=60)
    mm.enqueue("near", 10.0, rating=1530, deviation=60)
    mm.enqueue("far2", 10.0, rating=2080, deviation=60)
    assert sorted(map(sorted, mm.pairs(10.0))) == [["a", "near"], ["far", "far2"]]


def test_waiting_buys_a_wider_gap():
    """A partner who has waited long enough beats a closer one who just came."""
    mm = Matchmaker(random.Random(1))
    mm.enqueue("a", 0.0, rating=1500, deviation=60)
    mm.enqueue("patient", 0.0, rating=1700, deviation=60)
    mm.enqueue("close", 9.9, rating=1510, deviation=60)
    gap_cost = mm.cost("a", "patient", 0.0)
    assert mm.cost("a", "close", 10.0) < gap_cost  # no wait: the close one is better
    assert mm.cost("a", "patient", 10.0) < mm.cost("a", "close", 10.0)  # after 10 s: the patient one
    assert mm.pairs(10.0)[0] == ("a", "patient")


def test_uncertain_ratings_count_less():
    mm = Matchmaker()
    mm.enqueue("guest", 0.0)  # 1500, wide deviation
    mm.enqueue("sure", 0.0, rating=1700, deviation=50)
    mm.enqueue("also_sure", 0.0, rating=1500, deviation=50)
    assert mm.cost("guest", "sure", 0.0) < mm.cost("also_sure", "sure", 0.0)


def test_nobody_is_left_waiting_when_a_partner_exists_whatever_the_gap():
    """Pairing never holds anyone back for a better match: two waiting always meet."""
    mm = Matchmaker()
    mm.enqueue("a", 0.0, rating=800, deviation=40)
    mm.enqueue("b", 0.0, rating=2600, deviation=40)
    assert mm.pairs(0.0) == [("a", "b")]


def test_the_oldest_waiter_is_always_served_whatever_the_ratings():
    for seed in range(20):
        mm = Matchmaker(random.Random(seed))
        mm.enqueue("old", 0.0, rating=900, deviation=50)
        for n in range(6):
            mm.enqueue(f"p{n}", 5.0, rating=1500 + 30 * n, deviation=50)
        pairs = mm.pairs(5.0)
        assert pairs[0][0] == "old" and len(pairs) == 3 and len(mm) == 1


def test_who_just_played_each_other_are_not_re_paired_while_others_wait():
    mm = Matchmaker(random.Random(3))
    mm.played("a", "b")
    mm.enqueue("a", 0.0, rating=1500, deviation=50)
    mm.enqueue("b", 0.0, rating=1500, deviation=50)  # the perfect rating match...
    mm.enqueue("c", 0.0, rating=1900, deviation=50)  # ...but c waits too
    assert mm.pairs(0.0) == [("a", "c")]
    assert "b" in mm


def test_who_just_played_each_other_meet_again_when_alone():
    mm = Matchmaker()
    mm.played("a", "b")
    mm.enqueue("a", 0.0)
    mm.enqueue("b", 1.0)
    assert mm.pairs(1.0) == [("a", "b")]


def test_a_new_battle_replaces_the_last_opponent():
    mm = Matchmaker(random.Random(0))
    mm.played("a", "b")
    mm.played("a", "c")  # a's last opponent is now c; b's is still a
    for player in "abc":
        mm.enqueue(player, 0.0)
    mm.enqueue("d", 0.0)
    pairs = {frozenset(pair) for pair in mm.pairs(0.0)}
    assert frozenset("ab") not in pairs and frozenset("ac") not in pairs


def test_a_large_burst_is_paired_in_linear_time():
    import time

    mm = Matchmaker(random.Random(0))
    for n in range(20_000):
        mm.enqueue(f"p{n}", 0.0, rating=1000 + n % 1000, deviation=80)
    started = time.perf_counter()
    pairs = mm.pairs(1.0)
    assert len(pairs) == 10_000
    assert time.perf_counter() - started < 5.0
