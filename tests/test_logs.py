"""Log output: the JSON formatter itself, and a real `serve` process logging JSON lines only."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from kwissle import logs
from tests.support.clients import WebSocketClient

ROOT = Path(__file__).parent.parent


def record(message="hello %s", args=("world",), level=logging.INFO, exc_info=None, **extra):
    log = logging.getLogger("kwissle.test")
    return log.makeRecord(log.name, level, __file__, 1, message, args, exc_info, extra=extra or None)


def test_a_json_line_has_time_level_logger_message_and_the_extra_fields():
    line = logs.JsonFormatter().format(record(battle="5e6f", players=2, where=Path("/tmp/x")))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "INFO" and entry["logger"] == "kwissle.test"
    assert entry["message"] == "hello world"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert entry["battle"] == "5e6f" and entry["players"] == 2
    assert entry["where"] == repr(Path("/tmp/x"))  # not JSON itself: written as its repr
    assert "exception" not in entry and "args" not in entry and "msg" not in entry


def test_a_json_line_carries_the_exception_text():
    try:
        raise ValueError("the disk is full\nsecond line")
    except ValueError:
        line = logs.JsonFormatter().format(record("saving failed", (), logging.ERROR, sys.exc_info()))
    assert "\n" not in line  # the traceback's newlines are escaped inside the one line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "saving failed"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].rstrip().endswith("ValueError: the disk is full\nsecond line")


def test_configure_replaces_the_handlers_and_routes_warnings_through_logging(monkeypatch):
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    try:
        logs.configure("json")
        assert len(root.handlers) == 1
        logging.getLogger("kwissle.x").warning("careful: %d", 3)
        import warnings
        warnings.warn("an old API", DeprecationWarning, stacklevel=1)
        logs.configure("text")
        logging.getLogger("kwissle.x").info("plain again")
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = stream.getvalue().splitlines()
    first, second = json.loads(lines[0]), json.loads(lines[1])
    assert first["message"] == "careful: 3" and first["level"] == "WARNING"
    assert second["logger"] == "py.warnings" and "an old API" in second["message"]
    assert lines[2].endswith("INFO kwissle.x: plain again")


async def start_serve(tmp_path, **env):
    environ = {**os.environ, "KWISSLE_DATA_DIR": str(tmp_path), **env}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kwissle", "serve", "--port", "0", cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, f"serve did not say where it listens: {line!r}"
    return process, f"http://127.0.0.1:{match.group(1)}"


async def test_serve_with_json_logs_writes_only_json_lines_to_stderr(tmp_path):
    process, base_url = await start_serve(tmp_path, KWISSLE_LOG_FORMAT="json")
    try:
        client = WebSocketClient(base_url)
        assert (await client.fetch("/no/such/page")).code == 404  # tornado logs a 4xx at WARNING
        assert (await client.fetch("/healthz")).code == 200
        await client.hello()
        await client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = (await asyncio.wait_for(process.stderr.read(), 30)).decode()
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert lines, "serve logged nothing"
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a stderr line is not JSON: {line!r}")
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
    warnings = [e for e in entries if e["level"] == "WARNING"]
    assert any("/no/such/page" in e["message"] and e["logger"] == "tornado.access" for e in warnings), warnings
    assert any(e["message"] == "stopped" for e in entries)


async def test_serve_logs_plain_text_by_default(tmp_path):
    process, base_url = await start_serve(tmp_path)
    try:
        assert (await WebSocketClient(base_url).fetch("/no/such/page")).code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        stderr = (await asyncio.wait_for(process.stderr.read(), 30)).decode()
        assert await asyncio.wait_for(process.wait(), 30) == 0
    assert re.search(r"^\S+ \S+ WARNING tornado\.access: 404 GET /no/such/page", stderr, re.MULTILINE), stderr
    assert not any(line.startswith("{") for line in stderr.splitlines())


def test_a_bad_log_format_names_the_variable(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, "-m", "kwissle", "serve", "--port", "0"], cwd=ROOT,
                            env={**os.environ, "KWISSLE_DATA_DIR": str(tmp_path), "KWISSLE_LOG_FORMAT": "xml"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "KWISSLE_LOG_FORMAT='xml': must be text or json" in result.stderr
