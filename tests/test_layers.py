"""Imports point down only (ARCHITECTURE.md): checked on the source, so a stray import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kwissle"

# What each layer must never import (a prefix of a dotted module name).
FORBIDDEN = {
    "model": ("kwissle.game", "kwissle.storage", "kwissle.realtime", "kwissle.web", "kwissle.app",
              "tornado", "sockjs", "aiosqlite", "pymongo", "sqlite3"),
    "game": ("kwissle.storage", "kwissle.realtime", "kwissle.web", "kwissle.app", "kwissle.settings",
             "tornado", "sockjs", "aiosqlite", "pymongo", "sqlite3", "asyncio"),
    "storage": ("kwissle.realtime", "kwissle.web", "kwissle.app", "tornado", "sockjs"),
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    offences = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN[layer]):
                offences.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    assert not offences, "\n".join(offences)
