"""Test-only crash points: the process kills itself (SIGKILL) at a named point of a stage.

The stages call ``kill_point("normalize:before_commit")`` just before they commit. When the
environment variable ``SOCIALAUDIT_TEST_KILL_AT`` names that point the process dies there, as a
power cut or an OOM kill would stop it: no cleanup, no rollback, no ``finally``. ``name#n``
kills at the n-th time the point is reached (``ingest:before_commit#3``: during the third batch).
Unset (always, outside the kill-and-resume tests), it does nothing.
"""

from __future__ import annotations

import os
import signal

ENV = "SOCIALAUDIT_TEST_KILL_AT"
POINTS = (
    "ingest:before_commit",  # RawWriter.flush: a batch of pages with its cursors
    "normalize:before_commit",  # the whole normalization
    "media:before_commit",  # the images are stored, their hashes not yet recorded
    "signals:before_commit",  # one batch of detector signals
    "rules:before_commit",  # all findings
    "snapshot:before_detach",  # the snapshot's tables are copied, its file still attached
    "snapshot:before_rename",  # the new snapshot is written aside, not yet renamed
)
_reached: dict[str, int] = {}


def kill_point(name: str) -> None:
    """Die here if ``SOCIALAUDIT_TEST_KILL_AT`` says so (see the module docstring)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition("#")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
