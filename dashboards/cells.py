"""Spreadsheet safety: text from the public never becomes a formula in Excel or Sheets."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text: a leading trigger gets a quote prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
