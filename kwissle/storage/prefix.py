"""Prefix reads as key ranges: the names starting with a prefix are those in [prefix, after_prefix(prefix)).

Both adapters compare text keys by code point (SQLite's BINARY collation on UTF-8,
MongoDB's default on `_id`), so a range query on the key's index finds a prefix
without scanning the collection (used by `counters_with_prefix`).
"""

from __future__ import annotations


def after_prefix(prefix: str) -> str:
    """The least string greater than every string that starts with `prefix` (a non-empty one)."""
    head = prefix.rstrip(chr(0x10FFFF))
    if not head:
        raise ValueError("a prefix of only U+10FFFF has no upper bound")
    return head[:-1] + chr(ord(head[-1]) + 1)
