"""The media store: images by content hash, written atomically, and what a killed fetch leaves."""

from __future__ import annotations

from pathlib import Path

from connectors.media import fetch_media, store_bytes
from warehouse import db


def test_same_bytes_are_stored_once_under_their_hash(tmp_path: Path):
    sha, path, new = store_bytes(tmp_path, b"\xff\xd8 jpeg", "jpg")
    again = store_bytes(tmp_path, b"\xff\xd8 jpeg", "jpg")
    assert new and again == (sha, path, False)
    assert path == tmp_path / sha[:2] / f"{sha}.jpg" and path.read_bytes() == b"\xff\xd8 jpeg"
    assert not list(tmp_path.glob("*/.part-*"))


def test_a_fetch_removes_the_partial_files_a_killed_fetch_left(tmp_path: Path):
    media = tmp_path / "media"
    sha, kept, _ = store_bytes(media, b"image", "jpg")
    stale = media / sha[:2] / ".part-abc123"
    stale.write_bytes(b"half an ima")
    other = media / "ff" / ".part-x"
    other.parent.mkdir()
    other.write_bytes(b"")
    con = db.connect(tmp_path / "warehouse.duckdb")
    try:
        assert fetch_media(con, {}, media).fetched == 0
    finally:
        con.close()
    assert not stale.exists() and not other.exists()
    assert kept.read_bytes() == b"image"
