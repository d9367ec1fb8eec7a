"""SIGTERM on a real `python -m kwissle serve`: players are told, running battles finish within the
grace time (or are stored as abandoned after it), nobody new is paired, the process exits 0, and
the SQLite file holds every battle played."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from kwissle.game.events import ActionRefused
from kwissle.model import BattleEnd
from tests.support.clients import CLOSED, WebSocketClient, XhrClient
from tests.support.hub_driver import GatedStore, connect, make_hub, paired, send
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


class Serve:
    """A `serve` process on a free port, its stderr collected as it comes (so the pipe never fills)."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.tmp_path = tmp_path
        self.environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_REVEAL_SECONDS": "0.05",
                        **env}
        self.stderr = bytearray()

    async def start(self) -> str:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=self.environ,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self.reader = asyncio.ensure_future(self._collect())
        line = (await asyncio.wait_for(self.process.stdout.readline(), 60)).decode()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"serve did not say where it listens: {line!r}; stderr: {self.stderr.decode()}"
        self.base_url = f"http://127.0.0.1:{match.group(1)}"
        return self.base_url

    async def _collect(self) -> None:
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    async def exit_code(self, timeout: float = 30) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self.reader, 5)
        return code

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    def book(self) -> dict[str, str]:
        """Question text -> answer, read from the SQLite file as a bot with the database open would."""
        with closing(sqlite3.connect(self.tmp_path / "kwissle.db")) as db:
            return dict(db.execute("SELECT text, answer FROM questions"))

    def stored(self) -> dict[str, str]:
        """Battle id -> reason, for every battle in the SQLite file."""
        with closing(sqlite3.connect(self.tmp_path / "kwissle.db")) as db:
            return dict(db.execute("SELECT id, reason FROM battles"))


async def pair(a, b) -> str:
    for player in (a, b):
        if player.player is None:
            await player.hello()
    await a.send({"type": "play"})
    await a.until("waiting")
    await b.send({"type": "play"})
    battle = (await a.until("battle"))["id"]
    assert (await b.until("battle"))["id"] == battle
    return battle


async def play_to_the_end(player, book: dict[str, str] | None, timeout: float = 30) -> list[dict]:
    """Read `player`'s messages up to `end` (or the connection closing), answering every question
    right when given the book; returns what arrived."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        message = await player.recv(max(0.01, deadline - time.monotonic()))
        seen.append(message)
        if message["type"] in ("end", CLOSED["type"]):
            return seen
        if message["type"] == "question" and book is not None:
            await player.send({"type": "answer", "q": message["q"], "text": book[message["text"]]})


def of(messages: list[dict], kind: str) -> list[dict]:
    return [m for m in messages if m["type"] == kind]


async def test_sigterm_lets_running_battles_finish_tells_everyone_and_stores_every_battle(tmp_path):
    serve = Serve(tmp_path, KWISSLE_QUESTIONS_PER_BATTLE="3", KWISSLE_QUESTION_SECONDS="1",
                  KWISSLE_SHUTDOWN_GRACE_SECONDS="20")
    base_url = await serve.start()
    try:
        book = serve.book()
        a, b = WebSocketClient(base_url), WebSocketClient(base_url)
        first = await pair(a, b)  # a battle played to its end before the signal
        ends = await asyncio.gather(play_to_the_end(a, book), play_to_the_end(b, None))
        assert ends[0][-1]["type"] == "end" and ends[0][-1]["reason"] == "complete"

        second = await pair(a, b)  # over WebSocket, a answers every question
        c, d = XhrClient(base_url), XhrClient(base_url)
        third = await pair(c, d)  # over xhr-polling: every poll is a new request to the server
        for player in (a, b, c, d):
            await player.until("question")
        idle, lonely = WebSocketClient(base_url), WebSocketClient(base_url)
        await idle.hello()
        await lonely.hello()
        await lonely.send({"type": "play"})
        await lonely.expect("waiting")

        serve.terminate()
        for player in (a, b, c, d, idle, lonely):
            restarting = await player.until("restarting")
            assert 15 < restarting["seconds"] <= 20, restarting
        await idle.send({"type": "play"})
        refused = await idle.expect("error", code="shutting_down")
        assert refused["message"]

        played = await asyncio.gather(play_to_the_end(a, book), play_to_the_end(b, None),
                                      play_to_the_end(c, None), play_to_the_end(d, None))
        for messages in played:
            end = messages[-1]
            assert end["type"] == "end" and end["reason"] == "complete", messages
            assert of(messages, "reveal"), messages  # questions went on after the signal
        assert played[0][-1]["id"] == second and played[2][-1]["id"] == third
        assert played[0][-1]["winner"] == a.id  # a answered, and scored, after the signal
        assert played[2][-1]["winner"] is None  # c and d let every question time out

        for name, player in zip("abcdil", (a, b, c, d, idle, lonely)):  # then the server closes every connection
            try:
                rest = await play_to_the_end(player, None, timeout=10)
            except TimeoutError:
                raise AssertionError(f"{name} {player.transport} never closed: {player.frames}\n{serve.stderr.decode()[-4000:]}")
            assert rest[-1] == CLOSED and not of(rest, "battle"), rest  # nobody was paired meanwhile
        assert await serve.exit_code() == 0
    finally:
        serve.kill()
    log = serve.stderr.decode()
    assert serve.stored() == {first: "complete", second: "complete", third: "complete"}, log
    assert "flushing the results writer" in log and "flushed the results writer" in log


@pytest.mark.parametrize("grace", ["1", "0"])
async def test_a_battle_longer_than_the_grace_is_stored_as_abandoned(tmp_path, grace):
    serve = Serve(tmp_path, KWISSLE_QUESTIONS_PER_BATTLE="10", KWISSLE_QUESTION_SECONDS="2",
                  KWISSLE_SHUTDOWN_GRACE_SECONDS=grace)
    base_url = await serve.start()
    try:
        book = serve.book()
        a, b = WebSocketClient(base_url), WebSocketClient(base_url)
        first = await pair(a, b)
        await asyncio.gather(play_to_the_end(a, book), play_to_the_end(b, None))
        second = await pair(a, b)  # 10 questions of 2 s: far longer than the grace
        await a.until("question")
        await b.until("question")

        serve.terminate()
        signalled = time.monotonic()
        restarting = await a.until("restarting")
        assert 0 <= restarting["seconds"] <= float(grace)
        for player in (a, b):
            rest = await play_to_the_end(player, None, timeout=10)
            assert rest[-1] == CLOSED and not of(rest, "end"), rest  # an abandoned battle sends no end
        assert time.monotonic() - signalled < float(grace) + 3
        assert await serve.exit_code() == 0
    finally:
        serve.kill()
    assert serve.stored() == {first: "complete", second: "abandoned"}, serve.stderr.decode()


# --- the hub's part, driven directly (fake connections, a hand-held clock, a real SQLite store) ---

async def test_draining_tells_everyone_refuses_play_and_empties_the_queue(store, clock):
    hub = make_hub(store, clock)
    ana, bo, cy = connect(hub, "ana"), connect(hub, "bo"), connect(hub, "cy")
    await paired(hub, ana, bo)
    send(hub, cy, "play")
    assert hub.status()["waiting"] == 1
    draining = asyncio.ensure_future(hub.drain(30))
    await asyncio.sleep(0)
    for conn in (ana, bo, cy):
        assert conn.of("restarting") == [{"type": "restarting", "seconds": 30.0}]
    assert hub.status()["waiting"] == 0 and not draining.done()
    with pytest.raises(ActionRefused) as refused:
        send(hub, cy, "play")
    assert refused.value.code == "shutting_down"
    clock.now += 12
    late = connect(hub, "dee")  # connects during the grace: told how long is left, after welcome
    assert [m["type"] for m in late.sent] == ["welcome", "restarting"]
    assert late.sent[1]["seconds"] == 18.0
    send(hub, ana, "leave")  # the last running battle ends: the drain is over at once
    await asyncio.wait_for(draining, 1)
    await hub.shutdown()
    assert (await store.get_battle(hub._last_battle["ana"].battle_id)).reason is BattleEnd.FORFEIT


async def test_a_battle_being_prepared_when_draining_starts_does_not_start_and_its_players_hear_why(
        store, clock):
    gated = GatedStore(store)
    hub = make_hub(gated, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    send(hub, ana, "play")
    send(hub, bo, "play")
    await asyncio.wait_for(gated.picking.wait(), 5)
    draining = asyncio.ensure_future(hub.drain(30))
    await asyncio.sleep(0)
    gated.gate.set()
    await eventually(lambda: ana.of("error") and bo.of("error"))
    assert ana.of("error")[0]["code"] == bo.of("error")[0]["code"] == "shutting_down"
    assert not ana.of("battle") and hub.status()["battles"] == 0
    await asyncio.wait_for(draining, 1)
    await hub.shutdown()


async def test_a_second_signal_cuts_the_grace_short_and_the_battle_is_abandoned(store, clock):
    hub = make_hub(store, clock)
    ana, bo = connect(hub, "ana"), connect(hub, "bo")
    battle_id = await paired(hub, ana, bo)
    draining = asyncio.ensure_future(hub.drain(30))
    await asyncio.sleep(0.05)
    assert not draining.done()
    hub.end_grace()
    await asyncio.wait_for(draining, 1)
    await hub.shutdown()
    assert (await store.get_battle(battle_id)).reason is BattleEnd.ABANDONED
    assert not ana.of("end") and ana.closed


def test_the_grace_setting_takes_zero_and_refuses_what_is_not_a_time(tmp_path):
    from kwissle.settings import SettingsError, from_env

    assert from_env({}, data_dir=tmp_path).shutdown_grace_seconds == 30
    assert from_env({"KWISSLE_SHUTDOWN_GRACE_SECONDS": "0"}, data_dir=tmp_path).shutdown_grace_seconds == 0
    for bad in ("-1", "nan", "inf", "soon"):
        with pytest.raises(SettingsError, match="KWISSLE_SHUTDOWN_GRACE_SECONDS"):
            from_env({"KWISSLE_SHUTDOWN_GRACE_SECONDS": bad}, data_dir=tmp_path)
