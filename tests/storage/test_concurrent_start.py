"""Servers started together on one empty data folder: one schema, one starter bank, a sound file."""

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

from kwissle.bank.starter import load_starter_bank, seed_if_empty
from kwissle.model import QuestionStatus
from kwissle.storage.open import open_store
from kwissle.storage.sqlite import MIGRATIONS

ROOT = Path(__file__).parent.parent.parent


def assert_one_sound_store_with_the_bank_once(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        texts = [row[0] for row in db.execute("SELECT text FROM questions WHERE status = 'published'")]
    assert sorted(texts) == sorted(q.text for q in load_starter_bank())


async def test_two_servers_started_at_once_on_an_empty_folder_both_come_up_and_seed_once(tmp_path):
    environ = {name: value for name, value in os.environ.items() if not name.startswith("KWISSLE_")}
    environ["KWISSLE_DATA_DIR"] = str(tmp_path / "data")
    servers = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    try:
        lines = [(await asyncio.wait_for(server.stdout.readline(), 60)).decode() for server in servers]
    finally:
        for server in servers:
            if server.returncode is None:
                server.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(server.wait(), 30) for server in servers]
        errors = [(await server.stderr.read()).decode() for server in servers]
    bank = len(load_starter_bank())
    for line, error in zip(lines, errors, strict=True):
        assert re.search(rf"Kwissle is up on http://127\.0\.0\.1:\d+/ \({bank} published questions", line), error
        assert "Traceback" not in error
    assert codes == [0, 0]
    assert_one_sound_store_with_the_bank_once(tmp_path / "data" / "kwissle.db")


async def test_stores_opened_and_seeded_at_once_publish_the_bank_exactly_once(tmp_path):
    path = tmp_path / "kwissle.db"

    async def start() -> int:
        store = await open_store(f"sqlite:///{path}")
        try:
            return await seed_if_empty(store)
        finally:
            await store.close()

    added = await asyncio.gather(*(start() for _ in range(4)))
    assert sorted(added) == [0, 0, 0, len(load_starter_bank())]
    store = await open_store(f"sqlite:///{path}")
    try:
        assert await store.count_questions(QuestionStatus.PUBLISHED) == len(load_starter_bank())
    finally:
        await store.close()
    assert_one_sound_store_with_the_bank_once(path)
