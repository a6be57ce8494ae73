"""Paths to the shared recorded API responses and policy seeds (read in place, never copied into
the repo): the folder ``SOCIALAUDIT_SHARED`` names, else ``../shared`` beside the clone, else
``shared/`` beside the local repository the clone was made from (``git clone /work/main
/tmp/x/c`` finds ``/work/shared``)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def _origin_checkout(repo: Path) -> Path | None:
    """The local folder ``repo`` was cloned from, if its ``origin`` is a path on this machine."""
    try:
        url = subprocess.run(["git", "-C", str(repo), "config", "--get", "remote.origin.url"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    url = url.removeprefix("file://")
    if not url or "://" in url or (":" in url and not url.startswith("/")):  # a remote
        return None
    return (repo / url).resolve()


def shared_folder(repo: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the shared folder is for the checkout at ``repo`` (see the module docstring); when
    none exists, ``../shared`` beside it, which the test session's error then names."""
    if environ.get("SOCIALAUDIT_SHARED"):
        return Path(environ["SOCIALAUDIT_SHARED"])
    beside = repo.parent / "shared"
    if beside.is_dir():
        return beside
    origin = _origin_checkout(repo)
    if origin is not None and (origin.parent / "shared").is_dir():
        return origin.parent / "shared"
    return beside


SHARED = shared_folder(Path(__file__).resolve().parents[1])
FIXTURES = SHARED / "fixtures"
SEEDS = SHARED / "seeds"
TWARC = FIXTURES / "x-api-v2" / "twarc-csv"
CASSETTES = FIXTURES / "x-api-v2" / "tweepy-cassettes"
PYFACEBOOK = FIXTURES / "graph-api" / "python-facebook"
