"""The Procfile: the roles honcho runs (tests/deploy/test_behind_nginx.py starts them for real)."""

from __future__ import annotations

import subprocess

from tests.deploy.stack import HONCHO, PROCESSES, ROOT


def test_honcho_exports_the_procfile_as_systemd_units_with_the_settings_file(tmp_path):
    """README: `honcho export systemd` turns the Procfile and .env into units, one per process."""
    env = tmp_path / "kwissle.env"
    env.write_text((ROOT / "deploy" / "production.env").read_text().replace(
        "KWISSLE_COOKIE_SECRET=\n", "KWISSLE_COOKIE_SECRET=s3cret\n"))
    result = subprocess.run([str(HONCHO), "export", "-e", str(env), "-a", "kwissle", "-u", "kwissle",
                             "systemd", str(tmp_path / "units")], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    units = {path.name: path.read_text() for path in (tmp_path / "units").iterdir()}
    for name in PROCESSES:
        unit = units[f"kwissle-{name}-1.service"]
        role = name.rstrip("12")
        assert f"-m kwissle {role}" in unit
        assert "Environment=KWISSLE_ENV=production" in unit and "Environment=KWISSLE_COOKIE_SECRET=s3cret" in unit
    assert "--port $KWISSLE_WEB1_PORT" in units["kwissle-web1-1.service"]
    assert "Environment=KWISSLE_WEB1_PORT=8001" in units["kwissle-web1-1.service"]
    assert "kwissle.target" in units
