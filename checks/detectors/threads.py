"""How many threads a detector may use: ``$SOCIALAUDIT_DETECTOR_THREADS``, else the cores this
process may run on, at most ``DEFAULT_MAX``.

The MiniLM encoder and the fine-tuned classifiers run this many ONNX calls side by side, one
thread each (their batches, and their texts, respectively). Processes that score on the same
cores (two pytest-xdist workers, two audits on one server) should each be given their share:
two processes with 2-thread sessions on 2 cores scored a file of 422 comments in 12 s each;
with 1 thread each, in 7 s each. The thread count does not change any score (checked bit for
bit). The faces detector keeps its own pool of 2: there, 1 or 2 made no difference with two
processes on 2 cores.
"""

from __future__ import annotations

import os

THREADS_ENV = "SOCIALAUDIT_DETECTOR_THREADS"
DEFAULT_MAX = 2


class ThreadsSettingError(ValueError):
    """``$SOCIALAUDIT_DETECTOR_THREADS`` is set to something that is not a thread count."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def detector_threads() -> int:
    """``$SOCIALAUDIT_DETECTOR_THREADS`` if set (a whole number, at least 1), else
    ``min(DEFAULT_MAX, available_cores())``."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return min(DEFAULT_MAX, available_cores())
    if not raw.isdecimal() or int(raw) < 1:
        raise ThreadsSettingError(f"{THREADS_ENV} must be a whole number of threads, at least "
                                  f"1 (it is {raw!r}); unset it to use up to {DEFAULT_MAX}")
    return int(raw)
