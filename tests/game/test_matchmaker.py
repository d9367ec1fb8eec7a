"""The matchmaker pairs waiting players at random, oldest first, never a player with themself."""

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
        for n, player in enumerate("abcde"):
            mm.enqueue(player, float(n))
        pairs = mm.pairs()
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
