"""The lean WebSocket frame paths (kwissle/realtime/lean_websocket.py) keep RFC 6455 and Tornado's checks.

A raw TCP client writes frames byte for byte, so what a browser never sends (a frame cut in
pieces, several frames in one packet, fragments with a ping between them, a header announcing
too much, reserved bits, bad UTF-8) reaches the server as an attacker could send it. The
writing side is checked on a socket pair: every length encoding, and frames the socket could
not take at once arrive whole and in order.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct

import pytest
from tornado.iostream import IOStream
from tornado.websocket import WebSocketClosedError, _WebSocketParams

from kwissle.app import MAX_BODY_BYTES
from kwissle.realtime.lean_websocket import BINARY, TEXT, LeanProtocol13
from kwissle.realtime.transports import RawWebSocket

TIMEOUT = 5.0
CLOSE, PING, PONG, CONTINUATION = 0x8, 0x9, 0xA, 0x0


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, length: int | None = None) -> bytes:
    """A masked client frame; `length` announces another length than the payload's."""
    length = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    if length < 126:
        head += bytes([0x80 | length])
    elif length <= 0xFFFF:
        head += struct.pack("!BH", 0x80 | 126, length)
    else:
        head += struct.pack("!BQ", 0x80 | 127, length)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def text(message: dict, **kwargs) -> bytes:
    return frame(0x1, json.dumps(message).encode(), **kwargs)


class RawPeer:
    """A WebSocket client on a bare TCP connection: it writes exactly the bytes it is given."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, base_url: str) -> RawPeer:
        host, port = base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write((f"GET /sockjs/websocket HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        assert response.startswith(b"HTTP/1.1 101"), response
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def recv(self) -> tuple[int, bytes] | None:
        """The next frame from the server as (opcode, payload); None when the server hung up."""
        try:
            first, second = await asyncio.wait_for(self.reader.readexactly(2), TIMEOUT)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            assert not second & 0x80, "a server's frames are not masked"
            return first & 0x0F, await asyncio.wait_for(self.reader.readexactly(length), TIMEOUT)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            return None

    async def message(self) -> dict:
        while True:
            received = await self.recv()
            assert received is not None, "the server hung up"
            if received[0] == 0x1:
                return json.loads(received[1])

    async def hung_up(self) -> bool:
        """True when the server closes the connection (after a close frame or without one)."""
        while (received := await self.recv()) is not None:
            if received[0] == CLOSE:
                return True
        return True

    def close(self) -> None:
        self.writer.close()


async def ticket(base_url: str) -> str:
    from tornado.httpclient import AsyncHTTPClient

    response = await AsyncHTTPClient().fetch(base_url + "/api/ticket")
    return json.loads(response.body)["ticket"]


async def test_every_frame_of_one_packet_is_handled_in_order(server):
    peer = await RawPeer.open(server.base_url)
    await peer.send(text({"type": "hello", "ticket": await ticket(server.base_url)}) + text({"type": "play"}))
    assert (await peer.message())["type"] == "welcome"
    assert (await peer.message())["type"] == "waiting"
    peer.close()


async def test_a_frame_cut_into_single_bytes_arrives_whole(server):
    peer = await RawPeer.open(server.base_url)
    data = text({"type": "hello", "ticket": await ticket(server.base_url)})
    assert len(data) > 126  # with a 16-bit length, cut inside the length too
    for i in range(len(data)):
        await peer.send(data[i:i + 1])
        await asyncio.sleep(0)
    assert (await peer.message())["type"] == "welcome"
    peer.close()


async def test_a_fragmented_message_with_a_ping_between_its_fragments(server):
    peer = await RawPeer.open(server.base_url)
    data = json.dumps({"type": "hello", "ticket": await ticket(server.base_url)}).encode()
    await peer.send(frame(0x1, data[:10], fin=False) + frame(PING, b"are you there")
                    + frame(CONTINUATION, data[10:20], fin=False))
    await peer.send(frame(CONTINUATION, data[20:]))
    assert await peer.recv() == (PONG, b"are you there")
    assert (await peer.message())["type"] == "welcome"
    peer.close()


async def test_a_header_announcing_too_much_is_refused_before_any_payload_is_read(server):
    peer = await RawPeer.open(server.base_url)
    await peer.send(frame(0x1, b"", length=MAX_BODY_BYTES + 1))  # the header alone: no payload follows
    received = await peer.recv()
    assert received is not None and received[0] == CLOSE
    assert struct.unpack("!H", received[1][:2])[0] == 1009
    assert await peer.hung_up()


async def test_a_message_over_the_protocol_limit_is_one_error_and_the_connection_goes_on(server):
    peer = await RawPeer.open(server.base_url)
    await peer.send(frame(0x1, b'{"type":"play","x":"' + b"a" * 5000 + b'"}'))
    refusal = await peer.message()
    assert refusal["type"] == "error" and refusal["code"] == "too_large"
    await peer.send(text({"type": "hello", "ticket": await ticket(server.base_url)}))
    assert (await peer.message())["type"] == "welcome"
    peer.close()


@pytest.mark.parametrize("bad", [
    frame(0x1, b'{"type":"play"}', rsv=0x40),  # a reserved bit nobody agreed on
    frame(0x1, b'{"type":"\xff"}'),  # a text frame that is not UTF-8
    frame(PING, b"x" * 126),  # a control frame over 125 bytes
    frame(PING, b"x", fin=False),  # a fragmented control frame
    frame(CONTINUATION, b"nothing to continue"),
    frame(0x1, b"{", fin=False) + frame(0x1, b"}"),  # a new message before the last one ended
], ids=["reserved bit", "bad UTF-8", "long control frame", "fragmented control frame", "lone continuation",
        "interleaved messages"])
async def test_a_broken_frame_ends_the_connection_and_the_server_lives_on(server, bad):
    peer = await RawPeer.open(server.base_url)
    await peer.send(bad)
    assert await peer.hung_up()
    other = await RawPeer.open(server.base_url)
    await other.send(text({"type": "hello", "ticket": await ticket(server.base_url)}))
    assert (await other.message())["type"] == "welcome"
    other.close()


async def test_a_close_frame_is_answered_with_the_same_code(server):
    peer = await RawPeer.open(server.base_url)
    await peer.send(frame(CLOSE, struct.pack("!H", 1001) + b"bye"))
    received = await peer.recv()
    assert received is not None and received[0] == CLOSE and received[1][:2] == struct.pack("!H", 1001)
    assert await peer.hung_up()


async def test_the_server_reads_with_its_lean_protocol(server):
    peer = await RawPeer.open(server.base_url)
    await peer.send(text({"type": "hello", "ticket": await ticket(server.base_url)}))
    welcome = await peer.message()
    [channel] = server.app.hub._online[welcome["player"]["id"]].connections
    assert isinstance(channel.session.handler, RawWebSocket)
    assert type(channel.session.handler.ws_connection) is LeanProtocol13
    peer.close()


# --- writing, on a socket pair ------------------------------------------------------------------


class _Handler:
    """What a protocol object needs of its handler to write (nothing is read here)."""

    def on_ws_connection_close(self, code, reason) -> None:
        pass


def lean_pair() -> tuple[LeanProtocol13, socket.socket]:
    ours, theirs = socket.socketpair()
    protocol = LeanProtocol13(_Handler(), False, _WebSocketParams(max_message_size=MAX_BODY_BYTES))
    protocol.stream = IOStream(ours)
    return protocol, theirs


def read_frames(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    sock.setblocking(True)
    sock.settimeout(TIMEOUT)
    data = b""
    frames = []
    while len(frames) < count:
        while True:  # parse what is there
            if len(data) < 2:
                break
            length, head = data[1] & 0x7F, 2
            if length == 126:
                (length,), head = struct.unpack_from("!H", data, 2), 4
            elif length == 127:
                (length,), head = struct.unpack_from("!Q", data, 2), 10
            if len(data) < head + length:
                break
            assert data[0] & 0x80, "every frame is whole (FIN)"
            frames.append((data[0] & 0x0F, data[head:head + length]))
            data = data[head + length:]
        if len(frames) < count:
            data += sock.recv(1 << 20)
    return frames


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 300_000])
async def test_each_length_encoding_is_written_as_rfc_6455_says(size):
    protocol, theirs = lean_pair()
    payload = os.urandom(size)
    protocol.send_frame(payload, BINARY)
    protocol.send_frame(b"after", TEXT)
    reader = asyncio.get_running_loop().run_in_executor(None, read_frames, theirs, 2)
    assert await asyncio.wait_for(reader, TIMEOUT) == [(BINARY, payload), (TEXT, b"after")]
    protocol.stream.close()
    theirs.close()


async def test_frames_the_socket_cannot_take_at_once_arrive_whole_and_in_order():
    protocol, theirs = lean_pair()
    payloads = [bytes([i]) * 50_000 for i in range(60)]  # 3 MB: far more than a socket buffer holds
    for payload in payloads:
        protocol.send_frame(payload)
    assert protocol.stream.writing(), "the rest waits in the stream's buffer"
    reader = asyncio.get_running_loop().run_in_executor(None, read_frames, theirs, len(payloads))
    assert await asyncio.wait_for(reader, TIMEOUT) == [(TEXT, payload) for payload in payloads]
    protocol.stream.close()
    theirs.close()


async def test_writing_to_a_closed_connection_raises_what_tornado_raises():
    protocol, theirs = lean_pair()
    protocol.stream.close()
    with pytest.raises(WebSocketClosedError):
        protocol.send_frame(b"too late")
    theirs.close()
