"""A small district warehouse for the dashboard tests: accounts, items, media, findings,
dispositions and capture logs written straight into the real schema."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from checks.engine import finding_id as make_finding_id
from connectors.media import store_bytes
from warehouse import db

TZ = "America/Chicago"
HOSTILE = '<img src=x onerror=alert(1)> & "quotes" </script><script>alert(2)</script>'

INSERT_ITEM = """
INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, account_id,
    author_id, author_handle, author_is_district, parent_item_id, thread_root_id, created_at,
    text, permalink, first_seen_at, last_seen_at, content_fetched_at, last_page_id, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
"""
INSERT_MEDIA = """
INSERT INTO core.media (media_id, item_id, platform, position, media_type, url, preview_url,
    alt_text, content_sha256, local_path, first_seen_at)
VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)
"""
INSERT_FINDING = """
INSERT INTO audit.findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::JSON, 'test-pack', ?,
    ?, ?, ?, ?, ?, 'run-1')
"""
INSERT_DISPOSITION = "INSERT INTO audit.dispositions VALUES (?, ?, ?, ?, ?, ?, ?, 'cli')"
INSERT_FETCH_LOG = "INSERT INTO raw.fetch_log VALUES ('run-1', ?, ?, ?, ?, ?, ?, 0, ?)"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


class DashboardWarehouse:
    """Rows written with the warehouse's own schema; ``con`` is an open connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None,
                 media_dir: Path | None = None):
        self.con = con if con is not None else db.memory()
        self.media_dir = media_dir

    def account(self, key: str, handle: str, kind: str, school: str | None,
                display_name: str | None = None) -> str:
        platform, pid = key.split(":")
        self.con.execute(
            "INSERT INTO registry.accounts VALUES (?, ?, ?, ?, ?, ?, 'owner', ['D1'], ?, NULL, "
            "now())", [key, platform, pid, handle, kind, school, display_name])
        return key

    def item(self, item_id: str, account: str, at: datetime, text: str | None, *,
             kind: str = "post", district: bool = True, handle: str | None = None,
             permalink: str | None = None, parent: str | None = None,
             state: str = "visible") -> str:
        platform, native = item_id.split(":")
        if permalink is None:
            permalink = f"https://x.com/i/status/{native}" if platform == "x" else \
                f"https://www.facebook.com/{native}"
        author = account if district else f"{platform}:u{native}"
        self.con.execute(INSERT_ITEM, [
            item_id, platform, kind, native, native, account, author, handle, district,
            parent, parent or item_id, at, text, permalink, at, at, at, state])
        return item_id

    def photo(self, item_id: str, media_id: str, *, color=(200, 40, 40), alt: str | None = None,
              url: str = "https://pbs.twimg.com/media/a.jpg", local_path: str | None = None,
              sha: str | None = None, media_type: str = "photo", position: int = 1) -> str:
        """A stored photo (written to the media store) unless ``sha`` is given."""
        if sha is None:
            assert self.media_dir is not None
            sha, path, _new = store_bytes(self.media_dir, jpeg(color), "jpg")
            local_path = str(path)
        self.con.execute(INSERT_MEDIA, [media_id, item_id, item_id.split(":")[0], position,
                                        media_type, url, alt, sha, local_path,
                                        utc(2026, 1, 1)])
        return sha

    def finding(self, rule: str, kind: str, severity: str, item_id: str | None, *,
                subject: str | None = None, evidence: dict[str, Any] | None = None,
                clause: str = "C-1", status: str = "open",
                first_seen: datetime | None = None) -> str:
        subject = subject or item_id
        assert subject is not None
        fid = make_finding_id(rule, subject, kind)
        row = self.con.execute(
            "SELECT i.platform, i.account_id, a.school, i.permalink, i.created_at, i.text "
            "FROM core.items i LEFT JOIN registry.accounts a ON a.account_key = i.account_id "
            "WHERE i.item_id = ?", [item_id]).fetchone() if item_id else None
        platform, account, school, permalink, created, text = row or (None,) * 6
        seen = first_seen or created or utc(2026, 1, 1)
        self.con.execute(INSERT_FINDING, [
            fid, rule, kind, severity, platform, account, school, subject, item_id, permalink,
            created, content_sha(text), json.dumps(evidence or {"score": 0.91}), clause,
            "§ 4.2", f"Quote of clause {clause} <with brackets>", status, seen, seen])
        return fid

    def disposition(self, fid: str, status: str, *, reviewer: str = "J. Rivera",
                    note: str | None = None, at: datetime | None = None,
                    content: str | None = ...) -> None:  # type: ignore[assignment]
        if content is ...:
            content = self.con.execute("SELECT content_sha256 FROM audit.findings "
                                       "WHERE finding_id = ?", [fid]).fetchone()[0]
        at = at or utc(2026, 4, 8, 15)
        did = hashlib.sha256(f"{fid}{status}{reviewer}{note}{at}".encode()).hexdigest()[:32]
        self.con.execute(INSERT_DISPOSITION, [did, fid, status, reviewer, note, content, at])

    def fetch(self, account: str, status: str, at: datetime, *, code: str | None = None,
              message: str | None = None, endpoint: str | None = None) -> None:
        self.con.execute(INSERT_FETCH_LOG, [account.split(":")[0], account, endpoint, status,
                                            code, message, at])


def content_sha(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def payload(html: str) -> dict[str, Any]:
    """The findings data embedded in a dashboard page, with the values of ``dicts`` columns
    put back in the rows (as the page's script does)."""
    start_tag = '<script type="application/json" id="findings-data">'
    start = html.index(start_tag) + len(start_tag)
    end = html.index("</script>", start)
    data = json.loads(html[start:end])
    for name, table in data.get("dicts", {}).items():
        at = data["cols"].index(name)
        for row in data["rows"]:
            row[at] = table[row[at]]
    return data


def rows_by(data: dict[str, Any], column: str) -> dict[str, list[Any]]:
    index = data["cols"].index(column)
    return {row[index]: row for row in data["rows"]}


def cell(data: dict[str, Any], row: list[Any], column: str) -> Any:
    return row[data["cols"].index(column)]
