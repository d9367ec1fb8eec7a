"""The Procfile and its systemd units: the roles honcho runs (tests/deploy/test_behind_nginx.py
starts them for real) and the units the README's `honcho export` writes for production."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from honcho.environ import parse as honcho_parse

from tests.deploy.stack import HONCHO, PROCESSES, ROOT

PRODUCTION_ENV = ROOT / "deploy" / "production.env"
SECRET = "s3cret%h-with-a-percent"


@pytest.fixture
def units(tmp_path):
    """The README's export, run from a copy of the app folder holding a filled-in .env."""
    app = tmp_path / "kwissle"
    app.mkdir()
    shutil.copy(ROOT / "Procfile", app / "Procfile")
    (app / ".env").write_text(PRODUCTION_ENV.read_text().replace(
        "KWISSLE_COOKIE_SECRET=\n", f"KWISSLE_COOKIE_SECRET={SECRET}\n"))
    result = subprocess.run([str(HONCHO), "export", "-t", str(ROOT / "deploy" / "systemd"), "-a", "kwissle",
                             "-u", "kwissle", "systemd", str(tmp_path / "units")], cwd=app,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return app, {path: path.read_text() for path in (tmp_path / "units").iterdir()}


def test_each_process_gets_a_unit_that_reads_the_settings_file_at_start(units):
    app, written = units
    by_name = {path.name: text for path, text in written.items()}
    for name in PROCESSES:
        unit = by_name[f"kwissle-{name}-1.service"]
        assert f"-m kwissle {name.rstrip('12')}" in unit
        assert f"EnvironmentFile={app}/.env" in unit and f"WorkingDirectory={app}" in unit
        assert "User=kwissle" in unit and "KillMode=mixed" in unit
    assert "--port $KWISSLE_WEB1_PORT" in by_name["kwissle-web1-1.service"]
    assert "kwissle-game.target" in by_name["kwissle.target"]


def test_no_setting_is_copied_into_the_world_readable_units(units):
    """honcho's own template writes every .env value into the unit files, secrets included."""
    _, written = units
    for text in written.values():
        assert SECRET not in text and "Environment=" not in text.replace("EnvironmentFile=", "")


def test_systemd_accepts_every_unit(units):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian's systemd package): it checks the exported units"
    _, written = units
    result = subprocess.run([analyze, "verify", "--man=no", *map(str, written)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_honcho_and_systemd_read_the_same_values_from_the_settings_file():
    """honcho (start) splits an unquoted value at spaces and joins the pieces; systemd's
    EnvironmentFile keeps them. Double quotes mean the same to both."""
    text = PRODUCTION_ENV.read_text()
    assert honcho_parse(text)["KWISSLE_MAIL_FROM"] == "Kwissle <kwissle@example.org>"
    for line in text.splitlines():
        if line and not line.startswith("#"):
            _, value = line.split("=", 1)
            assert not re.search(r"\s", value) or re.fullmatch(r'"[^"\\$`]*"', value), line
