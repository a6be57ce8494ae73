"""The writer for the raw layer: pages exactly as received, quarantine, cursors, fetch log.

Connectors and importers hand pages to a ``RawWriter``; it buffers them and writes each batch,
with the cursors that depend on it, in one transaction. A page whose body is not strict RFC 8259
JSON (``NaN``, ``Infinity``, trailing commas and lone surrogate escapes are not) goes to
``raw.quarantine`` with the reason: a body is valid when both Python's parser, refusing the
constants it otherwise accepts, and DuckDB's ``json_valid``, which accepts them, take it. A
body already stored for the same request target is not stored again; the new fetch is recorded
in ``raw.page_fetches``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import duckdb

from connectors.base import RawPage, json_problem, utcnow
from connectors.redaction import clean_params, redact, redact_body
from warehouse.killpoints import kill_point

# The buffered pages arrive as one list per column and are staged in one statement, with the
# body's JSON validity computed once.
STAGE_PAGES = """
CREATE OR REPLACE TEMP TABLE stage_pages AS
SELECT *, problem IS NULL AND json_valid(body) AS valid FROM (
    SELECT unnest($seq) AS seq, $run_id AS run_id, unnest($source) AS source,
           unnest($origin) AS origin, unnest($account_id) AS account_id,
           unnest($endpoint) AS endpoint, unnest($object_id) AS object_id,
           unnest($params) AS request_params, unnest($fetched_at) AS fetched_at,
           unnest($sha256) AS sha256, unnest($page_key) AS page_key, unnest($body) AS body,
           unnest($problem) AS problem
)
"""
QUARANTINE_INVALID = """
INSERT INTO raw.quarantine
SELECT page_key, run_id, source, origin, account_id, endpoint, object_id,
       request_params::JSON, fetched_at, NULL,
       'body is not valid JSON: ' || coalesce(problem, 'rejected by DuckDB''s JSON parser'), body
FROM stage_pages WHERE NOT valid
ON CONFLICT DO NOTHING
"""
# A body already stored for the same request target is not stored again (page_key is unique;
# the batch itself holds each key once, its first fetch). Anti-joins, not ON CONFLICT: cheaper.
INSERT_NEW_PAGES = """
INSERT INTO raw.api_pages (page_key, run_id, source, origin, account_id, endpoint, object_id,
                           request_params, fetched_at, sha256, body)
SELECT page_key, run_id, source, origin, account_id, endpoint, object_id, request_params::JSON,
       fetched_at, sha256, body::JSON
FROM stage_pages
WHERE valid AND page_key NOT IN (SELECT page_key FROM raw.api_pages)
ORDER BY seq
RETURNING page_id
"""
RECORD_FETCHES = """
INSERT INTO raw.page_fetches
SELECT p.page_id, s.run_id, s.fetched_at
FROM stage_pages s JOIN raw.api_pages p USING (page_key)
WHERE s.valid AND NOT EXISTS (
    SELECT 1 FROM raw.page_fetches f WHERE f.page_id = p.page_id AND f.fetched_at = s.fetched_at
)
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
SELECT thread_root_id, list(native_id) FROM core.items
WHERE platform = ? AND thread_root_id IS NOT NULL AND item_id <> thread_root_id
  AND state <> 'deleted'
GROUP BY thread_root_id
"""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_key(source: str, endpoint: str, object_id: str | None, body: str) -> str:
    """The identity of a stored page: the same body for the same request target."""
    return sha256_text("|".join([source, endpoint, object_id or "", body]))


class RawWriter:
    """A ``PageSink`` over a warehouse connection. Call ``flush`` (or use it as a context)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, *, batch_pages: int = 200,
                 now: Callable[[], datetime] = utcnow):
        self.con = con
        self.run_id = run_id
        self.now = now  # the connectors' clock: a simulated district's, or the real one
        self.batch_pages = batch_pages
        self._pages: list[tuple[Any, ...]] = []  # (seq, source, ..., page_key, body)
        self._quarantined: list[tuple[Any, ...]] = []
        self._cursors: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self._log: list[tuple[Any, ...]] = []
        self._seen: dict[str, dict[str, set[str]]] = {}
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
        problem = json_problem(body)
        try:
            body.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: kept as text DuckDB can hold
            body = body.encode("utf-8", "backslashreplace").decode("utf-8")
            problem = "text with lone surrogates"
        self._pages.append(
            (
                len(self._pages),
                page.source,
                page.origin,
                page.account_id,
                page.endpoint,
                page.object_id,
                params,
                page.fetched_at,
                sha256_text(body),
                page_key(page.source, page.endpoint, page.object_id, body),
                body,
                problem,
            )
        )
        if len(self._pages) >= self.batch_pages:
            self.flush()

    def quarantine(self, page: RawPage, reason: str) -> None:
        body = redact_body(page.body)
        key = page_key(page.source, page.endpoint, page.object_id, body)
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
             redact(message) if message else None, pages, self.now())
        )

    def previously_seen(self, platform: str, thread_root_native_id: str) -> set[str]:
        # core does not change while connectors run (normalization comes after): read each
        # platform's threads once per writer instead of once per thread
        if platform not in self._seen:
            rows = self.con.execute(SELECT_PREVIOUSLY_SEEN, [platform]).fetchall()
            self._seen[platform] = {root: set(natives) for root, natives in rows}
        return set(self._seen[platform].get(f"{platform}:{thread_root_native_id}", ()))

    def flush(self) -> None:
        if not (self._pages or self._quarantined or self._cursors or self._log):
            return
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            if self._pages:
                first: dict[str, tuple[Any, ...]] = {}
                refetched: list[tuple[Any, ...]] = []
                for row in self._pages:  # a page fetched twice in one batch: both fetches kept
                    if row[9] in first:
                        refetched.append(row)
                    else:
                        first[row[9]] = row
                columns = list(zip(*first.values(), strict=True))
                names = ("seq", "source", "origin", "account_id", "endpoint", "object_id",
                         "params", "fetched_at", "sha256", "page_key", "body", "problem")
                con.execute(STAGE_PAGES, {"run_id": self.run_id,
                                          **{n: list(c) for n, c in zip(names, columns,
                                                                        strict=True)}})
                invalid = con.execute(
                    "SELECT count(*) FROM stage_pages WHERE NOT valid").fetchone()[0]
                if invalid:
                    con.execute(QUARANTINE_INVALID)
                    self.pages_quarantined += invalid
                self.pages_written += len(con.execute(INSERT_NEW_PAGES).fetchall())
                con.execute(RECORD_FETCHES)
                if refetched:
                    con.executemany(
                        "INSERT INTO raw.page_fetches SELECT page_id, ?, ? FROM raw.api_pages "
                        "WHERE page_key = ? ON CONFLICT DO NOTHING",
                        [(self.run_id, row[7], row[9]) for row in refetched],
                    )
            if self._quarantined:
                con.executemany(QUARANTINE_ROW, self._quarantined)
                self.pages_quarantined += len(self._quarantined)
            for (source, account, endpoint, obj), state in self._cursors.items():
                con.execute(
                    UPSERT_CURSOR,
                    [source, account, endpoint, obj, json.dumps(state, default=str), self.now()],
                )
            if self._log:
                con.executemany(INSERT_FETCH_LOG, self._log)
            kill_point("ingest:before_commit")
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
