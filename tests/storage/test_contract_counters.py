"""The storage contract for batched counters: `add_counts` and `counters_with_prefix`, on every adapter."""

import asyncio

import pytest

from kwissle.storage.port import StorageError


async def test_add_counts_creates_new_counters_and_adds_to_existing_ones(store):
    await store.increment("battles_started", 3)
    await store.add_counts({"battles_started": 2, "reports": 1, "reports|player=p1": 1})
    assert await store.get_counter("battles_started") == 5
    assert await store.get_counter("reports") == 1
    assert await store.get_counter("reports|player=p1") == 1
    await store.add_counts({"reports": 4})
    assert await store.get_counter("reports") == 5
    assert await store.get_counter("reports|player=p1") == 1


async def test_add_counts_of_nothing_writes_nothing(store):
    await store.add_counts({})
    assert await store.is_empty()


async def test_concurrent_batches_all_land_exactly(store):
    """Several processes flush at once, some counters new to all of them: every hit lands once."""
    batches = [{"typed_answers": n, f"typed_answers|player=p{n % 3}": 1, "shared_new": 1} for n in range(1, 21)]
    await asyncio.gather(*(store.add_counts(batch) for batch in batches))
    assert await store.get_counter("typed_answers") == sum(range(1, 21))
    assert await store.get_counter("shared_new") == 20
    assert sum([await store.get_counter(f"typed_answers|player=p{k}") for k in range(3)]) == 20


async def test_a_batch_the_store_cannot_take_writes_none_of_it(store):
    """All or nothing: an unstorable count (beyond 64 bits) leaves the other keys of its batch untouched."""
    await store.add_counts({"steals": 1})
    with pytest.raises(StorageError):
        await store.add_counts({"steals": 1, "alternatives": 1, "huge": 2**70})
    assert await store.get_counter("steals") == 1
    assert await store.get_counter("alternatives") == 0
    assert await store.get_counter("huge") == 0


async def test_counters_with_prefix_reads_exactly_the_names_that_start_with_it(store):
    await store.add_counts({
        "stat|reports|2026-11-23T14": 2, "stat|reports|2026-11-23T15": 3, "stat|reportsX|2026-11-23T15": 7,
        "stat|reviews|2026-11-23T15": 1, "reports": 5, "stat|report": 9, "stat|reports|": 4,
    })
    assert await store.counters_with_prefix("stat|reports|") == {
        "stat|reports|": 4, "stat|reports|2026-11-23T14": 2, "stat|reports|2026-11-23T15": 3}
    assert await store.counters_with_prefix("stat|nothing|") == {}
    assert set(await store.counters_with_prefix("")) == {
        "stat|reports|2026-11-23T14", "stat|reports|2026-11-23T15", "stat|reportsX|2026-11-23T15",
        "stat|reviews|2026-11-23T15", "reports", "stat|report", "stat|reports|"}


async def test_counters_with_prefix_handles_text_beyond_ascii(store):
    await store.add_counts({"sign_ins|ip=é": 1, "sign_ins|ip=éa": 2, "sign_ins|ip=ê": 3, "sign_ins|ip=😀": 4})
    assert await store.counters_with_prefix("sign_ins|ip=é") == {"sign_ins|ip=é": 1, "sign_ins|ip=éa": 2}
    assert await store.counters_with_prefix("sign_ins|ip=😀") == {"sign_ins|ip=😀": 4}
