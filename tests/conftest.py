"""Stop at once, with what to do, when the shared recorded API responses are not there; under
pytest-xdist, give each worker its share of the cores for the detectors' threads."""

from __future__ import annotations

import os

import pytest

from checks.detectors.threads import THREADS_ENV, available_cores
from tests.fixtures import FIXTURES, SEEDS

#: the detector threads the caller set before the run (None: unset), kept in the config's stash
CALLER_THREADS = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    # xdist sets the worker count in each worker's environment; two workers with 2-thread
    # ONNX sessions each on 2 cores score comments 1.7x slower than with 1 thread each
    config.stash[CALLER_THREADS] = os.environ.get(THREADS_ENV)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        os.environ.setdefault(THREADS_ENV, str(max(1, available_cores() // workers)))


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [p for p in (FIXTURES, SEEDS) if not p.is_dir()]
    if missing:
        pytest.exit(f"the tests read the recorded API responses and policy seeds in place; "
                    f"missing: {', '.join(map(str, missing))}. Clone socialaudit beside the "
                    f"shared/ folder, or set SOCIALAUDIT_SHARED to it", returncode=4)
