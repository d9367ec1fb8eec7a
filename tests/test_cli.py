"""The command line as an operator meets it: real processes, real files, exit codes."""

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.clients import WebSocketClient

DATA = Path(__file__).parent / "bank" / "data"
ROOT = Path(__file__).parent.parent


def run(args, tmp_path, **env):
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-m", "kwissle", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)


def published_count(tmp_path):
    with sqlite3.connect(tmp_path / "kwissle.db") as db:
        return db.execute("SELECT count(*) FROM questions WHERE status = 'published'").fetchone()[0]


@pytest.mark.parametrize("variable, value, words", [
    ("KWISSLE_QUESTION_SECONDS", "fifteen", "KWISSLE_QUESTION_SECONDS='fifteen': must be a valid number"),
    ("KWISSLE_QUESTIONS_PER_BATTLE", "0", "KWISSLE_QUESTIONS_PER_BATTLE='0': must be greater than 0"),
    ("KWISSLE_TYPED_TRIES", "2.5", "KWISSLE_TYPED_TRIES='2.5': must be a valid whole number"),
    ("KWISSLE_DATABASE_URL", "postgres://x", "KWISSLE_DATABASE_URL='postgres://x': must start with"),
    ("KWISSLE_ENV", "staging", "KWISSLE_ENV='staging': must be one of"),
])
def test_a_bad_setting_names_the_variable_and_exits_non_zero(tmp_path, variable, value, words):
    result = run(["serve", "--port", "0"], tmp_path, **{variable: value})
    assert result.returncode == 2
    assert words in result.stderr


def test_an_unreachable_database_is_a_clear_error_not_a_traceback(tmp_path):
    result = run(["serve", "--port", "0"], tmp_path, KWISSLE_STORE_START_SECONDS="0",
                 KWISSLE_DATABASE_URL="mongodb://kwissle:s3cret@127.0.0.1:1/kwissle?serverSelectionTimeoutMS=200")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("kwissle: ")


def test_production_refuses_to_start_without_a_cookie_secret(tmp_path):
    result = run(["serve", "--port", "0"], tmp_path, KWISSLE_ENV="production")
    assert result.returncode == 2
    assert "KWISSLE_COOKIE_SECRET is not set" in result.stderr


def test_import_publishes_good_questions_and_says_what_it_skipped(tmp_path):
    result = run(["import", str(DATA / "opentdb_good.json"), "--format", "opentdb"], tmp_path,
                 KWISSLE_LOAD_STARTER_BANK="false")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "imported 4, skipped 6"
    assert "skipped results[1]: true/false question" in lines
    assert published_count(tmp_path) == 4
    with sqlite3.connect(tmp_path / "kwissle.db") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM questions")]
    assert not any("&quot;" in t or "&#039;" in t for t in texts)  # entities decoded

    again = run(["import", str(DATA / "opentdb_good.json"), "--format", "opentdb"], tmp_path)
    assert again.stdout.strip().splitlines()[-1] == "imported 0, skipped 10"
    assert again.stdout.count("already stored") == 4
    assert published_count(tmp_path) == 4


def test_import_reads_opentriviaqa_with_mixed_line_endings(tmp_path):
    result = run(["import", str(DATA / "opentriviaqa_mixed.txt"), "--format", "opentriviaqa",
                  "--category", "Geography"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "imported 4, skipped 6"
    with sqlite3.connect(tmp_path / "kwissle.db") as db:
        assert {row[0] for row in db.execute("SELECT category FROM questions")} == {"Geography"}


@pytest.mark.parametrize("name, fmt, words", [
    ("opentdb_bad_entry.json", "opentdb", "results[2]"),
    ("opentdb_no_results.json", "opentdb", "response_code"),
    ("opentriviaqa_answer_first.txt", "opentriviaqa", "line 2: answer line '^ Paris' outside a '#Q' question"),
    ("opentriviaqa_no_answer.txt", "opentriviaqa", "has no '^' answer line"),
    ("opentriviaqa_garbage.txt", "opentriviaqa", "line 11: expected a choice like 'A ...', got 'this line is junk'"),
])
def test_a_malformed_file_is_refused_whole_with_where_and_why(tmp_path, name, fmt, words):
    run(["import", str(DATA / "opentdb_good.json"), "--format", "opentdb"], tmp_path)
    before = published_count(tmp_path)
    result = run(["import", str(DATA / name), "--format", fmt], tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and "nothing imported" in result.stderr
    assert published_count(tmp_path) == before


def test_import_of_a_missing_file_or_unknown_format_is_a_clear_error(tmp_path):
    missing = run(["import", str(tmp_path / "nope.json"), "--format", "opentdb"], tmp_path)
    assert missing.returncode == 2 and "No such file" in missing.stderr
    unknown = run(["import", str(DATA / "opentdb_good.json"), "--format", "csv"], tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'csv'" in unknown.stderr


async def test_serve_runs_the_game_a_battle_is_played_and_sigterm_stops_cleanly(tmp_path):
    """The README's first command, minus the set-up: start, play a battle, stop."""
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_QUESTION_SECONDS": "3",
               "KWISSLE_REVEAL_SECONDS": "0.05", "KWISSLE_QUESTIONS_PER_BATTLE": "10"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/ \((\d+) published questions", line)
        assert match, line
        assert int(match.group(2)) >= 300  # the starter bank was loaded
        base_url = f"http://127.0.0.1:{match.group(1)}"
        with sqlite3.connect(tmp_path / "kwissle.db") as db:
            book = dict(db.execute("SELECT text, answer FROM questions"))

        a, b = WebSocketClient(base_url), WebSocketClient(base_url)
        await a.hello()
        await b.hello()
        await a.send({"type": "play"})
        await b.send({"type": "play"})
        battle = await a.until("battle")
        for q in range(10):
            question = await a.until("question")
            assert question["q"] == q
            player = a if q % 2 == 0 else b
            if player is b:
                await b.until("question")
            await player.send({"type": "answer", "q": q, "text": book[question["text"]]})
            await a.until("reveal")
        end = await a.until("end")
        assert end["scores"] == {a.id: 15, b.id: 15} and end["winner"] is None
        await a.close()
        await b.close()
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 15)
    assert code == 0
    with sqlite3.connect(tmp_path / "kwissle.db") as db:
        assert db.execute("SELECT reason, winner FROM battles WHERE id = ?",
                          (battle["id"],)).fetchone() == ("complete", None)
