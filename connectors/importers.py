"""Importers: files saved outside the pipeline, into the same raw path as the API connectors.

Three kinds of file are read and handed, as ``RawPage`` records, to a ``PageSink`` (in the
pipeline a ``warehouse.raw_store.RawWriter``), exactly as a connector would hand over a page it
fetched. Normalization then treats them like any other page of the same ``source``/``endpoint``.

``import_twarc``
    twarc2 JSON lines (``.jsonl`` or ``.jsonl.gz``, a file or a directory of them): one raw X API
    v2 page per line with ``__twarc{url, version, retrieved_at}``. The endpoint, object id and
    params come from ``__twarc.url``; ``fetched_at`` from ``retrieved_at``; the body is the line
    as read (without its line ending; the normalizer ignores ``__twarc``).

    * ``/2/users/:id/tweets`` and ``/2/users/:id/mentions``: object id is the user id.
    * ``/2/tweets/search/recent|all``: object id is ``N`` when the query holds exactly one
      ``conversation_id:N``, else None.
    * ``/2/tweets?ids=``: ``X_TWEETS_LOOKUP``. ``/2/tweets/:id``: ``X_TWEET`` (object id the id).
    * ``/2/users``, ``/2/users/:id``, ``/2/users/by...`` and ``/2/users/me``: ``X_USERS``.
    * Any other url (``/2/users/:id/followers``, ``/2/tweets/counts/...``, lists, spaces) is
      quarantined: it is not a page the pipeline knows how to read.
    * A line without ``__twarc`` that has the shape of a v2 page (``data``, ``includes``,
      ``meta`` or ``errors``) is accepted without a request target: endpoint
      ``X_TWEETS_LOOKUP`` (``"tweets"``) when its ``data`` are tweets or it has no ``data``
      (normalization reads every tweet endpoint the same way, and a lookup claims no timeline
      or conversation), ``X_USERS`` when its ``data`` are users, quarantined otherwise. Its
      object id is None, its params ``{}`` and ``fetched_at`` the file's modification time.
    * twarc's *flattened* output (``twarc2 flatten``: one tweet object per line, expansions
      inlined, no ``data``) is not an API page: each such line is quarantined with a reason
      saying so. Import the original twarc2 file instead.
    * A line that is not JSON, not UTF-8 or not an object is quarantined with the file name and
      line number; the following lines still import.

``import_x_archive``
    The X "Download an archive of your data" export, as a directory or a ``.zip``. The account
    comes from ``data/manifest.js`` (``userInfo``), else ``data/account.js``. Every tweets part
    (``data/tweets.js``, ``data/tweets-partN.js``, older exports' ``data/tweet.js``), plus
    ``data/deleted-tweets.js`` and ``data/note-tweet.js`` when present, becomes one page whose
    body wraps the file's array, unchanged, in an envelope (see ``import_x_archive``). Media
    files are hashed and copied to a content-addressed store.

``import_graph_json``
    Graph API responses saved as ``.json`` files (a file or a directory, searched recursively),
    one page or object per file. Platform, endpoint and object id are detected when not given;
    a file that cannot be classified is quarantined with the reason, never guessed.

Every importer returns an ``ImportResult``. None stops on a bad line or file: the bad part is
quarantined via ``sink.quarantine(page, reason)`` (the reason names the file, and the line when
there is one), recorded in ``ImportResult.errors``, and the import goes on. Each call ends with
one ``sink.log_fetch`` row (status ``ok`` or ``partial``) so that the import shows in capture
health like any other capture. Re-importing the same files adds no pages: bodies are identical
and ``fetched_at`` is taken from the files (``retrieved_at``, the archive's generation date,
the file's modification time), so the writer sees the same fetch again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from connectors.base import PageSink, RawPage, loads_strict, utcnow
from connectors.endpoints import (
    FB_COMMENTS,
    FB_OBJECT,
    FB_PAGE_POSTS,
    IG_COMMENTS,
    IG_MEDIA,
    IG_OBJECT,
    IG_REPLIES,
    X_ARCHIVE_TWEETS,
    X_SEARCH_ALL,
    X_SEARCH_RECENT,
    X_TWEET,
    X_TWEETS_LOOKUP,
    X_USER_MENTIONS,
    X_USER_TWEETS,
    X_USERS,
)

# Endpoints of archive files other than the tweets parts.
X_ARCHIVE_DELETED_TWEETS = "archive/deleted_tweets"  # data/deleted-tweets.js (same shape)
X_ARCHIVE_NOTE_TWEETS = "archive/note_tweets"  # data/note-tweet.js (long posts' full text)

# Endpoints under which a line or file is quarantined when no real endpoint could be told.
TWARC_UNKNOWN_ENDPOINT = "import/twarc"
ARCHIVE_MANIFEST_ENDPOINT = "archive/manifest"
ARCHIVE_ACCOUNT_ENDPOINT = "archive/account"
GRAPH_UNKNOWN_ENDPOINT = "import/graph_json"
GRAPH_UNKNOWN_SOURCE = "graph"  # quarantine source when the platform could not be told

ORIGIN_TWARC = "twarc"
ORIGIN_X_ARCHIVE = "x_archive"
ORIGIN_GRAPH_JSON = "graph_json"

_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportIssue:
    """Something that could not be imported: the file, the line (when known) and why."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did.

    ``pages_stored`` counts pages handed to ``sink.add_page`` (the writer may find some already
    stored: its ``pages_written`` says how many were new). ``pages_quarantined`` counts calls to
    ``sink.quarantine``. ``media`` (X archives only) maps each media file's path in the archive,
    e.g. ``"data/tweets_media/2024...-HDx.jpg"``, to ``(sha256 of its bytes, stored path)``; the
    stored path is None when no ``media_dir`` was given.
    """

    files_read: int = 0
    pages_stored: int = 0
    pages_quarantined: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    media: dict[str, tuple[str, Path | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _file_mtime(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return utcnow()


def _json_error(exc: json.JSONDecodeError, first_line: int = 1) -> tuple[int, str]:
    """(line in the file, message) of a JSON error in text that starts at ``first_line``."""
    return first_line + exc.lineno - 1, f"not valid JSON: {exc.msg} (column {exc.colno})"


class _Importer:
    """Bookkeeping shared by the importers: counts, issues, quarantine, the closing log row."""

    def __init__(self, sink: PageSink, source: str, account_id: str | None):
        self.sink = sink
        self.source = source
        self.account_id = account_id
        self.result = ImportResult()

    def add(self, page: RawPage) -> None:
        self.sink.add_page(page)
        self.result.pages_stored += 1

    def quarantine(self, page: RawPage, file: str, line: int | None, reason: str) -> None:
        issue = ImportIssue(file, line, reason)
        self.sink.quarantine(page, str(issue))
        self.result.pages_quarantined += 1
        self.result.errors.append(issue)

    def issue(self, file: str, line: int | None, reason: str) -> None:
        self.result.errors.append(ImportIssue(file, line, reason))

    def finish(self, endpoint: str | None) -> ImportResult:
        errors = self.result.errors
        message = None
        if errors:
            shown = "; ".join(str(e) for e in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            message = f"{len(errors)} problem(s): {shown}{more}"
        self.sink.log_fetch(
            self.source,
            self.account_id,
            endpoint,
            "partial" if errors else "ok",
            message=message,
            pages=self.result.pages_stored,
        )
        return self.result


# --------------------------------------------------------------------------------------------
# twarc2 JSON lines
# --------------------------------------------------------------------------------------------

_V2_PAGE_KEYS = ("data", "includes", "meta", "errors")
_CONVERSATION = re.compile(r"\bconversation_id:(\d+)\b")


def _twarc_files(path: Path) -> list[Path]:
    if path.is_dir():
        found = [p for p in path.rglob("*") if p.is_file() and p.name.endswith((".jsonl",
                                                                                 ".jsonl.gz"))]
        return sorted(found)
    return [path]


def _open_binary_lines(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _query_params(query: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, values in parse_qs(query, keep_blank_values=True).items():
        params[key] = values[0] if len(values) == 1 else values
    return params


def x_endpoint_for_url(url: str) -> tuple[str, str | None, dict[str, Any]] | None:
    """(endpoint, object id, params) of an X API v2 request url, or None if not one we read."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0] != "2":
        return None
    params = _query_params(parts.query)
    query = params.get("query")
    conversation = None
    if isinstance(query, str):
        found = set(_CONVERSATION.findall(query))
        conversation = found.pop() if len(found) == 1 else None
    match segments[1:]:
        case ["users", user_id, "tweets"]:
            return X_USER_TWEETS, user_id, params
        case ["users", user_id, "mentions"]:
            return X_USER_MENTIONS, user_id, params
        case ["tweets", "search", "recent"]:
            return X_SEARCH_RECENT, conversation, params
        case ["tweets", "search", "all"]:
            return X_SEARCH_ALL, conversation, params
        case ["tweets"]:
            return X_TWEETS_LOOKUP, None, params
        case ["tweets", tweet_id] if tweet_id.isdigit():
            return X_TWEET, tweet_id, params
        case ["users"] | ["users", "me"] | ["users", "by", *_]:
            return X_USERS, None, params
        case ["users", user_id] if user_id.isdigit():
            return X_USERS, user_id, params
    return None


def _untagged_v2_endpoint(page: Mapping[str, Any]) -> str | None:
    """Endpoint for a v2 page with no twarc url: tweets lookup, users, or None (unknown)."""
    data = page.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    items = [i for i in items if isinstance(i, dict)]
    if not items:
        return X_TWEETS_LOOKUP if data is None or data == [] else None
    if all("text" in i or "edit_history_tweet_ids" in i for i in items):
        return X_TWEETS_LOOKUP
    if all("username" in i and "text" not in i for i in items):
        return X_USERS
    return None


def import_twarc(
    path: str | os.PathLike[str], sink: PageSink, *, account_id: str | None = None
) -> ImportResult:
    """Import twarc2 output (a ``.jsonl``/``.jsonl.gz`` file, or a directory of them).

    Every line becomes one ``RawPage(source="x", origin="twarc")``; see the module docstring for
    how the endpoint is read from ``__twarc.url``. ``account_id`` is the registry account key
    the pages are filed under (None when the capture was not for one registered account).
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no such file or directory: {root}")
    job = _Importer(sink, "x", account_id)
    files = _twarc_files(root)
    if not files:
        job.issue(str(root), None, "no .jsonl or .jsonl.gz files")
    for file in files:
        job.result.files_read += 1
        _import_twarc_file(job, file, account_id)
    return job.finish(None)


def _import_twarc_file(job: _Importer, file: Path, account_id: str | None) -> None:
    name = str(file)
    file_time = _file_mtime(file)
    line_no = 0

    def bad(body: str, reason: str) -> None:
        page = RawPage(
            source="x",
            origin=ORIGIN_TWARC,
            endpoint=TWARC_UNKNOWN_ENDPOINT,
            body=body,
            account_id=account_id,
            params={"file": name, "line": line_no},
            fetched_at=file_time,
        )
        job.quarantine(page, name, line_no, reason)

    try:
        with _open_binary_lines(file) as handle:
            for raw in handle:
                line_no += 1
                raw = raw.rstrip(b"\r\n")
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    bad(raw.decode("utf-8", "replace"), f"not UTF-8 text: {exc.reason}")
                    continue
                try:
                    page = loads_strict(text)
                except json.JSONDecodeError as exc:
                    bad(text, f"not valid JSON: {exc.msg} (column {exc.colno})")
                    continue
                if not isinstance(page, dict):
                    bad(text, f"a JSON {type(page).__name__}, not an X API v2 page")
                    continue
                if not any(key in page for key in _V2_PAGE_KEYS):
                    if "id" in page and ("text" in page or "author_id" in page):
                        bad(text, "a twarc flattened tweet (twarc2 flatten output), not an API "
                                  "page; import the original twarc2 file")
                    else:
                        bad(text, "not an X API v2 page: no data, includes, meta or errors")
                    continue
                twarc = page.get("__twarc")
                if isinstance(twarc, dict) and isinstance(twarc.get("url"), str):
                    target = x_endpoint_for_url(twarc["url"])
                    if target is None:
                        path = urlsplit(twarc["url"]).path
                        bad(text, f"twarc url {path} is not an endpoint the pipeline imports")
                        continue
                    endpoint, object_id, params = target
                    fetched_at = _parse_time(twarc.get("retrieved_at")) or file_time
                else:
                    untagged = _untagged_v2_endpoint(page)
                    if untagged is None:
                        bad(text, "v2 page without __twarc whose data are neither tweets nor "
                                  "users")
                        continue
                    endpoint, object_id, params, fetched_at = untagged, None, {}, file_time
                job.add(
                    RawPage(
                        source="x",
                        origin=ORIGIN_TWARC,
                        endpoint=endpoint,
                        body=text,
                        account_id=account_id,
                        object_id=object_id,
                        params=params,
                        fetched_at=fetched_at,
                    )
                )
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        # A truncated or corrupt file: what was read is kept, the rest is reported.
        job.issue(name, line_no + 1, f"file could not be read further: {exc}")


# --------------------------------------------------------------------------------------------
# X account archive
# --------------------------------------------------------------------------------------------

_ARCHIVE_MARKERS = re.compile(
    r"^(?P<prefix>(?:.*/)?)data/(?:manifest|account|tweets|tweet|tweets-part\d+)\.js$"
)
_YTD_GLOBAL = re.compile(r"YTD\.(?P<name>\w+)\.part(?P<part>\d+)")
_PART_IN_NAME = re.compile(r"-part(\d+)\.js$")


@dataclass(frozen=True)
class _ArchiveKind:
    endpoint: str
    manifest_types: tuple[str, ...]  # dataTypes keys in manifest.js
    file_pattern: re.Pattern[str]  # archive-relative names of its parts
    media_dirs: tuple[str, ...]  # default media directories (manifest may add)
    array_key: str  # key of the file's array in the page body
    with_media: bool


_KINDS = (
    _ArchiveKind(
        X_ARCHIVE_TWEETS,
        ("tweets", "tweet"),
        re.compile(r"^data/(?:tweets|tweet)(?:-part\d+)?\.js$"),
        ("data/tweets_media", "data/tweet_media"),
        "tweets",
        True,
    ),
    _ArchiveKind(
        X_ARCHIVE_DELETED_TWEETS,
        ("deletedTweets",),
        re.compile(r"^data/deleted-tweets(?:-part\d+)?\.js$"),
        ("data/deleted_tweets_media",),
        "tweets",
        True,
    ),
    _ArchiveKind(
        X_ARCHIVE_NOTE_TWEETS,
        ("noteTweet",),
        re.compile(r"^data/note-tweet(?:-part\d+)?\.js$"),
        (),
        "note_tweets",
        False,
    ),
)


class _Archive:
    """Read-only view of an archive's files by archive-relative posix name (``data/...``)."""

    label: str

    def names(self) -> list[str]:
        raise NotImplementedError

    def read_bytes(self, name: str) -> bytes:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def mtime(self, name: str) -> datetime | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _DirArchive(_Archive):
    def __init__(self, root: Path):
        self.root = root
        self.label = str(root)
        data = root / "data"
        self._names = sorted(
            p.relative_to(root).as_posix() for p in data.rglob("*") if p.is_file()
        ) if data.is_dir() else []

    def names(self) -> list[str]:
        return self._names

    def read_bytes(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def open(self, name: str) -> IO[bytes]:
        return (self.root / name).open("rb")

    def mtime(self, name: str) -> datetime | None:
        return _file_mtime(self.root / name)


class _ZipArchive(_Archive):
    def __init__(self, path: Path):
        self.label = str(path)
        self.zip = zipfile.ZipFile(path)
        prefixes = sorted(
            (m.group("prefix") for n in self.zip.namelist() if (m := _ARCHIVE_MARKERS.match(n))),
            key=len,
        )
        self.prefix = prefixes[0] if prefixes else ""
        self._names = sorted(
            n[len(self.prefix):]
            for n in self.zip.namelist()
            if n.startswith(self.prefix) and not n.endswith("/")
        )

    def names(self) -> list[str]:
        return self._names

    def read_bytes(self, name: str) -> bytes:
        return self.zip.read(self.prefix + name)

    def open(self, name: str) -> IO[bytes]:
        return self.zip.open(self.prefix + name)

    def mtime(self, name: str) -> datetime | None:
        try:
            info = self.zip.getinfo(self.prefix + name)
            return datetime(*info.date_time, tzinfo=UTC)
        except (KeyError, ValueError):
            return None

    def close(self) -> None:
        self.zip.close()


def _archive_root(path: Path) -> Path:
    """The folder that holds ``data/`` (the path itself, its parent, or its only child)."""
    if (path / "data").is_dir():
        return path
    if path.name == "data" and path.is_dir():
        return path.parent
    children = [c for c in path.iterdir() if c.is_dir() and (c / "data").is_dir()]
    return children[0] if len(children) == 1 else path


def _part_sort_key(name: str) -> tuple[int, str]:
    match = _PART_IN_NAME.search(name)
    return (int(match.group(1)) if match else 0, name)


@dataclass
class _ArchiveAccount:
    account_id: str | None = None
    username: str | None = None
    display_name: str | None = None

    def as_json(self) -> str:
        return json.dumps(
            {"id": self.account_id, "username": self.username, "display_name": self.display_name},
            ensure_ascii=False,
        )


def _split_js(text: str) -> tuple[str, str, int]:
    """(prefix up to '=', JSON text after it, line in the file where the JSON starts)."""
    eq = text.find("=")
    if eq < 0:
        raise ValueError("no 'window.YTD... =' assignment")
    rest = text[eq + 1:]
    stripped = rest.lstrip()
    start = eq + 1 + (len(rest) - len(stripped))
    payload = stripped.rstrip()
    if payload.endswith(";"):
        payload = payload[:-1].rstrip()
    return text[:eq], payload, text.count("\n", 0, start) + 1


def import_x_archive(
    path: str | os.PathLike[str],
    sink: PageSink,
    *,
    account_id: str | None = None,
    media_dir: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import an X account archive (its folder, or the ``.zip`` as downloaded).

    One ``RawPage`` per file part, ``source="x"``, ``origin="x_archive"``:

    * endpoint ``X_ARCHIVE_TWEETS`` (``"archive/tweets"``) for ``data/tweets.js``,
      ``data/tweets-partN.js`` and older exports' ``data/tweet.js``;
      ``"archive/deleted_tweets"`` for ``data/deleted-tweets.js``; ``"archive/note_tweets"``
      for ``data/note-tweet.js``;
    * ``object_id``: the archive's account id (``userInfo.accountId``), None if unknown;
    * ``params``: ``{"file": "data/tweets.js", "user_name": ..., "account_id": ..., "part": N}``;
    * ``fetched_at``: ``archiveInfo.generationDate``, else the file's modification time;
    * ``body``: ``{"account": {"id", "username", "display_name"}, "file": "data/tweets.js",
      "tweets": <the file's array, character for character>, "media_files": {"<tweet id_str>":
      ["data/tweets_media/<tweet id>-<name>", ...]}}``. Note tweets use the key
      ``"note_tweets"`` and have no ``media_files``. ``media_files`` lists, for the tweets of
      that part, the files named ``<tweet id>-...`` in the kind's media directories.

    Media: every file under the media directories (``data/tweets_media``, ``data/tweet_media``,
    ``data/deleted_tweets_media`` and any ``mediaDirectory`` of those kinds in the manifest) is
    hashed; with ``media_dir`` it is copied to ``media_dir/<sha[:2]>/<sha>.<ext>``, the layout
    of ``connectors.media``. ``ImportResult.media`` maps its archive path to ``(sha256, stored
    path)``: the pipeline joins it to ``core.media`` by tweet id and file name (the file is
    ``<tweet id_str>-<basename of media_url_https>``, or of the mp4 variant url for video) to
    fill ``content_sha256`` and ``local_path``. For video the hash is of the mp4, not of a
    preview image.
    """
    source_path = Path(path)
    if not source_path.exists():
        raise FileNotFoundError(f"no such file or directory: {source_path}")
    job = _Importer(sink, "x", account_id)
    try:
        archive: _Archive
        if source_path.is_dir():
            archive = _DirArchive(_archive_root(source_path))
        else:
            archive = _ZipArchive(source_path)
    except (zipfile.BadZipFile, OSError) as exc:
        job.issue(str(source_path), None, f"not a readable archive: {exc}")
        return job.finish(X_ARCHIVE_TWEETS)
    try:
        _import_archive(job, archive, account_id, Path(media_dir) if media_dir else None)
    finally:
        archive.close()
    return job.finish(X_ARCHIVE_TWEETS)


def _read_text(job: _Importer, archive: _Archive, name: str) -> str | None:
    try:
        data = archive.read_bytes(name)
    except (OSError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        job.issue(name, None, f"could not be read from {archive.label}: {exc}")
        return None
    job.result.files_read += 1
    return data.decode("utf-8-sig", "replace")


def _import_archive(
    job: _Importer, archive: _Archive, account_id: str | None, media_dir: Path | None
) -> None:
    names = set(archive.names())
    account = _ArchiveAccount()
    manifest: dict[str, Any] = {}
    fetched_at: datetime | None = None

    def bad_file(name: str, endpoint: str, body: str, line: int | None, reason: str,
                 part: int | None = None) -> None:
        params: dict[str, Any] = {"file": name, "user_name": account.username,
                                  "account_id": account.account_id}
        if part is not None:
            params["part"] = part
        page = RawPage(
            source="x", origin=ORIGIN_X_ARCHIVE, endpoint=endpoint, body=body,
            account_id=account_id, object_id=account.account_id, params=params,
            fetched_at=fetched_at or archive.mtime(name) or utcnow(),
        )
        job.quarantine(page, name, line, reason)

    if "data/manifest.js" in names:
        text = _read_text(job, archive, "data/manifest.js")
        if text is not None:
            try:
                _, payload, first = _split_js(text)
                parsed = loads_strict(payload)
                if not isinstance(parsed, dict):
                    raise ValueError("manifest is not a JSON object")
                manifest = parsed
            except json.JSONDecodeError as exc:
                line, reason = _json_error(exc, first)
                bad_file("data/manifest.js", ARCHIVE_MANIFEST_ENDPOINT, text, line, reason)
            except ValueError as exc:
                bad_file("data/manifest.js", ARCHIVE_MANIFEST_ENDPOINT, text, None, str(exc))
    user = manifest.get("userInfo") if isinstance(manifest.get("userInfo"), dict) else {}
    account.account_id = _str_or_none(user.get("accountId"))
    account.username = _str_or_none(user.get("userName"))
    account.display_name = _str_or_none(user.get("displayName"))
    info = manifest.get("archiveInfo") if isinstance(manifest.get("archiveInfo"), dict) else {}
    fetched_at = _parse_time(info.get("generationDate"))

    if (account.account_id is None or account.username is None) and "data/account.js" in names:
        text = _read_text(job, archive, "data/account.js")
        if text is not None:
            try:
                _, payload, first = _split_js(text)
                entries = loads_strict(payload)
                first_entry = entries[0] if isinstance(entries, list) and entries else {}
                entry = first_entry.get("account") if isinstance(first_entry, dict) else None
                if not isinstance(entry, dict):
                    raise ValueError("no account entry in data/account.js")
                account.account_id = account.account_id or _str_or_none(entry.get("accountId"))
                account.username = account.username or _str_or_none(entry.get("username"))
                account.display_name = account.display_name or _str_or_none(
                    entry.get("accountDisplayName"))
            except json.JSONDecodeError as exc:
                line, reason = _json_error(exc, first)
                bad_file("data/account.js", ARCHIVE_ACCOUNT_ENDPOINT, text, line, reason)
            except ValueError as exc:
                bad_file("data/account.js", ARCHIVE_ACCOUNT_ENDPOINT, text, None, str(exc))

    data_types = manifest.get("dataTypes") if isinstance(manifest.get("dataTypes"), dict) else {}
    all_media_dirs: list[str] = []
    for kind in _KINDS:
        listed: list[str] = []
        media_dirs = list(kind.media_dirs)
        for type_name in kind.manifest_types:
            entry = data_types.get(type_name)
            if not isinstance(entry, dict):
                continue
            if isinstance(entry.get("mediaDirectory"), str):
                media_dirs.append(entry["mediaDirectory"].rstrip("/"))
            for item in entry.get("files") or []:
                if isinstance(item, dict) and isinstance(item.get("fileName"), str):
                    listed.append(item["fileName"])
        for name in listed:
            if name not in names:
                job.issue(name, None, "listed in data/manifest.js but not in the archive")
        files = sorted({n for n in listed if n in names}
                       | {n for n in names if kind.file_pattern.match(n)}, key=_part_sort_key)
        media_dirs = list(dict.fromkeys(media_dirs))
        all_media_dirs.extend(media_dirs)
        media_by_tweet = _media_by_tweet(names, media_dirs) if kind.with_media else {}
        for name in files:
            text = _read_text(job, archive, name)
            if text is None:
                continue
            part = _part_from_name(name)
            try:
                prefix, payload, first = _split_js(text)
            except ValueError as exc:
                bad_file(name, kind.endpoint, text, None, str(exc), part)
                continue
            if match := _YTD_GLOBAL.search(prefix):
                part = int(match.group("part"))
            try:
                items = loads_strict(payload)
            except json.JSONDecodeError as exc:
                line, reason = _json_error(exc, first)
                bad_file(name, kind.endpoint, text, line, reason, part)
                continue
            if not isinstance(items, list):
                bad_file(name, kind.endpoint, text, first,
                         f"a JSON {type(items).__name__}, not an array", part)
                continue
            body = ('{"account": ' + account.as_json() + ', "file": ' + json.dumps(name)
                    + ', "' + kind.array_key + '": ' + payload)
            if kind.with_media:
                files_of_part = {
                    tid: media_by_tweet[tid] for tid in _tweet_ids(items) if tid in media_by_tweet
                }
                body += ', "media_files": ' + json.dumps(files_of_part)
            body += "}"
            try:
                loads_strict(body)
            except json.JSONDecodeError as exc:  # pragma: no cover - defensive
                bad_file(name, kind.endpoint, text, None, f"page body does not parse: {exc}",
                         part)
                continue
            job.add(
                RawPage(
                    source="x",
                    origin=ORIGIN_X_ARCHIVE,
                    endpoint=kind.endpoint,
                    body=body,
                    account_id=account_id,
                    object_id=account.account_id,
                    params={"file": name, "user_name": account.username,
                            "account_id": account.account_id, "part": part},
                    fetched_at=fetched_at or archive.mtime(name) or utcnow(),
                )
            )
    if not any(_KINDS[0].file_pattern.match(n) for n in names):
        job.issue(archive.label, None, "no data/tweets.js, data/tweets-partN.js or data/tweet.js")
    _store_media(job, archive, names, list(dict.fromkeys(all_media_dirs)), media_dir)


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _part_from_name(name: str) -> int:
    match = _PART_IN_NAME.search(name)
    return int(match.group(1)) if match else 0


def _tweet_ids(items: list[Any]) -> Iterator[str]:
    for item in items:
        if not isinstance(item, dict):
            continue
        tweet = item.get("tweet", item)
        if isinstance(tweet, dict):
            tid = tweet.get("id_str") or tweet.get("id")
            if tid is not None:
                yield str(tid)


def archive_media_tweet_id(name: str) -> str | None:
    """The tweet id in an archive media file name (``<tweet id>-<basename>``), if it has one."""
    head, sep, _ = PurePosixPath(name).name.partition("-")
    return head if sep and head.isdigit() else None


def _media_files(names: set[str], media_dirs: list[str]) -> list[str]:
    prefixes = tuple(d.rstrip("/") + "/" for d in media_dirs)
    return sorted(
        n for n in names
        if n.startswith(prefixes) and not PurePosixPath(n).name.startswith(".")
    )


def _media_by_tweet(names: set[str], media_dirs: list[str]) -> dict[str, list[str]]:
    by_tweet: dict[str, list[str]] = {}
    for name in _media_files(names, media_dirs):
        tid = archive_media_tweet_id(name)
        if tid:
            by_tweet.setdefault(tid, []).append(name)
    return by_tweet


def _store_media(
    job: _Importer, archive: _Archive, names: set[str], media_dirs: list[str],
    media_dir: Path | None,
) -> None:
    for name in _media_files(names, media_dirs):
        ext = PurePosixPath(name).suffix.lower().lstrip(".") or "bin"
        try:
            with archive.open(name) as handle:
                sha, stored = _hash_and_store(handle, media_dir, ext)
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            job.issue(name, None, f"media file could not be read or stored: {exc}")
            continue
        job.result.media[name] = (sha, stored)


def _hash_and_store(handle: IO[bytes], media_dir: Path | None, ext: str) -> tuple[str, Path | None]:
    """Stream ``handle`` into ``media_dir/<sha[:2]>/<sha>.<ext>`` (once per content)."""
    digest = hashlib.sha256()
    if media_dir is None:
        for chunk in iter(lambda: handle.read(_COPY_CHUNK), b""):
            digest.update(chunk)
        return digest.hexdigest(), None
    media_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=media_dir, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: handle.read(_COPY_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = media_dir / sha[:2] / f"{sha}.{ext}"
        if target.exists():
            os.unlink(tmp)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        return sha, target
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------------------------
# Graph API JSON
# --------------------------------------------------------------------------------------------

GRAPH_PLATFORMS = ("facebook", "instagram")

# Edge in a paging url -> (platform it belongs to, endpoint); "comments" exists on both.
_GRAPH_EDGES: dict[str, tuple[str | None, str | None]] = {
    "posts": ("facebook", FB_PAGE_POSTS),
    "feed": ("facebook", FB_PAGE_POSTS),
    "published_posts": ("facebook", FB_PAGE_POSTS),
    "visitor_posts": ("facebook", FB_PAGE_POSTS),
    "tagged": ("facebook", FB_PAGE_POSTS),
    "media": ("instagram", IG_MEDIA),
    "replies": ("instagram", IG_REPLIES),
    "comments": (None, None),
}
_COMMENTS_ENDPOINT = {"facebook": FB_COMMENTS, "instagram": IG_COMMENTS}
_OBJECT_ENDPOINT = {"facebook": FB_OBJECT, "instagram": IG_OBJECT}
_KIND_PLATFORM = {"fb_post": "facebook", "fb_comment": "facebook",
                  "ig_media": "instagram", "ig_comment": "instagram"}
_KIND_ENDPOINT = {"fb_post": FB_PAGE_POSTS, "fb_comment": FB_COMMENTS,
                  "ig_media": IG_MEDIA, "ig_comment": IG_COMMENTS}
# Paging-only parameters of a next/previous url: not part of the request that made the page.
_PAGING_PARAMS = frozenset({"after", "before", "until", "since", "__paging_token",
                            "__previous", "pretty", "access_token", "offset"})
_GRAPH_PATH = re.compile(r"^/(?:v\d+(?:\.\d+)?/)?(?P<object>[^/]+)/(?P<edge>[^/]+)/?$")
_FB_PERMALINK_POST = re.compile(r"facebook\.com/(?P<page>\d+)/posts/(?P<post>\d+)")
_FB_PERMALINK_STORY = re.compile(r"story_fbid=(?P<post>\d+)&id=(?P<page>\d+)")
_IG_MEDIA_KEYS = frozenset({"media_type", "media_product_type", "caption", "media_url",
                            "thumbnail_url", "shortcode"})
_FB_COMMENT_KEYS = frozenset({"parent", "can_remove", "can_hide", "comment_count", "like_count",
                              "can_reply_privately", "is_private", "attachment"})
_FB_POST_KEYS = frozenset({"attachments", "permalink_url", "full_picture", "status_type",
                           "shares", "is_published", "story"})
# Fields of Graph objects that also carry message/created_time but are not posts or comments:
# videos (embed_html, format, length), photos (images, album), Messenger messages (to).
_FB_OTHER_KEYS = frozenset({"embed_html", "format", "length", "images", "album", "to"})


class _Unclassified(Exception):
    """A Graph file whose platform, endpoint or shape could not be told."""


def graph_item_kind(item: Mapping[str, Any]) -> str | None:
    """``fb_post``, ``fb_comment``, ``ig_media``, ``ig_comment`` or None, from an item's keys.

    * Instagram media: ``media_type``, ``media_product_type``, ``caption``, ``media_url``,
      ``thumbnail_url`` or ``shortcode``; or a ``timestamp`` without ``text``.
    * Instagram comment: ``text`` and ``timestamp``.
    * Facebook comment: ``message``/``created_time`` with ``parent``, ``can_remove``,
      ``can_hide``, ``comment_count``, ``like_count``, ``attachment`` (singular) or a
      ``permalink_url`` holding ``comment_id=``; or with no ``id`` (Page Public Content Access).
    * Facebook post: ``message``/``created_time`` with ``attachments``, ``permalink_url``,
      ``full_picture``, ``status_type`` or ``shares``, or an id of the form ``page_post``.
    * Neither: videos (``embed_html``, ``format``, ``length``), photos (``images``, ``album``)
      and Messenger messages (``to``, ids starting ``m_``), whatever else they carry.
    """
    keys = set(item)
    if keys & _IG_MEDIA_KEYS:
        return "ig_media"
    if "text" in keys and "timestamp" in keys:
        return "ig_comment"
    if "timestamp" in keys and not keys & {"message", "created_time", "text"}:
        return "ig_media"
    if keys & {"message", "created_time"}:
        if keys & _FB_OTHER_KEYS or str(item.get("id", "")).startswith("m_"):
            return None
        permalink = item.get("permalink_url")
        if (keys & _FB_COMMENT_KEYS or "id" not in keys
                or (isinstance(permalink, str) and "comment_id=" in permalink)):
            return "fb_comment"
        if keys & _FB_POST_KEYS or "_" in str(item.get("id", "")):
            return "fb_post"
    return None


def _common(values: list[str | None]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 and None not in distinct else None


def _fb_comment_thread(items: list[dict[str, Any]]) -> str | None:
    """The ``page_post`` id of the post comments belong to, from permalinks or comment ids."""
    from_links: list[str | None] = []
    for item in items:
        link = item.get("permalink_url")
        match = None
        if isinstance(link, str):
            match = _FB_PERMALINK_POST.search(link) or _FB_PERMALINK_STORY.search(link)
        from_links.append(f"{match.group('page')}_{match.group('post')}" if match else None)
    if found := _common(from_links):
        return found
    prefixes = [str(i["id"]).split("_")[0] if "_" in str(i.get("id", "")) else None
                for i in items]
    return _common(prefixes)


def _nested_id(items: list[dict[str, Any]], key: str) -> str | None:
    return _common([
        str(i[key]["id"]) if isinstance(i.get(key), dict) and i[key].get("id") else None
        for i in items
    ])


def _object_from_items(kind: str, items: list[dict[str, Any]]) -> str | None:
    if kind == "fb_post":
        return _common([str(i["id"]).split("_")[0] if "_" in str(i.get("id", "")) else None
                        for i in items])
    if kind == "fb_comment":
        return _fb_comment_thread(items)
    if kind == "ig_media":
        return _nested_id(items, "owner")
    if kind == "ig_comment":
        return _nested_id(items, "media")
    return None


def _platform_of_kinds(kinds: set[str]) -> str | None:
    platforms = {_KIND_PLATFORM[k] for k in kinds}
    if len(platforms) > 1:
        raise _Unclassified("items look like both Facebook and Instagram")
    return platforms.pop() if platforms else None


def _classify_graph(
    doc: Any, platform: str | None, endpoint: str | None, object_id: str | None
) -> tuple[str, str, str | None, dict[str, Any]]:
    """(platform, endpoint, object id, params) of a Graph file, or raise ``_Unclassified``."""
    if not isinstance(doc, dict):
        raise _Unclassified(f"a JSON {type(doc).__name__}, not a Graph page or object")
    if platform is None and endpoint is not None:
        platform = "instagram" if endpoint.startswith(":ig_") else "facebook"

    if isinstance(doc.get("data"), list):
        items = [i for i in doc["data"] if isinstance(i, dict)]
        kinds = {k for k in (graph_item_kind(i) for i in items) if k}
        item_platform = _platform_of_kinds(kinds)
        paging = doc.get("paging") if isinstance(doc.get("paging"), dict) else {}
        url = next((paging[k] for k in ("next", "previous") if isinstance(paging.get(k), str)),
                   None)
        params: dict[str, Any] = {}
        url_object = edge = None
        if url:
            parts = urlsplit(url)
            params = {k: v for k, v in _query_params(parts.query).items()
                      if k not in _PAGING_PARAMS}
            if match := _GRAPH_PATH.match(parts.path):
                url_object, edge = match.group("object"), match.group("edge")
        if platform and item_platform and platform != item_platform:
            raise _Unclassified(f"items look like {item_platform}, not {platform}")
        if edge is not None and endpoint is None:
            if edge not in _GRAPH_EDGES:
                raise _Unclassified(
                    f"paging url edge /{edge} is not one the pipeline imports"
                )
            edge_platform, edge_endpoint = _GRAPH_EDGES[edge]
            found_platform = platform or edge_platform or item_platform
            if edge_platform and found_platform != edge_platform:
                raise _Unclassified(f"/{edge} is a {edge_platform} edge but the items look like "
                                    f"{found_platform}")
            if found_platform is None:
                raise _Unclassified(f"/{edge} page with no recognizable items: pass platform=")
            endpoint = edge_endpoint or _COMMENTS_ENDPOINT[found_platform]
            return found_platform, endpoint, object_id or url_object, params
        platform = platform or item_platform
        if platform is None:
            raise _Unclassified("no item looks like a Facebook post or comment or an Instagram "
                                "media or comment: pass platform= and endpoint=")
        platform_kinds = {k for k in kinds if _KIND_PLATFORM[k] == platform}
        if endpoint is None:
            if not platform_kinds:
                raise _Unclassified("no recognizable items: pass endpoint=")
            if len(platform_kinds) > 1:
                kinds_text = ", ".join(sorted(platform_kinds))
                raise _Unclassified(f"items of different kinds: {kinds_text}")
            kind = platform_kinds.pop()
            endpoint = _KIND_ENDPOINT[kind]
            if kind == "ig_comment":
                parent = _common([str(i["parent_id"]) if i.get("parent_id") else None
                                  for i in items])
                if parent:
                    return platform, IG_REPLIES, object_id or parent, params
            return platform, endpoint, object_id or url_object or _object_from_items(
                kind, items), params
        kind = next(iter(platform_kinds)) if len(platform_kinds) == 1 else None
        found = url_object or (_object_from_items(kind, items) if kind else None)
        return platform, endpoint, object_id or found, params

    if "error" in doc:
        if platform is None:
            raise _Unclassified("a Graph API error body: pass platform=, endpoint= and "
                                "object_id= to import it")
        return platform, endpoint or _OBJECT_ENDPOINT[platform], object_id, {}

    if "id" in doc:
        kind = graph_item_kind(doc)
        found_platform = platform or (_KIND_PLATFORM[kind] if kind else None)
        if found_platform is None:
            raise _Unclassified("an object that is not a Facebook post or comment or an "
                                "Instagram media or comment")
        if kind and _KIND_PLATFORM[kind] != found_platform:
            raise _Unclassified(f"object looks like {_KIND_PLATFORM[kind]}, not {found_platform}")
        return (found_platform, endpoint or _OBJECT_ENDPOINT[found_platform],
                object_id or str(doc["id"]), {"item_kind": kind} if kind else {})

    values = list(doc.values())
    if values and all(isinstance(v, dict) and str(v.get("id")) == k for k, v in doc.items()):
        kinds = {k for k in (graph_item_kind(v) for v in values) if k}
        found_platform = platform or _platform_of_kinds(kinds)
        if found_platform is None:
            raise _Unclassified("a multi-id lookup of objects that are not posts, comments or "
                                "media")
        params = {"ids": ",".join(doc)}
        if len(kinds) == 1:
            params["item_kind"] = next(iter(kinds))
        return found_platform, endpoint or _OBJECT_ENDPOINT[found_platform], object_id, params
    raise _Unclassified("neither a page (data list), an object (id) nor a Graph error")


def _graph_files(path: Path) -> list[tuple[Path, str]]:
    if path.is_dir():
        return [(p, p.relative_to(path).as_posix())
                for p in sorted(path.rglob("*.json")) if p.is_file()]
    return [(path, path.name)]


def import_graph_json(
    path: str | os.PathLike[str],
    sink: PageSink,
    *,
    platform: str | None = None,
    endpoint: str | None = None,
    object_id: str | None = None,
    account_id: str | None = None,
) -> ImportResult:
    """Import Graph API responses saved as JSON (a file, or a directory searched for ``*.json``).

    Each file is one page (``{"data": [...], "paging": ...}``) or one object, stored as one
    ``RawPage(origin="graph_json")`` with the body as read. What is not given is detected:

    * **from the paging url** (``paging.next``, else ``paging.previous``), path
      ``/vNN.N/<object>/<edge>``: ``object_id`` is ``<object>``; the edge gives the endpoint:
      ``posts``/``feed``/``published_posts``/``visitor_posts``/``tagged`` -> ``:page/posts``,
      ``media`` -> ``:ig_user/media``, ``replies`` -> ``:ig_comment/replies``, ``comments`` ->
      ``:object/comments`` or ``:ig_media/comments`` by the items' platform. Any other edge
      (``top_media``, ``insights``, ``stories``...) is quarantined. ``params`` are the url's
      query without paging cursors and the token;
    * **else from the items** (``graph_item_kind``): all recognized items must be of one kind.
      ``object_id`` is the page id prefix of post ids; for Facebook comments the post
      (``page_post``) in their permalinks (``/<page>/posts/<post>``), else the prefix of their
      ids (which is the post's own id, without the page); for Instagram media their common
      ``owner.id``; for Instagram comments their common ``media.id``, or, when they all share a
      ``parent_id``, endpoint ``:ig_comment/replies`` with that parent. Otherwise None;
    * **a single object** (``{"id": ...}``): ``:object``/``:ig_object`` with its id; a multi-id
      lookup (``{"<id>": {...}, ...}``): the same endpoint, object id None, ``params.ids``.
      When the objects are of one kind, ``params.item_kind`` says which (``fb_post``,
      ``fb_comment``, ``ig_media``, ``ig_comment``) and normalization reads them as items; the
      connector's own lookups carry none and only show that an item exists or is gone;
    * **an error body** (``{"error": ...}``) is stored only when ``platform`` (or ``endpoint``)
      is given, as ``:object``/``:ig_object`` unless ``endpoint`` says otherwise.

    Given ``platform``/``endpoint``/``object_id`` always win. A file that is not JSON or cannot
    be classified is quarantined with the reason (source ``platform`` or ``"graph"``).
    ``params`` also carries ``"file"``: the file's path relative to the imported directory.
    ``fetched_at`` is the file's modification time.
    """
    if platform is not None and platform not in GRAPH_PLATFORMS:
        raise ValueError(f"platform must be one of {GRAPH_PLATFORMS}, not {platform!r}")
    if platform and endpoint and endpoint.startswith(":ig_") != (platform == "instagram"):
        raise ValueError(f"endpoint {endpoint!r} is not a {platform} endpoint")
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"no such file or directory: {root}")
    source = platform or (
        ("instagram" if endpoint.startswith(":ig_") else "facebook") if endpoint else None
    )
    job = _Importer(sink, source or GRAPH_UNKNOWN_SOURCE, account_id)
    files = _graph_files(root)
    if not files:
        job.issue(str(root), None, "no .json files")
    for file, rel in files:
        fetched_at = _file_mtime(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            job.issue(rel, None, f"could not be read: {exc}")
            continue
        job.result.files_read += 1
        text = raw.decode("utf-8-sig", "replace")

        def bad(reason: str, line: int | None = None, text: str = text, rel: str = rel,
                fetched_at: datetime = fetched_at) -> None:
            page = RawPage(
                source=source or GRAPH_UNKNOWN_SOURCE,
                origin=ORIGIN_GRAPH_JSON,
                endpoint=endpoint or GRAPH_UNKNOWN_ENDPOINT,
                body=text,
                account_id=account_id,
                object_id=object_id,
                params={"file": rel},
                fetched_at=fetched_at,
            )
            job.quarantine(page, rel, line, reason)

        try:
            doc = loads_strict(text)
        except json.JSONDecodeError as exc:
            line, reason = _json_error(exc)
            bad(reason, line)
            continue
        try:
            found_platform, found_endpoint, found_object, params = _classify_graph(
                doc, platform, endpoint, object_id
            )
        except _Unclassified as exc:
            bad(f"cannot be classified: {exc}")
            continue
        job.add(
            RawPage(
                source=found_platform,
                origin=ORIGIN_GRAPH_JSON,
                endpoint=found_endpoint,
                body=text,
                account_id=account_id,
                object_id=found_object,
                params={**params, "file": rel},
                fetched_at=fetched_at,
            )
        )
    return job.finish(endpoint)


LINK_ARCHIVE_MEDIA = """
UPDATE core.media AS m
SET content_sha256 = f.sha256, local_path = f.local_path, fetch_error = NULL
FROM archive_files f, core.item_versions v
WHERE v.version_id = f.tweet_id AND v.item_id = m.item_id
  AND m.media_type = 'photo' AND m.url LIKE '%/' || f.basename
  AND m.content_sha256 IS NULL
"""


def link_archive_media(con: Any, result: ImportResult) -> int:
    """Fill ``core.media`` hashes from an imported archive's photo files (after normalization).

    A file ``data/tweets_media/<tweet id>-<name>`` belongs to the medium of that tweet version
    whose URL ends in ``<name>``. Video files are left out: the face detector reads a preview
    image, and the archive has only the mp4."""
    rows = []
    for name, (sha, stored) in result.media.items():
        tweet_id = archive_media_tweet_id(name)
        if tweet_id is None or stored is None:
            continue
        basename = PurePosixPath(name).name.partition("-")[2]
        if PurePosixPath(basename).suffix.lower() not in (".jpg", ".jpeg", ".png", ".gif", ".webp"):
            continue
        rows.append((tweet_id, basename, sha, str(stored)))
    if not rows:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE archive_files (tweet_id VARCHAR, basename VARCHAR, "
                "sha256 VARCHAR, local_path VARCHAR)")
    con.executemany("INSERT INTO archive_files VALUES (?, ?, ?, ?)", rows)
    before = con.execute("SELECT count(*) FROM core.media WHERE content_sha256 IS NOT NULL")
    before = before.fetchone()[0]
    con.execute(LINK_ARCHIVE_MEDIA)
    after = con.execute("SELECT count(*) FROM core.media WHERE content_sha256 IS NOT NULL")
    return after.fetchone()[0] - before
