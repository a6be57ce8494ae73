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


def test_an_image_the_face_detector_could_not_decode_is_downloaded_again_once(tmp_path: Path):
    """A cut or garbled download is asked for again, once: a different file replaces it, the
    same file or a refusal keeps it, and each stops the asking (a different file that cannot be
    decoded either is not asked for a third time); a network failure is tried again next run, a
    stored file that has gone is put back and read again; an image the detector read is never
    downloaded again."""
    import hashlib

    from connectors.media import DIFFERENT_FILE_AGAIN, SAME_FILE_AGAIN

    def served(url: str) -> bytes:  # what FlakyCdn answers with 200
        return b"\xff\xd8 " + url.encode()

    urls = {"whole": "https://cdn.example/whole.jpg", "same": "https://cdn.example/same.jpg",
            "gone": "https://cdn.example/gone.jpg", "busy": "https://cdn.example/busy.jpg",
            "read": "https://cdn.example/read.jpg", "lost": "https://cdn.example/lost.jpg"}
    stored = {"whole": b"\xff\xd8 cut in half", "same": served(urls["same"]),
              "gone": b"\xff\xd8 garbled", "busy": b"\xff\xd8 garbled too",
              "read": b"\xff\xd8 a photo the detector read", "lost": served(urls["lost"])}
    cdn = FlakyCdn({urls["whole"]: [], urls["same"]: [], urls["gone"]: [404],
                    urls["busy"]: [503], urls["read"]: [], urls["lost"]: []})
    session = requests.Session()
    session.mount("https://", cdn)
    media = tmp_path / "media"
    con = db.connect(tmp_path / "warehouse.duckdb")
    try:
        for n, (name, url) in enumerate(urls.items()):
            sha, path, _ = store_bytes(media, stored[name], "jpg")
            con.execute("INSERT INTO core.media (media_id, item_id, platform, position, "
                        "media_type, url, content_sha256, local_path, first_seen_at) "
                        "VALUES (?, 'x:1', 'x', ?, 'photo', ?, ?, ?, now())",
                        [name, n, url, sha, str(path)])
            label = "none" if name == "read" else "unreadable"
            con.execute("INSERT INTO audit.signals VALUES ('faces', 'v1', ?, false, ?, 0.0, "
                        "['cannot decode image'], NULL, now())", [sha, label])
            con.execute("INSERT INTO audit.subject_signals VALUES ('faces', ?, ?, 'v1')",
                        [sha, sha])
            if name == "lost":  # its file has gone from the media folder since it was read
                path.unlink()

        def state() -> dict[str, tuple[str, str | None]]:
            rows = con.execute("SELECT media_id, content_sha256, fetch_error FROM core.media")
            return {m: (sha, err) for m, sha, err in rows.fetchall()}

        first = fetch_media(con, {"x": session}, media)
        assert (first.fetched, first.stored_new, first.failed) == (3, 2, 2)
        after = state()
        whole = hashlib.sha256(served(urls["whole"])).hexdigest()
        assert after["whole"] == (whole, DIFFERENT_FILE_AGAIN)
        assert con.execute("SELECT local_path FROM core.media WHERE media_id = 'whole'"
                           ).fetchone()[0].endswith(f"{after['whole'][0]}.jpg")
        for name, error in (("same", SAME_FILE_AGAIN), ("gone", "HTTP 404"),
                            ("busy", "retry:HTTP 503")):
            # the stored image is kept: the post stays reported with the detector's reason
            assert after[name] == (hashlib.sha256(stored[name]).hexdigest(), error), name
        assert after["read"] == (hashlib.sha256(stored["read"]).hexdigest(), None)
        assert urls["read"] not in cdn.calls
        # the lost file is back; its "unreadable" verdict, and that of the bytes served the
        # same again, are forgotten, so that the detector reads them once more
        lost = hashlib.sha256(stored["lost"]).hexdigest()
        assert after["lost"] == (lost, None)
        assert (media / lost[:2] / f"{lost}.jpg").read_bytes() == stored["lost"]
        verdicts = dict(con.execute("SELECT content_sha256, label FROM audit.signals").fetchall())
        same = hashlib.sha256(stored["same"]).hexdigest()
        assert lost not in verdicts and same not in verdicts and len(verdicts) == 4

        # the file that replaced the cut one cannot be decoded either
        con.execute("INSERT INTO audit.signals VALUES ('faces', 'v1', ?, false, 'unreadable', "
                    "0.0, ['cannot decode image'], NULL, now())", [whole])
        con.execute("INSERT INTO audit.subject_signals VALUES ('faces', ?, ?, 'v1')",
                    [whole, whole])
        cdn.calls.clear()
        second = fetch_media(con, {"x": session}, media)
        # only the network failure is asked again: not "whole", whose second file is broken too
        # (an address serving a new broken file each time is not downloaded on every run)
        assert cdn.calls == [urls["busy"]]
        assert (second.fetched, second.failed) == (1, 0)
        assert state()["busy"] == (hashlib.sha256(served(urls["busy"])).hexdigest(),
                                   DIFFERENT_FILE_AGAIN)
        assert state()["whole"] == (whole, DIFFERENT_FILE_AGAIN)
    finally:
        con.close()


def test_a_file_gone_after_its_second_download_is_asked_for_once_more(tmp_path: Path):
    """A stored image downloaded a second time (its address recorded as "downloaded again") whose
    file then goes from the media folder is fetched again when the detector finds it gone, and
    put back; one whose address refused is not asked, nor one the detector still reads."""
    from checks.detectors.faces import FacesDetector
    from connectors.media import DIFFERENT_FILE_AGAIN, SAME_FILE_AGAIN

    # the detector's own verdict on a file that is not there
    gone = FacesDetector()._one(str(tmp_path / "nowhere.jpg")).reasons[0]
    urls = {"same": "https://cdn.example/same.jpg", "different": "https://cdn.example/diff.jpg",
            "refused": "https://cdn.example/refused.jpg", "kept": "https://cdn.example/kept.jpg"}
    errors = {"same": SAME_FILE_AGAIN, "different": DIFFERENT_FILE_AGAIN,
              "refused": "HTTP 404", "kept": SAME_FILE_AGAIN}
    cdn = FlakyCdn({url: [] for url in urls.values()})
    session = requests.Session()
    session.mount("https://", cdn)
    media = tmp_path / "media"
    con = db.connect(tmp_path / "warehouse.duckdb")
    try:
        paths = {}
        for n, (name, url) in enumerate(urls.items()):
            sha, path, _ = store_bytes(media, b"\xff\xd8 " + url.encode(), "jpg")
            paths[name] = (sha, path)
            con.execute("INSERT INTO core.media (media_id, item_id, platform, position, "
                        "media_type, url, content_sha256, local_path, fetch_error, "
                        "first_seen_at) VALUES (?, 'x:1', 'x', ?, 'photo', ?, ?, ?, ?, now())",
                        [name, n, url, sha, str(path), errors[name]])
            reason = (gone if name != "kept"
                      else "cannot decode image: UnidentifiedImageError: cannot identify")
            con.execute("INSERT INTO audit.signals VALUES ('faces', 'v2', ?, false, "
                        "'unreadable', 0.0, [?], NULL, now())", [sha, reason])
            con.execute("INSERT INTO audit.subject_signals VALUES ('faces', ?, ?, 'v2')",
                        [sha, sha])
            if name != "kept":
                path.unlink()

        result = fetch_media(con, {"x": session}, media)
        assert sorted(cdn.calls) == sorted([urls["same"], urls["different"]])
        assert (result.fetched, result.stored_new, result.failed) == (2, 2, 0)
        for name in ("same", "different"):
            sha, path = paths[name]
            assert path.read_bytes() == b"\xff\xd8 " + urls[name].encode()
        state = dict(con.execute("SELECT media_id, fetch_error FROM core.media").fetchall())
        # put back, as a first download: the address's record starts again
        assert state == {"same": None, "different": None, "refused": "HTTP 404",
                         "kept": SAME_FILE_AGAIN}
        # their "gone" verdicts are forgotten, so the detector reads the files put back
        left = {r[0] for r in con.execute("SELECT content_sha256 FROM audit.signals").fetchall()}
        assert left == {paths["refused"][0], paths["kept"][0]}

        cdn.calls.clear()
        assert fetch_media(con, {"x": session}, media).fetched == 0 and cdn.calls == []
    finally:
        con.close()
