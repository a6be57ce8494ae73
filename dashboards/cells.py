"""Spreadsheet safety: text from the public never becomes a formula in Excel, LibreOffice or Sheets.

A cell is read as a formula (or as the start of a DDE payload) when its first character, or the
first one after leading whitespace, is ``=``, ``+``, ``-`` or ``@`` (their full-width forms too,
which some spreadsheets fold), or when it starts with a tab, carriage return or line feed. Such a
cell gets a ``'`` in front, which every spreadsheet shows as text; ``unneutralize`` takes it off
again when an edited report is imported.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_LEADING_CONTROL = frozenset("\t\r\n")


def needs_quote(value: str) -> bool:
    """True if a spreadsheet could read ``value`` as a formula."""
    if not value:
        return False
    if value[0] in _LEADING_CONTROL:
        return True
    stripped = value.lstrip()
    return bool(stripped) and stripped[0] in _FORMULA_CHARS


def neutralize(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text: a possible formula gets a quote prefix."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """Undo ``neutralize``: ``'=x`` reads back as ``=x``; any other text is unchanged."""
    if value.startswith("'") and needs_quote(value[1:]):
        return value[1:]
    return value
