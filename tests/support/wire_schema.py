"""docs/protocol.schema.json for tests: strict validators per direction and per HTTP body.

JSON Schema compares numbers by value, so a stock validator takes 15.0 as an
integer; the wire contract does not (docs/protocol.md: integers are written
without a fraction). The validators here use a strict integer type, so
`"seconds": 15.0` where the schema says integer is a failure.

Messages are checked against the definition of their own `type` first
(`server.welcome`, `client.answer`, ...) so a failure names the field at fault
rather than "matches none of the oneOf branches".
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import best_match

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "protocol.schema.json"


def _strict_integer(checker, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer),
)


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _root() -> Draft202012Validator:
    return StrictValidator(schema())


def validator(definition: str) -> Draft202012Validator:
    """A strict validator for `#/$defs/<definition>` (refs resolve against the whole schema)."""
    if definition not in schema()["$defs"]:
        raise KeyError(f"docs/protocol.schema.json has no definition {definition!r}")
    return _root().evolve(schema={"$ref": f"#/$defs/{definition}"})


def problem(message: Any, direction: str) -> str | None:
    """Why `message` breaks the schema for `direction` ("server" or "client"), or None if it does not."""
    kind = message.get("type") if isinstance(message, dict) else None
    specific = f"{direction}.{kind}"
    name = specific if isinstance(kind, str) and specific in schema()["$defs"] else f"{direction}_message"
    return body_problem(message, name)


def body_problem(body: Any, definition: str) -> str | None:
    """Why `body` breaks `#/$defs/<definition>`, or None if it does not."""
    error = best_match(validator(definition).iter_errors(body))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "(the message)"
    return f"{where}: {error.message} [schema {definition}]"
