"""The SockJS channel: one `Channel` per client connection, on any transport.

It enforces what is per connection (size limit, JSON shape, `hello` first and
in time, message rate, open connections per IP) and hands welcomed messages to
the hub. Every refusal is a protocol `error` and changes nothing; a client that
keeps misbehaving is disconnected.
"""

from __future__ import annotations

import logging

from sockjs.tornado import SockJSConnection, SockJSRouter
from tornado.ioloop import IOLoop

from kwissle.game.events import ActionRefused
from kwissle.metrics import INVALID
from kwissle.ratelimit import KeyedCap, TokenBucket
from kwissle.realtime import protocol, tickets
from kwissle.realtime.hub import Hub
from kwissle.realtime.transports import Session, harden
from kwissle.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "/sockjs"
# A connection is closed after this many refused messages: a client that keeps
# sending bad ones is broken or hostile, and each refusal costs us a reply.
MAX_REFUSALS = 50
# htmlfile and jsonp are off: sockjs-tornado 1.0.7 does not validate JSONP
# callbacks and its htmlfile XSS fix was never released.
DISABLED_TRANSPORTS = ["htmlfile", "jsonp"]


class Channel(SockJSConnection):
    hub: Hub
    settings: Settings
    open_per_ip: KeyedCap
    # Until on_open runs (sockjs may close a session that never opened).
    admitted = False
    holder: tickets.TicketHolder | None = None
    hello_timer: object | None = None

    def on_open(self, info) -> None:
        self.ip = info.ip
        self.holder = None
        self.refusals = 0
        self.bucket = TokenBucket(self.settings.messages_per_second, self.settings.message_burst)
        self.admitted = self.open_per_ip.admit(self.ip)
        loop = IOLoop.current()
        if self.admitted:
            self.hello_timer = loop.call_later(
                self.settings.hello_timeout_seconds, self.turn_away, "hello_timeout",
                f"no good hello within {self.settings.hello_timeout_seconds:g} seconds")
        else:
            # On the next loop turn, not inside on_open: a polling transport is still
            # writing its open frame in this one.
            loop.add_callback(self.turn_away, "too_many_connections",
                              f"too many open connections from your address (at most "
                              f"{self.settings.max_connections_per_ip}): close one first")

    def send_text(self, text: str) -> None:
        """Send one encoded message. Never raises: a connection that cannot be written to is closed."""
        try:
            self.send(text)
        except Exception:
            log.exception("could not write to a connection from %s: closing it", self.ip)
            IOLoop.current().add_callback(self.close_quietly)

    @property
    def settled(self) -> bool:
        """Everything sent has gone out, and a close frame would too, at once. A WebSocket
        always is; a polling client is between its polls, or has not taken its messages yet."""
        if getattr(self.session, "send_queue", ""):
            return False
        handler = getattr(self.session, "handler", None)
        return handler is not None and getattr(handler, "active", True)

    def on_message(self, raw) -> None:
        if not self.admitted:
            return
        now = IOLoop.current().time()
        if not self.bucket.allow(now):
            self.hub.metrics.received(INVALID)  # dropped unread
            self.refuse("rate_limited", "too many messages: slow down", self.bucket.retry_after(now))
            return
        kind = INVALID
        try:
            if not isinstance(raw, (str, bytes)):
                raise protocol.ProtocolError(
                    "bad_message", "a SockJS frame must be a JSON array of strings, one message each")
            message = protocol.decode(raw)
            kind = message.type
            if self.holder is None:
                self.welcome(message)
            elif message.type == "hello":
                raise protocol.ProtocolError("bad_message", "already welcomed")
            else:
                self.hub.handle(self, self.holder.id, message)
        except (protocol.ProtocolError, ActionRefused) as refused:
            self.refuse(refused.code, refused.message, until=getattr(refused, "until", None))
        finally:
            self.hub.metrics.received(kind)

    def welcome(self, message: protocol.ClientMessage) -> None:
        if message.type != "hello":
            raise protocol.ProtocolError("not_welcomed", "say hello with a ticket first")
        holder = tickets.read(self.settings.cookie_secret, message["ticket"])
        if holder is None:
            raise protocol.ProtocolError("bad_ticket", "the ticket is invalid or expired: get a new one")
        self.holder = holder
        self.cancel_hello_timer()
        self.hub.join(self, holder)

    def refuse(self, code: str, message: str, retry_after: float | None = None,
               until: float | None = None) -> None:
        self.send_text(protocol.encode(protocol.error(code, message, retry_after, until=until)))
        self.hub.metrics.sent("error")
        self.refusals += 1
        if self.refusals >= MAX_REFUSALS:
            log.info("closing %s after %d refused messages", self.ip, self.refusals)
            self.close()

    def turn_away(self, code: str, message: str) -> None:
        """Tell the client why, then close (no `hello` in time, too many connections)."""
        self.hello_timer = None
        if self.is_closed or self.holder is not None:
            return
        log.info("closing a connection from %s: %s", self.ip, code)
        self.send_text(protocol.encode(protocol.error(code, message)))
        self.hub.metrics.sent("error")
        self.close()

    def cancel_hello_timer(self) -> None:
        if self.hello_timer is not None:
            IOLoop.current().remove_timeout(self.hello_timer)
            self.hello_timer = None

    def close_quietly(self) -> None:
        try:
            if not self.is_closed:
                self.close()
        except Exception:
            log.debug("closing a broken connection failed", exc_info=True)

    def on_close(self) -> None:
        self.cancel_hello_timer()
        if self.admitted:
            self.admitted = False
            self.open_per_ip.release(self.ip)
        if self.holder is not None:
            self.hub.part(self, self.holder.id)


def make_router(hub: Hub, settings: Settings, sockjs_url: str) -> SockJSRouter:
    """Build the SockJS router. Call it inside the running loop: it captures IOLoop.current()."""
    channel = type("BoundChannel", (Channel,), {
        "hub": hub, "settings": settings, "open_per_ip": KeyedCap(settings.max_connections_per_ip)})
    router = SockJSRouter(channel, PREFIX, {
        "disabled_transports": DISABLED_TRANSPORTS,
        "heartbeat_delay": settings.heartbeat_seconds,
        "sockjs_url": sockjs_url,
        "verify_ip": True,
    }, session_kls=Session)
    # jsonp_send is routed even with jsonp disabled; drop it.
    harden(router, dropped_suffixes=("/jsonp_send$",))
    return router
