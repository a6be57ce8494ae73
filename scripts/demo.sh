#!/usr/bin/env bash
# Set everything up, then run the demo on a simulated district. Extra arguments go to
# `socialaudit demo` (e.g. --scale 10 --out /tmp/district).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/setup-env.sh" ""  # no extras (a bare `source` would pass on our arguments)
cd "$here"
exec socialaudit demo "$@"
