"""Paths to the shared recorded API responses and policy seeds (read in place, never copied into
the repo): ``../shared`` beside the clone, or the folder ``SOCIALAUDIT_SHARED`` names."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("SOCIALAUDIT_SHARED")
              or Path(__file__).resolve().parents[1].parent / "shared")
FIXTURES = SHARED / "fixtures"
SEEDS = SHARED / "seeds"
TWARC = FIXTURES / "x-api-v2" / "twarc-csv"
CASSETTES = FIXTURES / "x-api-v2" / "tweepy-cassettes"
PYFACEBOOK = FIXTURES / "graph-api" / "python-facebook"
