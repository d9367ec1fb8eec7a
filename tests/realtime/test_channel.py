"""SockJS session behaviour of the channel: heartbeats on an idle session, a socket that fails."""

import asyncio
from types import SimpleNamespace

import pytest

from kwissle.ratelimit import KeyedCap
from kwissle.realtime.channel import Channel
from tests.conftest import make_settings
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


class UnwritableSession:
    """A SockJS session whose socket fails on write."""

    def __init__(self) -> None:
        self.is_closed = False

    def send_message(self, message, binary=False):
        raise OSError("connection reset by peer")

    def close(self) -> None:
        self.is_closed = True


async def test_a_connection_that_cannot_be_written_to_is_closed_and_the_sender_never_sees_the_error(
        tmp_path, caplog):
    settings = make_settings(tmp_path)
    bound = type("TestChannel", (Channel,), {"hub": None, "settings": settings, "open_per_ip": KeyedCap(5)})
    session = UnwritableSession()
    channel = bound(session)
    channel.on_open(SimpleNamespace(ip="10.0.0.1"))
    channel.send_text('{"type": "reveal"}')  # the hub goes on with its dispatch
    assert not session.is_closed  # closed on the next loop turn, outside the sender's dispatch
    await asyncio.sleep(0.01)
    assert session.is_closed
    assert "could not write to a connection from 10.0.0.1" in caplog.text
    channel.on_close()
    assert channel.open_per_ip.count("10.0.0.1") == 0
