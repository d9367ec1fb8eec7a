"""Tornado's server side of a WebSocket (RFC 6455), with leaner read and write paths per frame.

A game server holds thousands of WebSockets, each carrying a few small frames a second,
and Tornado's per-frame machinery costs more than the game does with each frame:

- reading: `WebSocketProtocol13._receive_frame` awaits `IOStream.read_bytes` three times
  per frame (header, mask, payload: a Future each), and again for an extended length;
- writing: `IOStream.write` makes a Future per frame, with a done callback that the loop
  runs later, even when the socket takes the whole frame at once, as it nearly always does.

`LeanProtocol13` replaces only those two paths. It reads whatever the stream holds (one
await) and handles every complete frame in it, with Tornado's checks in Tornado's order
(reserved bits, a control frame's length, the message size limit checked on the header,
before any payload is buffered, fragmentation) and Tornado's own `_handle_message` for
what a frame means (text, binary, close, ping, pong; a text frame that is not UTF-8
aborts). It yields to the loop as often as Tornado does. `send_frame` hands a frame to
the socket at once when nothing is queued before it; what the socket does not take, and
any error, goes through `IOStream.write`, which queues it, or closes the stream and logs,
exactly as before. A connection that negotiated compression (this server offers none)
keeps Tornado's paths. benchmarks/README.md has what this bought.
"""

from __future__ import annotations

import asyncio
import struct

from tornado import websocket
from tornado.iostream import IOStream, StreamClosedError
from tornado.log import app_log
from tornado.util import (
    _websocket_mask,  # tornado.speedups' C function where it is built
)
from tornado.websocket import WebSocketClosedError, WebSocketProtocol13

# Bytes asked of the stream per read: it returns at once with what it holds, up to this.
READ_CHUNK = 64 * 1024
TEXT, BINARY = 0x1, 0x2
# Yield to the loop after this much work, counting each frame as _FRAME_YIELD_COST bytes more:
# Tornado's own figures where it has them (6.6 does), the same values where it does not.
_YIELD_THRESHOLD = getattr(websocket, "_YIELD_THRESHOLD", 256 * 1024)
_FRAME_YIELD_COST = getattr(websocket, "_FRAME_YIELD_COST", 1024)


class LeanProtocol13(WebSocketProtocol13):
    """The server's protocol object of one WebSocket (see the module's docstring)."""

    _reader: asyncio.Task | None = None

    async def _receive_frame_loop(self) -> None:
        if self._decompressor is not None or type(self.stream) is not IOStream:
            await super()._receive_frame_loop()
            return
        # Read in a Task of its own and let the handshake's coroutines return: otherwise
        # six of them (the handler's _execute and get, accept_connection...) stay suspended
        # above this loop, with their Tasks, Futures and frames, for as long as the socket is open.
        self._reader = asyncio.ensure_future(self._read_frames())

    async def _read_frames(self) -> None:
        stream = self.stream
        pending = b""  # the start of a frame not yet complete
        work = 0  # see tornado.websocket._YIELD_THRESHOLD
        try:
            while not self.client_terminated:
                chunk = await stream.read_bytes(READ_CHUNK, partial=True)
                self._wire_bytes_in += len(chunk)
                data = pending + chunk if pending else chunk
                used = 0
                while not self.client_terminated:
                    frame = self._next_frame(data, used)
                    if frame is None:
                        break
                    used, fin, opcode, payload = frame
                    work += _FRAME_YIELD_COST + len(payload)
                    handled = self._on_frame(fin, opcode, payload)
                    if handled is not None:
                        await handled
                pending = data[used:]
                if work >= _YIELD_THRESHOLD:
                    work = 0
                    await asyncio.sleep(0)
        except StreamClosedError:
            self._abort()
        except Exception:  # noqa: BLE001 - never expected: on_message's errors are caught and logged per message
            app_log.error("WebSocket read loop failed", exc_info=True)
            self._abort()
        finally:
            self.handler.on_ws_connection_close(self.close_code, self.close_reason)

    def _next_frame(self, data: bytes, start: int) -> tuple[int, int, int, bytes] | None:
        """The complete frame at `start` as (end, fin, opcode, unmasked payload); None when more
        bytes are needed, or when the frame was refused (the connection is then aborted)."""
        available = len(data) - start
        if available < 2:
            return None
        header, second = data[start], data[start + 1]
        if header & self.RSV_MASK:  # an extension nobody agreed on
            self._abort()
            return None
        opcode = header & self.OPCODE_MASK
        length = second & 0x7F
        if opcode & 0x8 and length >= 126:  # control frames carry at most 125 bytes
            self._abort()
            return None
        head = 2
        if length == 126:
            if available < 4:
                return None
            (length,) = struct.unpack_from("!H", data, start + 2)
            head = 4
        elif length == 127:
            if available < 10:
                return None
            (length,) = struct.unpack_from("!Q", data, start + 2)
            head = 10
        fragments = self._fragmented_message_buffer
        if length + (len(fragments) if fragments is not None else 0) > self.params.max_message_size:
            self.close(1009, "message too big")
            self._abort()
            return None
        masked = second & 0x80
        if masked:
            head += 4
        end = start + head + length
        if len(data) < end:
            return None
        payload = data[start + head:end]
        if masked:
            payload = _websocket_mask(data[start + head - 4:start + head], payload)
        return end, header & self.FIN, opcode, payload

    def _on_frame(self, fin: int, opcode: int, data: bytes):
        """What Tornado's `_receive_frame` does with a frame once read; the Future of an
        asynchronous `on_message`, if any."""
        if opcode & 0x8:  # control frames may come between the fragments of a message
            if not fin:
                self._abort()
                return None
        elif opcode == 0:  # a continuation
            if self._fragmented_message_buffer is None:
                self._abort()
                return None
            self._fragmented_message_buffer.extend(data)
            if fin:
                opcode = self._fragmented_message_opcode
                data = bytes(self._fragmented_message_buffer)
                self._fragmented_message_buffer = None
        else:  # a new message
            if self._fragmented_message_buffer is not None:
                self._abort()
                return None
            if not fin:
                self._fragmented_message_opcode = opcode
                self._fragmented_message_buffer = bytearray(data)
        return self._handle_message(opcode, data) if fin else None

    def send_frame(self, data: bytes, opcode: int = TEXT) -> None:
        """Send one whole, unmasked frame: at once when nothing is queued before it, else after
        what is. Raises WebSocketClosedError when the connection is closed or closing."""
        if self.is_closing():
            raise WebSocketClosedError()
        length = len(data)
        if length < 126:
            frame = bytes((0x80 | opcode, length)) + data
        elif length <= 0xFFFF:
            frame = struct.pack("!BBH", 0x80 | opcode, 126, length) + data
        else:
            frame = struct.pack("!BBQ", 0x80 | opcode, 127, length) + data
        self._message_bytes_out += length
        self._wire_bytes_out += len(frame)
        stream = self.stream
        sent = 0
        if not stream._write_buffer and type(stream) is IOStream and not stream._connecting:
            try:
                sent = stream.socket.send(frame)
            except OSError:
                # Would block, or the connection broke: IOStream.write below meets the same
                # and queues the frame, or closes the stream as it always does.
                sent = 0
            if sent == len(frame):
                return
        try:
            stream.write(frame[sent:] if sent else frame)
        except StreamClosedError:
            raise WebSocketClosedError() from None


def lean_protocol(handler, protocol):
    """`protocol` (what Tornado's `get_websocket_protocol` made) as a LeanProtocol13."""
    if type(protocol) is WebSocketProtocol13 and not protocol.mask_outgoing:
        return LeanProtocol13(handler, False, protocol.params)
    return protocol
