"""Real deployments for tests: the Procfile's processes under honcho, and real nginx in front.

`Stack` runs `honcho start` on the repository's Procfile with an env file of free
ports and a temporary data folder, then nginx with the repository's nginx.conf
rendered for those ports in a temporary prefix. `stop` ends both and checks that
every process honcho started is gone and exited 0.

nginx is Debian's (scripts/setup --test installs it). Where it is missing, a test
needing it is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.nginx_conf import render

ROOT = Path(__file__).resolve().parents[2]
HONCHO = Path(sys.executable).with_name("honcho")
PROCESSES = ("web1", "web2", "game", "admin", "worker")
SECRET = "a-test-cookie-secret-shared-by-every-role"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None)
    if found is None:  # scripts/test installs it: missing means the setup is broken, never "skip"
        pytest.fail("nginx is not installed (scripts/setup --test installs Debian's nginx)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def nginx_files(prefix: Path, **values: str) -> tuple[Path, list[str]]:
    """Render nginx.conf into `prefix`; the config and the nginx arguments that run it there as root."""
    for folder in ("logs", "state", "maintenance"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render({
        "user": "root", "root": str(ROOT), "log_dir": str(prefix / "logs"), "state_dir": str(prefix / "state"),
        "maintenance_dir": str(prefix / "maintenance"), **values}))
    args = ["-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log"),
            "-g", f"pid {prefix / 'nginx.pid'}; daemon off;"]
    return conf, args


@dataclass
class Stack:
    tmp: Path
    settings: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    honcho: subprocess.Popen | None = None
    nginx: subprocess.Popen | None = None

    @property
    def data_dir(self) -> Path:
        return self.tmp / "data"

    @property
    def maintenance_dir(self) -> Path:
        return self.tmp / "nginx" / "maintenance"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def direct(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def honcho_log(self) -> str:
        return (self.tmp / "honcho.log").read_text(errors="replace")

    def start(self) -> None:
        nginx = nginx_binary()
        self.ports = {name: free_port() for name in ("web1", "web2", "game", "admin", "nginx")}
        env_file = self.tmp / "kwissle.env"
        env = {
            "KWISSLE_ENV": "production", "KWISSLE_COOKIE_SECRET": SECRET,
            "KWISSLE_DATA_DIR": str(self.data_dir), "KWISSLE_ADDRESS": "127.0.0.1",
            "KWISSLE_WEB1_PORT": self.ports["web1"], "KWISSLE_WEB2_PORT": self.ports["web2"],
            "KWISSLE_GAME_PORT": self.ports["game"], "KWISSLE_ADMIN_PORT": self.ports["admin"],
            "KWISSLE_GAME_URL": f"http://127.0.0.1:{self.ports['game']}",
            "KWISSLE_TRUSTED_PROXIES": "127.0.0.1",
            **self.settings,
        }
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        self.data_dir.mkdir()
        log = (self.tmp / "honcho.log").open("wb")
        self.honcho = subprocess.Popen(
            [str(HONCHO), "start", "--no-colour", "-e", str(env_file)], cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith("KWISSLE_")},
            stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: all(f"Kwissle {name} is up" in self.honcho_log for name in ("web", "game", "admin", "worker"))
                 and self.honcho_log.count("Kwissle web is up") == 2 or self.honcho.poll() is not None,
                 60, "the Procfile's processes to start")
        assert self.honcho.poll() is None, self.honcho_log

        _, args = nginx_files(self.tmp / "nginx", listen=f"127.0.0.1:{self.ports['nginx']}",
                              web_port_1=str(self.ports["web1"]), web_port_2=str(self.ports["web2"]),
                              game_port=str(self.ports["game"]), admin_port=str(self.ports["admin"]))
        self.nginx = subprocess.Popen([nginx, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for(lambda: _listening(self.ports["nginx"]) or self.nginx.poll() is not None, 20, "nginx")
        assert self.nginx.poll() is None, self.nginx.stderr.read().decode()

    def child_pids(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in
                re.findall(r"system\s*\| (\w+)\.1 started \(pid=(\d+)\)", self.honcho_log)}

    def stop(self) -> dict[str, str]:
        """Stop nginx and honcho; return how each Procfile process ended ("rc=0", ...)."""
        pids = self.child_pids()
        if self.nginx is not None and self.nginx.poll() is None:
            # Fast shutdown: a graceful one would wait for the polls and WebSockets still open.
            self.nginx.send_signal(signal.SIGTERM)
            try:
                self.nginx.wait(15)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        if self.honcho is not None and self.honcho.poll() is None:
            self.honcho.send_signal(signal.SIGTERM)
            try:
                self.honcho.wait(30)
            except subprocess.TimeoutExpired:
                self.honcho.kill()
                self.honcho.wait()
        leftovers = [name for name, pid in pids.items() if _alive(pid)]
        for name in leftovers:
            os.killpg(pids[name], signal.SIGKILL)
        assert not leftovers, f"still running after honcho stopped: {leftovers}\n{self.honcho_log}"
        return dict(re.findall(r"system\s*\| (\w+)\.1 stopped \((rc=-?\d+)\)", self.honcho_log))


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
