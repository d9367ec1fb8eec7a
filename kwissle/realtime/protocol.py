"""The wire protocol (PROTOCOL.md, version 1): decoding and validating client messages.

`decode` turns one raw frame into a `ClientMessage` or raises `ProtocolError`
with the protocol's error code. Nothing here touches state, so a refused
message can never have changed anything. This is the door: a text field that
gets past it holds only encodable text (no lone surrogate, no control
character), so nothing downstream can fail to encode what a player typed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from kwissle.game.judge import MAX_TYPED_CHARS
from kwissle.game.rules import CHOICES

MAX_MESSAGE_BYTES = 4096
MAX_REASON_CHARS = 500
MAX_TICKET_CHARS = 1024
MAX_QUESTION_INDEX = 999
# A client message is one flat object. Deeper input (up to orjson's own 1024
# levels) is refused whole, before any field is read.
MAX_DEPTH = 16

# C0 controls (U+0000..U+001F) and UTF-16 surrogates, which are not text. orjson
# already refuses lone surrogates while decoding; the field check names them too,
# so the rule lives in one place whatever produced the value.
_NOT_TEXT = re.compile("[\x00-\x1f\ud800-\udfff]")
# A report reason is prose: tab and newline may stay.
_NOT_PROSE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClientMessage:
    type: str
    fields: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


def _text(limit: int, forbidden: re.Pattern[str] = _NOT_TEXT):
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ProtocolError("bad_message", f"'{name}' must be a string")
        if not value.strip():
            raise ProtocolError("bad_message", f"'{name}' must not be empty")
        if len(value) > limit:
            raise ProtocolError("bad_message", f"'{name}' must be at most {limit} characters")
        bad = forbidden.search(value)
        if bad:
            what = "a lone UTF-16 surrogate" if bad.group() >= "\ud800" else "a control character"
            raise ProtocolError(
                "bad_message", f"'{name}' must not hold {what} (U+{ord(bad.group()):04X})")
        return value

    return check


def _index(upper: int):
    def check(name: str, value: Any) -> int:
        # bool is an int in Python, but `true` is not a question number on the wire.
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProtocolError("bad_message", f"'{name}' must be an integer")
        if not 0 <= value <= upper:
            raise ProtocolError("bad_message", f"'{name}' must be between 0 and {upper}")
        return value

    return check


_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _code(name: str, value: Any) -> str:
    """A challenge code, as it appears in a challenge link."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ProtocolError("bad_message", f"'{name}' must be a challenge code (1-64 letters, digits, '-' or '_')")
    return value


_FIELDS = {
    "hello": {"ticket": _text(MAX_TICKET_CHARS)},
    "play": {},
    "cancel": {},
    "answer": {"q": _index(MAX_QUESTION_INDEX), "text": _text(MAX_TYPED_CHARS)},
    "alternatives": {"q": _index(MAX_QUESTION_INDEX)},
    "choose": {"q": _index(MAX_QUESTION_INDEX), "choice": _index(CHOICES - 1)},
    "report": {"q": _index(MAX_QUESTION_INDEX), "reason": _text(MAX_REASON_CHARS, _NOT_PROSE)},
    "leave": {},
    # revision 6: playing together (docs/protocol.md)
    "appeal": {"q": _index(MAX_QUESTION_INDEX)},
    "rematch": {},
    "decline_rematch": {},
    "challenge": {"code": _code},
    "ghost": {},
}
CLIENT_TYPES = frozenset(_FIELDS)


def decode(raw: str | bytes) -> ClientMessage:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"a message may be at most {MAX_MESSAGE_BYTES} bytes")
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise ProtocolError("bad_message", "a message must be a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("bad_message", "a message needs a string field 'type'")
    if kind not in _FIELDS:
        raise ProtocolError("bad_message", f"unknown message type {kind[:40]!r}")
    fields = {}
    for name, check in _FIELDS[kind].items():
        if name not in data:
            raise ProtocolError("bad_message", f"'{kind}' needs the field '{name}'")
        fields[name] = check(name, data[name])
    return ClientMessage(kind, fields)


def parse_json(raw: str | bytes) -> Any:
    """Any JSON value at most MAX_DEPTH deep, holding only valid Unicode, or ProtocolError.

    orjson never recurses on the C stack (it stops at 1024 levels by itself) and
    refuses lone surrogates, whether escaped (`\\ud800`) or raw in a str.
    """
    if isinstance(raw, bytes):
        # Checked here because orjson reports any bad byte as a "surrogate".
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("bad_json", "the message is not valid JSON: it is not UTF-8") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as refused:
        if "surrogate" in str(refused):
            raise ProtocolError(
                "bad_message", "the message holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"
            ) from None
        if "depth" in str(refused):
            raise ProtocolError("bad_json", f"the message nests deeper than {MAX_DEPTH} levels") from None
        raise ProtocolError("bad_json", "the message is not valid JSON") from None
    if _deeper_than(data, MAX_DEPTH):
        raise ProtocolError("bad_json", f"the message nests deeper than {MAX_DEPTH} levels")
    return data


def _deeper_than(value: Any, limit: int) -> bool:
    # Iterative on purpose: the point is that no input can exhaust the stack.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def encode(message: dict[str, Any]) -> str:
    """One server message as JSON text that every transport can send: this never fails on a str.

    orjson refuses a str holding a lone surrogate (none should get past `decode`,
    but text also comes from the store); such a message is sent with that text
    escaped as `\\udXXX`, which is valid JSON in pure ASCII.
    """
    try:
        return orjson.dumps(message, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(message, separators=(",", ":"), ensure_ascii=True)


def error(code: str, message: str, retry_after: float | None = None, *,
          until: float | None = None) -> dict[str, Any]:
    """An `error` message; `retry_after` (seconds, only with `rate_limited`) says when to try again,
    `until` (seconds since the epoch, or None: no end; sent with `banned` only) when a ban ends."""
    refusal: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if retry_after is not None:
        refusal["retry_after"] = math.ceil(retry_after * 1000) / 1000
    if code == "banned":
        refusal["until"] = until
    return refusal
