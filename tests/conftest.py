"""Shared fixtures: settings on a temporary data folder and a real server on a free port."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from tornado.httpserver import HTTPServer

from kwissle.app import MAX_BODY_BYTES, KwissleApplication, make_app
from kwissle.bank.starter import seed_if_empty
from kwissle.roles import SERVE, Role
from kwissle.server import bound_port
from kwissle.settings import Settings, from_env
from kwissle.shutdown import run_flush_steps
from kwissle.storage.open import open_store
from kwissle.storage.port import Store

# Short timings keep a ten-question battle to a few seconds; every test that
# depends on a timing names the one it needs.
# No "you vs them" intro unless a test asks for one (intro_seconds=...): the battle starts at once.
# No recorded opponent offered within a test unless it asks (ghost_delay_seconds=...).
FAST = dict(question_seconds=2, reveal_seconds=0.05, resume_seconds=1.0, intro_seconds=0, ghost_delay_seconds=600)


def make_settings(tmp_path: Path, **overrides) -> Settings:
    return from_env({}, env="test", data_dir=tmp_path, **{**FAST, **overrides})


@dataclass
class RunningServer:
    settings: Settings
    app: KwissleApplication
    store: Store
    http: HTTPServer
    base_url: str

    @property
    def hub(self):
        return self.app.hub


async def start_server(tmp_path: Path, seed: bool = True, role: Role = SERVE, **overrides) -> RunningServer:
    """`role` builds one process of the production layout (kwissle/roles.py); the default, everything."""
    settings = make_settings(tmp_path, **overrides)
    store = await open_store(settings.database_url)
    if seed:
        await seed_if_empty(store)
    app = make_app(settings, store, role=role)
    if app.hub is not None:
        await app.hub.load_lexicon()
    http = HTTPServer(app, max_body_size=MAX_BODY_BYTES)
    http.listen(0, "127.0.0.1")
    port = bound_port(http)
    return RunningServer(settings, app, store, http, f"http://127.0.0.1:{port}")


async def stop_server(server: RunningServer) -> None:
    server.http.stop()
    if server.hub is not None:
        await server.hub.shutdown()
    await server.http.close_all_connections()
    await run_flush_steps(server.app.flush_steps)  # as a clean stop does: counters, caches, results
    await server.store.close()


@pytest.fixture
async def server(tmp_path, request):
    overrides = getattr(request, "param", {}) or {}
    running = await start_server(tmp_path, **overrides)
    yield running
    await stop_server(running)
    await asyncio.sleep(0)
