#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment and install socialaudit into it.
# Usage: source scripts/setup-env.sh [extras]   e.g. "test"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SOCIALAUDIT_VENV:-$here/.venv}"
extras="${1:-}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
spec="$here"
[ -n "$extras" ] && spec="$here[$extras]"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
export PATH="$venv/bin:$PATH"
