"""Load the district's registry files (CSV) into ``registry.*``, validating every row.

A file with any bad row is not loaded at all, and each problem is reported with the file, the
line and the column: an office's IT staff must be able to fix the spreadsheet from the message.
Files that pass replace their table's contents in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from connectors.base import utcnow

LIST_SEPARATOR = ";"
PLATFORMS = ("x", "facebook", "instagram")
ACCOUNT_KINDS = ("official", "teacher_page")
CONSENT_SCOPES = ("social_media", "website", "print", "video", "yearbook", "news_media")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class RegistryProblem:
    """One problem: ``file:line: column C 'name': message``. ``column`` is the column's name
    (as the header has it, or as it should), ``letter`` its place in the file as a spreadsheet
    shows it (A, B, ... AA); a column missing from the header has no letter, a field beyond
    the header no name. File-level problems (unreadable, empty, unknown) have neither."""

    file: str
    line: int
    column: str | None
    message: str
    letter: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column is not None or self.letter:
            parts = [p for p in (self.letter, f"'{self.column}'" if self.column is not None
                                 else None) if p]
            where += f": column {' '.join(parts)}"
        return f"{where}: {self.message}"


def column_letter(index: int) -> str:
    """The spreadsheet name of the 0-based column ``index``: A ... Z, AA, AB ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class RegistryError(ValueError):
    """One or more registry files failed validation; ``problems`` lists each one."""

    def __init__(self, problems: list[RegistryProblem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the registry:\n{shown}{more}")


class _Bad(ValueError):
    pass


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise _Bad("is empty")
    return value


def _optional(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def run(value: str) -> Any:
        return parse(value) if value.strip() else None

    return run


def _choice(options: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(options)

    def run(value: str) -> str:
        value = value.strip().lower()
        if value not in allowed:
            raise _Bad(f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    return run


def _list(item: Callable[[str], str] = _text, *, allow_empty: bool = False):
    def run(value: str) -> list[str]:
        items = [item(v) for v in value.split(LIST_SEPARATOR) if v.strip()]
        if not items and not allow_empty:
            raise _Bad("needs at least one value (separate several with ';')")
        return items

    return run


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(f"is not a date (YYYY-MM-DD): {value!r}") from None


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"is not an ISO 8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise _Bad(f"needs a UTC offset (e.g. 2026-03-02T09:15:00-06:00): {value!r}")
    return parsed


def _sha256(value: str) -> str:
    value = value.strip().lower()
    if not SHA256_HEX.match(value):
        raise _Bad("must be a SHA-256 hex digest (64 hex characters), never a raw student id")
    return value


def _env_name(value: str) -> str:
    value = value.strip()
    if not ENV_NAME.match(value):
        raise _Bad("must be the NAME of an environment variable (A-Z, 0-9, _), not a token")
    return value


def _platform_id(value: str) -> str:
    value = _text(value)
    if not re.match(r"^[0-9A-Za-z_.\-]+$", value):
        raise _Bad(f"is not a platform id: {value!r}")
    return value


@dataclass(frozen=True)
class TableSpec:
    """How one registry file maps to its table."""

    key: str
    table: str
    columns: dict[str, Callable[[str], Any]]
    optional_columns: frozenset[str] = frozenset()
    unique: tuple[str, ...] = ()
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    out_columns: tuple[str, ...] = ()
    cross_checks: list[str] = field(default_factory=list)


def _account_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"account_key": f"{row['platform']}:{row['platform_id']}", **row}


SPECS: dict[str, TableSpec] = {
    "accounts": TableSpec(
        key="accounts",
        table="registry.accounts",
        columns={
            "platform": _choice(PLATFORMS),
            "platform_id": _platform_id,
            "handle": _optional(lambda v: v.strip().lstrip("@")),
            "kind": _choice(ACCOUNT_KINDS),
            "school": _optional(str.strip),
            "owner": _text,
            "designee_admins": _list(allow_empty=True),
            "display_name": _optional(str.strip),
            "token_env": _optional(_env_name),
        },
        optional_columns=frozenset({"display_name", "token_env", "handle", "school"}),
        unique=("platform", "platform_id"),
        derive=_account_row,
        out_columns=("account_key", "platform", "platform_id", "handle", "kind", "school", "owner",
                     "designee_admins", "display_name", "token_env"),
    ),
    "designees": TableSpec(
        key="designees",
        table="registry.designees",
        columns={"designee_id": _text, "name": _text, "email": _optional(str.strip),
                 "role": _optional(str.strip)},
        optional_columns=frozenset({"email", "role"}),
        unique=("designee_id",),
        out_columns=("designee_id", "name", "email", "role"),
    ),
    "consents": TableSpec(
        key="consents",
        table="registry.consents",
        columns={
            "consent_id": _text,
            "student_id_sha256": _sha256,
            "scope": _list(_choice(CONSENT_SCOPES)),
            "granted_on": _date,
            "expires_on": _optional(_date),
            "revoked_on": _optional(_date),
        },
        unique=("consent_id",),
        out_columns=("consent_id", "student_id_sha256", "scope", "granted_on", "expires_on",
                     "revoked_on"),
    ),
    "media_consents": TableSpec(
        key="media_consents",
        table="registry.media_consents",
        columns={"platform": _choice(PLATFORMS), "post_id": _platform_id, "consent_id": _text},
        unique=("platform", "post_id", "consent_id"),
        out_columns=("platform", "post_id", "consent_id"),
    ),
    "approvals": TableSpec(
        key="approvals",
        table="registry.approvals",
        columns={
            "approval_id": _text,
            "platform": _choice(PLATFORMS),
            "target_id": _platform_id,
            "approver": _text,
            "approved_at": _timestamp,
            "note": _optional(str.strip),
        },
        optional_columns=frozenset({"note"}),
        unique=("approval_id",),
        out_columns=("approval_id", "platform", "target_id", "approver", "approved_at", "note"),
    ),
    "roster": TableSpec(
        key="roster",
        table="registry.roster",
        columns={"platform": _choice(PLATFORMS), "student_handle_sha256": _sha256,
                 "school": _optional(str.strip)},
        optional_columns=frozenset({"school"}),
        unique=("platform", "student_handle_sha256"),
        out_columns=("student_handle_sha256", "platform", "school"),
    ),
}


UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


def _decode(raw: bytes) -> str:
    """The file's text; bytes that are not UTF-8 become lone surrogates, found per cell later."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", errors="surrogateescape")


def _encoding_problem(name: str, raw: bytes, line: int, column: str | None, letter: str,
                      value: str, bad: re.Match[str]) -> RegistryProblem:
    byte = ord(bad.group(0)) - 0xDC00
    shown = UNDECODABLE.sub("\ufffd", value)
    hint = ("the file is UTF-16 (Excel's \"Unicode Text\")" if raw[:2] in (b"\xff\xfe",
                                                                          b"\xfe\xff")
            else "save the file as CSV UTF-8")
    return RegistryProblem(name, line, column,
                           f"is not UTF-8: byte 0x{byte:02x} at character {bad.start() + 1} "
                           f"of {shown!r}; {hint}", letter)


def _records(text: str) -> Iterable[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of each CSV record; a quoted value may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    for record in reader:
        yield last + 1, reader.line_num, record
        last = reader.line_num


def _header_problems(spec: TableSpec, name: str, header: list[str]) -> list[RegistryProblem]:
    expected = ",".join(spec.columns)
    problems = []
    first: dict[str, int] = {}
    for index, column in enumerate(header):
        letter = column_letter(index)
        if not column:
            problems.append(RegistryProblem(name, 1, column, "has no name in the header "
                                            f"(expected: {expected})", letter))
        elif column not in spec.columns:
            problems.append(RegistryProblem(name, 1, column, "is not a column of this file "
                                            f"(expected: {expected})", letter))
        elif column in first:
            problems.append(RegistryProblem(
                name, 1, column, f"is repeated (first in column {column_letter(first[column])})",
                letter))
        first.setdefault(column, index)
    for column in spec.columns:
        if column not in spec.optional_columns and column not in first:
            problems.append(RegistryProblem(name, 1, column,
                                            f"is missing from the header (expected: {expected})"))
    return problems


def parse_file(spec: TableSpec, path: Path) -> tuple[list[dict[str, Any]], list[RegistryProblem]]:
    """Parse and validate one registry file; the rows are usable only if there are no problems.
    Every problem names the file, the line and the column (see ``RegistryProblem``)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [RegistryProblem(name, 0, None, f"cannot be read: {exc.strerror}")]
    records = _records(_decode(raw))
    problems: list[RegistryProblem] = []
    try:
        _, _, header_cells = next(records)
    except StopIteration:
        return [], [RegistryProblem(name, 1, None, "is empty: expected a header row")]
    except csv.Error as exc:
        return [], [RegistryProblem(name, 1, None, f"is not a readable CSV header: {exc}")]
    for index, cell in enumerate(header_cells):
        if bad := UNDECODABLE.search(cell):
            problems.append(_encoding_problem(name, raw, 1, None, column_letter(index), cell,
                                              bad))
    if problems:
        return [], problems
    header = [h.strip().lower() for h in header_cells]
    problems = _header_problems(spec, name, header)
    if problems:
        return [], problems
    letters = {column: column_letter(index) for index, column in enumerate(header)}

    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    line = 1
    while True:
        try:
            line, last, record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RegistryProblem(name, line + 1, None, f"is not readable CSV: {exc}"))
            break
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            if len(record) < len(header):
                column = header[len(record)]
                problems.append(RegistryProblem(
                    name, line, column, f"has no value: the row has {len(record)} fields, the "
                    f"header has {len(header)}", letters[column]))
            else:
                problems.append(RegistryProblem(
                    name, line, None, f"is beyond the header: the row has {len(record)} "
                    f"fields, the header has {len(header)} (a value with a comma needs quotes)",
                    column_letter(len(header))))
            continue
        cells = dict(zip(header, record, strict=True))
        found: list[RegistryProblem] = []
        offset = 0  # newlines in the record's earlier cells (a quoted value may span lines)
        for column, value in cells.items():
            if bad := UNDECODABLE.search(value):
                found.append(_encoding_problem(
                    name, raw, line + offset + value.count("\n", 0, bad.start()), column,
                    letters[column], value, bad))
            offset += value.count("\n")
        row: dict[str, Any] = {}
        if not found:
            for column, parse in spec.columns.items():
                try:
                    row[column] = parse(cells.get(column, ""))
                except _Bad as exc:
                    found.append(RegistryProblem(name, line, column, str(exc),
                                                 letters.get(column)))
        if not found:
            for later in ("expires_on", "revoked_on"):
                if row.get(later) and row[later] < row["granted_on"]:
                    found.append(RegistryProblem(name, line, later, "is before granted_on",
                                                 letters[later]))
        if found:
            problems += found
            continue
        key = tuple(row[c] for c in spec.unique)
        if key in seen:
            column = spec.unique[-1]
            problems.append(RegistryProblem(
                name, line, column,
                f"duplicate {'/'.join(spec.unique)} {'/'.join(map(str, key))} "
                f"(first on line {seen[key]})", letters[column]))
            continue
        seen[key] = line
        if spec.derive:
            row = spec.derive(row)
        row["_line"] = line
        row["_letters"] = letters
        rows.append(row)
    return rows, problems


@dataclass
class RegistryLoad:
    loaded: dict[str, int] = field(default_factory=dict)
    problems: list[RegistryProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_registry(
    con: duckdb.DuckDBPyConnection, files: dict[str, Path], *, raise_on_error: bool = False
) -> RegistryLoad:
    """Validate and load each named file; files with problems leave their table untouched."""
    result = RegistryLoad()
    parsed: dict[str, list[dict[str, Any]]] = {}
    for key, path in files.items():
        if key not in SPECS:
            result.problems.append(RegistryProblem(str(path), 0, None, f"unknown registry {key!r}"))
            continue
        if not path.exists():
            if key == "accounts":
                result.problems.append(RegistryProblem(str(path), 0, None, "does not exist"))
            continue
        rows, problems = parse_file(SPECS[key], path)
        if problems:
            result.problems.extend(problems)
        else:
            parsed[key] = rows
    if "accounts" in parsed and "designees" in parsed:
        known = {r["designee_id"] for r in parsed["designees"]}
        path = files["accounts"]
        bad = []
        for row in parsed["accounts"]:
            for admin in row["designee_admins"]:
                if admin not in known:
                    bad.append(RegistryProblem(str(path), row["_line"], "designee_admins",
                                               f"{admin!r} is not in {files['designees'].name}",
                                               row["_letters"]["designee_admins"]))
        if bad:
            result.problems.extend(bad)
            del parsed["accounts"]
    now = utcnow()
    con.execute("BEGIN TRANSACTION")
    try:
        for key, rows in parsed.items():
            spec = SPECS[key]
            cols = spec.out_columns
            con.execute(f"DELETE FROM {spec.table}")  # noqa: S608 - table names are constants
            placeholders = ", ".join("?" for _ in cols)
            con.executemany(
                f"INSERT INTO {spec.table} ({', '.join(cols)}, loaded_at) "  # noqa: S608
                f"VALUES ({placeholders}, ?)",
                [[row[c] for c in cols] + [now] for row in rows],
            )
            digest = hashlib.sha256(files[key].read_bytes()).hexdigest()
            con.execute(
                "INSERT INTO registry.loads VALUES (?, ?, ?, ?, ?)",
                [files[key].name, spec.table, digest, len(rows), now],
            )
            result.loaded[key] = len(rows)
        if "accounts" in parsed:  # who counts as the district changes with the accounts
            from warehouse.normalize import refresh_authorship

            refresh_authorship(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if raise_on_error and result.problems:
        raise RegistryError(result.problems)
    return result
