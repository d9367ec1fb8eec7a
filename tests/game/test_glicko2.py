"""Glicko-2: Glickman's worked example, and Lichess's configuration for one battle at a time."""

import pytest

from kwissle.game import glicko2
from kwissle.game.glicko2 import DRAW, LOSS, WIN, rate, update
from kwissle.model import Rating


def test_glickmans_worked_example():
    # "Example of the Glicko-2 system" (Glickman 2012): tau 0.5, three games in one period.
    player = Rating(1500, 200, 0.06)
    results = [(Rating(1400, 30), WIN), (Rating(1550, 100), LOSS), (Rating(1700, 300), LOSS)]
    after = rate(player, results, tau=0.5)
    # The paper rounds its intermediate steps and prints 1464.06; unrounded it is 1464.05.
    assert after.rating == pytest.approx(1464.06, abs=0.02)
    assert after.deviation == pytest.approx(151.52, abs=0.01)
    assert after.volatility == pytest.approx(0.05999, abs=0.00001)


def test_a_period_without_games_only_widens_the_deviation():
    after = rate(Rating(1500, 200, 0.06), [])
    assert after.rating == 1500
    assert after.deviation == pytest.approx(173.7178 * ((200 / 173.7178) ** 2 + 0.06 ** 2) ** 0.5)


def test_a_new_players_first_win_moves_1500_by_a_large_step():
    newcomer = Rating()
    assert (newcomer.rating, newcomer.deviation, newcomer.volatility) == (1500, 500, 0.09)
    winner = update(newcomer, Rating(), WIN)
    loser = update(Rating(), newcomer, LOSS)
    assert winner.rating - 1500 > 200  # an uncertain rating moves a long way
    assert loser.rating == pytest.approx(3000 - winner.rating)  # symmetric for equal players
    assert winner.deviation < 500 and winner.provisional


def test_an_established_players_win_moves_a_little():
    settled = Rating(1500, 60, 0.06)
    after = update(settled, Rating(1500, 60, 0.06), WIN)
    assert 0 < after.rating - 1500 < 20


def test_a_draw_between_equals_changes_no_rating():
    after = update(Rating(1620, 80, 0.06), Rating(1620, 80, 0.06), DRAW)
    assert after.rating == pytest.approx(1620)


def test_beating_a_stronger_player_gains_more_than_beating_a_weaker_one():
    me = Rating(1500, 150, 0.06)
    assert update(me, Rating(1800, 150), WIN).rating > update(me, Rating(1200, 150), WIN).rating


def test_the_deviation_never_falls_below_45():
    # A low volatility lets the unclamped deviation shrink well under the floor.
    raw = clamped = Rating(1500, 50, 0.01)
    for _ in range(50):
        raw = rate(raw, [(Rating(1500, 45, 0.01), DRAW)])
        clamped = update(clamped, Rating(1500, 45, 0.01), DRAW)
        assert clamped.deviation >= 45
    assert raw.deviation < 40
    assert clamped.deviation == 45


def test_the_volatility_is_capped_after_upsets():
    rating = Rating(1500, 45, 0.099)
    for game in range(40):  # wild swings: a long run of wins, then of losses, against strong and weak
        opponent, score = (Rating(2400, 45), WIN) if game % 20 < 10 else (Rating(600, 45), LOSS)
        rating = update(rating, opponent, score)
        assert 0 < rating.volatility <= glicko2.MAX_VOLATILITY


def test_provisional_while_the_deviation_is_110_or_more():
    assert Rating(1500, 110).provisional
    assert not Rating(1500, 109.9).provisional
    rating, games = Rating(), 0
    while rating.provisional:
        rating = update(rating, Rating(1500, 60, 0.06), DRAW if games % 2 else WIN)
        games += 1
    assert 3 <= games <= 30  # a new player settles after a few battles, not after one
