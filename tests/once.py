"""Build a costly module fixture once per test session, also under pytest-xdist.

Under ``pytest -n 2`` a module-scoped fixture is built by every worker that runs one of the
module's tests, so a simulated district audited end to end, or the blind comment files scored,
was built twice. ``once`` lets the first worker that asks build it into a folder every worker
sees (beside the workers' own temporary folders) while the others wait on a file lock, then
load what it left. What a fixture returns must pickle (paths and data, not open connections),
and the tests must only read what was built. If the build fails, nothing is kept, and the
next worker that asks builds it again (and meets the same failure in its own tests).
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

T = TypeVar("T")


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session sees (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built-once"
    root.mkdir(exist_ok=True)
    return root


def once(tmp_path_factory: pytest.TempPathFactory, name: str,
         build: Callable[[Path], T]) -> T:
    """What ``build(folder)`` returns, built by one worker of the session and shared."""
    root = shared_root(tmp_path_factory)
    folder, result = root / name, root / f"{name}.pickle"
    with FileLock(str(root / f"{name}.lock")):
        if result.exists():
            return pickle.loads(result.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
        folder.mkdir()
        value = build(folder)
        result.write_bytes(pickle.dumps(value))
        return value
