"""The guard that keeps the dump whole: every column of every table of a migrated SQLite store is
either carried by a dump (a field of the rows `export_rows` writes, found in a row of a real
export of a store holding every kind) or named in `dump.LEFT_OUT` with the reason it is not.

Adding a table or a column without deciding what a dump does with it fails here, so an operator
moving a store never silently loses it."""

from __future__ import annotations

from typing import Any

from kwissle.storage import dump
from kwissle.storage.open import open_store
from kwissle.storage.sqlite import DUMPED_COLUMNS
from tests.storage.sample_dump import full_dump


def holds(row: Any, path: str) -> bool:
    """Whether `row` has the field `path` ("stats.asked": in an object; "outcomes.by": in each item of a list)."""
    name, _, rest = path.partition(".")
    if not isinstance(row, dict) or name not in row:
        return False
    if not rest:
        return True
    inner = row[name]
    items = inner if isinstance(inner, list) else [inner]
    return bool(items) and all(holds(item, rest) for item in items)


async def columns_of_every_table(store) -> dict[str, list[str]]:
    async with store._reading() as db:
        async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                              "ORDER BY name") as cursor:
            tables = [row[0] for row in await cursor.fetchall()]
        columns = {}
        for table in tables:
            async with db.execute(f"PRAGMA table_info({table})") as cursor:
                columns[table] = [row["name"] for row in await cursor.fetchall()]
    return columns


async def test_every_sqlite_column_is_carried_by_a_dump_or_left_out_on_purpose(tmp_path):
    store = await open_store(f"sqlite:///{tmp_path / 'guard.db'}")
    try:
        await store.import_rows(full_dump())
        exported = [row async for row in store.export_rows()]
        columns = await columns_of_every_table(store)
    finally:
        await store.close()
    rows_of: dict[str, list[dict[str, Any]]] = {}
    for kind, row in exported:
        rows_of.setdefault(kind, []).append(row)
    assert set(rows_of) == set(dump.KINDS), "the sample store must hold a row of every kind for the guard to see it"

    forgotten = []
    for table, names in columns.items():
        if table in dump.LEFT_OUT:
            continue
        if table not in DUMPED_COLUMNS:
            forgotten.append(f"table {table}")
            continue
        kind, fields = DUMPED_COLUMNS[table]
        for column in names:
            if f"{table}.{column}" in dump.LEFT_OUT:
                continue
            path = fields.get(column, column)
            if not any(holds(row, path) for row in rows_of[kind]):
                forgotten.append(f"{table}.{column} (as {kind} field {path!r})")
    assert not forgotten, ("stored but neither carried by a dump nor listed in dump.LEFT_OUT: "
                           + ", ".join(forgotten))


async def test_what_is_left_out_names_tables_and_columns_that_exist(tmp_path):
    """A stale entry in LEFT_OUT (a table or column renamed away) would hide the next one."""
    store = await open_store(f"sqlite:///{tmp_path / 'guard.db'}")
    try:
        columns = await columns_of_every_table(store)
    finally:
        await store.close()
    for name in dump.LEFT_OUT:
        table, _, column = name.partition(".")
        assert table in columns and (not column or column in columns[table]), name
    assert set(DUMPED_COLUMNS) <= set(columns)


def test_the_guard_finds_a_nested_field_only_where_every_item_holds_it():
    assert holds({"stats": {"asked": 1}}, "stats.asked")
    assert holds({"outcomes": [{"by": None}, {"by": "a"}]}, "outcomes.by")
    assert not holds({"outcomes": [{"by": None}, {}]}, "outcomes.by")
    assert not holds({"outcomes": []}, "outcomes.by")  # no outcome to look in proves nothing
    assert not holds({"name": "x"}, "lease_until")
