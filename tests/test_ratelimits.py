"""RateLimits: each rule refuses after its amount, says when to retry, and keeps its keys apart."""

import time

import pytest

from kwissle.ratelimits import RULES, RateLimits
from tests.conftest import make_settings

# rule -> (a small rate for the test, its amount, its window in seconds)
SMALL = {
    "sign_in_per_address": ("3/hour", 3, 3600),
    "sign_in_per_ip": ("4/hour", 4, 3600),
    "guests_per_ip": ("2/minute", 2, 60),
    "submissions_per_player": ("3/day", 3, 86400),
    "reviews_per_player": ("5/hour", 5, 3600),
    "reports_per_player": ("2/day", 2, 86400),
    "renames_per_player": ("3/day", 3, 86400),
    "appeals_per_player": ("2/day", 2, 86400),
    "challenges_per_player": ("2/hour", 2, 3600),
    "imports_per_admin": ("2/hour", 2, 3600),
}


@pytest.fixture
def limits(tmp_path):
    return RateLimits(make_settings(tmp_path, **{RULES[rule][0]: rate for rule, (rate, _, _) in SMALL.items()}))


def test_every_rule_is_covered_here():
    assert set(SMALL) == set(RULES)


@pytest.mark.parametrize("rule", sorted(SMALL))
def test_each_rule_allows_its_amount_then_refuses_with_a_sane_retry_after(limits, rule):
    _, amount, window = SMALL[rule]
    assert [limits.hit(rule, "key") for _ in range(amount)] == [None] * amount
    retry_after = limits.hit(rule, "key")
    # a moving window: the first hit leaves it a whole window after it was made
    assert isinstance(retry_after, int) and window - 5 <= retry_after <= window
    assert limits.hit(rule, "key") is not None  # still refused: refusals do not reset the window


@pytest.mark.parametrize("rule", sorted(SMALL))
def test_keys_of_a_rule_are_independent(limits, rule):
    _, amount, _ = SMALL[rule]
    for _ in range(amount):
        limits.hit(rule, "first")
    assert limits.hit(rule, "first") is not None
    assert limits.hit(rule, "second") is None


def test_rules_are_independent_for_the_same_key(limits):
    for _ in range(2):
        limits.hit("guests_per_ip", "10.0.0.1")
    assert limits.hit("guests_per_ip", "10.0.0.1") is not None
    assert limits.hit("sign_in_per_ip", "10.0.0.1") is None


def test_the_message_says_what_was_done_too_often_the_limit_and_when_to_come_back(limits):
    for _ in range(3):
        limits.hit("submissions_per_player", "p1")
    retry_after = limits.hit("submissions_per_player", "p1")
    message = limits.message("submissions_per_player", retry_after)
    assert message == "Too many questions submitted: at most 3 per day. Try again in 24 h."
    assert limits.message("guests_per_ip", 42) == ("Too many new guests from this network address: "
                                                   "at most 2 per minute. Try again in 42 s.")


def test_a_moving_window_lets_hits_through_again_once_the_old_ones_leave_it(tmp_path):
    limits = RateLimits(make_settings(tmp_path, limit_guests_per_ip="2/second"))
    assert limits.hit("guests_per_ip", "ip") is None
    assert limits.hit("guests_per_ip", "ip") is None
    assert limits.hit("guests_per_ip", "ip") == 1  # whole seconds, never 0
    time.sleep(1.05)
    assert limits.hit("guests_per_ip", "ip") is None
