"""Which modules a piece of code imports, run in a new Python process from the project's root:
the detectors, the quality checks and the command line import their heavy libraries lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_by(code: str, modules: Sequence[str], timeout: float = 300) -> list[str]:
    """Those of ``modules`` that running ``code`` (Python statements) imported, in order."""
    script = (f"{code}\nimport json as _json, sys as _sys\n"
              f"print(_json.dumps([m for m in {list(modules)!r} if m in _sys.modules]))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
