"""The media store: images by content hash, written atomically, and what a killed fetch leaves."""

from __future__ import annotations

from pathlib import Path

import requests

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


class FlakyCdn(requests.adapters.BaseAdapter):
    """A CDN over a real ``requests`` transport: each address answers from its own script of
    outcomes (an exception class to raise, or an HTTP status), then 200 with a JPEG."""

    def __init__(self, scripts: dict[str, list]):
        super().__init__()
        self.scripts = scripts
        self.calls: list[str] = []

    def send(self, request, **kwargs):
        self.calls.append(request.url)
        script = self.scripts[request.url]
        outcome = script.pop(0) if script else 200
        if isinstance(outcome, type):
            raise outcome(f"simulated {outcome.__name__} for {request.url}", request=request)
        response = requests.Response()
        response.status_code, response.url, response.request = outcome, request.url, request
        response.headers["content-type"] = "image/jpeg" if outcome == 200 else "text/html"
        response._content = b"\xff\xd8 " + request.url.encode() if outcome == 200 else b"<html>"
        return response

    def close(self):
        pass


def test_a_network_failure_is_tried_again_next_run_and_a_refusal_is_not(tmp_path: Path):
    exc = requests.exceptions
    scripts = {"https://cdn.example/reset.jpg": [exc.ConnectionError],
               "https://cdn.example/slow.jpg": [exc.ReadTimeout],
               "https://cdn.example/cut.jpg": [exc.ChunkedEncodingError],
               "https://cdn.example/busy.jpg": [503],
               "https://cdn.example/gone.jpg": [404, 404]}
    cdn = FlakyCdn(scripts)
    session = requests.Session()
    session.mount("https://", cdn)
    con = db.connect(tmp_path / "warehouse.duckdb")
    try:
        for n, url in enumerate(scripts):
            con.execute("INSERT INTO core.media (media_id, item_id, platform, position, "
                        "media_type, url, first_seen_at) VALUES (?, 'x:1', 'x', ?, 'photo', ?, "
                        "now())", [f"x:m{n}", n, url])

        def errors() -> dict[str, str | None]:
            rows = con.execute("SELECT url, fetch_error FROM core.media").fetchall()
            return {url.rsplit("/", 1)[1]: error for url, error in rows}

        first = fetch_media(con, {"x": session}, tmp_path / "media")
        assert (first.fetched, first.failed) == (0, 5)
        after = errors()
        assert after["gone.jpg"] == "HTTP 404"
        for name in ("reset.jpg", "slow.jpg", "cut.jpg", "busy.jpg"):
            assert after[name].startswith("retry:"), (name, after[name])
        assert after["slow.jpg"] == ("retry:simulated ReadTimeout for "
                                     "https://cdn.example/slow.jpg")

        second = fetch_media(con, {"x": session}, tmp_path / "media")
        assert (second.fetched, second.failed) == (4, 0)
        assert errors() == {name: (None if name != "gone.jpg" else "HTTP 404")
                            for name in after}
        assert cdn.calls.count("https://cdn.example/gone.jpg") == 1  # a refusal stands
        stored = con.execute("SELECT count(*) FROM core.media WHERE content_sha256 IS NOT NULL")
        assert stored.fetchone()[0] == 4
    finally:
        con.close()
