"""nginx.conf: the template renders to a config Debian's nginx accepts, and the committed one is its render."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deploy.nginx_conf import DEFAULTS, RenderError, render
from tests.deploy.stack import ROOT, nginx_binary, nginx_files


def test_nginx_accepts_the_rendered_config(tmp_path):
    nginx = nginx_binary()
    _, args = nginx_files(tmp_path, listen="127.0.0.1:8080")
    args[args.index("-g") + 1] = f"pid {tmp_path / 'nginx.pid'};"  # no `daemon off` for -t
    result = subprocess.run([nginx, "-t", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_operators_render_fills_every_placeholder_with_production_defaults():
    result = subprocess.run([sys.executable, "deploy/nginx_conf.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    conf = result.stdout
    assert "{{" not in conf
    for line in ("listen 80 default_server;", "server 127.0.0.1:8001;", "server 127.0.0.1:8002;",
                 "server 127.0.0.1:8010;", "server 127.0.0.1:8020;", "alias /srv/kwissle/static/;",
                 "root /var/www/kwissle;", "user www-data;"):
        assert line in conf


def test_the_committed_nginx_conf_is_the_template_rendered_with_the_defaults_and_nginx_accepts_it(tmp_path):
    committed = (ROOT / "nginx.conf").read_text(encoding="utf-8")
    assert committed == render(), "nginx.conf is stale: .venv/bin/python deploy/nginx_conf.py > nginx.conf"
    (tmp_path / "logs").mkdir()
    result = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(ROOT / "nginx.conf")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_the_ports_match_the_procfile_settings_file():
    """deploy/production.env (the operator's .env) and the renderer's defaults name the same ports."""
    env = dict(line.split("=", 1) for line in (ROOT / "deploy" / "production.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert (env["KWISSLE_WEB1_PORT"], env["KWISSLE_WEB2_PORT"], env["KWISSLE_GAME_PORT"],
            env["KWISSLE_ADMIN_PORT"]) == (DEFAULTS["web_port_1"], DEFAULTS["web_port_2"],
                                           DEFAULTS["game_port"], DEFAULTS["admin_port"])
    assert env["KWISSLE_GAME_URL"] == f"http://127.0.0.1:{DEFAULTS['game_port']}"


@pytest.mark.parametrize("values, words", [
    ({"listen": "80; include /etc/passwd"}, "listen="),
    ({"root": "/srv/kwissle\n}"}, "root="),
    ({"no_such_thing": "1"}, "no placeholder no_such_thing"),
])
def test_a_value_that_could_break_the_config_is_refused(values, words):
    with pytest.raises(RenderError, match=words):
        render(values)


def test_a_placeholder_without_a_value_is_refused():
    with pytest.raises(RenderError, match=r"no value for \{\{extra\}\}"):
        render(template="listen {{listen}}; {{extra}}")
