#!/usr/bin/env bash
# Set everything up (Python packages, and the Debian packages the tests need), then run the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/setup-env.sh" test
# Debian's chromium for the dashboard's browser test (Playwright drives it; it downloads nothing)
if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi
cd "$here"
ruff check .
exec python -m pytest -n 2 -q "$@"
