"""The writer for the raw layer: pages exactly as received, quarantine, cursors, fetch log.

Connectors and importers hand pages to a ``RawWriter``; it buffers them and writes each batch,
with the cursors that depend on it, in one transaction. A page whose body is not JSON goes to
``raw.quarantine`` with the reason. A body already stored for the same request target is not
stored again; the new fetch is recorded in ``raw.page_fetches``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from connectors.base import RawPage, utcnow
from connectors.redaction import clean_params, redact, redact_body

STAGE_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS stage_pages (
    seq INTEGER, run_id VARCHAR, source VARCHAR, origin VARCHAR, account_id VARCHAR,
    endpoint VARCHAR, object_id VARCHAR, request_params VARCHAR, fetched_at TIMESTAMPTZ,
    sha256 VARCHAR, body VARCHAR
)
"""
STAGE_INSERT = "INSERT INTO stage_pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

# Invalid JSON goes to quarantine; valid bodies not yet stored for their target are inserted
# (one row per distinct body, the earliest fetch wins); every valid fetch is recorded.
QUARANTINE_INVALID = """
INSERT INTO raw.quarantine
SELECT sha256(concat_ws('|', source, endpoint, coalesce(object_id, ''), body)), run_id, source,
       origin, account_id, endpoint, object_id, request_params::JSON, fetched_at, NULL,
       'body is not valid JSON', body
FROM stage_pages WHERE NOT json_valid(body)
ON CONFLICT DO NOTHING
"""
INSERT_NEW_PAGES = """
INSERT INTO raw.api_pages (run_id, source, origin, account_id, endpoint, object_id,
                           request_params, fetched_at, sha256, body)
SELECT run_id, source, origin, account_id, endpoint, object_id, request_params::JSON,
       fetched_at, sha256, body::JSON
FROM (
    SELECT s.*, row_number() OVER (
        PARTITION BY s.source, s.endpoint, coalesce(s.object_id, ''), s.sha256 ORDER BY s.seq
    ) AS rn
    FROM stage_pages s
    WHERE json_valid(s.body)
      AND NOT EXISTS (
        SELECT 1 FROM raw.api_pages p
        WHERE p.sha256 = s.sha256 AND p.source = s.source AND p.endpoint = s.endpoint
          AND coalesce(p.object_id, '') = coalesce(s.object_id, '')
      )
)
WHERE rn = 1
ORDER BY seq
"""
RECORD_FETCHES = """
INSERT INTO raw.page_fetches
SELECT DISTINCT p.page_id, s.run_id, s.fetched_at
FROM stage_pages s
JOIN raw.api_pages p
  ON p.sha256 = s.sha256 AND p.source = s.source AND p.endpoint = s.endpoint
 AND coalesce(p.object_id, '') = coalesce(s.object_id, '')
WHERE json_valid(s.body)
ON CONFLICT DO NOTHING
"""
QUARANTINE_ROW = """
INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?::JSON, ?, NULL, ?, ?)
ON CONFLICT DO NOTHING
"""
UPSERT_CURSOR = """
INSERT INTO raw.cursors VALUES (?, ?, ?, ?, ?::JSON, ?)
ON CONFLICT (source, account_id, endpoint, object_id)
DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
"""
SELECT_CURSOR = """
SELECT state FROM raw.cursors
WHERE source = ? AND account_id = ? AND endpoint = ? AND object_id = ?
"""
INSERT_FETCH_LOG = "INSERT INTO raw.fetch_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
SELECT_PREVIOUSLY_SEEN = """
SELECT native_id FROM core.items
WHERE platform = ? AND thread_root_id = ? AND item_id <> thread_root_id AND state <> 'deleted'
"""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RawWriter:
    """A ``PageSink`` over a warehouse connection. Call ``flush`` (or use it as a context)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, *, batch_pages: int = 200):
        self.con = con
        self.run_id = run_id
        self.batch_pages = batch_pages
        self._pages: list[tuple[Any, ...]] = []
        self._quarantined: list[tuple[Any, ...]] = []
        self._cursors: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self._log: list[tuple[Any, ...]] = []
        self.pages_written = 0
        self.pages_quarantined = 0

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()

    def add_page(self, page: RawPage) -> None:
        params = json.dumps(clean_params(page.params), sort_keys=True, default=str)
        # Graph API echoes the access token in paging URLs: the stored body never carries it.
        body = redact_body(page.body)
        self._pages.append(
            (
                len(self._pages),
                self.run_id,
                page.source,
                page.origin,
                page.account_id,
                page.endpoint,
                page.object_id,
                params,
                page.fetched_at,
                sha256_text(body),
                body,
            )
        )
        if len(self._pages) >= self.batch_pages:
            self.flush()

    def quarantine(self, page: RawPage, reason: str) -> None:
        body = redact_body(page.body)
        key = sha256_text("|".join([page.source, page.endpoint, page.object_id or "", body]))
        params = json.dumps(clean_params(page.params), sort_keys=True, default=str)
        self._quarantined.append(
            (key, self.run_id, page.source, page.origin, page.account_id, page.endpoint,
             page.object_id, params, page.fetched_at, redact(reason)[:2000], body)
        )

    def get_cursor(
        self, source: str, account_id: str, endpoint: str, object_id: str = ""
    ) -> dict[str, Any] | None:
        key = (source, account_id, endpoint, object_id)
        if key in self._cursors:
            return dict(self._cursors[key])
        row = self.con.execute(SELECT_CURSOR, list(key)).fetchone()
        return json.loads(row[0]) if row else None

    def set_cursor(
        self,
        source: str,
        account_id: str,
        endpoint: str,
        state: Mapping[str, Any],
        object_id: str = "",
    ) -> None:
        self._cursors[(source, account_id, endpoint, object_id)] = dict(state)

    def log_fetch(
        self,
        source: str,
        account_id: str | None,
        endpoint: str | None,
        status: str,
        *,
        error_code: str | None = None,
        message: str | None = None,
        pages: int = 0,
    ) -> None:
        self._log.append(
            (self.run_id, source, account_id, endpoint, status, error_code,
             redact(message) if message else None, pages, utcnow())
        )

    def previously_seen(self, platform: str, thread_root_native_id: str) -> set[str]:
        root = f"{platform}:{thread_root_native_id}"
        return {r[0] for r in self.con.execute(SELECT_PREVIOUSLY_SEEN, [platform, root]).fetchall()}

    def flush(self) -> None:
        if not (self._pages or self._quarantined or self._cursors or self._log):
            return
        con = self.con
        con.execute(STAGE_TABLE)
        con.execute("BEGIN TRANSACTION")
        try:
            if self._pages:
                con.execute("DELETE FROM stage_pages")
                con.executemany(STAGE_INSERT, self._pages)
                con.execute(QUARANTINE_INVALID)
                before = con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0]
                con.execute(INSERT_NEW_PAGES)
                con.execute(RECORD_FETCHES)
                after = con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0]
                invalid = con.execute(
                    "SELECT count(*) FROM stage_pages WHERE NOT json_valid(body)"
                ).fetchone()[0]
                self.pages_written += after - before
                self.pages_quarantined += invalid
                con.execute("DELETE FROM stage_pages")
            if self._quarantined:
                con.executemany(QUARANTINE_ROW, self._quarantined)
                self.pages_quarantined += len(self._quarantined)
            for (source, account, endpoint, obj), state in self._cursors.items():
                con.execute(
                    UPSERT_CURSOR,
                    [source, account, endpoint, obj, json.dumps(state, default=str), utcnow()],
                )
            if self._log:
                con.executemany(INSERT_FETCH_LOG, self._log)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self._pages.clear()
        self._quarantined.clear()
        self._cursors.clear()
        self._log.clear()


def new_run_id(job: str, at: datetime | None = None) -> str:
    at = at or utcnow()
    return f"{job}-{at.strftime('%Y%m%dT%H%M%S%fZ')}"
