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
    )
