"""A store that cannot be reached at start: `serve` says so in one line, retries with back-off,
comes up when the store does, and gives up after KWISSLE_STORE_START_SECONDS with exit 2.

The unreachable stores are real: a SQLite file another process holds the write lock on, and
a MongoDB URL naming a local port nothing listens on.
"""

import asyncio
import itertools
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from kwissle import server
from kwissle.storage.open import open_store
from kwissle.storage.port import StorageError, StoreUnavailable, masked_url
from tests.storage.faults import write_lock_held_by_another_process

ROOT = Path(__file__).parent.parent


async def start(data_dir, **env):
    environ = {name: value for name, value in os.environ.items() if name != "KWISSLE_DATABASE_URL"}
    environ.update(KWISSLE_DATA_DIR=str(data_dir), KWISSLE_LOAD_STARTER_BANK="false", **env)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def line_with(stream, words, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        line = (await asyncio.wait_for(stream.readline(), deadline - time.monotonic())).decode()
        if words in line or not line:
            return line


async def existing_store(data_dir):
    store = await open_store(f"sqlite:///{data_dir / 'kwissle.db'}")
    await store.close()
    return data_dir / "kwissle.db"


async def test_a_busy_store_at_start_is_waited_for_and_the_server_comes_up_when_it_is_free(tmp_path):
    path = await existing_store(tmp_path)
    with write_lock_held_by_another_process(path) as holder:
        process = await start(tmp_path, KWISSLE_STORE_START_SECONDS="60")
        try:
            waiting = await line_with(process.stderr, "not reachable yet")
        finally:
            holder.stdin.close()  # the other process lets go
    try:
        assert f"the store is not reachable yet: cannot open the store at {path}: the store is busy" in waiting
        assert "; retrying in 0.5 s" in waiting
        up = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert up.startswith("Kwissle is up on http://127.0.0.1:"), up
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    assert b"Traceback" not in await process.stderr.read()


async def test_a_store_still_busy_after_the_bound_ends_serve_with_one_line_and_exit_2(tmp_path):
    path = await existing_store(tmp_path)
    with write_lock_held_by_another_process(path):
        began = time.monotonic()
        process = await start(tmp_path, KWISSLE_STORE_START_SECONDS="1")
        code = await asyncio.wait_for(process.wait(), 30)
        took = time.monotonic() - began
    stderr = (await process.stderr.read()).decode()
    assert code == 2, stderr
    assert stderr.strip().splitlines() == [(
        f"kwissle: cannot open the store at {path}: the store is busy: another process has held the write lock "
        f"on {path} for more than 5 s; gave up after 1 s (KWISSLE_STORE_START_SECONDS)")]
    assert took < 1 + 5 + 5  # the bound, one store wait (SQLite's busy timeout) and the process's start


async def test_an_unreachable_mongodb_is_retried_without_showing_the_password_then_serve_exits_2(tmp_path):
    """A real MongoDB client pointed at a closed local port: nothing listens there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"mongodb://kwissle:s3cret@127.0.0.1:{port}/kwissle?serverSelectionTimeoutMS=200"
    began = time.monotonic()
    process = await start(tmp_path, KWISSLE_DATABASE_URL=url, KWISSLE_STORE_START_SECONDS="3")
    code = await asyncio.wait_for(process.wait(), 30)
    took = time.monotonic() - began
    stderr = (await process.stderr.read()).decode()
    assert code == 2, stderr
    assert "s3cret" not in stderr and "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    masked = f"mongodb://kwissle:***@127.0.0.1:{port}/kwissle?serverSelectionTimeoutMS=200"
    assert f"the store is not reachable yet: cannot open the store at {masked}: the server cannot be reached (" \
        in lines[0] and "; retrying in 0.5 s" in lines[0]
    assert lines[0].count("mongodb://") == 1  # the URL once, not once per layer
    assert len(lines) >= 3 and "; retrying in 1 s" in lines[1]
    assert lines[-1].startswith("kwissle: ") and lines[-1].endswith("; gave up after 3 s (KWISSLE_STORE_START_SECONDS)")
    assert took < 3 + 1 + 5  # the bound, one try's 200 ms and the process's start


async def test_retries_back_off_and_never_show_the_password(monkeypatch, caplog):
    url = "mongodb://kwissle:s3cret@127.0.0.1:1/kwissle?serverSelectionTimeoutMS=200"
    tries = []

    async def unreachable(given):
        tries.append(time.monotonic())
        raise StoreUnavailable(f"cannot open the store at {given}: No servers found yet")

    monkeypatch.setattr(server, "open_store", unreachable)
    caplog.set_level(logging.WARNING, "kwissle.server")
    with pytest.raises(StoreUnavailable) as raised:
        await server.open_store_patiently(url, 2.0)
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert len(tries) == 4 and gaps[1] > gaps[0] * 1.7  # 0.5 s, 1 s, then what is left of the 2 s
    said = caplog.text + str(raised.value)
    assert "s3cret" not in said
    assert ("the store is not reachable yet: cannot open the store at "
            "mongodb://kwissle:***@127.0.0.1:1/kwissle?serverSelectionTimeoutMS=200: No servers found yet") in caplog.text
    assert str(raised.value).endswith("; gave up after 2 s (KWISSLE_STORE_START_SECONDS)")


async def test_a_store_that_is_broken_rather_than_unreachable_is_not_retried(monkeypatch, tmp_path):
    (tmp_path / "kwissle.db").mkdir()
    began = time.monotonic()
    with pytest.raises(StorageError, match="it is a directory") as raised:
        await server.open_store_patiently(f"sqlite:///{tmp_path / 'kwissle.db'}", 30)
    assert not isinstance(raised.value, StoreUnavailable) and time.monotonic() - began < 2


@pytest.mark.parametrize("url, shown", [
    ("mongodb://kwissle:p%40ss@db1:27017,db2/kwissle?replicaSet=rs0",
     "mongodb://kwissle:***@db1:27017,db2/kwissle?replicaSet=rs0"),
    ("mongodb+srv://kwissle:pa/ss@cluster.example.net/kwissle", "mongodb+srv://kwissle:***@cluster.example.net/kwissle"),
    ("mongodb://reader@db/kwissle", "mongodb://reader@db/kwissle"),
    ("mongodb://db/kwissle?appName=a@b", "mongodb://db/kwissle?appName=a@b"),
    ("sqlite:///data/kwissle.db", "sqlite:///data/kwissle.db"),
])
def test_a_url_is_shown_without_its_password(url, shown):
    assert masked_url(url) == shown
