"""Glicko-2 ratings: Glickman's algorithm with Lichess's configuration.

Mark Glickman, "Example of the Glicko-2 system" (2012) is the reference for the
arithmetic; `rate` follows its steps 1-8 for one rating period. Like Lichess, Kwissle
treats every battle as a rating period of its own (`update`), starts players at
1500 / 500 / 0.09, uses tau 0.75, never lets a deviation fall below 45 (a rating
stays able to move) nor rise above 500, and caps the volatility at 0.1 so one
upset cannot make a rating erratic for ever.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from kwissle.model.players import START_DEVIATION, Rating

TAU = 0.75  # how fast the volatility may change (Glickman: 0.3 to 1.2)
MIN_DEVIATION = 45.0
MAX_DEVIATION = START_DEVIATION
MAX_VOLATILITY = 0.1
# Glicko-2 works on its own scale: mu = (r - 1500) / 173.7178, phi = RD / 173.7178.
SCALE = 173.7178
CENTRE = 1500.0
CONVERGENCE = 0.000001  # Glickman's epsilon for the volatility iteration

WIN, DRAW, LOSS = 1.0, 0.5, 0.0


def update(player: Rating, opponent: Rating, score: float) -> Rating:
    """`player`'s rating after one game against `opponent` (score 1 win, 0.5 draw, 0 loss),
    the game being a rating period of its own, clamped as Lichess does."""
    return clamped(rate(player, [(opponent, score)]))


def clamped(rating: Rating) -> Rating:
    """Lichess's bounds: deviation within [45, 500], volatility at most 0.1."""
    return Rating(rating.rating,
                  min(max(rating.deviation, MIN_DEVIATION), MAX_DEVIATION),
                  min(rating.volatility, MAX_VOLATILITY))


def rate(player: Rating, results: Iterable[tuple[Rating, float]], tau: float = TAU) -> Rating:
    """`player`'s rating after one rating period with `results` ((opponent, score) pairs),
    exactly as Glickman's paper computes it (no clamping). With no games, only the
    deviation grows (step 6 of the paper)."""
    mu, phi, sigma = _to_glicko2(player)
    games = [(*_to_glicko2(opponent)[:2], score) for opponent, score in results]
    if not games:
        return _from_glicko2(mu, math.sqrt(phi ** 2 + sigma ** 2), sigma)
    # Step 3: the estimated variance of the rating from the game outcomes alone.
    weights = [(_g(phi_j), _expected(mu, mu_j, phi_j), score) for mu_j, phi_j, score in games]
    v = 1.0 / sum(g ** 2 * e * (1.0 - e) for g, e, _ in weights)
    # Step 4: the estimated improvement.
    outcome_sum = sum(g * (score - e) for g, e, score in weights)
    delta = v * outcome_sum
    # Steps 5-8.
    new_sigma = _new_volatility(phi, sigma, v, delta, tau)
    phi_star = math.sqrt(phi ** 2 + new_sigma ** 2)
    new_phi = 1.0 / math.sqrt(1.0 / phi_star ** 2 + 1.0 / v)
    new_mu = mu + new_phi ** 2 * outcome_sum
    return _from_glicko2(new_mu, new_phi, new_sigma)


def _to_glicko2(rating: Rating) -> tuple[float, float, float]:
    return (rating.rating - CENTRE) / SCALE, rating.deviation / SCALE, rating.volatility


def _from_glicko2(mu: float, phi: float, sigma: float) -> Rating:
    return Rating(CENTRE + SCALE * mu, SCALE * phi, sigma)


def _g(phi: float) -> float:
    return 1.0 / math.sqrt(1.0 + 3.0 * phi ** 2 / math.pi ** 2)


def _expected(mu: float, mu_j: float, phi_j: float) -> float:
    return 1.0 / (1.0 + math.exp(-_g(phi_j) * (mu - mu_j)))


def _new_volatility(phi: float, sigma: float, v: float, delta: float, tau: float) -> float:
    """Step 5: the new volatility, by the Illinois algorithm (a regula falsi that converges)."""
    a = math.log(sigma ** 2)

    def f(x: float) -> float:
        ex = math.exp(x)
        return (ex * (delta ** 2 - phi ** 2 - v - ex) / (2.0 * (phi ** 2 + v + ex) ** 2)
                - (x - a) / tau ** 2)

    big_a = a
    if delta ** 2 > phi ** 2 + v:
        big_b = math.log(delta ** 2 - phi ** 2 - v)
    else:
        k = 1
        while f(a - k * tau) < 0:
            k += 1
        big_b = a - k * tau
    f_a, f_b = f(big_a), f(big_b)
    while abs(big_b - big_a) > CONVERGENCE:
        big_c = big_a + (big_a - big_b) * f_a / (f_b - f_a)
        f_c = f(big_c)
        if f_c * f_b <= 0:
            big_a, f_a = big_b, f_b
        else:
            f_a /= 2.0
        big_b, f_b = big_c, f_c
    return math.exp(big_a / 2.0)
