"""Normalize raw pages into ``core`` with DuckDB SQL, in one transaction.

The SQL lives in ``warehouse/sql/normalize_*.sql`` and runs in file order: select the fetches not
yet applied, quarantine pages whose JSON lacks the shape of their endpoint, stage each source's
items and media (one ``from_json`` parse per page), then merge into ``core``. A source's scripts
run only when the batch has its pages, and nothing runs past the selection when there is no fetch
to apply. Running it twice changes nothing; a crash leaves the warehouse as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb

from warehouse.killpoints import kill_point

SQL_PACKAGE = "warehouse"

# The scripts that only read pages of some sources; a batch without such pages skips them.
# A script not named here runs on every batch that has fetches to apply.
SCRIPT_SOURCES: dict[str, frozenset[str]] = {
    "normalize_10_x.sql": frozenset({"x"}),
    "normalize_11_x_archive.sql": frozenset({"x"}),
    "normalize_20_facebook.sql": frozenset({"facebook"}),
    "normalize_30_instagram.sql": frozenset({"instagram"}),
}


@cache
def normalize_scripts() -> tuple[tuple[str, str], ...]:
    folder = resources.files(SQL_PACKAGE).joinpath("sql")
    scripts = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.startswith("normalize_") and entry.name.endswith(".sql")
    ]
    return tuple(sorted(scripts))


@dataclass(frozen=True)
class NormalizeResult:
    pages: int
    fetches: int
    quarantined: int
    items_staged: int
    media_staged: int
    seconds: float


def normalize(con: duckdb.DuckDBPyConnection) -> NormalizeResult:
    """Apply every raw page fetch not yet normalized to ``core``."""
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        counts: dict[str, int] = {}
        sources: set[str] = set()
        for name, sql in normalize_scripts():
            needs = SCRIPT_SOURCES.get(name)
            if needs is not None and not needs & sources:
                continue
            con.execute(sql)
            if name.startswith("normalize_00"):
                counts["pages"] = con.execute("SELECT count(*) FROM batch").fetchone()[0]
                counts["fetches"] = con.execute("SELECT count(*) FROM batch_fetches").fetchone()[0]
                if not counts["fetches"]:
                    break
                batch_sources = con.execute("SELECT DISTINCT source FROM batch").fetchall()
                sources = {source for (source,) in batch_sources}
            if name.startswith("normalize_90"):
                counts["items"] = con.execute("SELECT count(*) FROM stg_items").fetchone()[0]
                counts["media"] = con.execute("SELECT count(*) FROM stg_media").fetchone()[0]
                counts["quarantined"] = con.execute(
                    "SELECT count(DISTINCT page_id) FROM batch_bad").fetchone()[0]
        kill_point("normalize:before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return NormalizeResult(
        pages=counts.get("pages", 0),
        fetches=counts.get("fetches", 0),
        quarantined=counts.get("quarantined", 0),
        items_staged=counts.get("items", 0),
        media_staged=counts.get("media", 0),
        seconds=time.perf_counter() - started,
    )


REFRESH_AUTHORSHIP = """
UPDATE core.items AS i SET author_is_district = d.is_district
FROM (
    SELECT i.item_id, EXISTS (
        SELECT 1 FROM registry.accounts a
        WHERE a.platform = i.platform
          AND (a.platform || ':' || a.platform_id = i.author_id
               OR (i.author_id IS NULL AND lower(a.handle) = lower(i.author_handle)))
    ) AS is_district
    FROM core.items i
) d
WHERE d.item_id = i.item_id AND d.is_district <> i.author_is_district
"""


def refresh_authorship(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``author_is_district`` after the registry changed."""
    con.execute(REFRESH_AUTHORSHIP)
