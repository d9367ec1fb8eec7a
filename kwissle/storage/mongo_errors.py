"""What a MongoDB driver error means, as the one line a StorageError carries."""

from __future__ import annotations

import re

from bson.errors import InvalidDocument
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    InvalidOperation,
    OperationFailure,
    PyMongoError,
)

from kwissle.storage.port import StorageError, StoreUnavailable

# What a driver call may raise besides PyMongoError: the driver encodes every document to
# BSON in this process, and text with a lone surrogate or an int beyond 64 bits cannot be.
DRIVER_ERRORS = (PyMongoError, InvalidDocument, UnicodeEncodeError, OverflowError)

_LONGEST = 300


def is_duplicate(error: BaseException) -> bool:
    """A write refused by a unique index (alone, or as one write of a bulk write)."""
    if isinstance(error, DuplicateKeyError):
        return True
    if isinstance(error, BulkWriteError):
        return any(e.get("code") == 11000 for e in error.details.get("writeErrors", ()))
    return False


def failure(error: BaseException, where: str, *, writing: bool = False) -> StorageError:
    """The StorageError (StoreUnavailable when trying later may work) for a driver error during use."""
    if isinstance(error, ConnectionFailure):
        return StoreUnavailable(f"MongoDB at {where} cannot be reached: {_line(error)}")
    message = _describe(error, where)
    return StorageError(f"{message}; nothing was written" if writing else message)


def open_failure(error: BaseException, where: str) -> StorageError:
    """Why the store at `where` cannot open, keeping StoreUnavailable for what a retry may fix."""
    if isinstance(error, ConnectionFailure):  # say the address once, not once per layer
        return StoreUnavailable(f"cannot open the store at {where}: the server cannot be reached ({_line(error)})")
    described = error if isinstance(error, StorageError) else failure(error, where)
    return type(described)(f"cannot open the store at {where}: {described}")


def _describe(error: BaseException, where: str) -> str:
    if isinstance(error, UnicodeEncodeError):
        return f"text that cannot be stored (a lone surrogate): {error.object[error.start:error.end]!r}"
    if isinstance(error, OverflowError):
        return f"a number too large to store: {error}"
    if isinstance(error, InvalidDocument):
        return f"a document MongoDB cannot store: {_line(error)}"
    if is_duplicate(error):
        return f"the store refused the change: {_duplicate(error)}"
    if isinstance(error, OperationFailure):
        message = (error.details or {}).get("errmsg") or _line(error)
        return f"MongoDB at {where} refused the operation: {_short(message)} (code {error.code})"
    if isinstance(error, InvalidOperation):
        return f"the store at {where} cannot do this: {_line(error)}"
    return f"MongoDB at {where} failed: {_line(error)}"


def _duplicate(error: BaseException) -> str:
    details = getattr(error, "details", None) or {}
    if isinstance(error, BulkWriteError):
        details = next(e for e in details.get("writeErrors", ()) if e.get("code") == 11000)
    value = details.get("keyValue")
    if value:
        fields = ", ".join(f"{k} {v!r}" for k, v in value.items())
        return f"another record already has {_short(fields)}"
    return _short(details.get("errmsg") or _line(error))


def _line(error: BaseException) -> str:
    # Server selection errors append the whole topology description: keep the reason.
    text = re.split(r", Timeout:| \(configured timeouts:", str(error))[0]
    return _short(text.splitlines()[0] if text else type(error).__name__)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _LONGEST else text[:_LONGEST - 1] + "…"
