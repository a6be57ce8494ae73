"""The district workspace: ``socialaudit.toml`` and the paths it names.

Every relative path in the file is relative to the file's own folder, so a workspace can be
moved or copied as a whole. Credentials are never in the file: only the names of the environment
variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_FILE_NAME = "socialaudit.toml"
REGISTRY_KEYS = ("accounts", "designees", "consents", "media_consents", "approvals", "roster")


class ConfigError(ValueError):
    """The config file is missing, unreadable or wrong; the message names the file and key."""


@dataclass(frozen=True)
class XSource:
    enabled: bool = True
    bearer_token_env: str = "SOCIALAUDIT_X_BEARER_TOKEN"
    search: Literal["recent", "all"] = "recent"
    reply_window_days: int = 7


@dataclass(frozen=True)
class MetaSource:
    enabled: bool = True
    token_env: str = "SOCIALAUDIT_META_TOKEN"
    graph_version: str = "v25.0"
    comment_window_days: int = 14


@dataclass(frozen=True)
class SimulatedSource:
    seed: int
    scale: float
    end: datetime | None = None
    now: datetime | None = None
    faults: tuple[dict[str, Any], ...] = ()


ALERT_KINDS = ("email", "slack", "teams", "webhook")
SEVERITIES = ("critical", "high", "medium", "low")
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_CHANNEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


@dataclass(frozen=True)
class AlertChannel:
    """One ``[[alerts.channels]]`` table: where alerts go. Secrets: environment variable names."""

    name: str
    kind: Literal["email", "slack", "teams", "webhook"]
    immediate: bool = True  # critical findings as soon as the audit that finds them ends
    digest: bool = False  # a daily digest of the other open findings, new since the last one
    health: bool = True  # capture health (expired tokens, stale accounts) and pipeline failures
    min_severity: str = "low"  # the lowest severity the digest lists
    url_env: str | None = None  # slack | teams | webhook: the variable holding the URL
    teams_format: Literal["adaptive", "messagecard"] = "adaptive"
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    ssl: bool = False  # implicit TLS (port 465) instead of STARTTLS
    username_env: str | None = None
    password_env: str | None = None
    sender: str | None = None  # the "from" key
    to: tuple[str, ...] = ()
    tls_ca_file: Path | None = None  # extra CA bundle to trust (a private relay); never "no verify"
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Config:
    path: Path
    district_name: str
    timezone: str
    policy_pack: str
    warehouse_path: Path
    snapshot_path: Path
    media_dir: Path
    reports_dir: Path
    registry: dict[str, Path]
    x: XSource = field(default_factory=XSource)
    meta: MetaSource = field(default_factory=MetaSource)
    simulated: SimulatedSource | None = None
    max_capture_age_hours: int = 26
    public_contacts: tuple[str, ...] = ()  # the district's own phones, emails, addresses
    consent_id_pattern: str = r"\b[A-Z]{1,5}-\d{4}-\d{2,6}\b"
    # where the district's social media Rules of Engagement are published (a profile linking to
    # any of them has the link its policy may require)
    rules_of_engagement_urls: tuple[str, ...] = ()
    alert_channels: tuple[AlertChannel, ...] = ()

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token(self, env_name: str | None) -> str | None:
        """The credential held by environment variable ``env_name``, if set."""
        return os.environ.get(env_name) if env_name else None


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def _get(section: dict[str, Any], key: str, kind: type, path: Path, where: str, default: Any = ...):
    if key not in section:
        if default is ...:
            raise ConfigError(f"{path}: [{where}] is missing '{key}'")
        return default
    value = section[key]
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind):
        raise ConfigError(f"{path}: [{where}] '{key}' must be {kind.__name__}, got {value!r}")
    return value


def _when(value: Any, path: Path, key: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{path}: [simulated] '{key}' is not an ISO date-time: {value!r}"
        ) from exc


_CHANNEL_KEYS = {
    "name", "kind", "immediate", "digest", "health", "min_severity", "url_env", "format",
    "smtp_host", "smtp_port", "starttls", "ssl", "username_env", "password_env", "from", "to",
    "tls_ca_file", "timeout_seconds",
}


def _alert_channels(data: dict[str, Any], path: Path, root: Path) -> tuple[AlertChannel, ...]:
    """The ``[[alerts.channels]]`` tables, checked; each problem names the channel and key."""
    import re

    alerts = _section(data, "alerts", path)
    unknown = set(alerts) - {"channels"}
    if unknown:
        raise ConfigError(f"{path}: [alerts] unknown keys {sorted(unknown)}")
    tables = alerts.get("channels", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{path}: [alerts] channels must be [[alerts.channels]] tables")
    channels: list[AlertChannel] = []
    for number, table in enumerate(tables, start=1):
        where = f"alerts.channels #{number}"
        name = _get(table, "name", str, path, where)
        if not re.match(_CHANNEL_NAME, name):
            raise ConfigError(f"{path}: [{where}] name {name!r} must be letters, digits, '_', "
                              "'.' or '-' (at most 64)")
        where = f"alerts.channels {name!r}"
        if any(c.name == name for c in channels):
            raise ConfigError(f"{path}: [{where}] name is used by another channel")
        if "url" in table or "webhook_url" in table or "password" in table:
            raise ConfigError(f"{path}: [{where}] a webhook URL or password is a secret: put it "
                              "in an environment variable and name that with url_env / "
                              "password_env")
        unknown = set(table) - _CHANNEL_KEYS
        if unknown:
            raise ConfigError(f"{path}: [{where}] unknown keys {sorted(unknown)}")
        kind = _get(table, "kind", str, path, where)
        if kind not in ALERT_KINDS:
            raise ConfigError(f"{path}: [{where}] kind must be one of {list(ALERT_KINDS)}, "
                              f"got {kind!r}")
        severity = _get(table, "min_severity", str, path, where, "low")
        if severity not in SEVERITIES:
            raise ConfigError(f"{path}: [{where}] min_severity must be one of "
                              f"{list(SEVERITIES)}, got {severity!r}")
        env_names = {}
        for key in ("url_env", "username_env", "password_env"):
            value = _get(table, key, str, path, where, None)
            if value is not None and not re.match(_ENV_NAME, value):
                raise ConfigError(f"{path}: [{where}] {key} must be the NAME of an environment "
                                  f"variable (letters, digits, '_')")
            env_names[key] = value
        timeout = _get(table, "timeout_seconds", float, path, where, 10.0)
        if not 0 < timeout <= 120:
            raise ConfigError(f"{path}: [{where}] timeout_seconds must be in (0, 120]")
        ca_file = _get(table, "tls_ca_file", str, path, where, None)
        ca_path = root / ca_file if ca_file else None
        if ca_path is not None and not ca_path.is_file():
            raise ConfigError(f"{path}: [{where}] tls_ca_file {ca_file!r}: no such file")
        options: dict[str, Any] = {}
        if kind == "email":
            for key in ("url_env", "format"):
                if key in table:
                    raise ConfigError(f"{path}: [{where}] '{key}' is for webhook channels")
            options["smtp_host"] = _get(table, "smtp_host", str, path, where)
            options["ssl"] = _get(table, "ssl", bool, path, where, False)
            options["starttls"] = _get(table, "starttls", bool, path, where,
                                       not options["ssl"])
            options["smtp_port"] = _get(table, "smtp_port", int, path, where,
                                        465 if options["ssl"] else 587)
            if options["ssl"] and options["starttls"]:
                raise ConfigError(f"{path}: [{where}] choose ssl (implicit TLS) or starttls")
            if not 0 < options["smtp_port"] < 65536:
                raise ConfigError(f"{path}: [{where}] smtp_port must be a TCP port")
            if bool(env_names["username_env"]) != bool(env_names["password_env"]):
                raise ConfigError(f"{path}: [{where}] username_env and password_env go together")
            if env_names["password_env"] and not (options["ssl"] or options["starttls"]):
                raise ConfigError(f"{path}: [{where}] credentials are never sent in clear: set "
                                  "starttls = true (or ssl = true)")
            options["sender"] = _get(table, "from", str, path, where)
            to = table.get("to")
            to = [to] if isinstance(to, str) else to
            if not to or not isinstance(to, list) or not all(
                    isinstance(a, str) and "@" in a for a in to):
                raise ConfigError(f"{path}: [{where}] 'to' must be an address or a list of "
                                  "addresses")
            for address in [options["sender"], *to]:
                if "@" not in address or any(c in address for c in "\r\n"):
                    raise ConfigError(f"{path}: [{where}] {address!r} is not an email address")
            options["to"] = tuple(to)
        else:
            for key in ("smtp_host", "smtp_port", "starttls", "ssl", "username_env",
                        "password_env", "from", "to"):
                if key in table:
                    raise ConfigError(f"{path}: [{where}] '{key}' is for email channels")
            if not env_names["url_env"]:
                raise ConfigError(f"{path}: [{where}] is missing 'url_env' (the environment "
                                  "variable holding the webhook URL)")
            fmt = _get(table, "format", str, path, where, "adaptive")
            if kind != "teams" and "format" in table:
                raise ConfigError(f"{path}: [{where}] 'format' is for teams channels")
            if fmt not in ("adaptive", "messagecard"):
                raise ConfigError(f"{path}: [{where}] format must be 'adaptive' (Workflows) or "
                                  "'messagecard' (legacy connector)")
            options["teams_format"] = fmt
        channels.append(AlertChannel(
            name=name, kind=kind,
            immediate=_get(table, "immediate", bool, path, where, True),
            digest=_get(table, "digest", bool, path, where, False),
            health=_get(table, "health", bool, path, where, True),
            min_severity=severity, url_env=env_names["url_env"],
            username_env=env_names["username_env"], password_env=env_names["password_env"],
            tls_ca_file=ca_path, timeout_seconds=timeout, **options,
        ))
    return tuple(channels)


def load_config(path: str | Path) -> Config:
    """Read and check a workspace config; a folder means its ``socialaudit.toml``."""
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_FILE_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such config file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    root = path.resolve().parent

    district = _section(data, "district", path)
    timezone = _get(district, "timezone", str, path, "district", "America/Chicago")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{path}: [district] unknown timezone {timezone!r}") from exc

    wh = _section(data, "warehouse", path)
    registry_section = _section(data, "registry", path)
    unknown = set(registry_section) - set(REGISTRY_KEYS)
    if unknown:
        raise ConfigError(f"{path}: [registry] unknown keys {sorted(unknown)}")
    registry = {key: root / str(value) for key, value in registry_section.items()}
    if "accounts" not in registry:
        raise ConfigError(f"{path}: [registry] is missing 'accounts'")

    sources = _section(data, "sources", path)
    x_raw = sources.get("x", {})
    meta_raw = sources.get("meta", {})
    x = XSource(
        enabled=_get(x_raw, "enabled", bool, path, "sources.x", True),
        bearer_token_env=_get(x_raw, "bearer_token_env", str, path, "sources.x",
                              XSource.bearer_token_env),
        search=_get(x_raw, "search", str, path, "sources.x", "recent"),
        reply_window_days=_get(x_raw, "reply_window_days", int, path, "sources.x", 7),
    )
    if x.search not in ("recent", "all"):
        raise ConfigError(f"{path}: [sources.x] search must be 'recent' or 'all'")
    meta = MetaSource(
        enabled=_get(meta_raw, "enabled", bool, path, "sources.meta", True),
        token_env=_get(meta_raw, "token_env", str, path, "sources.meta", MetaSource.token_env),
        graph_version=_get(meta_raw, "graph_version", str, path, "sources.meta", "v25.0"),
        comment_window_days=_get(meta_raw, "comment_window_days", int, path, "sources.meta", 14),
    )
    simulated = None
    if "simulated" in data:
        sim = _section(data, "simulated", path)
        simulated = SimulatedSource(
            seed=_get(sim, "seed", int, path, "simulated"),
            scale=_get(sim, "scale", float, path, "simulated", 1.0),
            end=_when(sim.get("end"), path, "end"),
            now=_when(sim.get("now"), path, "now"),
            faults=tuple(sim.get("faults", [])),
        )
    capture = _section(data, "capture", path)
    checks = _section(data, "checks", path)
    contacts = checks.get("public_contacts", [])
    if not isinstance(contacts, list) or not all(isinstance(c, str) for c in contacts):
        raise ConfigError(f"{path}: [checks] public_contacts must be a list of strings")
    pattern = _get(checks, "consent_id_pattern", str, path, "checks", Config.consent_id_pattern)
    try:
        import re

        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{path}: [checks] consent_id_pattern is not a regex: {exc}") from exc
    roe_urls = _roe_urls(checks.get("rules_of_engagement_urls", []), path)
    return Config(
        path=path.resolve(),
        district_name=_get(district, "name", str, path, "district"),
        timezone=timezone,
        policy_pack=_get(district, "policy_pack", str, path, "district", ""),
        warehouse_path=root / _get(wh, "path", str, path, "warehouse", "warehouse.duckdb"),
        snapshot_path=root / _get(wh, "snapshot", str, path, "warehouse", "snapshot.duckdb"),
        media_dir=root / _get(wh, "media_dir", str, path, "warehouse", "media"),
        reports_dir=root / _get(wh, "reports_dir", str, path, "warehouse", "reports"),
        registry=registry,
        x=x,
        meta=meta,
        simulated=simulated,
        max_capture_age_hours=_get(capture, "max_age_hours", int, path, "capture", 26),
        public_contacts=tuple(contacts),
        consent_id_pattern=pattern,
        rules_of_engagement_urls=roe_urls,
        alert_channels=_alert_channels(data, path, root),
    )


_ROE_URL = (r"^(?:https?://)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
            r"(?:[/?#]\S*)?$")


def _roe_urls(value: Any, path: Path) -> tuple[str, ...]:
    """``[checks] rules_of_engagement_urls``: one address or a list, each a web address
    (``https://www.district.org/social-media-rules``; a scheme is optional)."""
    import re

    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise ConfigError(f"{path}: [checks] rules_of_engagement_urls must be an address or a "
                          "list of addresses")
    for url in urls:
        if not re.match(_ROE_URL, url.strip()):
            raise ConfigError(f"{path}: [checks] rules_of_engagement_urls: {url!r} is not a web "
                              "address such as https://www.district.org/social-media-rules")
    return tuple(dict.fromkeys(u.strip() for u in urls))
