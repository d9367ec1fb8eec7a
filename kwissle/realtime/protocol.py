"""The wire protocol (PROTOCOL.md, version 1): decoding and validating client messages.

`decode` turns one raw frame into a `ClientMessage` or raises `ProtocolError`
with the protocol's error code. Nothing here touches state, so a refused
message can never have changed anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kwissle.game.judge import MAX_TYPED_CHARS
from kwissle.game.rules import CHOICES

MAX_MESSAGE_BYTES = 4096
MAX_REASON_CHARS = 500
MAX_QUESTION_INDEX = 999


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


def _text(limit: int):
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ProtocolError("bad_message", f"'{name}' must be a string")
        if not value.strip():
            raise ProtocolError("bad_message", f"'{name}' must not be empty")
        if len(value) > limit:
            raise ProtocolError("bad_message", f"'{name}' must be at most {limit} characters")
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


_FIELDS = {
    "hello": {"ticket": _text(1024)},
    "play": {},
    "cancel": {},
    "answer": {"q": _index(MAX_QUESTION_INDEX), "text": _text(MAX_TYPED_CHARS)},
    "alternatives": {"q": _index(MAX_QUESTION_INDEX)},
    "choose": {"q": _index(MAX_QUESTION_INDEX), "choice": _index(CHOICES - 1)},
    "report": {"q": _index(MAX_QUESTION_INDEX), "reason": _text(MAX_REASON_CHARS)},
    "leave": {},
}
CLIENT_TYPES = frozenset(_FIELDS)


def decode(raw: str | bytes) -> ClientMessage:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", f"a message may be at most {MAX_MESSAGE_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("bad_json", "the message is not valid JSON") from None
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


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
