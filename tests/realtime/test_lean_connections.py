"""A WebSocket keeps nothing of its handshake once the channel is open (kwissle/realtime/transports.py),
and works on exactly as before: the address stays for the per-IP limits and SockJS's IP check."""

from __future__ import annotations

import pytest

from tests.support.clients import SockJSWebSocketClient, WebSocketClient


@pytest.mark.parametrize("client_class", [WebSocketClient, SockJSWebSocketClient])
async def test_an_open_websocket_holds_no_handshake_headers_and_still_plays(server, client_class):
    client = client_class(server.base_url)
    await client.hello()
    [channel] = server.app.hub._online[client.id].connections
    handler = channel.session.handler
    assert len(handler.request.headers) == 0 and len(handler._headers) == 0
    assert "_cookies" not in handler.request.__dict__ and handler.request.arguments == {}
    info = channel.session.conn_info
    assert info.ip == channel.ip == "127.0.0.1"
    assert info.cookies == {} and info.headers == {}
    await client.send({"type": "play"})
    await client.expect("waiting")
    await client.close()
    assert server.app.hub.status()["online"] == 0
