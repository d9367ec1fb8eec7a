"""Real protocol clients for tests: raw WebSocket and SockJS XHR polling.

Both speak docs/protocol.md over a real socket to a real server; they differ only
in transport. Each keeps its own cookie jar, so one client is one browser.

Every frame a client receives is checked against docs/protocol.schema.json and
kept in `frames`. A frame that breaks the schema fails the test: the next
`recv` (and `close`) raises `AssertionError` naming the message and the rule.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

from tests.support import wire_schema

RECV_TIMEOUT = 5.0
# Put in the inbox when the server closes the connection; not a protocol message.
CLOSED = {"type": "_closed"}


class Client:
    """Common part: the cookie jar, the ticket, the inbox."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.player: dict[str, Any] | None = None
        self.http = AsyncHTTPClient()
        self.frames: list[dict[str, Any]] = []  # every message received, in order
        self.schema_violations: list[str] = []
        self._violations_reported = 0

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
        why = wire_schema.body_problem(body, "http_ticket")
        assert why is None, f"/api/ticket answered {body!r}, which breaks docs/protocol.schema.json: {why}"
        self.player = body["player"]
        return body["ticket"]

    @property
    def id(self) -> str:
        assert self.player is not None
        return self.player["id"]

    async def recv(self, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
        message = await asyncio.wait_for(self.inbox.get(), timeout)
        self.raise_schema_violations()
        return message

    async def _received(self, text: str) -> None:
        """One message from the server: check it against the schema, keep it, queue it."""
        try:
            message = json.loads(text)
        except ValueError:
            message = {"type": "_not_json", "text": text}
            self.schema_violations.append(f"the server sent a frame that is not JSON: {text!r}")
        else:
            why = wire_schema.problem(message, "server")
            if why is not None:
                self.schema_violations.append(f"{message!r} breaks docs/protocol.schema.json: {why}")
        self.frames.append(message)
        await self.inbox.put(message)

    def raise_schema_violations(self) -> None:
        if len(self.schema_violations) > self._violations_reported:
            self._violations_reported = len(self.schema_violations)
            raise AssertionError("\n".join(self.schema_violations))

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
                await self.inbox.put(dict(CLOSED))
                return
            await self._received(text)

    async def send_raw(self, text: str) -> None:
        await self.ws.write_message(text)

    async def close(self) -> None:
        self.ws.close()
        await asyncio.sleep(0.05)
        self.reader.cancel()
        self.raise_schema_violations()


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
            # One response may hold several frames, one a line (a last message, then the close).
            for frame in response.body.decode().splitlines():
                if frame.strip() and not await self._frame(frame.strip()):
                    return

    async def _frame(self, frame: str) -> bool:
        """Take one SockJS frame from a poll; False once the session is closed."""
        if frame.startswith("a"):
            for text in json.loads(frame[1:]):
                await self._received(text)
        elif frame.startswith("c"):
            await self.inbox.put(dict(CLOSED))
            return False
        return True

    async def send_raw(self, text: str) -> None:
        response = await self.send_frame(json.dumps([text]))
        assert response.code == 204, response.body

    async def send_frame(self, frame: str):
        """POST one xhr_send body as it is (normally a JSON array of messages); the HTTP response."""
        return await self.fetch(self.session_url + "/xhr_send", method="POST", body=frame.encode())

    async def close(self) -> None:
        self.closed = True
        self.poller.cancel()
        self.raise_schema_violations()


class SockJSWebSocketClient(Client):
    """A SockJS client on its websocket transport, /sockjs/<server>/<session>/websocket.

    Frames are SockJS-framed both ways: it sends JSON arrays of messages and
    receives `o`, `h`, `a[...]` and `c[...]`.
    """

    transport = "sockjs-websocket"

    async def connect(self) -> None:
        session = f"/sockjs/{secrets.randbelow(1000):03d}/{secrets.token_hex(8)}/websocket"
        self.ws = await websocket_connect(self.base_url.replace("http", "ws", 1) + session)
        assert await self.ws.read_message() == "o"
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            if frame is None or frame.startswith("c"):
                await self.inbox.put(dict(CLOSED))
                return
            if frame.startswith("a"):
                for text in json.loads(frame[1:]):
                    await self._received(text)

    async def send_raw(self, text: str) -> None:
        await self.send_frame(json.dumps([text]))

    async def send_frame(self, frame: str) -> None:
        """Send one websocket frame as it is (normally a JSON array of messages)."""
        await self.ws.write_message(frame)

    async def close(self) -> None:
        self.ws.close()
        await asyncio.sleep(0.05)
        self.reader.cancel()
        self.raise_schema_violations()


TRANSPORTS = {"websocket": WebSocketClient, "xhr": XhrClient}
