#!/usr/bin/env bash
# Set everything up (Python packages, and the Debian packages the tests need), then run the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/setup-env.sh" test
# Debian's chromium for the dashboard's browser test (Playwright drives it; it downloads nothing)
if [ ! -x /usr/bin/chromium ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
cd "$here"
ruff check .
exec python -m pytest -n 2 -q "$@"
