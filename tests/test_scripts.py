"""The README's set-up scripts: options given to the demo script reach `socialaudit demo`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_script_passes_its_options_to_the_demo_and_not_to_pip():
    # the script sources the set-up script, which would read the demo's options as its extras
    # if they were passed on; it reuses this test's environment (already installed)
    env = {**os.environ, "SOCIALAUDIT_VENV": sys.prefix}
    done = subprocess.run(["bash", str(ROOT / "scripts/demo.sh"), "--help"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--scale" in done.stdout and "--out" in done.stdout
