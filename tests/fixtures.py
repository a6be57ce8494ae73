"""Paths to the shared recorded API responses (read in place, never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = SHARED / "fixtures"
TWARC = FIXTURES / "x-api-v2" / "twarc-csv"
CASSETTES = FIXTURES / "x-api-v2" / "tweepy-cassettes"
PYFACEBOOK = FIXTURES / "graph-api" / "python-facebook"
