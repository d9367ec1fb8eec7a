"""SockJS session behaviour of the channel: heartbeats on an idle session."""

import asyncio

import pytest

from tests.support.clients import XhrClient


@pytest.mark.parametrize("server", [{"heartbeat_seconds": 0.3}], indirect=True)
async def test_an_idle_sockjs_session_receives_heartbeats(server):
    client = XhrClient(server.base_url)
    session = "/sockjs/000/heartbeat1"
    opened = await client.fetch(session + "/xhr", method="POST", body=b"")
    assert opened.body.strip() == b"o"
    loop = asyncio.get_running_loop()
    started = loop.time()
    frame = await client.fetch(session + "/xhr", method="POST", body=b"", request_timeout=5)
    assert frame.body.strip() == b"h"
    assert 0.2 <= loop.time() - started < 2.0
