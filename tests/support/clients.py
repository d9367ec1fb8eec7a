"""Real protocol clients for tests: raw WebSocket and SockJS XHR polling.

Both speak PROTOCOL.md over a real socket to a real server; they differ only
in transport. Each keeps its own cookie jar, so one client is one browser.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

RECV_TIMEOUT = 5.0


class Client:
    """Common part: the cookie jar, the ticket, the inbox."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.player: dict[str, Any] | None = None
        self.http = AsyncHTTPClient()

    async def fetch(self, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = await self.http.fetch(self.base_url + path, headers=headers, raise_error=False, **kwargs)
        for header in response.headers.get_list("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response

    async def ticket(self) -> str:
        response = await self.fetch("/api/ticket")
        assert response.code == 200, response.body
        body = json.loads(response.body)
        self.player = body["player"]
        return body["ticket"]

    @property
    def id(self) -> str:
        assert self.player is not None
        return self.player["id"]

    async def recv(self, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def expect(self, kind: str, timeout: float = RECV_TIMEOUT, **fields: Any) -> dict[str, Any]:
        """The next message, which must be of type `kind` (and carry `fields`)."""
        message = await self.recv(timeout)
        assert message["type"] == kind, f"expected {kind}, got {message}"
        for name, value in fields.items():
            assert message[name] == value, f"{kind}.{name}: expected {value!r}, got {message}"
        return message

    async def until(self, kind: str, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
        """Skip messages up to the next one of type `kind`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.01, deadline - loop.time()))
            if message["type"] == kind:
                return message

    async def silent(self, seconds: float = 0.2) -> None:
        """Assert nothing arrives for `seconds`."""
        try:
            message = await asyncio.wait_for(self.inbox.get(), seconds)
        except asyncio.TimeoutError:
            return
        raise AssertionError(f"expected silence, got {message}")

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(message))

    async def hello(self, resumed: str | None = None) -> dict[str, Any]:
        await self.connect()
        await self.send({"type": "hello", "ticket": await self.ticket()})
        return await self.expect("welcome", resumed=resumed)

    async def connect(self) -> None:
        raise NotImplementedError

    async def send_raw(self, text: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class WebSocketClient(Client):
    """A bot on the raw WebSocket endpoint, /sockjs/websocket."""

    transport = "websocket"

    async def connect(self) -> None:
        url = self.base_url.replace("http", "ws", 1) + "/sockjs/websocket"
        self.ws = await websocket_connect(url)
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            text = await self.ws.read_message()
            if text is None:
                await self.inbox.put({"type": "_closed"})
                return
            await self.inbox.put(json.loads(text))

    async def send_raw(self, text: str) -> None:
        await self.ws.write_message(text)

    async def close(self) -> None:
        self.ws.close()
        await asyncio.sleep(0.05)
        self.reader.cancel()


class XhrClient(Client):
    """A SockJS client on the xhr-polling transport: POST .../xhr to receive, .../xhr_send to send."""

    transport = "xhr"

    async def connect(self) -> None:
        self.session_url = f"/sockjs/{secrets.randbelow(1000):03d}/{secrets.token_hex(8)}"
        self.closed = False
        response = await self.fetch(self.session_url + "/xhr", method="POST", body=b"")
        assert response.body.strip() == b"o", response.body
        self.poller = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        while not self.closed:
            response = await self.fetch(self.session_url + "/xhr", method="POST", body=b"",
                                        request_timeout=60)
            frame = response.body.decode().strip()
            if frame.startswith("a"):
                for text in json.loads(frame[1:]):
                    await self.inbox.put(json.loads(text))
            elif frame.startswith("c"):
                await self.inbox.put({"type": "_closed"})
                return

    async def send_raw(self, text: str) -> None:
        response = await self.fetch(self.session_url + "/xhr_send", method="POST",
                                    body=json.dumps([text]).encode())
        assert response.code == 204, response.body

    async def close(self) -> None:
        self.closed = True
        self.poller.cancel()


TRANSPORTS = {"websocket": WebSocketClient, "xhr": XhrClient}
