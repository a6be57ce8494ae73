"""The weekly compliance dashboard: one self-contained HTML file per reporting week, and an index.

A **reporting week** runs from Monday 00:00 to the next Monday 00:00 in the district's time zone
(``dashboards.weeks.Week``); an item posted on Sunday at 23:30 local time belongs to that Sunday's
week, whatever its UTC date. Within a week:

* **items audited** are the posts, comments and replies *created* in the week and captured from a
  registered account (``marts.items_audited``); "district posts" are those written by the
  district's own accounts (posts and their replies), "public" the rest;
* a **finding belongs to the week its item was created in**; a finding about no item (an
  account) belongs to the week it was first seen (``marts.findings.week_at``). So a comment posted
  on Sunday and flagged on Tuesday is in Sunday's week, and rebuilding a past week gives the same
  findings, plus any found since;
* compliance figures count every finding that was **not dismissed** as a false positive (latest
  disposition ``false_positive`` for the content the finding still has), whatever its status:
  open, resolved (remediated, approved after the fact) or cleared (the data no longer shows it);
* **capture health**: an account is stale for the week (its figures may be incomplete) when it
  had no successful capture in the last ``max_capture_age_hours`` of the week (of the time until
  now, for the current week) and none since; the capture problems logged in the week
  (``raw.fetch_log``) are listed, access errors one by one and transient ones (rate limits,
  partial passes) summarized;
* the **false-positive rate** of a rule is the share of its reviewed findings whose latest
  disposition is ``false_positive`` (this week, and over the trend's 12 weeks). A finding counts
  as reviewed only if its latest disposition was recorded for the content it still has: after an
  edit the old review no longer applies (the finding is open again), so it counts in neither the
  numerator nor the denominator.

Each page is one file that opens with no network: CSS and JavaScript are inline, and a
Content-Security-Policy allows only them (by hash) and ``data:`` images. The findings are embedded
once as JSON in ``<script type="application/json">`` (``<``, ``>``, ``&`` and ``'`` escaped as
``\\u003c`` etc. by Jinja's ``tojson``), each value once (``findings_payload``: repeated values
in lookup tables, quotes of the post marked in it rather than repeated in the evidence), and
rendered by the page's script with paging, filters and sorting, every value set with
``textContent``; the rest of the page is rendered by Jinja with
autoescape. Links go only to ``https`` URLs on the platforms' own hosts (``dashboards.urls``);
thumbnails are small JPEGs made from the local media store and embedded as ``data:`` URIs
(``dashboards.thumbnails``). The aggregates are SQL: ``dashboards/sql/dashboard_*.sql`` over the
``marts`` views of ``warehouse/migrations/007_marts.sql``.

The connection is only read (no temp tables, no writes), so the read-only analyst snapshot works
and is the better source: its texts have students' personal details masked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from dashboards.thumbnails import thumbnail_data_uris
from dashboards.urls import safe_media_url, safe_permalink
from dashboards.weeks import Week, week_of

if TYPE_CHECKING:
    import duckdb
    import jinja2

INDEX_FILE = "index.html"
SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("open", "resolved", "dismissed", "cleared")
# Capture statuses that heal by themselves (the next run retries): summarized, not listed.
TRANSIENT_CAPTURE_STATUSES = ("rate_limited", "partial")
TEXT_LIMIT = 1200
EVIDENCE_LIMIT = 600
MEDIA_PER_FINDING = 4

RULE_TITLES = {
    "teacher_page_non_school": "Teacher page post not about school",
    "student_media_without_consent": "Student photo or video without consent",
    "unapproved_controversial_reply": "Unapproved reply in a controversial thread",
    "removable_comment": "Public comment the policy allows removing",
    "confidential_disclosure": "Student confidential information disclosed",
    "private_exchange_with_student": "Private exchange with a student",
    "account_governance": "Account governance",
    "undocumented_removal": "Removal with no recorded ground",
    "media_attention": "Post drawing public attention",
    "unchecked_media": "Photo or video the audit could not check",
}

LAST_RUN = """
SELECT job, started_at, finished_at, status FROM audit.runs
ORDER BY coalesce(finished_at, started_at) DESC LIMIT 1
"""
ANY_DISPOSITION = "SELECT count(*) FROM audit.current_dispositions"

DEFINITIONS = (
    "A week runs from Monday 00:00 to the next Monday 00:00 in {tz}.",
    "Items audited: posts, comments and replies created in the week on the district's registered "
    "accounts and teacher pages. District posts: those written by the district's own accounts "
    "(posts and replies); public items: comments and replies by anyone else.",
    "A finding belongs to the week its post or comment was created in (a finding about an account "
    "itself: the week it was first seen), so a rebuilt week keeps its findings and adds any "
    "found since.",
    "Figures count every finding not dismissed as a false positive, whether it is open, resolved "
    "or cleared (the platform no longer shows it): a breach that was fixed still happened. Open: "
    "needs attention. Dismissed: the latest review marked it a false positive for its current "
    "content. A post edited after its review is open again.",
    "Capture health: an account is stale, and its figures may be incomplete, when it had no "
    "successful capture in the last {max_age} hours of the week (for the current week: before "
    "this page was made) nor any since. Capture errors are those logged during the week.",
    "False-positive rate: the share of a rule's reviewed findings whose latest review is "
    "'false positive'. Only reviews of the content a finding still has count: a review of a post "
    "edited since judged other words, so that finding counts as not reviewed (and is open) until "
    "the new text is reviewed.",
    "Evidence: “…” stands for words the detector quoted from the post; they are highlighted in "
    "the post. The detector's name and a ground that repeats the finding's kind are not repeated "
    "(the Rule column shows them).",
    "Links open only https pages of the platforms themselves; thumbnails are made from the "
    "district's own media store and embedded in this file, which needs no network to open.",
)


class _ConfigLike(Protocol):
    district_name: str
    timezone: str
    max_capture_age_hours: int
    media_dir: Path
    policy_pack: str


@dataclass(frozen=True)
class DashboardSettings:
    """What a dashboard needs to know about the district (see ``from_config``)."""

    district_name: str
    timezone: str
    max_capture_age_hours: int = 26
    media_dir: Path | None = None
    thumbnail_cache_dir: Path | None = None  # default: MEDIA_DIR/.thumbnails
    policy_pack: str = ""
    rules: tuple[str, ...] = ()  # rules the pack runs: listed even in a week without findings
    trend_weeks: int = 12
    page_size: int = 100
    max_thumbnails: int = 2500
    now: datetime | None = None  # "now" for capture health of the current week; default: clock

    @classmethod
    def from_config(cls, config: _ConfigLike, **overrides: Any) -> DashboardSettings:
        """Settings from a ``pipelines.config.Config`` (or anything with the same attributes)."""
        values: dict[str, Any] = {
            "district_name": config.district_name,
            "timezone": config.timezone,
            "max_capture_age_hours": config.max_capture_age_hours,
            "media_dir": config.media_dir,
            "policy_pack": config.policy_pack,
            "rules": _pack_rules(config.policy_pack),
        }
        values.update(overrides)
        return cls(**values)

    @property
    def cache_dir(self) -> Path | None:
        if self.thumbnail_cache_dir is not None:
            return self.thumbnail_cache_dir
        return self.media_dir / ".thumbnails" if self.media_dir is not None else None

    def clock(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)


def _pack_rules(pack_name: str) -> tuple[str, ...]:
    """The implemented rules the policy pack enables; none if the pack cannot be read."""
    if not pack_name:
        return ()
    try:
        from checks.engine import IMPLEMENTED_RULES
        from checks.policy import load_pack

        enabled = set(load_pack(pack_name).enabled_rules())
    except Exception:  # noqa: BLE001 - the dashboard only loses the rows of rules with no finding
        return ()
    return tuple(rule for rule in IMPLEMENTED_RULES if rule in enabled)


def week_file_name(week: Week) -> str:
    """The file name of a week's dashboard, e.g. ``week-2026-W14.html``."""
    return f"week-{week.name}.html"


# --------------------------------------------------------------------------- SQL and rows


@cache
def _sql(name: str) -> str:
    return resources.files("dashboards").joinpath(f"sql/{name}.sql").read_text("utf-8")


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> list[dict]:
    cursor = con.execute(_sql(name), dict(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def weeks_with_data(con: duckdb.DuckDBPyConnection, settings: DashboardSettings) -> list[Week]:
    """Every week that has audited items or findings, oldest first."""
    rows = _rows(con, "dashboard_weeks", {"tz": settings.timezone})
    return [Week(r["week_start"], settings.timezone) for r in rows]


def _pct(part: int | None, whole: int | None) -> float | None:
    if not whole:
        return None
    return 100.0 * (part or 0) / whole


def _fmt_pct(value: float | None) -> str:
    if value is None:
        return "—"
    if 99.5 <= value < 100:
        return ">99%"
    if 0 < value < 0.5:
        return "<1%"
    return f"{value:.0f}%"


def _local(moment: datetime | None, tz: ZoneInfo, fmt: str = "%a %d %b %Y %H:%M") -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime(fmt)


def _week_label(week: Week) -> str:
    monday, sunday = week.monday, week.sunday
    if monday.year != sunday.year:
        return f"Mon {monday:%d %b %Y} – Sun {sunday:%d %b %Y}"
    return f"Mon {monday:%d %b} – Sun {sunday:%d %b %Y}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _evidence_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(_evidence_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return " ".join(f"{k}={_evidence_value(v)}" for k, v in value.items())
    if value is None:
        return "—"
    return str(value)


QUOTE_MIN_CHARS = 12  # an evidence string this long found verbatim in the post is a quote
QUOTED = "“…”"  # the page's notes: the words quoted are highlighted in the post
HIDDEN_EVIDENCE_KEYS = frozenset({"detector"})  # which detector: the rule already says it


def _utf16_len(text: str) -> int:
    """Length in UTF-16 code units: string offsets in the page's JavaScript."""
    return len(text.encode("utf-16-le")) // 2


def page_evidence(raw: str | None, post_text: str = "", kind: str = "",
                  ) -> tuple[str, list[list[int]]]:
    """A finding's evidence JSON as one readable line (``key: value · key: value``), and the
    spans of ``post_text`` it quotes: an evidence string found verbatim in the post is not
    repeated (``“…”``); its span, as ``[start, end]`` in UTF-16 code units, is highlighted in
    the post instead. What the table shows elsewhere is left out: the ``detector`` key (the rule
    names it) and a value that is just the finding's ``kind`` (e.g. ``ground: spam``)."""
    if not raw:
        return "", []
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return _truncate(str(raw), EVIDENCE_LIMIT), []
    spans: list[tuple[int, int]] = []

    def quoted(item: Any) -> Any:
        if isinstance(item, str) and len(item) >= QUOTE_MIN_CHARS and post_text:
            at = post_text.find(item)
            if at >= 0:
                spans.append((at, at + len(item)))
                return QUOTED
        return item

    if isinstance(value, dict):
        shown = {k: ([quoted(x) for x in v] if isinstance(v, list) else quoted(v))
                 for k, v in value.items()
                 if k not in HIDDEN_EVIDENCE_KEYS and not (kind and v == kind)}
        text = " · ".join(f"{str(k).replace('_', ' ')}: {_evidence_value(v)}"
                          for k, v in shown.items())
    else:
        text = _evidence_value(value)
    marks: list[list[int]] = []
    end = -1
    for start, stop in sorted(spans):
        if start >= end:  # overlapping quotes: the first one is marked
            marks.append([_utf16_len(post_text[:start]), _utf16_len(post_text[:stop])])
            end = stop
    return _truncate(text, EVIDENCE_LIMIT), marks


def format_evidence(raw: str | None) -> str:
    """A finding's evidence JSON as one readable line (``key: value · key: value``)."""
    return page_evidence(raw)[0]


def rule_title(rule: str) -> str:
    return RULE_TITLES.get(rule, rule.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- the week's data


@dataclass
class RuleLine:
    rule: str
    title: str
    by_severity: dict[str, int]
    findings: int
    previous: int
    open_findings: int
    series: list[int]
    reviewed_week: int = 0
    fp_week: int = 0
    reviewed_trend: int = 0
    fp_trend: int = 0

    @property
    def delta(self) -> int:
        return self.findings - self.previous

    @property
    def fp_rate_week(self) -> str:
        return _fmt_pct(_pct(self.fp_week, self.reviewed_week))

    @property
    def fp_rate_trend(self) -> str:
        return _fmt_pct(_pct(self.fp_trend, self.reviewed_trend))


@dataclass
class TrendWeek:
    week: Week
    by_severity: dict[str, int]
    items_audited: int = 0
    current: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass
class WeekDashboard:
    """Everything a week's page shows; ``build_week_dashboard`` renders it."""

    settings: DashboardSettings
    week: Week
    generated_at: datetime
    totals: dict[str, Any]
    previous_totals: dict[str, Any]
    by_severity: dict[str, int]
    previous_by_severity: dict[str, int]
    open_findings: int
    dismissed: int
    reviewed: int
    false_positives: int
    rules: list[RuleLine]
    trend: list[TrendWeek]
    schools: list[dict[str, Any]]
    accounts: list[dict[str, Any]]
    capture: list[dict[str, Any]]  # per registered account: last capture, stale
    capture_errors: list[dict[str, Any]]
    capture_as_of: datetime
    has_dispositions: bool
    findings: list[dict[str, Any]]
    thumbnails: dict[str, str] = field(default_factory=dict)
    last_run: dict[str, Any] | None = None
    weeks_available: list[Week] = field(default_factory=list)

    @property
    def findings_total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def stale_accounts(self) -> list[dict[str, Any]]:
        return [r for r in self.capture if r["stale"]]

    @property
    def access_errors(self) -> list[dict[str, Any]]:
        """Capture problems that need someone (token, permission, credits, errors)."""
        return [e for e in self.capture_errors if e["status"] not in TRANSIENT_CAPTURE_STATUSES]

    @property
    def transient_errors(self) -> list[dict[str, Any]]:
        """Per transient status: how often, on how many accounts, the last time."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.capture_errors:
            if e["status"] in TRANSIENT_CAPTURE_STATUSES:
                entry = out.setdefault(e["status"], {"status": e["status"], "occurrences": 0,
                                                     "accounts": set(), "last_at": e["last_at"]})
                entry["occurrences"] += e["occurrences"]
                entry["accounts"].add(e["account_id"])
                entry["last_at"] = max(entry["last_at"], e["last_at"])
        return [{**v, "accounts": len(v["accounts"])} for v in out.values()]

    @property
    def district_clean_pct(self) -> float | None:
        return _pct(self.totals.get("district_items_clean"), self.totals.get("district_items"))

    @property
    def accounts_clean_pct(self) -> float | None:
        return _pct(self.totals.get("accounts_clean"), self.totals.get("accounts"))


def _empty_totals() -> dict[str, Any]:
    return {"accounts": 0, "accounts_clean": 0, "accounts_active": 0, "items_audited": 0,
            "posts": 0, "public_items": 0, "district_items": 0, "district_items_clean": 0,
            "findings": 0, "open_findings": 0}


def collect_week(
    con: duckdb.DuckDBPyConnection, settings: DashboardSettings, week: Week
) -> WeekDashboard:
    """Query everything a week's dashboard shows (read-only)."""
    if week.tz != settings.timezone:
        week = Week(week.monday, settings.timezone)
    now = settings.clock()
    bounds = {"start": week.start, "end": week.end}

    compliance = _rows(con, "dashboard_compliance", bounds)
    totals = next((r for r in compliance if r["level"] == "total"), None) or _empty_totals()
    schools = [r for r in compliance if r["level"] == "school"]
    accounts = [r for r in compliance if r["level"] == "account"]

    trend_weeks = week.previous(max(2, settings.trend_weeks))
    rule_rows = _rows(con, "dashboard_rule_weeks", {
        "tz": settings.timezone, "from": trend_weeks[0].start, "end": week.end})
    week_rows = {r["week_start"]: r for r in _rows(con, "dashboard_weeks",
                                                   {"tz": settings.timezone})}
    previous_week = week.shifted(-1)

    by_week_rule: dict[tuple[date, str], dict[str, int]] = {}
    for r in rule_rows:
        key = (r["week_start"], r["rule"])
        entry = by_week_rule.setdefault(key, {"findings": 0, "open": 0, "reviewed": 0, "fp": 0,
                                              "dismissed": 0, **dict.fromkeys(SEVERITIES, 0)})
        entry["findings"] += r["findings"]
        entry[r["severity"]] = entry.get(r["severity"], 0) + r["findings"]
        entry["open"] += r["open_findings"]
        entry["reviewed"] += r["reviewed"]
        entry["fp"] += r["false_positives"]
        entry["dismissed"] += r["dismissed"]

    rule_names = list(dict.fromkeys([*settings.rules, *sorted({k[1] for k in by_week_rule})]))
    zero = {"findings": 0, "open": 0, "reviewed": 0, "fp": 0, "dismissed": 0,
            **dict.fromkeys(SEVERITIES, 0)}
    rules: list[RuleLine] = []
    for rule in rule_names:
        this = by_week_rule.get((week.monday, rule), zero)
        rules.append(RuleLine(
            rule=rule, title=rule_title(rule),
            by_severity={s: this[s] for s in SEVERITIES},
            findings=this["findings"],
            previous=by_week_rule.get((previous_week.monday, rule), zero)["findings"],
            open_findings=this["open"],
            series=[by_week_rule.get((w.monday, rule), zero)["findings"] for w in trend_weeks],
            reviewed_week=this["reviewed"], fp_week=this["fp"],
            reviewed_trend=sum(by_week_rule.get((w.monday, rule), zero)["reviewed"]
                               for w in trend_weeks),
            fp_trend=sum(by_week_rule.get((w.monday, rule), zero)["fp"] for w in trend_weeks),
        ))
    rules.sort(key=lambda r: (-r.findings, -sum(r.series), r.rule))

    def severity_of(w: Week) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for (monday, _rule), entry in by_week_rule.items():
            if monday == w.monday:
                for s in SEVERITIES:
                    out[s] += entry[s]
        return out

    trend = [TrendWeek(w, severity_of(w),
                       items_audited=int(week_rows.get(w.monday, {}).get("items_audited", 0)),
                       current=w == week) for w in trend_weeks]
    this_week = [e for (m, _r), e in by_week_rule.items() if m == week.monday]

    as_of = min(now, week.end)
    capture = _rows(con, "dashboard_capture_freshness", {
        "as_of": as_of, "now": now, "max_age_hours": settings.max_capture_age_hours})
    errors = _rows(con, "dashboard_capture_errors", {"from": week.start, "as_of": as_of})

    last_run_row = con.execute(LAST_RUN).fetchone()
    last_run = None
    if last_run_row:
        last_run = dict(zip(("job", "started_at", "finished_at", "status"), last_run_row,
                            strict=True))
    findings = _rows(con, "dashboard_findings", bounds)
    thumbnails: dict[str, str] = {}
    if settings.media_dir is not None and findings:
        wanted = [(m["sha256"], m["local_path"]) for f in findings
                  for m in (f["media"] or [])[:MEDIA_PER_FINDING] if m["sha256"]]
        thumbnails = thumbnail_data_uris(wanted, settings.media_dir, settings.cache_dir,
                                         limit=settings.max_thumbnails)
    previous = week_rows.get(previous_week.monday) or {}
    return WeekDashboard(
        settings=settings, week=week, generated_at=now, totals=totals,
        previous_totals=previous,
        by_severity=severity_of(week),
        previous_by_severity={s: int(previous.get(s, 0)) for s in SEVERITIES},
        open_findings=sum(e["open"] for e in this_week),
        dismissed=sum(e["dismissed"] for e in this_week),
        reviewed=sum(e["reviewed"] for e in this_week),
        false_positives=sum(e["fp"] for e in this_week),
        rules=rules, trend=trend, schools=schools, accounts=accounts,
        capture=capture, capture_errors=errors, capture_as_of=as_of,
        has_dispositions=bool(con.execute(ANY_DISPOSITION).fetchone()[0]),
        findings=findings, thumbnails=thumbnails, last_run=last_run,
        weeks_available=[Week(m, settings.timezone) for m in sorted(week_rows)],
    )


# --------------------------------------------------------------------------- the payload

PAYLOAD_COLUMNS = (
    "id", "rule", "kind", "severity", "status", "account", "school", "posted", "posted_label",
    "item_kind", "author", "item_state", "text", "marks", "evidence", "clause", "url", "media",
    "disposition", "reviewer", "note", "reviewed_at", "review_current",
)
# Columns with few distinct values: each value is embedded once, in ``dicts``, and a row holds
# its index (the page's script swaps them back when it loads the data).
DICT_COLUMNS = (
    "rule", "kind", "severity", "status", "school", "posted_label", "item_kind", "item_state",
    "clause", "disposition", "reviewer", "reviewed_at",
)


def findings_payload(data: WeekDashboard) -> dict[str, Any]:
    """The findings table's data, each value embedded once: compact rows (one list per finding,
    ``cols`` names them), repeated values in ``dicts`` (rows hold their index), lookup tables for
    accounts, clauses and thumbnails. The evidence does not repeat what it quotes from the post:
    ``marks`` holds those spans of ``text`` (UTF-16 offsets) and the page highlights them."""
    tz = ZoneInfo(data.settings.timezone)
    account_info = {r["account_key"]: r for r in data.accounts}
    accounts: list[list[str]] = []
    account_index: dict[str, int] = {}
    clauses: dict[str, list[str]] = {}
    dict_index = [PAYLOAD_COLUMNS.index(c) for c in DICT_COLUMNS]
    tables: list[dict[Any, int]] = [{} for _ in DICT_COLUMNS]
    rows: list[list[Any]] = []
    for f in data.findings:
        key = f["account_id"] or ""
        if key not in account_index:
            info = account_info.get(key, {})
            account_index[key] = len(accounts)
            accounts.append([key, info.get("handle") or key or "(no account)",
                             info.get("platform") or f["platform"] or "",
                             info.get("account_kind") or "", info.get("display_name") or ""])
        clause_id = f["clause_id"] or ""
        if clause_id not in clauses:
            clauses[clause_id] = [f["clause_section"] or "", f["clause_quote"] or ""]
        media = []
        for m in (f["media"] or [])[:MEDIA_PER_FINDING]:
            sha = m["sha256"] if m["sha256"] in data.thumbnails else ""
            media.append([sha, m["media_type"] or "",
                          safe_media_url(m["url"]) or safe_media_url(m["preview_url"]) or "",
                          _truncate(m["alt_text"] or "", 300)])
        posted = f["week_at"]
        author = ""
        if f["item_id"] and not f["author_is_district"]:
            author = f["author_handle"] or "(name withheld by the platform)"
        text = _truncate(f["item_text"] or "", TEXT_LIMIT)
        evidence, marks = page_evidence(f["evidence"], text, f["kind"])
        row = [
            f["finding_id"], f["rule"], f["kind"], f["severity"], f["status"],
            account_index[key], f["school"] or "",
            int(posted.timestamp()) if posted else 0, _local(posted, tz, "%a %d %b %H:%M"),
            f["item_kind"] or ("account" if not f["item_id"] else ""), author,
            f["item_state"] if f["item_state"] not in (None, "visible") else "",
            text, marks, evidence,
            clause_id, safe_permalink(f["permalink"]) or "", media,
            f["disposition"] or "", f["disposition_reviewer"] or "",
            _truncate(f["disposition_note"] or "", 500),
            _local(f["disposition_recorded_at"], tz, "%d %b %Y"),
            0 if f["disposition_is_current"] is False else 1,
        ]
        for index, table in zip(dict_index, tables, strict=True):
            row[index] = table.setdefault(row[index], len(table))
        rows.append(row)
    return {
        "cols": list(PAYLOAD_COLUMNS),
        "dicts": {c: list(t) for c, t in zip(DICT_COLUMNS, tables, strict=True)},
        "rows": rows,
        "accounts": accounts,
        "clauses": clauses,
        "thumbs": data.thumbnails,
        "ruleTitles": {r: rule_title(r) for r in {f["rule"] for f in data.findings}},
        "pageSize": data.settings.page_size,
    }


def _filter_options(data: WeekDashboard) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) of each filter's choices, from the week's findings."""
    def count(values: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in values:
            out[v] = out.get(v, 0) + 1
        return out

    f = data.findings
    handles = {r["account_key"]: f"{r['handle'] or r['account_key']} ({r['platform']})"
               for r in data.accounts}
    rules = count(x["rule"] for x in f)
    severities = count(x["severity"] for x in f)
    schools = count(x["school"] or "" for x in f)
    accounts = count(x["account_id"] or "" for x in f)
    statuses = count(x["status"] for x in f)
    reviews = count(x["disposition"] or "unreviewed" for x in f)
    return {
        "rule": [(r, rule_title(r), n) for r, n in sorted(rules.items())],
        "severity": [(s, s, severities[s]) for s in SEVERITIES if s in severities],
        "school": [(s, s or "(no school)", n) for s, n in sorted(schools.items())],
        "account": sorted(((a, handles.get(a, a or "(no account)"), n)
                           for a, n in accounts.items()), key=lambda t: t[1].lower()),
        "status": [(s, s, statuses[s]) for s in STATUSES if s in statuses],
        "review": [(r, r.replace("_", " "), n) for r, n in sorted(reviews.items())],
    }


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dashboards", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson escapes <, >, & and ' as \u003c etc.: safe inside <script type="application/json">
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":"),
                                         "sort_keys": False}
    env.filters["pct"] = _fmt_pct
    env.filters["num"] = lambda n: f"{int(n or 0):,}"
    env.filters["signed"] = lambda n: f"+{n:,}" if n > 0 else (f"{n:,}" if n < 0 else "±0")
    return env


@cache
def _static(name: str) -> str:
    return resources.files("dashboards").joinpath(f"templates/{name}").read_text("utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _page_context(settings: DashboardSettings, scripts: Sequence[str] = ()) -> dict[str, Any]:
    from markupsafe import Markup

    css = _static("dashboard.css")
    csp = ("default-src 'none'; img-src data:; style-src " + _csp_hash(css)
           + "; script-src " + (" ".join(_csp_hash(s) for s in scripts) or "'none'")
           + "; base-uri 'none'; form-action 'none'")
    return {
        "district": settings.district_name,
        "tz": settings.timezone,
        # our own static files, not data: trusted as markup so the CSP hash matches them
        "css": Markup(css),
        "scripts": [Markup(s) for s in scripts],
        "csp": csp,
        "definitions": [d.format(tz=settings.timezone, max_age=settings.max_capture_age_hours)
                        for d in DEFINITIONS],
        "index_file": INDEX_FILE,
        "severities": SEVERITIES,
    }


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def render_week(data: WeekDashboard) -> str:
    """The week's page as HTML."""
    settings = data.settings
    tz = ZoneInfo(settings.timezone)
    js = _static("dashboard.js")
    context = _page_context(settings, [js])
    available = {w.monday for w in data.weeks_available}
    prev_week, next_week = data.week.shifted(-1), data.week.shifted(1)
    trend_max = max([t.total for t in data.trend] + [1])
    context.update(
        d=data,
        week=data.week,
        week_label=_week_label(data.week),
        generated=_local(data.generated_at, tz),
        last_run=data.last_run,
        last_run_at=_local((data.last_run or {}).get("finished_at")
                           or (data.last_run or {}).get("started_at"), tz),
        capture_as_of=_local(data.capture_as_of, tz),
        local=lambda moment: _local(moment, tz),
        prev_file=week_file_name(prev_week) if prev_week.monday in available else None,
        next_file=week_file_name(next_week) if next_week.monday in available else None,
        prev_name=prev_week.name, next_name=next_week.name,
        trend_max=trend_max,
        filters=_filter_options(data),
        payload=findings_payload(data),
        rule_title=rule_title,
        pct=_pct,
    )
    return _environment().get_template("week.html.j2").render(context)


def build_week_dashboard(
    con: duckdb.DuckDBPyConnection, settings: DashboardSettings, week: Week, out_dir: Path
) -> Path:
    """Write ``out_dir/week-YYYY-Www.html`` for ``week``; return its path."""
    data = collect_week(con, settings, week)
    return _write(Path(out_dir) / week_file_name(data.week), render_week(data))


def build_index(con: duckdb.DuckDBPyConnection, settings: DashboardSettings,
                out_dir: Path) -> Path:
    """Write ``out_dir/index.html``: every week with data, newest first, linking the weeks whose
    page exists in ``out_dir``; return its path."""
    out_dir = Path(out_dir)
    tz = ZoneInfo(settings.timezone)
    rows = _rows(con, "dashboard_weeks", {"tz": settings.timezone})
    accounts = con.execute("SELECT count(*) FROM registry.accounts").fetchone()[0]
    weeks = []
    for r in rows:
        week = Week(r["week_start"], settings.timezone)
        name = week_file_name(week)
        weeks.append({
            **r, "week": week, "label": _week_label(week),
            "file": name if (out_dir / name).exists() else None,
            "district_clean_pct": _pct(r["district_items_clean"], r["district_items"]),
            "accounts_clean_pct": _pct(max(accounts - r["accounts_with_findings"], 0), accounts),
            "fp_rate": _fmt_pct(_pct(r["false_positives"], r["reviewed"])),
        })
    weeks.reverse()
    chart = weeks[:52][::-1]
    context = _page_context(settings)
    context.update(weeks=weeks, chart=chart, chart_max=max([w["findings"] for w in chart] + [1]),
                   generated=_local(settings.clock(), tz), accounts=accounts,
                   current=week_of(settings.clock(), settings.timezone))
    html = _environment().get_template("index.html.j2").render(context)
    return _write(out_dir / INDEX_FILE, html)


def build_dashboards(
    con: duckdb.DuckDBPyConnection,
    settings: DashboardSettings,
    out_dir: Path,
    weeks: Iterable[Week] | None = None,
) -> list[Path]:
    """Build the pages of ``weeks`` (default: every week with data), then the index; return the
    paths written, the index last."""
    chosen = list(weeks) if weeks is not None else weeks_with_data(con, settings)
    paths = [build_week_dashboard(con, settings, w, out_dir) for w in chosen]
    paths.append(build_index(con, settings, out_dir))
    return paths

