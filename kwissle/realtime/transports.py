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
"""

from __future__ import annotations

from sockjs.tornado import session, transports
from sockjs.tornado.router import SockJSRouter
from tornado.web import RequestHandler
from tornado.websocket import WebSocketHandler

from kwissle.realtime import protocol


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


class WebSocketTransport(transports.WebSocketTransport):
    """`/sockjs/<server>/<session>/websocket`: each frame is a JSON array of messages."""

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


def _harden(handler: type) -> type:
    if handler is transports.XhrSendHandler:
        return XhrSendHandler
    if handler is transports.WebSocketTransport:
        return WebSocketTransport
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
