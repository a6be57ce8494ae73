"""``benchmarks/detectors.py`` prints each detector's load time and throughput, and the machine
they were measured on (cores, threads, load, a single-core reference loop), so that two runs can
be compared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from checks.detectors.threads import THREADS_ENV

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_reports_throughput_and_the_machine(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    result = subprocess.run([sys.executable, "benchmarks/detectors.py", "--only",
                             "teacher-content", "--repeat", "1"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"machine", "teacher-content"}
    run = out["teacher-content"]
    assert run["items"] > 100 and run["items_per_s"] > 0 and run["load_s"] > 0
    m = out["machine"]
    assert m["detector_threads"] == 1 and m["cores"] >= 1
    assert m["reference_loop_s"] > 0
    assert m["load_1m_before"] >= 0 and m["load_1m_after"] >= 0
