"""Policy packs: each district's board-policy clauses and the rules that enforce them.

A policy pack is a YAML file, one per district, packaged in ``checks/policies/``. It lists every
clause of the district's board policy on social media, each with a stable ``id``, the ``section``
the document names or numbers, a short verbatim ``quote`` and exactly one of:

- ``rules``: the rules that enforce the clause, each ``{rule, params, severity}`` (``note`` is
  optional). Rule names come from ``ALL_RULES``; ``params`` are validated per rule (see the
  ``*Params`` models below: an unknown parameter or value is an error);
- ``manual``: why no data the pipeline sees can show the clause (friend requests on personal
  accounts, in-person conduct, training, ...). A person has to check it;
- ``definition: true``: definitions, statements of purpose or scope, disclaimers and permissions
  that enforce nothing by themselves.

``covers`` (optional) lists further verbatim phrases of the policy the clause accounts for, where
its quote is shortened. ``note`` (optional) records how the clause was read where the text is
ambiguous.

Severity: ``critical`` alerts at once; ``high``, ``medium`` and ``low`` go to the weekly report.
Two invariants are enforced here because the product promises them:
``student_media_without_consent`` is always critical, and a ``removable_comment`` binding that lists
``threat_violence`` is critical and lists no other ground (a binding has one severity, so the other
grounds get their own binding).

The engine asks ``pack.rules()`` which rules run and what each finding cites, or
``pack.cite(rule, kind)`` for the binding of one kind of finding (a removal ground, a consent
problem, a governance problem...). ``coverage_rows``/``print_coverage`` show how every clause is
enforced (``socialaudit policy coverage PACK``). Plain Python: nothing here imports Dagster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = [
    "ALL_RULES",
    "IMPLEMENTED_RULES",
    "CONFIDENTIAL_CATEGORIES",
    "PARAMS",
    "REMOVAL_GROUNDS",
    "SEVERITIES",
    "UNCHECKABLE_GOVERNANCE",
    "Clause",
    "CoverageRow",
    "PolicyPack",
    "PolicyPackError",
    "RuleBinding",
    "RuleSpec",
    "available_packs",
    "coverage_rows",
    "coverage_summary",
    "load_pack",
    "parse_pack",
    "print_coverage",
]

ALL_RULES: dict[str, str] = {
    "teacher_page_non_school": "a registered teacher page's post or reply to a student that is not "
    "about classroom or school activities",
    "student_media_without_consent": "a photo or video showing students whose parent consents are "
    "missing, unknown, revoked, expired or not for social media; a photo of a single student",
    "unapproved_controversial_reply": "a reply by an official account or teacher page in a "
    "controversial thread without a designee's approval dated before it",
    "removable_comment": "a public comment the policy allows removing, with its ground (critical "
    "but on-topic comments are protected speech and never flagged)",
    "confidential_disclosure": "an official or teacher post or reply that discloses a student's "
    "personal information (grades, IDs, health, discipline, contact details, address, credentials)",
    "private_exchange_with_student": "a teacher account in one-to-one exchanges with a student, or "
    "excessive replies to one student (needs the hashed roster)",
    "account_governance": "an official account with no registered designee among its admins; an "
    "account whose captured profile (bio, website, X pinned post) has no link to the district's "
    "Rules of Engagement (an unregistered account presenting as official cannot be shown from "
    "the captured data: such clauses are manual)",
    "undocumented_removal": "a public comment hidden or deleted with no recorded removal ground "
    "(hidden: the account's act; deleted: the account or the comment's author)",
    "media_attention": "a post whose engagement spikes far above its account's baseline (median "
    "and median absolute deviation of its other posts)",
    "unchecked_media": "a district post with a photo or video whose image the face detector "
    "could not read (download failed, no address, undecodable), so its consent could not be "
    "checked: a person has to look",
}

#: The rules the engine runs today (``checks/rules/<rule>.sql``). A pack may bind a clause to any
#: rule of ``ALL_RULES``; the coverage table says which bindings no rule enforces yet.
IMPLEMENTED_RULES: tuple[str, ...] = (
    "teacher_page_non_school",
    "student_media_without_consent",
    "unapproved_controversial_reply",
    "removable_comment",
    "confidential_disclosure",
    "private_exchange_with_student",
    "account_governance",
    "undocumented_removal",
    "media_attention",
    "unchecked_media",
)

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
Severity = Literal["critical", "high", "medium", "low"]

REMOVAL_GROUNDS: tuple[str, ...] = (
    "obscene_profane", "threat_violence", "harassment_abuse", "spam_advertising",
    "illegal_activity", "off_topic",
)
Ground = Literal[
    "obscene_profane", "threat_violence", "harassment_abuse", "spam_advertising",
    "illegal_activity", "off_topic",
]
ConsentProblem = Literal[
    "missing", "unknown", "revoked", "expired", "wrong_scope", "single_student",
]
ConfidentialCategory = Literal[
    "grades", "student_id", "health", "discipline", "address", "contact", "dob", "credentials",
]
CONFIDENTIAL_CATEGORIES: tuple[str, ...] = (
    "grades", "student_id", "health", "discipline", "address", "contact", "dob", "credentials",
)
GovernanceProblem = Literal[
    "unregistered_official", "no_designee_admin", "no_rules_of_engagement_link",
]
AccountKind = Literal["official", "teacher_page"]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
QUOTE_MAX = 240


class PolicyPackError(ValueError):
    """A pack that cannot be used; the message names the file and, where it can, the clause."""


# --------------------------------------------------------------------------------------------
# Parameters of each rule
# --------------------------------------------------------------------------------------------


class RuleParams(BaseModel):
    """Parameters of one rule binding. ``kind_field`` names the list of finding kinds a binding
    covers (``cite(rule, kind)`` matches on it); rules without one cite their first binding."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind_field: ClassVar[str | None] = None

    def kinds(self) -> tuple[str, ...]:
        if self.kind_field is None:
            return ()
        return tuple(getattr(self, self.kind_field))


def _unique(values: list[Any], what: str) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} lists a value twice")
    return values


class TeacherPageParams(RuleParams):
    """``teacher_page_non_school``: which teacher-page items are checked and the topics allowed."""

    kind_field: ClassVar[str | None] = "applies_to"
    applies_to: list[Literal["post", "reply_to_student"]] = Field(min_length=1)
    allowed_topics: list[str] = Field(min_length=1)


class StudentMediaParams(RuleParams):
    """``student_media_without_consent``: the consent problems a binding covers (``single_student``
    means a photo of one student is forbidden whatever the consents), the consent scope required,
    whether the consent must be written, and the media types checked (an X ``animated_gif`` is a
    ``video``). Consents are checked on the media types of all bindings together; a lone face is
    a ``single_student`` finding only on the media types of the binding that covers it."""

    kind_field: ClassVar[str | None] = "problems"
    problems: list[ConsentProblem] = Field(min_length=1)
    consent_scope: str = "social_media"
    written_consent: bool = False
    media_types: list[Literal["photo", "video"]] = Field(default_factory=lambda: ["photo", "video"])

    @property
    def forbid_single_student_photo(self) -> bool:
        return "single_student" in self.problems


class ControversialReplyParams(RuleParams):
    """``unapproved_controversial_reply``: who approves, and which accounts' replies need it."""

    approver: str
    approval_before_reply: bool = True
    applies_to_accounts: list[AccountKind] = Field(
        default_factory=lambda: ["official", "teacher_page"], min_length=1)


class RemovableCommentParams(RuleParams):
    """``removable_comment``: the removal grounds the district's text lists (``unmapped_grounds``:
    grounds of the text no detector handles, kept for the record) and its off-topic standard."""

    kind_field: ClassVar[str | None] = "grounds"
    grounds: list[Ground] = Field(min_length=1)
    unmapped_grounds: list[str] = Field(default_factory=list)
    off_topic_standard: Literal["unrelated", "significantly_off_topic"] | None = None


class ConfidentialParams(RuleParams):
    """``confidential_disclosure``: the categories of student information a disclosure can be in."""

    kind_field: ClassVar[str | None] = "categories"
    categories: list[ConfidentialCategory] = Field(
        default_factory=lambda: list(CONFIDENTIAL_CATEGORIES), min_length=1)


class PrivateExchangeParams(RuleParams):
    """``private_exchange_with_student``: one-to-one exchanges and/or excessive replies to one
    student. A one-to-one exchange is a conversation under one comment of a teacher page's thread
    in which only the page and one student (hashed roster) take part, with at least
    ``min_exchange_replies`` replies of the page to the student and the student answering back.
    Excessive replies: more than ``max_replies_to_one_student`` replies of the page to one
    student within ``window_days`` (the text gives no number, so both are the district's to
    tune)."""

    kind_field: ClassVar[str | None] = "problems"
    problems: list[Literal["one_to_one", "excessive_replies"]] = Field(min_length=1)
    max_replies_to_one_student: int | None = Field(default=None, ge=1)
    window_days: int = Field(default=7, ge=1)
    min_exchange_replies: int = Field(default=3, ge=2)

    @model_validator(mode="after")
    def _threshold(self) -> PrivateExchangeParams:
        if "excessive_replies" in self.problems and self.max_replies_to_one_student is None:
            raise ValueError("excessive_replies needs max_replies_to_one_student")
        return self


#: Governance problems no captured data can show, and why: a clause about them is ``manual``.
UNCHECKABLE_GOVERNANCE: dict[str, str] = {
    "unregistered_official": "the pipeline captures only the registered accounts, so no data it "
    "holds shows an unregistered account presenting as official",
}


class GovernanceParams(RuleParams):
    """``account_governance``: the problems a binding covers.

    - ``no_designee_admin``: an official account whose registered admins name no registered
      designee;
    - ``no_rules_of_engagement_link``: an account of the kinds ``roe_link_accounts`` names
      (which the binding must give: whether the text asks it of official accounts only or of
      teacher pages too is the pack's reading) whose captured profile links to none of the
      district's Rules of Engagement addresses. Where the rules live is the district's own
      address, not policy text: ``[checks] rules_of_engagement_urls`` in ``socialaudit.toml``.
      An account whose profile was never captured is not judged (the run says so).

    Problems no data shows are refused with the reason (see ``UNCHECKABLE_GOVERNANCE``)."""

    kind_field: ClassVar[str | None] = "problems"
    problems: list[GovernanceProblem] = Field(min_length=1)
    roe_link_accounts: list[AccountKind] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _checkable(self) -> GovernanceParams:
        for problem in self.problems:
            if problem in UNCHECKABLE_GOVERNANCE:
                raise ValueError(f"{problem} cannot be checked: {UNCHECKABLE_GOVERNANCE[problem]}"
                                 "; make the clause manual")
        wants_link = "no_rules_of_engagement_link" in self.problems
        if wants_link and self.roe_link_accounts is None:
            raise ValueError("no_rules_of_engagement_link needs roe_link_accounts: the accounts "
                             "the text asks the link of (official, teacher_page)")
        if not wants_link and self.roe_link_accounts is not None:
            raise ValueError("roe_link_accounts is only for no_rules_of_engagement_link")
        return self


class UndocumentedRemovalParams(RuleParams):
    """``undocumented_removal``: the grounds a recorded removal may cite, and which removals a
    binding covers (its finding kinds): ``hidden`` (only the account can hide a comment) and
    ``deleted`` (the account or the comment's own author: the platforms do not say which, so a
    pack usually gives deletions their own, lower severity)."""

    kind_field: ClassVar[str | None] = "actions"
    allowed_grounds: list[Ground] = Field(min_length=1)
    actions: list[Literal["hidden", "deleted"]] = Field(
        default_factory=lambda: ["hidden", "deleted"], min_length=1)


class MediaAttentionParams(RuleParams):
    """``media_attention``: a post whose engagement (likes or reactions, comments, shares and
    quotes) is at least ``min_engagement``, ``min_ratio`` times the median of the account's other
    posts within ``baseline_days`` before or after it, and ``min_robust_z`` robust deviations
    (1.4826 x the median absolute deviation) above that median; an account needs
    ``min_history`` other posts in that span. The policy text gives no numbers: they are the
    district's to tune."""

    baseline: Literal["account_median"] = "account_median"
    baseline_days: int = Field(default=91, ge=7)
    min_history: int = Field(default=2, ge=2)
    min_ratio: float = Field(default=8.0, gt=1)
    min_robust_z: float = Field(default=6.0, ge=0)
    min_engagement: int = Field(default=50, ge=0)


class UncheckedMediaParams(RuleParams):
    """``unchecked_media``: the media types whose images must have been read by the face detector
    (those the binding's consent rule checks)."""

    media_types: list[Literal["photo", "video"]] = Field(
        default_factory=lambda: ["photo", "video"], min_length=1)


PARAMS: dict[str, type[RuleParams]] = {
    "teacher_page_non_school": TeacherPageParams,
    "student_media_without_consent": StudentMediaParams,
    "unapproved_controversial_reply": ControversialReplyParams,
    "removable_comment": RemovableCommentParams,
    "confidential_disclosure": ConfidentialParams,
    "private_exchange_with_student": PrivateExchangeParams,
    "account_governance": GovernanceParams,
    "undocumented_removal": UndocumentedRemovalParams,
    "media_attention": MediaAttentionParams,
    "unchecked_media": UncheckedMediaParams,
}
if set(PARAMS) != set(ALL_RULES):  # pragma: no cover - a programming error
    raise RuntimeError("every rule needs a parameter model")


def _errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------
# Pack models
# --------------------------------------------------------------------------------------------


class RuleSpec(BaseModel):
    """One rule enforcing a clause, as written in the pack."""

    model_config = ConfigDict(extra="forbid")
    rule: str
    params: dict[str, Any] = Field(default_factory=dict)
    severity: Severity
    note: str | None = None
    _parsed: RuleParams = PrivateAttr()

    @field_validator("rule")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in ALL_RULES:
            raise ValueError(f"unknown rule {value!r} (known: {', '.join(ALL_RULES)})")
        return value

    @field_validator("params", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _parse(self) -> RuleSpec:
        try:
            parsed = PARAMS[self.rule].model_validate(self.params)
        except ValidationError as exc:
            raise ValueError(f"params of {self.rule}: {_errors(exc)}") from None
        for name in type(parsed).model_fields:
            value = getattr(parsed, name)
            if isinstance(value, list):
                _unique(value, f"params.{name} of {self.rule}")
        if self.rule == "student_media_without_consent" and self.severity != "critical":
            raise ValueError("student_media_without_consent must be critical "
                             "(a student photo without consent alerts at once)")
        if isinstance(parsed, RemovableCommentParams) and "threat_violence" in parsed.grounds:
            if self.severity != "critical":
                raise ValueError("removable_comment with threat_violence must be critical")
            if parsed.grounds != ["threat_violence"]:
                raise ValueError("give threat_violence its own critical removable_comment binding "
                                 "(a binding has one severity)")
        self._parsed = parsed
        self.params = parsed.model_dump()
        return self

    @property
    def parsed(self) -> RuleParams:
        """The validated parameter model (``params`` is its dump, defaults filled in)."""
        return self._parsed


class Clause(BaseModel):
    """One clause of a board policy and how it is enforced."""

    model_config = ConfigDict(extra="forbid")
    id: str
    section: str = Field(min_length=1)
    quote: str = Field(min_length=10, max_length=QUOTE_MAX)
    covers: list[str] = Field(default_factory=list)
    rules: list[RuleSpec] | None = None
    manual: str | None = None
    definition: bool = False
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("id must be lowercase letters, digits, '.' and '-'")
        return value

    @field_validator("covers")
    @classmethod
    def _covers(cls, value: list[str]) -> list[str]:
        for phrase in value:
            if len(phrase.strip()) < 10:
                raise ValueError(f"covers phrase too short to identify a passage: {phrase!r}")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> Clause:
        ways = [bool(self.rules), bool(self.manual and self.manual.strip()), self.definition]
        if sum(ways) == 0:
            raise ValueError("clause has none of rules, manual or definition: "
                             "say how it is enforced")
        if sum(ways) > 1:
            raise ValueError("clause has more than one of rules, manual and definition")
        if self.rules is not None and not self.rules:
            raise ValueError("rules is empty")
        return self

    @property
    def kind(self) -> Literal["rules", "manual", "definition"]:
        if self.rules:
            return "rules"
        return "manual" if self.manual else "definition"

    @property
    def rule_names(self) -> list[str]:
        return list(dict.fromkeys(r.rule for r in self.rules or []))

    @property
    def how(self) -> str:
        if self.rules:
            return ", ".join(self.rule_names)
        if self.manual:
            return f"manual: {self.manual}"
        return "definition"


@dataclass(frozen=True)
class RuleBinding:
    """A rule as one clause binds it: what the engine runs and what a finding cites."""

    rule: str
    clause_id: str
    section: str
    quote: str
    params: dict[str, Any]
    severity: str
    kinds: tuple[str, ...] = ()
    note: str | None = None


class PolicyPack(BaseModel):
    """A district's policy pack, validated."""

    model_config = ConfigDict(extra="forbid")
    name: str
    path: str
    district: str = Field(min_length=1)
    policy_id: str | None = None
    title: str = Field(min_length=1)
    adopted: date | None = None
    source: str = Field(min_length=1)
    references: list[str] = Field(default_factory=list)
    clauses: list[Clause] = Field(min_length=1)
    _bindings: tuple[int, dict[str, list[RuleBinding]]] | None = PrivateAttr(default=None)

    def clause(self, clause_id: str) -> Clause:
        """The clause with this id; ``KeyError`` names the pack if there is none."""
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(f"{self.name}: no clause {clause_id!r}")

    def rules(self) -> dict[str, list[RuleBinding]]:
        """Every enabled rule (in ``ALL_RULES`` order) with its bindings in document order."""
        if self._bindings is not None and self._bindings[0] == id(self.clauses):
            return {r: list(b) for r, b in self._bindings[1].items()}
        out: dict[str, list[RuleBinding]] = {}
        for c in self.clauses:
            for spec in c.rules or []:
                out.setdefault(spec.rule, []).append(RuleBinding(
                    rule=spec.rule, clause_id=c.id, section=c.section, quote=c.quote,
                    params=dict(spec.params), severity=spec.severity,
                    kinds=spec.parsed.kinds(), note=spec.note))
        ordered = {r: out[r] for r in ALL_RULES if r in out}
        self._bindings = (id(self.clauses), ordered)
        return {r: list(b) for r, b in ordered.items()}

    def enabled_rules(self) -> list[str]:
        return list(self.rules())

    def cite(self, rule: str, kind: str | None = None) -> RuleBinding | None:
        """The binding a finding of ``rule`` cites: the first (in document order) whose kinds
        include ``kind`` (a removal ground, consent problem, governance problem, ...), else the
        first binding when ``kind`` is None or the rule has no kinds. None: not in this pack."""
        if rule not in ALL_RULES:
            raise KeyError(f"unknown rule {rule!r}")
        bindings = self.rules().get(rule, [])
        if kind is None:
            return bindings[0] if bindings else None
        for b in bindings:
            if kind in b.kinds:
                return b
        if bindings and not bindings[0].kinds:
            return bindings[0]
        return None

    def merged_params(self, rule: str) -> dict[str, Any]:
        """One rule's parameters over all its bindings: lists are united (in order), booleans
        or-ed, other values taken from the first binding that sets them. Empty if the rule is
        not enabled."""
        merged: dict[str, Any] = {}
        for b in self.rules().get(rule, []):
            for key, value in b.params.items():
                if key not in merged or merged[key] is None:
                    merged[key] = list(value) if isinstance(value, list) else value
                elif isinstance(value, list):
                    merged[key] += [v for v in value if v not in merged[key]]
                elif isinstance(value, bool):
                    merged[key] = merged[key] or value
        return merged

    def severity(self, rule: str, kind: str | None = None) -> str | None:
        binding = self.cite(rule, kind)
        return binding.severity if binding else None


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_HEADER_FIELDS = ("district", "policy_id", "title", "adopted", "source", "references")


def _packaged() -> Any:
    return resources.files("checks").joinpath("policies")


def available_packs() -> list[str]:
    """Names of the packaged policy packs (file stems in ``checks/policies/``)."""
    return sorted(p.name.removesuffix(".yaml") for p in _packaged().iterdir()
                  if p.name.endswith(".yaml"))


def load_pack(name_or_path: str | Path) -> PolicyPack:
    """Load and validate a pack by packaged name (``northwest-technology-center``) or file path.

    Raises ``PolicyPackError`` naming the file and the clause for anything invalid: YAML syntax,
    unknown rule or parameter, a missing quote, a clause with none of rules/manual/definition,
    duplicate clause ids.
    """
    text, label, name = _read(name_or_path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyPackError(f"{label}: invalid YAML: {exc}") from None
    return parse_pack(data, label=label, name=name)


def _read(name_or_path: str | Path) -> tuple[str, str, str]:
    raw = str(name_or_path)
    as_path = Path(raw)
    is_pathlike = isinstance(name_or_path, Path) or "/" in raw or "\\" in raw
    if is_pathlike or raw.endswith((".yaml", ".yml")):
        if as_path.is_file():
            return as_path.read_text(encoding="utf-8"), str(as_path), as_path.stem
        if is_pathlike:
            raise PolicyPackError(f"{as_path}: no such policy pack file")
        raw = raw.rsplit(".", 1)[0]
    resource = _packaged().joinpath(f"{raw}.yaml")
    if not raw or not resource.is_file():
        raise PolicyPackError(f"unknown policy pack {raw!r}; available: "
                              f"{', '.join(available_packs()) or 'none'}")
    return resource.read_text(encoding="utf-8"), f"checks/policies/{raw}.yaml", raw


def parse_pack(data: Any, *, label: str, name: str) -> PolicyPack:
    """Validate an already-parsed pack (``label`` names it in errors)."""
    if not isinstance(data, dict):
        raise PolicyPackError(f"{label}: a policy pack is a mapping with district, title, "
                              "source and clauses")
    unknown = set(data) - set(_HEADER_FIELDS) - {"clauses"}
    if unknown:
        raise PolicyPackError(f"{label}: unknown top-level keys: {', '.join(sorted(unknown))}")
    raw_clauses = data.get("clauses")
    if not isinstance(raw_clauses, list) or not raw_clauses:
        raise PolicyPackError(f"{label}: clauses must be a non-empty list")
    clauses: list[Clause] = []
    first_at: dict[str, int] = {}
    for i, raw in enumerate(raw_clauses, 1):
        cid = raw.get("id") if isinstance(raw, dict) else None
        where = f"clause {cid!r}" if isinstance(cid, str) and cid else f"clause #{i} (no id)"
        if not isinstance(raw, dict):
            raise PolicyPackError(f"{label}: {where}: a clause is a mapping")
        try:
            clause = Clause.model_validate(raw)
        except ValidationError as exc:
            raise PolicyPackError(f"{label}: {where}: {_errors(exc)}") from None
        if clause.id in first_at:
            raise PolicyPackError(f"{label}: {where}: duplicate clause id "
                                  f"(first used by clause #{first_at[clause.id]})")
        first_at[clause.id] = i
        clauses.append(clause)
    header = {k: data[k] for k in _HEADER_FIELDS if k in data}
    try:
        return PolicyPack(name=name, path=label, clauses=clauses, **header)
    except ValidationError as exc:
        raise PolicyPackError(f"{label}: {_errors(exc)}") from None


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """How one clause is enforced: rule names, ``manual: reason`` or ``definition``."""

    clause_id: str
    section: str
    quote: str
    how: str
    kind: str
    rules: tuple[str, ...] = field(default=())
    severities: tuple[str, ...] = field(default=())


def coverage_rows(pack: PolicyPack) -> list[CoverageRow]:
    """One row per clause, in document order."""
    return [CoverageRow(clause_id=c.id, section=c.section, quote=c.quote, how=c.how, kind=c.kind,
                        rules=tuple(c.rule_names),
                        severities=tuple(sorted({r.severity for r in c.rules or []},
                                                key=SEVERITIES.index)))
            for c in pack.clauses]


def coverage_summary(pack: PolicyPack) -> str:
    """``N clauses: X enforced by rules, Y manual, Z definitions; rules used: ...``."""
    rows = coverage_rows(pack)
    count = {k: sum(r.kind == k for r in rows) for k in ("rules", "manual", "definition")}
    waiting = sum(r.kind == "rules" and not any(n in IMPLEMENTED_RULES for n in r.rules)
                  for r in rows)
    used = pack.enabled_rules()
    unused = [r for r in ALL_RULES if r not in used]
    pending = [r for r in used if r not in IMPLEMENTED_RULES]
    line = (f"{len(rows)} clauses: {count['rules'] - waiting} enforced by rules, "
            f"{waiting} bound only to rules not yet implemented, {count['manual']} manual, "
            f"{count['definition']} definitions; rules used: {', '.join(used) or 'none'}")
    if pending:
        line += f"; not yet implemented: {', '.join(pending)}"
    if unused:
        line += f"; not in this policy: {', '.join(unused)}"
    return line


def print_coverage(pack: PolicyPack, console: Console | None = None) -> None:
    """Print the coverage table of a pack and its one-line summary."""
    console = console or Console()
    title = " ".join(p for p in (pack.policy_id, pack.title) if p)
    table = Table(title=f"{pack.district}: {title} ({pack.source})", show_lines=False,
                  expand=False)
    wide = console.width >= 120
    table.add_column("clause", ratio=1, overflow="fold", style="bold")
    if wide:
        table.add_column("section", ratio=1)
    table.add_column("quote", ratio=3)
    table.add_column("enforced by", ratio=2)
    styles = {"rules": "green", "manual": "yellow", "definition": "dim"}
    for row in coverage_rows(pack):
        if row.kind == "rules":
            how = Text()
            for i, rule in enumerate(row.rules):
                how.append(", " if i else "")
                if rule in IMPLEMENTED_RULES:
                    how.append(rule, style="green")
                else:
                    how.append(f"{rule} (not yet implemented)", style="red")
        else:
            how = Text(row.how, style=styles[row.kind])
        if row.severities:
            how.append(f" [{', '.join(row.severities)}]", style="bold")
        cells = [Text(row.clause_id), Text(row.quote), how]
        if wide:
            cells.insert(1, Text(row.section))
        table.add_row(*cells)
    console.print(table)
    console.print(Text(coverage_summary(pack)))
