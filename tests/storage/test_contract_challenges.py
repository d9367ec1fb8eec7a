"""Contract: challenge links are stored, read back, and used up exactly once, on every adapter."""

import asyncio
import time

from kwissle.model import Challenge, ChallengeState

# Today, not a fixed date: on MongoDB a TTL index deletes a challenge a day after it expired.
NOW = time.time()


def challenge(code="Xk3v9QmT2pLw", category="Science", minutes=30) -> Challenge:
    return Challenge(code=code, creator_id="p1", creator_name="Mighty Badger 27", category=category,
                     created_at=NOW, expires_at=NOW + minutes * 60)


async def test_a_challenge_reads_back_as_made(store):
    made = challenge()
    await store.create_challenge(made)
    assert await store.get_challenge(made.code) == made
    assert (await store.get_challenge(made.code)).state(NOW + 1) is ChallengeState.OPEN
    assert await store.get_challenge("nope") is None


async def test_a_challenge_without_category_keeps_none(store):
    await store.create_challenge(challenge(code="any_category", category=None))
    assert (await store.get_challenge("any_category")).category is None


async def test_use_takes_an_open_challenge_once(store):
    await store.create_challenge(challenge())
    assert await store.use_challenge("Xk3v9QmT2pLw", "battle1", NOW + 60) is True
    assert await store.use_challenge("Xk3v9QmT2pLw", "battle2", NOW + 61) is False
    stored = await store.get_challenge("Xk3v9QmT2pLw")
    assert (stored.battle_id, stored.used_at) == ("battle1", NOW + 60)
    assert stored.state(NOW + 62) is ChallengeState.USED


async def test_an_expired_challenge_cannot_be_used(store):
    await store.create_challenge(challenge())
    assert await store.use_challenge("Xk3v9QmT2pLw", "battle1", NOW + 30 * 60) is False
    stored = await store.get_challenge("Xk3v9QmT2pLw")
    assert stored.battle_id is None and stored.state(NOW + 30 * 60) is ChallengeState.EXPIRED


async def test_an_unknown_challenge_cannot_be_used(store):
    assert await store.use_challenge("nope", "battle1", NOW) is False


async def test_two_racing_uses_one_wins(store):
    await store.create_challenge(challenge())
    results = await asyncio.gather(*(store.use_challenge("Xk3v9QmT2pLw", f"battle{n}", NOW + 1) for n in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    winner = results.index(True)
    assert (await store.get_challenge("Xk3v9QmT2pLw")).battle_id == f"battle{winner}"
