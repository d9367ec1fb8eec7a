"""sockjs-tornado's HTTP and WebSocket handlers, made safe to face the internet.

sockjs-tornado 1.0.7 leaves three holes this module closes:
- Its static handlers (`/info`, the greeting, `/chunking_test`, the iframe) let
  Tornado's XSRF check run before their `prepare()`; the refusal then calls
  their `finish()`, which reads an attribute only `prepare()` sets, so a
  `POST /sockjs/info` never got an answer and kept the server from exiting.
  SockJS endpoints authenticate by ticket (`hello`), never by cookie, so the
  XSRF check does not apply to them; an unsupported method gets Tornado's 405.
- Its frame decoding (the SockJS WebSocket transport and `xhr_send`) uses the
  stdlib `json`, which overflows the stack on deep nesting and then aborts the
  connection with a traceback, and `xhr_send` of a non-array logged a traceback
  and closed the session. Frames are decoded here with the protocol's codec;
  every item, string or not, is handed to the channel, which answers a bad one
  with an `error` and goes on with the next. An `xhr_send` body that is not a
  JSON array is a 400 (SockJS's reference server says 500; the fault is the
  client's, and a 500 is logged as a server error).
- A session closed right after a message went out on an xhr poll wrote its
  close frame into that same response, past the Content-Length it had
  announced (a poll carries one frame). The close frame now waits for the next poll.

It also keeps a WebSocket lean:
- for the hours it may stay open: once the channel has opened (it keeps only the
  client's address), the handshake's request and response headers, cookies and
  arguments are dropped (134 -> 118 objects the collector walks per player);
- per message sent: Tornado's `write_message` wraps every write in a coroutine
  and a Task only to turn one exception into another; `send_pack` hands the
  frame to `LeanProtocol13.send_frame` and raises the same errors, without them;
- per frame, both ways: `LeanProtocol13` (lean_websocket.py) reads every buffered
  frame in one go and writes a frame straight to the socket when nothing is queued
  (benchmarks/README.md has what each bought).
"""

from __future__ import annotations

from sockjs.tornado import session, transports
from sockjs.tornado.router import SockJSRouter
from sockjs.tornado.transports.rawwebsocket import (
    RawWebSocketTransport as _RawWebSocketTransport,
)
from tornado.web import RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from kwissle.realtime import protocol
from kwissle.realtime.lean_websocket import BINARY, TEXT, LeanProtocol13, lean_protocol


class _SockJSEndpoint:
    """Mixed into every plain-HTTP SockJS handler."""

    def initialize(self, server) -> None:
        # sockjs's finish() reads `logged`, which its prepare() sets; an error raised
        # before prepare() (a refused method) must still finish the response.
        self.logged = False
        super().initialize(server)  # type: ignore[misc]

    def check_xsrf_cookie(self) -> None:
        """A SockJS request proves who it is with a ticket inside the channel, not a cookie."""


class Session(session.Session):
    """A SockJS session (every transport but the raw WebSocket)."""

    def close(self, code: int = 3000, message: str = "Go away!") -> None:
        polling = isinstance(self.handler, transports.XhrPollingTransport)
        if polling and not self.handler.active and self.state != session.CLOSED:
            # This poll's response already carries a frame: the next poll gets the close.
            session.BaseSession.close(self, code, message)
            return
        super().close(code, message)


class XhrSendHandler(_SockJSEndpoint, transports.XhrSendHandler):
    """`POST .../xhr_send`: a JSON array of messages for an open session."""

    def post(self, session_id: str) -> None:
        self.preflight()
        self.handle_session_cookie()
        self.disable_cache()
        session = self._get_session(session_id)
        if session is None or session.is_closed:
            self.set_status(404)
            return
        if not self.request.body:
            self.set_status(400)
            self.write("Payload expected.")
            return
        try:
            frame = protocol.parse_json(self.request.body)
        except protocol.ProtocolError as refused:
            # Readable JSON that holds what is not text: the channel refuses it as a message.
            frame = [self.request.body] if refused.code == "bad_message" else None
        if not isinstance(frame, list):
            # SockJS's own text; its reference server says 500, but the fault is the
            # client's, and a 500 would be logged as a server error.
            self.set_status(400)
            self.write("Broken JSON encoding.")
            return
        session.on_messages(frame)
        self.set_status(204)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")


class _DirectWrites:
    """Both WebSocket transports: frames read and written by `LeanProtocol13`, and each message
    sent with `_write_text` (no per-message coroutine, no per-write Future)."""

    def get_websocket_protocol(self):
        return lean_protocol(self, super().get_websocket_protocol())  # type: ignore[misc]

    def send_pack(self, message, binary: bool = False) -> None:
        try:
            _write_text(self, message, binary)  # type: ignore[arg-type]
        except OSError:  # as sockjs-tornado does
            self.server.io_loop.add_callback(self.on_close)  # type: ignore[attr-defined]


class WebSocketTransport(_DirectWrites, transports.WebSocketTransport):
    """`/sockjs/<server>/<session>/websocket`: each frame is a JSON array of messages."""

    def open(self, session_id: str) -> None:
        super().open(session_id)
        _shed_handshake(self)

    def on_message(self, message: str | bytes) -> None:
        if not message or not self.session:  # SockJS ignores empty frames
            return
        try:
            frame = protocol.parse_json(message)
        except protocol.ProtocolError:
            # Hand the unreadable frame to the channel whole: decoding it as a message
            # fails the same way, and the client gets that `error` on this connection.
            frame = [message]
        self.session.on_messages(frame if isinstance(frame, list) else [frame])


def _shed_handshake(handler: WebSocketHandler) -> None:
    """Drop what only the handshake needed, once the channel is open on this WebSocket."""
    request = handler.request
    # Emptied in place: tornado's own coroutines of this connection still hold these objects.
    request.headers.clear()
    handler._headers.clear()
    request.arguments = request.query_arguments = request.body_arguments = {}
    request.__dict__.pop("_cookies", None)
    handler._transforms = []  # the response's gzip transform: the handshake response is long sent
    handler.ui = None  # template helpers: a WebSocket renders no template
    sockjs_session = getattr(handler, "session", None)
    info = getattr(sockjs_session, "conn_info", None)
    if info is not None:  # the address stays: a SockJS session checks it when a transport re-attaches
        sockjs_session.conn_info = session.ConnectionInfo(info.ip, {}, {}, {}, info.path)


def _write_text(handler: WebSocketHandler, message: str | bytes, binary: bool = False) -> None:
    """What `WebSocketHandler.write_message` does for a text or bytes message, without its Task."""
    protocol = handler.ws_connection
    if protocol is None or protocol.is_closing():
        raise WebSocketClosedError()
    if type(protocol) is not LeanProtocol13 or protocol._compressor is not None:
        handler.write_message(message, binary)  # not the plain case: Tornado's own way
        return
    protocol.send_frame(message.encode("utf-8") if isinstance(message, str) else message, BINARY if binary else TEXT)


class RawWebSocket(_DirectWrites, _RawWebSocketTransport):
    """`/sockjs/websocket`: one message per frame, no SockJS framing."""

    def open(self) -> None:
        super().open()
        _shed_handshake(self)


def _harden(handler: type) -> type:
    if handler is transports.XhrSendHandler:
        return XhrSendHandler
    if handler is transports.WebSocketTransport:
        return WebSocketTransport
    if handler is _RawWebSocketTransport:
        return RawWebSocket
    if issubclass(handler, RequestHandler) and not issubclass(handler, WebSocketHandler):
        return type(handler.__name__, (_SockJSEndpoint, handler), {})
    return handler  # the raw WebSocket endpoint: its own _execute answers 405 to non-GET


def harden(router: SockJSRouter, dropped_suffixes: tuple[str, ...] = ()) -> None:
    """Swap the router's handlers for the safe ones above, and drop the routes named."""
    router._transport_urls = [
        (pattern, _harden(handler), kwargs)
        for pattern, handler, kwargs in router.urls
        if not pattern.endswith(dropped_suffixes)
    ]
