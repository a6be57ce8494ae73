"""``benchmarks/detectors.py`` prints each detector's load time and throughput, and the machine
they were measured on (cores, threads, load, a single-core reference loop), so that two runs can
be compared; ``benchmarks/comment_typos.py`` scores harmless and planted removable comments as
written and with typos added; ``benchmarks/simulated_comments.py`` scores the simulated
district's comments seed by seed."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from checks.detectors import comment
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


def test_the_typo_check_scores_harmless_comments_as_written_and_with_typos(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    result = subprocess.run([sys.executable, "benchmarks/comment_typos.py", "--seeds", "3",
                             "--variants", "1", "--limit", "60"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["comments"] == 60 and out["seeds"] == [3]
    assert out["detector_version"].startswith(comment.METHOD_VERSION + "+")
    written, typod = out["variants"]
    assert (written["typos"], written["changed"]) == (False, 0)
    assert typod["typos"] and typod["changed"] >= 50
    for variant in out["variants"]:
        assert variant["flagged"] == sum(variant["by_ground"].values()) <= 60
        assert len(variant["threats"]) == variant["by_ground"].get("threat_violence", 0)
        planted = variant["planted"]
        assert planted["threats"] == planted["threats_found"] + len(planted["threats_missed"])
        assert planted["threats"] >= 5 and planted["given_a_ground"] <= out["planted_comments"]
    assert out["planted_comments"] == 60
    assert written["planted"]["given_a_ground"] >= 50  # the detector finds its planted comments


def test_a_typo_draw_is_its_seed_s_and_draw_0_is_the_one_rounds_were_judged_on():
    from benchmarks.comment_typos import typo_draws
    from checks.detectors.finetune import with_typo

    texts = [f"the board meeting is on tuesday number {i}, see you there" for i in range(30)]
    rng = random.Random(0)  # the draw every round up to 30 was judged on, written out
    assert typo_draws(texts, 2, 0) == [texts, *([with_typo(t, rng) for t in texts]
                                                for _ in range(2))]
    first, fresh = typo_draws(texts, 1, 0), typo_draws(texts, 1, 100)
    assert fresh == typo_draws(texts, 1, 100) and fresh[0] == texts
    assert sum(a != b for a, b in zip(first[1], fresh[1], strict=True)) >= 20


def test_the_typo_check_refuses_bad_arguments_clearly():
    for args in (["--seeds", "three"], ["--variants", "-1"], ["--limit", "0"], ["--seeds", ","]):
        result = subprocess.run([sys.executable, "benchmarks/comment_typos.py", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, args
        assert "error:" in result.stderr and "Traceback" not in result.stderr, args


def test_the_simulated_comments_check_reads_every_seed_s_comments(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    result = subprocess.run([sys.executable, "benchmarks/simulated_comments.py", "--seeds", "7"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["detector_version"] == comment.detector().version
    (seed,) = out["seeds"]
    # the demo's seed: 41 planted removable comments, every one found (tests/test_ground_truth)
    assert seed["seed"] == 7 and seed["planted"] == 41 and seed["planted_missed"] == []
    assert seed["protected"] > 50 and seed["protected_given_a_ground"] == []
    # distinct texts: a wording the simulator repeats counts once among them
    assert len(seed["harmless_flagged"]) <= seed["harmless_given_a_ground"]
    assert seed["harmless_given_a_ground"] < seed["harmless"] // 10
    assert seed["students"] > 50
    assert set(seed["students_given_a_ground"]) <= set(comment.GROUNDS)
    assert sum(seed["students_given_a_ground"].values()) >= len(seed["students_flagged"])


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")))
def test_a_benchmark_run_as_a_script_measures_its_own_checkout(tmp_path, script):
    """The editable install maps the packages to the checkout it was made from; a benchmark run
    from another checkout (a worktree of a round) must import that checkout's packages, or it
    measures the wrong detector without a sign. Here the other checkout's packages stop the
    run at once, so the script must have reached them rather than the installed ones."""
    checkout = tmp_path / "other"
    (checkout / "benchmarks").mkdir(parents=True)
    (checkout / "benchmarks" / script).write_text((ROOT / "benchmarks" / script).read_text())
    for package in ("checks", "connectors", "dashboards", "pipelines", "warehouse"):
        (checkout / package).mkdir()
        (checkout / package / "__init__.py").write_text(
            f"raise SystemExit('the other checkout: {package}')\n")
    result = subprocess.run([sys.executable, f"benchmarks/{script}"], cwd=checkout,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "the other checkout: " in result.stderr, result.stderr[-2000:]
