"""The SockJS channel: one `Channel` per client connection, on any transport.

It enforces what is per connection (size limit, JSON shape, `hello` first,
message rate) and hands welcomed messages to the hub. Every refusal is a
protocol `error` and changes nothing; a client that keeps misbehaving is
disconnected.
"""

from __future__ import annotations

import logging

from sockjs.tornado import SockJSConnection, SockJSRouter
from tornado.ioloop import IOLoop

from kwissle.game.events import ActionRefused
from kwissle.ratelimit import TokenBucket
from kwissle.realtime import protocol, tickets
from kwissle.realtime.hub import Hub
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

    def on_open(self, info) -> None:
        self.ip = info.ip
        self.holder: tickets.TicketHolder | None = None
        self.refusals = 0
        self.bucket = TokenBucket(self.settings.messages_per_second, self.settings.message_burst)

    def send_text(self, text: str) -> None:
        self.send(text)

    def on_message(self, raw: str) -> None:
        if not self.bucket.allow(IOLoop.current().time()):
            self.refuse("rate_limited", "too many messages: slow down")
            return
        try:
            message = protocol.decode(raw)
            if self.holder is None:
                self.welcome(message)
            elif message.type == "hello":
                raise protocol.ProtocolError("bad_message", "already welcomed")
            else:
                self.hub.handle(self, self.holder.id, message)
        except (protocol.ProtocolError, ActionRefused) as refused:
            self.refuse(refused.code, refused.message)

    def welcome(self, message: protocol.ClientMessage) -> None:
        if message.type != "hello":
            raise protocol.ProtocolError("not_welcomed", "say hello with a ticket first")
        holder = tickets.read(self.settings.cookie_secret, message["ticket"])
        if holder is None:
            raise protocol.ProtocolError("bad_ticket", "the ticket is invalid or expired: get a new one")
        self.holder = holder
        self.hub.join(self, holder)

    def refuse(self, code: str, message: str) -> None:
        self.send(protocol.encode(protocol.error(code, message)))
        self.refusals += 1
        if self.refusals >= MAX_REFUSALS:
            log.info("closing %s after %d refused messages", self.ip, self.refusals)
            self.close()

    def on_close(self) -> None:
        if self.holder is not None:
            self.hub.part(self, self.holder.id)


def make_router(hub: Hub, settings: Settings, sockjs_url: str) -> SockJSRouter:
    """Build the SockJS router. Call it inside the running loop: it captures IOLoop.current()."""
    channel = type("BoundChannel", (Channel,), {"hub": hub, "settings": settings})
    router = SockJSRouter(channel, PREFIX, {
        "disabled_transports": DISABLED_TRANSPORTS,
        "heartbeat_delay": settings.heartbeat_seconds,
        "sockjs_url": sockjs_url,
        "verify_ip": True,
    })
    # jsonp_send is routed even with jsonp disabled; drop it.
    router._transport_urls = [url for url in router.urls if not url[0].endswith("/jsonp_send$")]
    return router
