"""The client's address behind nginx: forwarded headers believed only from trusted peers.

nginx passes the player's address in `X-Real-IP` (and `X-Forwarded-For`) and the
scheme in `X-Forwarded-Proto`. Tornado's own `xheaders=True` believes those headers
from any peer, so anything that reaches a backend port could pose as any address
and dodge or frame the per-IP limits. Here they count only when the connection
comes from one of `trusted` (the nginx in front); from anyone else they are ignored.
"""

from __future__ import annotations

from collections.abc import Collection

from tornado.httputil import HTTPServerRequest
from tornado.netutil import is_valid_ip


def apply_forwarded_headers(request: HTTPServerRequest, trusted: Collection[str]) -> None:
    """Set `request.remote_ip` and `request.protocol` from nginx's headers, if the peer is trusted."""
    if request.remote_ip not in trusted:
        return
    address = request.headers.get("X-Real-IP", "").strip()
    if not address:
        # nginx sets a single address; were there several, the last is the one nginx saw.
        address = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
    if address and is_valid_ip(address):
        request.remote_ip = address
    scheme = request.headers.get("X-Forwarded-Proto", "").strip().lower()
    if scheme in ("http", "https"):
        request.protocol = scheme
