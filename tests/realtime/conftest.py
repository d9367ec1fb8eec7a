"""Fixtures for driving the hub directly (see tests/support/hub_driver.py)."""

from __future__ import annotations

import pytest

from tests.support.hub_driver import FakeClock, make_store


@pytest.fixture
async def store(tmp_path):
    store = await make_store(tmp_path)
    yield store
    await store.close()


@pytest.fixture
def clock():
    return FakeClock()
