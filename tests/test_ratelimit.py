"""Token buckets (with the wait until the next token) and per-key caps, on a hand-held clock."""

import pytest

from kwissle.ratelimit import KeyedCap, KeyedLimiter, TokenBucket


def test_a_bucket_allows_its_burst_then_says_how_long_until_the_next_token():
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.allow(10.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after(10.0) == pytest.approx(0.5)
    assert bucket.retry_after(10.2) == pytest.approx(0.3)
    assert not bucket.allow(10.4)
    assert bucket.allow(10.5)
    assert bucket.retry_after(100.0) == 0.0


def test_a_keyed_limiter_keeps_one_bucket_per_key():
    limiter = KeyedLimiter(rate=1 / 60, burst=2)
    assert [limiter.allow("1.2.3.4", 0.0) for _ in range(3)] == [True, True, False]
    assert limiter.retry_after("1.2.3.4", 0.0) == pytest.approx(60.0)
    assert limiter.allow("5.6.7.8", 0.0)
    assert limiter.retry_after("9.9.9.9", 0.0) == 0.0  # never seen: nothing to wait for


def test_a_cap_admits_up_to_its_limit_per_key_and_a_release_frees_a_slot():
    cap = KeyedCap(2)
    assert [cap.admit("a") for _ in range(3)] == [True, True, False]
    assert cap.admit("b")
    cap.release("a")
    assert cap.count("a") == 1 and cap.admit("a") and not cap.admit("a")
    cap.release("b")
    assert cap.count("b") == 0
