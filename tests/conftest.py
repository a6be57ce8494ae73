"""Stop at once, with what to do, when the shared recorded API responses are not there."""

from __future__ import annotations

import pytest

from tests.fixtures import FIXTURES, SEEDS


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [p for p in (FIXTURES, SEEDS) if not p.is_dir()]
    if missing:
        pytest.exit(f"the tests read the recorded API responses and policy seeds in place; "
                    f"missing: {', '.join(map(str, missing))}. Clone socialaudit beside the "
                    f"shared/ folder, or set SOCIALAUDIT_SHARED to it", returncode=4)
