#!/usr/bin/env bash
# Set everything up (Python packages, and the Debian packages the tests need), then run the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/setup-env.sh" test
cd "$here"
ruff check .
exec python -m pytest -n 2 -q "$@"
