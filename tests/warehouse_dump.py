"""A canonical dump of a warehouse, for comparing two warehouses row by row.

``dump(path)`` reads every base table of the pipeline's schemas (``registry``, ``raw``, ``core``,
``audit``, ``marts``) into sorted lists of canonical rows (every value rendered as text, JSON with
sorted keys), leaving out the columns that legitimately differ between two runs over the same
world: run ids, and the times of fetches, loads, scoring, normalization and deletion checks
(``checked_at`` in cursors; the simulated clock moves on while a run waits). Surrogate
page ids (a sequence) are replaced by the page's natural key (``page_key``: source, endpoint,
object and body), so two warehouses that hold the same pages compare equal whatever order they
were inserted in. ``diff(a, b)`` describes the differences briefly, for assertion messages.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

SCHEMAS = ("registry", "raw", "core", "audit", "marts")
# Columns whose values depend on when (or in which run) something happened, not on what.
VOLATILE_COLUMNS = frozenset({
    "run_id", "last_run_id", "fetched_at", "received_at", "logged_at", "updated_at",
    "loaded_at", "scored_at", "normalized_at", "first_seen_at", "last_seen_at",
    "content_fetched_at", "started_at", "finished_at", "applied_at", "stats",
})
# Keys of JSON values (connector cursors) that hold the time something was done.
VOLATILE_JSON_KEYS = frozenset({"checked_at"})
# Surrogate keys from raw.api_pages_seq, dumped as the page's natural key instead.
PAGE_ID_COLUMNS = frozenset({"page_id", "last_page_id"})

TABLES_SQL = """
SELECT schema_name, table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary AND schema_name IN ?
ORDER BY schema_name, table_name
"""
COLUMNS_SQL = """
SELECT column_name, data_type FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
ORDER BY column_index
"""

Row = tuple[str, ...]
Dump = dict[str, list[Row]]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k not in VOLATILE_JSON_KEYS}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _canonical(value: Any, data_type: str) -> str:
    if value is None:
        return "NULL"
    if data_type == "JSON":
        try:
            parsed = _without_times(json.loads(value))
        except (TypeError, ValueError):
            return str(value)
        return json.dumps(parsed, sort_keys=True, ensure_ascii=False)
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, list | tuple):
        return json.dumps([_canonical(v, "") for v in value], ensure_ascii=False)
    if isinstance(value, Mapping):
        return json.dumps({str(k): _canonical(v, "") for k, v in value.items()},
                          sort_keys=True, ensure_ascii=False)
    return str(value)


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str,
                  exclude: Iterable[str] = VOLATILE_COLUMNS) -> list[tuple[str, str]]:
    """(name, type) of the columns of ``schema.table`` that are compared."""
    skip = set(exclude)
    return [(name, dtype) for name, dtype in con.execute(COLUMNS_SQL, [schema, table]).fetchall()
            if name not in skip]


def dump_table(con: duckdb.DuckDBPyConnection, schema: str, table: str,
               exclude: Iterable[str] = VOLATILE_COLUMNS, root: str | Path | None = None,
               ) -> list[Row]:
    """The canonical rows of one table, sorted; ``root`` (the workspace folder) is written
    ``<workspace>`` in every value, so two workspaces' file paths compare equal."""
    exclude = set(exclude)
    if (schema, table) == ("raw", "api_pages"):
        exclude.add("page_id")  # its identity is page_key
    columns = table_columns(con, schema, table, exclude)
    has_pages = (schema, table) != ("raw", "api_pages") and con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
        "AND table_name = 'api_pages'").fetchone()[0]
    select = []
    for name, dtype in columns:
        col = f"t.{_ident(name)}"
        if name in PAGE_ID_COLUMNS and has_pages:
            col = f"(SELECT p.page_key FROM raw.api_pages p WHERE p.page_id = {col})"  # noqa: S608
        elif dtype == "JSON":
            col = f"CAST({col} AS VARCHAR)"
        select.append(f"{col} AS {_ident(name)}")
    if not select:
        select = ["1"]
    sql = f"SELECT {', '.join(select)} FROM {_ident(schema)}.{_ident(table)} t"  # noqa: S608
    types = [dtype for _, dtype in columns] or [""]
    prefix = str(root) if root is not None else None
    rows = []
    for row in con.execute(sql).fetchall():
        values = [_canonical(v, types[i] if i < len(types) else "") for i, v in enumerate(row)]
        if prefix:
            values = [v.replace(prefix, "<workspace>") for v in values]
        rows.append(tuple(values))
    return sorted(rows)


def dump(source: str | Path | duckdb.DuckDBPyConnection, *,
         exclude: Iterable[str] = VOLATILE_COLUMNS, schemas: tuple[str, ...] = SCHEMAS,
         root: str | Path | None = None) -> Dump:
    """Every base table of ``schemas`` as ``{"schema.table": sorted canonical rows}``.

    ``source`` is a DuckDB file (opened read-only) or an open connection; ``root``: see
    ``dump_table``."""
    exclude = frozenset(exclude)
    own = not isinstance(source, duckdb.DuckDBPyConnection)
    con = duckdb.connect(str(source), read_only=True) if own else source
    try:
        tables = con.execute(TABLES_SQL, [list(schemas)]).fetchall()
        return {f"{s}.{t}": dump_table(con, s, t, exclude, root) for s, t in tables}
    finally:
        if own:
            con.close()


def columns_of(source: str | Path, table: str,
               exclude: Iterable[str] = VOLATILE_COLUMNS) -> list[str]:
    """The compared column names of ``schema.table`` (to read a dumped row by name)."""
    schema, name = table.split(".", 1)
    con = duckdb.connect(str(source), read_only=True)
    try:
        return [c for c, _ in table_columns(con, schema, name, exclude)]
    finally:
        con.close()


def diff(a: Dump, b: Dump, *, limit: int = 3) -> list[str]:
    """What differs between two dumps: missing tables, row counts, a few rows each way."""
    out = []
    for table in sorted(set(a) | set(b)):
        if table not in a or table not in b:
            out.append(f"{table}: only in {'first' if table in a else 'second'}")
            continue
        ca, cb = Counter(a[table]), Counter(b[table])
        if ca == cb:
            continue
        only_a = list((ca - cb).elements())
        only_b = list((cb - ca).elements())
        out.append(f"{table}: {len(a[table])} vs {len(b[table])} rows; "
                   f"{len(only_a)} only in first, e.g. {only_a[:limit]}; "
                   f"{len(only_b)} only in second, e.g. {only_b[:limit]}")
    return out
