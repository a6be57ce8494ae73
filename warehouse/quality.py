"""Data quality of the warehouse, validated with great_expectations (1.x) over DataFrames.

Every table the pipeline writes or loads has an expectation suite here: keys unique and not
null, platforms, kinds and states in their sets, timestamps in range (not before the platforms
existed, not in the future), every item's account registered, consent dates ordered, media URLs
well-formed, open findings citing a clause of the active policy pack. Each check names the
Dagster asset that writes its table and says whether it is **blocking**: a blocking check fails
when the findings built on the table would be wrong, and stops the assets downstream.

How it runs. GX's SQL data source cannot read DuckDB (it closes the connection before reading
the results), so each table is read from DuckDB into pandas DataFrames and validated there with
GX's pandas data source in an ephemeral context. A *frame* is a SQL file
(``sql/quality_*.sql``) that creates the temporary view ``quality_frame`` with only the columns
the checks need: ids, codes, timestamps, URLs and hashes, never post text, names or emails, so a
failure's sample shows nothing personal beyond ids. Large tables are read in batches of about
``batch_rows`` rows, partitioned by a hash of the table's key (the view's ``part_key``): all rows
with the same key land in the same batch, so uniqueness checked per batch holds for the table.
Results of the batches are added up.

``validate(con, pack)`` returns one ``CheckResult`` per check. Nothing here imports Dagster, and
great_expectations and pandas are imported only inside ``validate``: importing this module stays
cheap, and the check specs (``checks_by_asset``) are plain data Dagster reads at load time.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import duckdb

from connectors.base import utcnow
from warehouse.registry import ACCOUNT_KINDS, CONSENT_SCOPES, PLATFORMS

if TYPE_CHECKING:
    from checks.policy import PolicyPack

__all__ = [
    "BATCH_ROWS",
    "FRAMES",
    "CheckResult",
    "CheckSpec",
    "Environment",
    "Frame",
    "checks_by_asset",
    "environment",
    "failed_blocking",
    "validate",
]

BATCH_ROWS = 100_000
SAMPLE_SIZE = 5
SAMPLE_VALUE_CHARS = 80
CLOCK_SKEW = timedelta(days=1)
# Facebook opened in February 2004; nothing a platform shows can be older.
EARLIEST_CONTENT = datetime(2004, 2, 4, tzinfo=UTC)
# A parent consent form older than this is not a plausible record for a current student.
EARLIEST_CONSENT = datetime(2000, 1, 1)

ITEM_KINDS = ("post", "comment", "reply")
ITEM_STATES = ("visible", "hidden", "deleted")
MEDIA_TYPES = ("photo", "video", "animated_gif")
RAW_ORIGINS = ("api", "twarc", "x_archive", "graph_json", "simulated")
FINDING_STATUSES = ("open", "cleared", "dismissed", "resolved")
SHA256_REGEX = r"^[0-9a-f]{64}$"
# http(s), a host without spaces or credentials, then anything without whitespace.
URL_REGEX = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$"

COUNT_FRAME = "SELECT count(*) FROM quality_frame"
COUNT_SCOPED_FRAME = "SELECT count(*) FROM quality_frame WHERE scope = $scope OR scope IS NULL"
BATCH = "SELECT * EXCLUDE (part_key) FROM quality_frame WHERE part_key % $parts = $part"
SCOPED_BATCH = """
SELECT * EXCLUDE (part_key, scope) FROM quality_frame
WHERE part_key % $parts = $part AND (scope = $scope OR scope IS NULL)
"""
DROP_FRAME = "DROP VIEW IF EXISTS quality_frame"
ACCOUNT_KEYS = "SELECT account_key FROM registry.accounts ORDER BY 1"
DESIGNEE_IDS = "SELECT designee_id FROM registry.designees ORDER BY 1"


# --------------------------------------------------------------------------------------------
# What is checked
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """What the expectations are measured against: the clock, the registry, the active pack."""

    now: datetime
    account_keys: tuple[str, ...]
    designee_ids: tuple[str, ...]
    pack_name: str
    clause_ids: tuple[str, ...]
    bindings: tuple[str, ...]  # "rule @ clause" for every rule a clause of the pack binds

    @property
    def latest(self) -> datetime:
        return self.now + CLOCK_SKEW

    @property
    def latest_date(self) -> datetime:
        """Upper bound for DATE columns (read as naive datetimes)."""
        return self.latest.replace(tzinfo=None)


Kwargs = Callable[[Environment], dict[str, Any]]


def _static(**kwargs: Any) -> Kwargs:
    return lambda env: dict(kwargs)


@dataclass(frozen=True)
class CheckSpec:
    """One expectation: its check name (unique per asset), the GX expectation class and its
    arguments (given the environment), whether it blocks, and what it means in words."""

    name: str
    expectation: str
    kwargs: Kwargs
    blocking: bool
    expect: str
    show_value: bool = True  # False: the sample names rows by their ids only


@dataclass(frozen=True)
class Frame:
    """A table (or a slice of one) as a DataFrame for one asset, and the checks on it."""

    name: str
    table: str
    asset: str
    sql_file: str
    ids: tuple[str, ...]  # columns that name a row in samples
    checks: tuple[CheckSpec, ...]
    scope: str | None = None  # for frames with a ``scope`` column: the rows of this asset


def _unique(column: str, table: str, blocking: bool = True) -> tuple[CheckSpec, CheckSpec]:
    return (
        CheckSpec(f"{table}_{column}_not_null", "ExpectColumnValuesToNotBeNull",
                  _static(column=column), blocking, f"{table}.{column} is set on every row"),
        CheckSpec(f"{table}_{column}_unique", "ExpectColumnValuesToBeUnique",
                  _static(column=column), blocking, f"no two rows of {table} share one {column}"),
    )


def _in_set(name: str, column: str, values: Iterable[str], blocking: bool,
            expect: str) -> CheckSpec:
    return CheckSpec(name, "ExpectColumnValuesToBeInSet",
                     _static(column=column, value_set=list(values)), blocking, expect)


def _between(name: str, column: str, blocking: bool, expect: str, *,
             dates: bool = False, earliest: datetime = EARLIEST_CONTENT) -> CheckSpec:
    def kwargs(env: Environment) -> dict[str, Any]:
        return {"column": column, "min_value": earliest,
                "max_value": env.latest_date if dates else env.latest}

    return CheckSpec(name, "ExpectColumnValuesToBeBetween", kwargs, blocking, expect)


def _ordered(name: str, later: str, earlier: str, blocking: bool, expect: str) -> CheckSpec:
    return CheckSpec(name, "ExpectColumnPairValuesAToBeGreaterThanB",
                     _static(column_A=later, column_B=earlier, or_equal=True,
                             ignore_row_if="either_value_is_missing"), blocking, expect)


def _regex(name: str, column: str, regex: str, blocking: bool, expect: str,
           show_value: bool = True) -> CheckSpec:
    return CheckSpec(name, "ExpectColumnValuesToMatchRegex", _static(column=column, regex=regex),
                     blocking, expect, show_value=show_value)


def _platform(table: str, blocking: bool = True, column: str = "platform") -> CheckSpec:
    return _in_set(f"{table}_{column}_known", column, PLATFORMS, blocking,
                   f"{table}.{column} is one of {', '.join(PLATFORMS)}")


def _raw_frame(platform: str) -> Frame:
    return Frame(
        name=f"raw_pages_{platform}", table="raw.api_pages", asset=f"raw_{platform}",
        sql_file="quality_raw_pages.sql", ids=("page_id",), scope=platform,
        checks=(
            *_unique("page_key", "api_pages", blocking=False),
            _platform("api_pages", blocking=False, column="source"),
            _in_set("api_pages_origin_known", "origin", RAW_ORIGINS, False,
                    f"api_pages.origin is one of {', '.join(RAW_ORIGINS)}"),
            _between("api_pages_fetched_at_in_range", "fetched_at", False,
                     "pages were fetched after 2004 and not in the future"),
            _regex("api_pages_sha256_well_formed", "sha256", SHA256_REGEX, False,
                   "api_pages.sha256 is a lowercase hex sha256"),
            CheckSpec("api_pages_account_registered", "ExpectColumnValuesToBeInSet",
                      lambda env: {"column": "account_id", "value_set": list(env.account_keys)},
                      False, "every page's account is in registry.accounts"),
        ),
    )


FRAMES: tuple[Frame, ...] = (
    # --- registry -----------------------------------------------------------------------------
    Frame("accounts", "registry.accounts", "registry", "quality_accounts.sql", ("account_key",), (
        *_unique("account_key", "accounts"),
        _platform("accounts"),
        _in_set("accounts_kind_known", "kind", ACCOUNT_KINDS, True,
                f"accounts.kind is one of {', '.join(ACCOUNT_KINDS)}"),
        CheckSpec("accounts_key_is_platform_id", "ExpectColumnPairValuesToBeEqual",
                  _static(column_A="account_key", column_B="expected_key"), True,
                  "accounts.account_key is platform:platform_id"),
    )),
    Frame("designees", "registry.designees", "registry", "quality_designees.sql",
          ("designee_id",), _unique("designee_id", "designees")),
    Frame("consents", "registry.consents", "registry", "quality_consents.sql", ("consent_id",), (
        *_unique("consent_id", "consents"),
        _ordered("consents_expire_after_granted", "expires_on", "granted_on", True,
                 "no consent expires before it was granted"),
        _ordered("consents_revoked_after_granted", "revoked_on", "granted_on", True,
                 "no consent is revoked before it was granted"),
        _between("consents_granted_on_in_range", "granted_on", False,
                 "consents were granted after 2000 and not in the future", dates=True,
                 earliest=EARLIEST_CONSENT),
        _regex("consents_student_id_hashed", "student_id_sha256", SHA256_REGEX, False,
               "consents hold a sha256 of the student id, never the id itself",
               show_value=False),
    )),
    Frame("consent_scopes", "registry.consents", "registry", "quality_consent_scopes.sql",
          ("consent_id",), (
              _in_set("consents_scope_known", "scope", CONSENT_SCOPES, True,
                      f"every consent scope is one of {', '.join(CONSENT_SCOPES)}"),
          )),
    Frame("media_consents", "registry.media_consents", "registry", "quality_media_consents.sql",
          ("platform", "post_id", "consent_id"), (
              _platform("media_consents"),
              # a consent id the registry does not know is a finding of
              # student_media_without_consent ("unknown"), not a data quality problem
          )),
    Frame("approvals", "registry.approvals", "registry", "quality_approvals.sql",
          ("approval_id",), (
              *_unique("approval_id", "approvals"),
              _platform("approvals"),
              CheckSpec("approvals_by_a_designee", "ExpectColumnValuesToBeInSet",
                        lambda env: {"column": "approver",
                                     "value_set": list(env.designee_ids)},
                        True, "every approval is by a designee in registry.designees"),
              _between("approvals_approved_at_in_range", "approved_at", True,
                       "approvals are dated after 2004 and not in the future"),
          )),
    Frame("roster", "registry.roster", "registry", "quality_roster.sql", ("platform",), (
        _platform("roster", blocking=False),
        _regex("roster_handles_hashed", "student_handle_sha256", SHA256_REGEX, False,
               "the roster holds sha256 hashes of student handles, never the handles",
               show_value=False),
    )),
    # --- raw: one frame per platform asset ----------------------------------------------------
    *(_raw_frame(p) for p in PLATFORMS),
    # --- core ---------------------------------------------------------------------------------
    Frame("items", "core.items", "core_items", "quality_items.sql", ("item_id",), (
        *_unique("item_id", "items"),
        _platform("items"),
        _in_set("items_kind_known", "kind", ITEM_KINDS, True,
                f"items.kind is one of {', '.join(ITEM_KINDS)}"),
        _in_set("items_state_known", "state", ITEM_STATES, True,
                f"items.state is one of {', '.join(ITEM_STATES)}"),
        _between("items_created_at_in_range", "created_at", True,
                 "items were created after 2004 and not in the future"),
        _between("items_last_seen_at_in_range", "last_seen_at", False,
                 "items were last seen after 2004 and not in the future"),
        _ordered("items_seen_in_order", "last_seen_at", "first_seen_at", False,
                 "no item was last seen before it was first seen"),
        CheckSpec("items_account_registered", "ExpectColumnValuesToBeInSet",
                  lambda env: {"column": "account_id", "value_set": list(env.account_keys)},
                  True, "every item's account is in registry.accounts"),
        CheckSpec("items_have_account", "ExpectColumnValuesToNotBeNull",
                  _static(column="account_id"), False,
                  "every item names the account whose capture found it (imports: --account)"),
        _regex("items_permalink_well_formed", "permalink", URL_REGEX, True,
               "every permalink is an http(s) URL (reports and alerts link to it)"),
    )),
    Frame("item_versions", "core.item_versions", "core_items", "quality_item_versions.sql",
          ("item_id", "version_id"), (
              CheckSpec("item_versions_item_captured", "ExpectColumnValuesToNotBeNull",
                        _static(column="captured_item"), False,
                        "every version belongs to an item in core.items", show_value=False),
              _regex("item_versions_sha256_well_formed", "text_sha256", SHA256_REGEX, False,
                     "item_versions.text_sha256 is a lowercase hex sha256"),
          )),
    Frame("observations", "core.observations", "core_items", "quality_observations.sql",
          ("item_id",), (
              _in_set("observations_state_known", "state", ITEM_STATES, True,
                      f"observations.state is one of {', '.join(ITEM_STATES)}"),
              _ordered("observations_seen_in_order", "last_seen_at", "first_seen_at", False,
                       "no observation ends before it starts"),
          )),
    Frame("media", "core.media", "core_media", "quality_media.sql", ("item_id", "media_id"), (
        CheckSpec("media_key_unique", "ExpectCompoundColumnsToBeUnique",
                  _static(column_list=["item_id", "media_id"]), True,
                  "no medium is on the same item twice"),
        _in_set("media_type_known", "media_type", MEDIA_TYPES, True,
                f"media.media_type is one of {', '.join(MEDIA_TYPES)}"),
        _regex("media_url_well_formed", "url", URL_REGEX, True,
               "every media URL is an http(s) URL"),
        _regex("media_preview_url_well_formed", "preview_url", URL_REGEX, True,
               "every preview URL is an http(s) URL"),
        _regex("media_sha256_well_formed", "content_sha256", SHA256_REGEX, False,
               "media.content_sha256 is a lowercase hex sha256"),
        CheckSpec("media_item_captured", "ExpectColumnValuesToNotBeNull",
                  _static(column="captured_item"), False,
                  "every medium is on an item in core.items", show_value=False),
    )),
    Frame("media_alt_versions", "core.media_alt_versions", "core_media",
          "quality_media_alt_versions.sql", ("item_id", "media_id"), (
              CheckSpec("media_alt_versions_medium_captured", "ExpectColumnValuesToNotBeNull",
                        _static(column="captured_medium"), False,
                        "every earlier alt text belongs to a medium in core.media",
                        show_value=False),
              _regex("media_alt_versions_sha256_well_formed", "alt_sha256", SHA256_REGEX, False,
                     "media_alt_versions.alt_sha256 is a lowercase hex sha256"),
          )),
    # --- audit --------------------------------------------------------------------------------
    Frame("findings", "audit.findings", "findings", "quality_findings.sql", ("finding_id",), (
        *_unique("finding_id", "findings"),
        _in_set("findings_severity_known", "severity", ("critical", "high", "medium", "low"),
                True, "findings.severity is critical, high, medium or low"),
        _in_set("findings_status_known", "status", FINDING_STATUSES, True,
                f"findings.status is one of {', '.join(FINDING_STATUSES)}"),
        CheckSpec("findings_cite_a_clause_of_the_pack", "ExpectColumnValuesToBeInSet",
                  lambda env: {"column": "open_clause_id", "value_set": list(env.clause_ids)},
                  True, "every open finding cites a clause of the active policy pack"),
        CheckSpec("findings_clause_binds_the_rule", "ExpectColumnValuesToBeInSet",
                  lambda env: {"column": "open_binding", "value_set": list(env.bindings)},
                  True, "the clause an open finding cites is one that binds its rule"),
        CheckSpec("findings_from_the_active_pack", "ExpectColumnValuesToBeInSet",
                  lambda env: {"column": "open_policy_pack", "value_set": [env.pack_name]},
                  False, "open findings were produced under the active policy pack"),
        _regex("findings_permalink_well_formed", "permalink", URL_REGEX, True,
               "every finding's link is an http(s) URL"),
        _between("findings_item_created_at_in_range", "item_created_at", False,
                 "findings are about items created after 2004 and not in the future"),
        _ordered("findings_seen_in_order", "last_seen_at", "first_seen_at", False,
                 "no finding was last seen before it was first seen"),
    )),
)


def checks_by_asset() -> dict[str, list[tuple[Frame, CheckSpec]]]:
    """Every check, by the asset that writes its table, in order (no GX needed)."""
    out: dict[str, list[tuple[Frame, CheckSpec]]] = {}
    for frame in FRAMES:
        for check in frame.checks:
            out.setdefault(frame.asset, []).append((frame, check))
    return out


def _validate_specs() -> None:
    for asset, checks in checks_by_asset().items():
        names = [c.name for _, c in checks]
        if len(set(names)) != len(names):  # pragma: no cover - a programming error
            raise RuntimeError(f"duplicate check names on {asset}")
        for name in names:
            if not re.fullmatch(r"[a-z0-9_]+", name):  # pragma: no cover
                raise RuntimeError(f"check name {name!r} is not a Dagster name")


_validate_specs()


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check over all the batches of its table."""

    asset: str
    table: str
    name: str
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_unique
    expect: str  # what should hold, in words
    blocking: bool
    success: bool
    checked: int = 0  # rows validated
    failed: int = 0  # rows that break it
    sample: tuple[str, ...] = ()  # a few failing rows: ids and the offending value
    error: str | None = None  # the expectation could not run (missing column, bad type)
    batches: int = 0
    seconds: float = 0.0

    @property
    def why(self) -> str:
        """One line: what failed and why, or ``ok``."""
        if self.error:
            return f"could not check: {self.error}"
        if self.success:
            return "ok"
        what = f"{self.failed} of {self.checked} row(s) break it" if self.failed else "failed"
        return f"{what}: expected {self.expect}"

    def as_json(self) -> dict[str, Any]:
        return {"asset": self.asset, "table": self.table, "check": self.name,
                "expectation": self.expectation, "expect": self.expect,
                "blocking": self.blocking, "success": self.success, "checked": self.checked,
                "failed": self.failed, "sample": list(self.sample), "error": self.error}


@dataclass
class _Tally:
    frame: Frame
    check: CheckSpec
    expectation: str = ""
    success: bool = True
    checked: int = 0
    failed: int = 0
    sample: list[str] = field(default_factory=list)
    error: str | None = None
    batches: int = 0

    def result(self, seconds: float) -> CheckResult:
        return CheckResult(
            asset=self.frame.asset, table=self.frame.table, name=self.check.name,
            expectation=self.expectation, expect=self.check.expect,
            blocking=self.check.blocking, success=self.success and self.error is None,
            checked=self.checked, failed=self.failed, sample=tuple(self.sample),
            error=self.error, batches=self.batches, seconds=seconds)


_QUERY = re.compile(r"\?.*$")


def _show(value: Any) -> str:
    """A sample value as text: URLs without their query strings (signed CDN parameters),
    everything cut to ``SAMPLE_VALUE_CHARS``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if type(value).__name__ in ("NaTType", "NAType"):
        return "null"
    text = str(value)
    if "://" in text or text.lower().startswith(("javascript:", "data:")):
        text = _QUERY.sub("?…", text)
    text = " ".join(text.split())
    return text if len(text) <= SAMPLE_VALUE_CHARS else text[: SAMPLE_VALUE_CHARS - 1] + "…"


def _sample_rows(result: Mapping[str, Any], frame: Frame, check: CheckSpec) -> list[str]:
    rows = result.get("partial_unexpected_index_list") or []
    out = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        ids = [f"{k}={_show(row[k])}" for k in frame.ids if k in row]
        values = [f"{k}={_show(v)}" for k, v in row.items()
                  if k not in frame.ids and check.show_value]
        out.append(", ".join(ids + values))
    if not out and check.show_value:
        out = [_show(v) for v in result.get("partial_unexpected_list") or []]
    return out


def _exception(info: Mapping[str, Any] | None) -> str | None:
    """The message of an expectation that could not run. GX 1.x reports it either at the top
    level or per metric (a mapping of metric ids to ``{raised_exception, exception_message}``)."""
    if not info:
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for entry in candidates:
        if entry.get("raised_exception"):
            lines = str(entry.get("exception_message") or "error").strip().splitlines()
            return lines[0] if lines else "error"
    return None


def _record(tally: _Tally, validation: Any) -> None:
    tally.batches += 1
    tally.expectation = validation.expectation_config.type
    error = _exception(validation.exception_info)
    if error:
        tally.error = tally.error or error
        tally.success = False
        return
    result = validation.result or {}
    tally.checked += int(result.get("element_count") or 0)
    tally.failed += int(result.get("unexpected_count") or 0)
    if not validation.success:
        tally.success = False
        for line in _sample_rows(result, tally.frame, tally.check):
            if len(tally.sample) < SAMPLE_SIZE and line not in tally.sample:
                tally.sample.append(line)


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@cache
def _frame_sql(sql_file: str) -> str:
    return resources.files("warehouse").joinpath("sql", sql_file).read_text(encoding="utf-8")


def environment(con: duckdb.DuckDBPyConnection, pack: PolicyPack,
                now: datetime | None = None) -> Environment:
    """The registry's accounts and designees, the pack's clauses, and the clock."""
    rules = pack.rules()
    return Environment(
        now=(now or utcnow()).astimezone(UTC),
        account_keys=tuple(r[0] for r in con.execute(ACCOUNT_KEYS).fetchall()),
        designee_ids=tuple(r[0] for r in con.execute(DESIGNEE_IDS).fetchall()),
        pack_name=pack.name,
        clause_ids=tuple(c.id for c in pack.clauses),
        bindings=tuple(sorted({f"{b.rule} @ {b.clause_id}"
                               for bindings in rules.values() for b in bindings})),
    )


def _gx_context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                         metric_calculations=False)
    return context


def _suite(context: Any, frame: Frame, env: Environment) -> Any:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=frame.name)
    for check in frame.checks:
        expectation = getattr(gxe, check.expectation)(
            **check.kwargs(env), meta={"check": check.name, "blocking": check.blocking},
            severity="critical" if check.blocking else "warning")
        suite.add_expectation(expectation)
    return context.suites.add(suite)


def validate(con: duckdb.DuckDBPyConnection, pack: PolicyPack, *,
             assets: Iterable[str] | None = None, now: datetime | None = None,
             batch_rows: int = BATCH_ROWS) -> list[CheckResult]:
    """Validate the warehouse; one result per check of the chosen assets (all by default).

    ``pack`` is the active policy pack (findings must cite its clauses); ``now`` bounds
    timestamps ("not in the future", with a day of clock skew). Reads only: the frames are
    temporary views, so a read-only connection works.
    """
    import great_expectations  # noqa: F401  (fail here, clearly, if it is not installed)

    wanted = None if assets is None else set(assets)
    frames = [f for f in FRAMES if wanted is None or f.asset in wanted]
    if not frames:
        return []
    env = environment(con, pack, now)
    results: list[CheckResult] = []
    with warnings.catch_warnings():
        # pandas 3 deprecations raised inside duckdb and GX are not ours to act on
        warnings.simplefilter("ignore")
        context = _gx_context()
        source = context.data_sources.add_pandas("socialaudit")
        for frame in frames:
            results.extend(_validate_frame(con, context, source, frame, env, batch_rows))
    return results


RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY",
                                 "partial_unexpected_count": SAMPLE_SIZE}


def _validate_frame(con: duckdb.DuckDBPyConnection, context: Any, source: Any, frame: Frame,
                    env: Environment, batch_rows: int) -> list[CheckResult]:
    started = time.perf_counter()
    suite = _suite(context, frame, env)
    definition = source.add_dataframe_asset(frame.name).add_batch_definition_whole_dataframe(
        "batch")
    tallies = {c.name: _Tally(frame, c) for c in frame.checks}
    result_format = {**RESULT_FORMAT, "unexpected_index_column_names": list(frame.ids)}
    con.execute(_frame_sql(frame.sql_file))
    try:
        params: dict[str, Any] = {"scope": frame.scope} if frame.scope else {}
        count_sql = COUNT_SCOPED_FRAME if frame.scope else COUNT_FRAME
        rows = con.execute(count_sql, params).fetchone()[0]
        parts = max(1, math.ceil(rows / max(1, batch_rows)))
        for part in range(parts):
            df = con.execute(SCOPED_BATCH if frame.scope else BATCH,
                             {**params, "parts": parts, "part": part}).df()
            batch = definition.get_batch(batch_parameters={"dataframe": df})
            validation = batch.validate(suite, result_format=result_format)
            for outcome in validation.results:
                name = (outcome.expectation_config.meta or {}).get("check")
                if name in tallies:
                    _record(tallies[name], outcome)
    finally:
        con.execute(DROP_FRAME)
    seconds = time.perf_counter() - started
    return [t.result(seconds) for t in tallies.values()]


def failed_blocking(results: Iterable[CheckResult]) -> list[CheckResult]:
    """The blocking checks that failed: any of them means findings would be wrong."""
    return [r for r in results if r.blocking and not r.success]

