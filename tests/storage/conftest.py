"""Every adapter of the storage port, for the contract suite to run against."""

import pytest

from kwissle.storage.open import open_store

ADAPTERS = ["sqlite"]


@pytest.fixture(params=ADAPTERS)
async def store(request, tmp_path):
    if request.param == "sqlite":
        store = await open_store(f"sqlite:///{tmp_path / 'contract.db'}")
    yield store
    await store.close()
