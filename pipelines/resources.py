"""Dagster resources: the district workspace, the platforms' credentials, platform access."""

from __future__ import annotations

import os

import duckdb
from dagster import ConfigurableResource, EnvVar

from pipelines.config import Config, load_config

CONFIG_ENV = "SOCIALAUDIT_CONFIG"


class WorkspaceResource(ConfigurableResource):
    """The district workspace (``socialaudit.toml``) and its warehouse."""

    config_path: str

    def load(self) -> Config:
        return load_config(self.config_path)

    def connect(self) -> duckdb.DuckDBPyConnection:
        from warehouse.db import connect

        return connect(self.load().warehouse_path)


class PlatformCredentials(ConfigurableResource):
    """Tokens from the environment only; per-account Page tokens are read by their variable name."""

    x_bearer_token: str | None = None
    meta_token: str | None = None

    def resolver(self, config: Config):
        def token_of(env_name: str | None) -> str | None:
            if env_name == config.x.bearer_token_env and self.x_bearer_token:
                return self.x_bearer_token
            if env_name == config.meta.token_env and self.meta_token:
                return self.meta_token
            return os.environ.get(env_name) if env_name else None

        return token_of


TIMEZONE_ENV = "SOCIALAUDIT_TIMEZONE"
DEFAULT_TIMEZONE = "America/Chicago"


def district_timezone() -> str:
    """The time zone schedules and weekly partitions run in: ``$SOCIALAUDIT_TIMEZONE``, else the
    workspace config's ``timezone``, else America/Chicago (a code location must load even before
    its workspace exists)."""
    if os.environ.get(TIMEZONE_ENV):
        return os.environ[TIMEZONE_ENV]
    try:
        return load_config(os.environ.get(CONFIG_ENV, "socialaudit.toml")).timezone
    except Exception:  # noqa: BLE001 - no or broken workspace: the runs themselves will say why
        return DEFAULT_TIMEZONE


X_TOKEN_ENV = "SOCIALAUDIT_X_BEARER_TOKEN"
META_TOKEN_ENV = "SOCIALAUDIT_META_TOKEN"


def _env_var(name: str) -> EnvVar | None:
    # Wired as EnvVar so Dagster never stores or shows the value; left unset when the variable
    # is absent, so the capture reports "no token" for that platform instead of failing to load.
    return EnvVar(name) if os.environ.get(name) else None


def default_resources() -> dict[str, ConfigurableResource]:
    return {
        "workspace": WorkspaceResource(config_path=os.environ.get(CONFIG_ENV, "socialaudit.toml")),
        "credentials": PlatformCredentials(
            x_bearer_token=_env_var(X_TOKEN_ENV), meta_token=_env_var(META_TOKEN_ENV)
        ),
    }
