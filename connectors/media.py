"""Download the images behind ``core.media`` once each, stored by content hash.

Photos are fetched by URL, videos by their preview image (that is what the face detector reads).
Only ``https`` URLs are fetched. Files go to ``MEDIA_DIR/<sha[:2]>/<sha>.<ext>``; the same image
posted twice is stored once. The session is the platform client's, so the simulated district's
transport adapter answers here too.

A failed fetch is recorded in ``core.media.fetch_error``. It starts with ``retry:`` when the next
run should ask again (HTTP 5xx or 429, a timeout, a dropped connection, our own disk); the other
errors (404, 403, not an image, too large) stand until a capture brings a new address.

A stored image the face detector could not decode (the platform served it cut or garbled) is
downloaded again on the next run, once per address: a different file replaces it and is read; the
same file again, or a refusal, keeps the stored one. Each is recorded in ``fetch_error``, so that
address is not asked again (a failure of the network is, as above), not even when the different
file cannot be decoded either (an address serving a new broken file each time would otherwise be
downloaded on every run); a capture with a new address asks again.
When the same bytes come back, the file is put back if it had gone (a media folder not copied to
a new server) and the detector's "unreadable" verdict on them is forgotten, so they are read once
more: a lost file is then read, a truly undecodable one stays reported. A file that goes after
its second download (the detector, reading it again, finds it gone) is asked for once more, since
its loss is ours, not the address's; a refusal recorded for it still stands.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import requests

from connectors.redaction import redact
from warehouse.killpoints import kill_point

MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: failures of the network, not answers about the image: a timeout, a refused or reset
#: connection, a body cut short
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}

UPDATE_MEDIA = """
UPDATE core.media AS m
SET content_sha256 = coalesce(f.sha256, m.content_sha256),
    local_path = coalesce(f.local_path, m.local_path),
    fetch_error = f.error
FROM fetched_media f
WHERE f.media_id = m.media_id
"""
#: recorded when an unreadable image is downloaded again and the address serves the same bytes
SAME_FILE_AGAIN = "downloaded again: the same file"
#: recorded when it serves a different file, which replaces the stored one
DIFFERENT_FILE_AGAIN = "downloaded again: a different file"
#: the same bytes again: their file may have been missing when the verdict was given (and a run
#: killed after putting it back would not know), so they are read once more
FORGET_UNREADABLE = """
DELETE FROM audit.signals
WHERE detector = 'faces' AND label = 'unreadable'
  AND content_sha256 IN (SELECT sha256 FROM fetched_media WHERE same_bytes)
"""


def _pending_sql() -> str:
    return resources.files("warehouse").joinpath("sql/media_pending.sql").read_text("utf-8")


#: media id, sha256, local path, error, newly written, the same bytes as the stored image
_Fetched = tuple[str, str | None, str | None, str | None, bool, bool]


@dataclass(frozen=True)
class MediaFetchResult:
    fetched: int
    stored_new: int
    failed: int


def store_bytes(media_dir: Path, content: bytes, ext: str) -> tuple[str, Path, bool]:
    """Write ``content`` under its sha256 (atomically); return (sha, path, newly written)."""
    sha = hashlib.sha256(content).hexdigest()
    target = media_dir / sha[:2] / f"{sha}.{ext}"
    if target.exists():
        return sha, target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp, target)
    return sha, target, True


def sweep_partial_files(media_dir: Path) -> int:
    """Remove the ``.part-*`` files a killed fetch left behind; return how many. Only the
    warehouse's one writer fetches media, so none of them is being written."""
    removed = 0
    for stale in media_dir.glob("*/.part-*"):
        stale.unlink(missing_ok=True)
        removed += 1
    return removed


def _download(session: requests.Session, url: str, timeout: float) -> tuple[bytes, str]:
    response = session.get(url, timeout=timeout)
    if response.status_code != 200:
        kind = "retry:" if response.status_code >= 500 or response.status_code == 429 else ""
        raise ValueError(f"{kind}HTTP {response.status_code}")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in IMAGE_TYPES:
        raise ValueError(f"not an image (content-type {ctype or 'missing'})")
    if len(response.content) > MAX_IMAGE_BYTES:
        raise ValueError("image larger than 20 MiB")
    return response.content, IMAGE_TYPES[ctype]


def fetch_media(
    con: duckdb.DuckDBPyConnection,
    sessions: dict[str, requests.Session],
    media_dir: Path,
    *,
    workers: int = 4,
    timeout: float = 30.0,
    limit: int | None = None,
) -> MediaFetchResult:
    """Fetch pending media with the session of each platform; record hashes in one transaction."""
    sweep_partial_files(media_dir)
    rows = con.execute(_pending_sql()).fetchall()
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        return MediaFetchResult(0, 0, 0)

    def work(row: tuple[str, str, str, str, str | None]) -> _Fetched:
        media_id, platform, _media_type, url, stored_sha = row
        session = sessions.get(platform)
        if session is None:
            return media_id, None, None, f"retry:no session for {platform}", False, False
        try:
            content, ext = _download(session, url, timeout)
            sha, path, new = store_bytes(media_dir, content, ext)
            if sha == stored_sha:  # written again only if its file had gone
                return media_id, sha, str(path), None if new else SAME_FILE_AGAIN, new, True
            again = None if stored_sha is None else DIFFERENT_FILE_AGAIN
            return media_id, sha, str(path), again, new, False
        except ValueError as exc:  # the answer itself: an HTTP status, not an image, too large
            return media_id, None, None, redact(exc)[:500], False, False
        except TRANSIENT as exc:  # nothing says the image is gone: the next run asks again
            return media_id, None, None, "retry:" + redact(exc)[:494], False, False
        except requests.RequestException as exc:  # an address requests cannot use, a loop
            return media_id, None, None, redact(exc)[:500], False, False
        except OSError as exc:  # the disk (full, not writable): ours to mend, then fetch again
            return media_id, None, None, "retry:" + redact(exc)[:494], False, False

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(work, rows))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE fetched_media (media_id VARCHAR, sha256 VARCHAR, "
            "local_path VARCHAR, error VARCHAR, same_bytes BOOLEAN)"
        )
        con.executemany(
            "INSERT INTO fetched_media VALUES (?, ?, ?, ?, ?)",
            [(*r[:4], r[5]) for r in results]
        )
        con.execute(UPDATE_MEDIA)
        con.execute(FORGET_UNREADABLE)
        kill_point("media:before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    failed = sum(1 for r in results if r[1] is None)
    return MediaFetchResult(len(results) - failed, sum(1 for r in results if r[4]), failed)
