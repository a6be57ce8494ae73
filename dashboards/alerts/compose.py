"""What an alert says, and how each channel shows it without letting platform text take over.

Post and comment text is written by the public. Every renderer treats it (and everything else
that came from the platforms: evidence terms, handles, error messages) as plain text:

- email: ``html.escape`` in the HTML part; the plain-text part is plain;
- Slack: ``&``, ``<`` and ``>`` escaped (no ``<!channel>``, no ``<url|fake link>``), ``@here``,
  ``@channel`` and ``@everyone`` broken with a zero-width space, and ``verbatim`` text objects so
  Slack does not link names or URLs inside it;
- Teams (Adaptive Card): untrusted text only in ``TextRun`` elements of ``RichTextBlock``, which
  Teams never reads as Markdown, and no ``msteams.entities``, so ``<at>`` is inert; the legacy
  MessageCard escapes HTML and backslash-escapes Markdown, as its reference asks;
- the generic webhook gets the values as JSON strings: data, never markup.

Links are kept only when they are ``https://`` pages of the platforms themselves
(``dashboards.urls``), as on the dashboard and in the exception report.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboards.urls import safe_permalink

EXCERPT_CHARS = 200
DIGEST_SHOWN = 30  # findings listed in one digest; the rest are counted
WITHHELD_RULES = frozenset({"confidential_disclosure"})  # never re-broadcast a student's details
WITHHELD_NOTE = "not quoted: the post discloses a student's personal information"
SEVERITY_ORDER = ("critical", "high", "medium", "low")

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_LINK_SYNTAX = re.compile(r"[|^{}`]")
_SLACK_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKDOWN = re.compile(r"([\\`*_\[\]()#~|!])")


# --- content -------------------------------------------------------------------------------------


def plain(text: object, limit: int = EXCERPT_CHARS) -> str:
    """One line of text: control and bidi-override characters removed, whitespace collapsed,
    cut at ``limit`` characters with an ellipsis."""
    if text is None:
        return ""
    flat = " ".join(_INVISIBLE.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def safe_link(url: str | None) -> str | None:
    """The post's URL if it is an https page on the platforms' own hosts (the dashboard's check,
    ``dashboards.urls.safe_permalink``: no look-alike host, user-info part or odd port), else
    None. ``|``, ``^``, braces and backticks are percent-encoded so no channel's link syntax
    (Slack's ``<url|label>``) can be broken out of."""
    link = safe_permalink(url.strip() if isinstance(url, str) else url)
    if link is None:
        return None
    return _LINK_SYNTAX.sub(lambda m: f"%{ord(m.group(0)):02X}", link)


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def evidence_summary(rule: str, evidence: str | dict[str, Any] | None) -> str:
    """A short, flat summary of a finding's evidence JSON (scores, grounds, faces, consents)."""
    if evidence is None:
        return ""
    try:
        data = json.loads(evidence) if isinstance(evidence, str) else evidence
    except ValueError:
        return plain(evidence, 160)
    if not isinstance(data, dict):
        return plain(data, 160)
    parts: list[str] = []
    for key, value in data.items():
        if key == "detector" or value in (None, "", []):
            continue
        if rule in WITHHELD_RULES and key == "reasons":
            continue  # the reasons quote the personal details found
        if key == "consents" and isinstance(value, list):
            cited = [f"{c.get('consent_id')} ({c.get('state')})" for c in value
                     if isinstance(c, dict)]
            parts.append("consents " + (", ".join(cited[:5]) or "none"))
        elif isinstance(value, list):
            shown = [_scalar(v) for v in value[:5] if not isinstance(v, dict | list)]
            more = f" +{len(value) - 5}" if len(value) > 5 else ""
            parts.append(f"{key.replace('_', ' ')} {', '.join(shown)}{more}")
        elif not isinstance(value, dict):
            parts.append(f"{key.replace('_', ' ')} {_scalar(value)}")
    return plain("; ".join(parts), 240)


@dataclass(frozen=True)
class FindingAlert:
    """One finding as alerts show it; text fields are raw (each renderer escapes them)."""

    finding_id: str
    rule: str
    kind: str
    severity: str
    platform: str | None
    account_id: str | None
    handle: str | None
    school: str | None
    excerpt: str | None  # None when withheld
    evidence: str
    clause_id: str
    clause_section: str | None
    clause_quote: str | None
    link: str | None  # https only
    first_seen_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FindingAlert:
        rule = row["rule"]
        return cls(
            finding_id=row["finding_id"], rule=rule, kind=row["kind"],
            severity=row["severity"], platform=row["platform"], account_id=row["account_id"],
            handle=row["handle"], school=row["school"],
            excerpt=None if rule in WITHHELD_RULES else plain(row["text"]),
            evidence=evidence_summary(rule, row["evidence"]),
            clause_id=row["clause_id"], clause_section=row["clause_section"],
            clause_quote=plain(row["clause_quote"], 240) or None,
            link=safe_link(row["link"]), first_seen_at=row["first_seen_at"],
        )

    @property
    def account(self) -> str:
        handle = plain(self.handle, 80)
        if handle and self.account_id:
            return f"{self.account_id} (@{handle.lstrip('@')})"
        return self.account_id or "unknown account"

    @property
    def clause(self) -> str:
        text = self.clause_id
        if self.clause_section:
            text += f" ({self.clause_section})"
        if self.clause_quote:
            text += f': "{self.clause_quote}"'
        return text

    @property
    def quoted(self) -> str:
        if self.excerpt is None:
            return f"({WITHHELD_NOTE})"
        return self.excerpt or "(no text)"


@dataclass(frozen=True)
class HealthAlert:
    """An account whose capture needs attention: an expired token or a stale capture."""

    key: str
    problem: str  # auth_error | stale
    account_id: str
    platform: str | None
    handle: str | None
    school: str | None
    token_env: str | None
    since: datetime | None  # auth_error: first error of the incident; stale: last good capture
    detail: str  # redacted capture error, or how long since the last capture

    @property
    def summary(self) -> str:
        who = self.account_id + (f" (@{plain(self.handle, 80).lstrip('@')})"
                                 if self.handle else "")
        if self.problem == "auth_error":
            fix = (f"; renew the token in {self.token_env}" if self.token_env else "")
            return f"{who}: token expired or refused since {when_label(self.since)}{fix}"
        if self.since is None:
            return f"{who}: never captured"
        return f"{who}: not captured since {when_label(self.since)}"


@dataclass(frozen=True)
class Message:
    """One message to one channel: critical findings, a digest, capture health or a pipeline
    failure."""

    kind: str  # critical | digest | health | pipeline
    district: str
    title: str
    findings: tuple[FindingAlert, ...] = ()
    health: tuple[HealthAlert, ...] = ()
    lines: tuple[str, ...] = ()  # pipeline: what failed (untrusted, escaped like platform text)
    more: int = 0  # digest: findings not listed
    generated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return plain(f"[socialaudit] {self.title}", 180)


def when_label(moment: datetime | None) -> str:
    """``moment`` as ``YYYY-MM-DD HH:MM TZ`` (in its own time zone); empty for None."""
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else ""


def critical_message(district: str, findings: list[FindingAlert], now: datetime) -> Message:
    count = len(findings)
    return Message("critical", district,
                   f"{district}: {count} critical finding{'s' if count != 1 else ''}",
                   findings=tuple(findings), generated_at=now)


def digest_message(district: str, findings: list[FindingAlert], total: int,
                   now: datetime) -> Message:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ORDER}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return Message("digest", district,
                   f"{district}: daily digest, {total} new open finding{'s' if total != 1 else ''}"
                   + (f" ({summary})" if summary and total == len(findings) else ""),
                   findings=tuple(findings), more=total - len(findings), generated_at=now)


def health_message(district: str, alerts: list[HealthAlert], now: datetime) -> Message:
    count = len(alerts)
    return Message("health", district,
                   f"{district}: capture health, {count} account{'s' if count != 1 else ''} "
                   "need attention", health=tuple(alerts), generated_at=now)


def pipeline_message(district: str, title: str, lines: list[str], now: datetime) -> Message:
    return Message("pipeline", district, f"{district}: {title}",
                   lines=tuple(plain(line, 400) for line in lines), generated_at=now)


# --- plain text and HTML (email) ----------------------------------------------------------------


def _finding_fields(f: FindingAlert) -> list[tuple[str, str]]:
    return [
        ("Severity", f.severity.upper()),
        ("Rule", f"{f.rule} ({f.kind})"),
        ("School", f.school or "district"),
        ("Account", f.account),
        ("Text", f.quoted),
        ("Evidence", f.evidence or "-"),
        ("Clause", f.clause),
    ]


def render_text(message: Message) -> str:
    out = [message.title, ""]
    for number, f in enumerate(message.findings, start=1):
        out.append(f"{number}. {f.severity.upper()} {f.rule} ({f.kind})")
        for label, value in _finding_fields(f)[2:]:
            out.append(f"   {label}: {value}")
        out.append(f"   Link: {f.link or 'no https link recorded'}")
        out.append(f"   Finding: {f.finding_id}")
        out.append("")
    if message.more:
        out.append(f"... and {message.more} more: see `socialaudit findings` or the weekly "
                   "report.")
    for h in message.health:
        out.append(f"- {h.problem}: {h.summary}")
        if h.detail:
            out.append(f"  {h.detail}")
    for line in message.lines:
        out.append(f"- {line}")
    out += ["", "Sent by socialaudit. Review findings with `socialaudit review`."]
    return "\n".join(out) + "\n"


_SEVERITY_COLOUR = {"critical": "#b00020", "high": "#c05500", "medium": "#8a6d00",
                    "low": "#4a5a6a"}


def render_html(message: Message) -> str:
    e = html.escape
    parts = ["<!doctype html><html><body style=\"font-family:sans-serif;font-size:14px\">",
             f"<h2>{e(message.title)}</h2>"]
    for f in message.findings:
        colour = _SEVERITY_COLOUR.get(f.severity, "#333")
        rows = "".join(f"<tr><th align=\"left\" valign=\"top\">{e(label)}</th>"
                       f"<td>{e(value)}</td></tr>" for label, value in _finding_fields(f))
        link = (f"<a href=\"{e(f.link)}\">Open the post</a>" if f.link
                else "no https link recorded")
        parts.append(f"<table style=\"border-left:4px solid {colour};margin:12px 0;"
                     f"padding-left:8px\">{rows}<tr><th align=\"left\">Link</th><td>{link}"
                     f"</td></tr><tr><th align=\"left\">Finding</th><td><code>"
                     f"{e(f.finding_id)}</code></td></tr></table>")
    if message.more:
        parts.append(f"<p>… and {message.more} more: see <code>socialaudit findings</code> "
                     "or the weekly report.</p>")
    if message.health or message.lines:
        items = [f"<li><b>{e(h.problem)}</b>: {e(h.summary)}"
                 + (f"<br><small>{e(h.detail)}</small>" if h.detail else "") + "</li>"
                 for h in message.health]
        items += [f"<li>{e(line)}</li>" for line in message.lines]
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("<p style=\"color:#666\">Sent by socialaudit. Review findings with "
                 "<code>socialaudit review</code>.</p></body></html>")
    return "".join(parts)


# --- Slack ---------------------------------------------------------------------------------------


def slack_escape(text: object) -> str:
    """Slack mrkdwn-safe text: the three control characters escaped, broadcasts broken."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_BROADCAST.sub(lambda m: "@\u200b" + m.group(1), out)


def _slack_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900], "verbatim": True}}


def slack_payload(message: Message) -> dict[str, Any]:
    s = slack_escape
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": plain(message.title, 150)}}]
    for f in message.findings:
        link = f"\n<{f.link.replace('&', '&amp;')}|Open the post>" if f.link else ""
        blocks.append(_slack_section(
            f"*{s(f.severity.upper())}* · {s(f.rule)} ({s(f.kind)})\n"
            f"*School:* {s(f.school or 'district')}   *Account:* {s(f.account)}\n"
            f"*Text:* {s(f.quoted)}\n*Evidence:* {s(f.evidence or '-')}\n"
            f"*Clause:* {s(f.clause)}{link}"))
        if len(blocks) >= 45:
            break
    if message.more:
        blocks.append(_slack_section(f"… and {message.more} more: see `socialaudit findings` "
                                     "or the weekly report."))
    for h in message.health:
        blocks.append(_slack_section(f"*{s(h.problem)}*: {s(h.summary)}"
                                     + (f"\n{s(h.detail)}" if h.detail else "")))
    if message.lines:
        blocks.append(_slack_section("\n".join(f"• {s(line)}" for line in message.lines)))
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": "Sent by socialaudit", "verbatim": True}]})
    return {"text": s(message.title), "blocks": blocks[:50]}


# --- Microsoft Teams -----------------------------------------------------------------------------


def _run(text: object, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": str(text), **style}


def _rich(*runs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(runs), **extra}


def _labelled(label: str, value: str) -> dict[str, Any]:
    return _rich(_run(f"{label}: ", weight="Bolder"), _run(value))


def teams_adaptive_payload(message: Message) -> dict[str, Any]:
    """A Workflows ("When a Teams webhook request is received") message with an Adaptive Card.

    Untrusted text sits only in TextRun elements, which Teams renders literally."""
    body: list[dict[str, Any]] = [
        _rich(_run(message.title, weight="Bolder", size="Medium"))]
    for f in message.findings:
        items = [
            _rich(_run(f.severity.upper(), weight="Bolder",
                       color="Attention" if f.severity in ("critical", "high") else "Warning"),
                  _run(f" · {f.rule} ({f.kind})")),
            _labelled("School", f.school or "district"),
            _labelled("Account", f.account),
            _labelled("Text", f.quoted),
            _labelled("Evidence", f.evidence or "-"),
            _labelled("Clause", f.clause),
        ]
        if f.link:
            items.append(_rich(_run("Open the post", color="Accent",
                                    selectAction={"type": "Action.OpenUrl", "url": f.link})))
        body.append({"type": "Container", "separator": True, "spacing": "Medium",
                     "items": items})
    if message.more:
        body.append(_rich(_run(f"… and {message.more} more: see socialaudit findings or the "
                               "weekly report.")))
    for h in message.health:
        body.append(_rich(_run(f"{h.problem}: ", weight="Bolder"), _run(h.summary),
                          separator=True))
        if h.detail:
            body.append(_rich(_run(h.detail, isSubtle=True)))
    for line in message.lines:
        body.append(_rich(_run(line)))
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4", "msteams": {"width": "Full"},
            "body": body}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
         "content": card}]}


def teams_escape(text: object) -> str:
    """MessageCard text: HTML and Markdown characters escaped."""
    return _MARKDOWN.sub(r"\\\1", html.escape(str(text), quote=False))


def teams_messagecard_payload(message: Message) -> dict[str, Any]:
    """The legacy Office 365 connector MessageCard, for tenants that still have one."""
    t = teams_escape
    sections: list[dict[str, Any]] = []
    for f in message.findings:
        section: dict[str, Any] = {
            "activityTitle": t(f"{f.severity.upper()} · {f.rule} ({f.kind})"),
            "facts": [{"name": label, "value": t(value)}
                      for label, value in _finding_fields(f)[2:]],
            "markdown": True,
        }
        if f.link:
            section["potentialAction"] = [{"@type": "OpenUri", "name": "Open the post",
                                           "targets": [{"os": "default", "uri": f.link}]}]
        sections.append(section)
    if message.more:
        sections.append({"text": t(f"… and {message.more} more: see socialaudit findings.")})
    for h in message.health:
        sections.append({"activityTitle": t(h.problem), "text": t(h.summary + (
            f" — {h.detail}" if h.detail else ""))})
    if message.lines:
        sections.append({"text": "<br>".join(t(line) for line in message.lines)})
    colour = "B00020" if message.kind in ("critical", "pipeline") else "C05500"
    return {"@type": "MessageCard", "@context": "https://schema.org/extensions",
            "summary": t(message.title), "themeColor": colour, "title": t(message.title),
            "sections": sections}


# --- generic webhook -----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def webhook_payload(message: Message) -> dict[str, Any]:
    """Plain JSON for any receiver: values are text, never markup (escape them when shown)."""
    return {
        "source": "socialaudit",
        "schema_version": 1,
        "kind": message.kind,
        "district": message.district,
        "title": message.title,
        "generated_at": _iso(message.generated_at),
        "findings": [{
            "finding_id": f.finding_id, "rule": f.rule, "kind": f.kind,
            "severity": f.severity, "platform": f.platform, "account_id": f.account_id,
            "account_handle": f.handle, "school": f.school, "excerpt": f.excerpt,
            "excerpt_withheld": f.excerpt is None, "evidence": f.evidence,
            "clause": {"id": f.clause_id, "section": f.clause_section,
                       "quote": f.clause_quote},
            "link": f.link, "first_seen_at": _iso(f.first_seen_at),
        } for f in message.findings],
        "more_findings": message.more,
        "capture_health": [{
            "problem": h.problem, "account_id": h.account_id, "platform": h.platform,
            "account_handle": h.handle, "school": h.school, "since": _iso(h.since),
            "token_env": h.token_env, "detail": h.detail, "summary": h.summary,
        } for h in message.health],
        "lines": list(message.lines),
    }
