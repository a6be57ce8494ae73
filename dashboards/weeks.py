"""Reporting weeks: Monday 00:00 to the next Monday 00:00 in the district's time zone.

A week is named by its ISO week (``2026-W47``); ``--week`` options accept that name, a date inside
the week (``2026-11-18``) or ``latest`` (the last week that has ended, or the current one with
``include_current``). The bounds are timezone-aware so SQL compares them with ``TIMESTAMPTZ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ISO = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    monday: date
    tz: str

    @property
    def name(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(0), ZoneInfo(self.tz))

    @property
    def end(self) -> datetime:
        """Exclusive: the next Monday 00:00 local time (DST-safe: computed on the local date)."""
        return datetime.combine(self.monday + timedelta(days=7), time(0), ZoneInfo(self.tz))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def shifted(self, weeks: int) -> Week:
        return Week(self.monday + timedelta(weeks=weeks), self.tz)

    def previous(self, count: int) -> list[Week]:
        """This week and the ``count - 1`` before it, oldest first."""
        return [self.shifted(-i) for i in range(count - 1, -1, -1)]

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def week_of(moment: datetime | date, tz: str) -> Week:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("week_of needs a timezone-aware datetime")
        local = moment.astimezone(ZoneInfo(tz)).date()
    else:
        local = moment
    return Week(local - timedelta(days=local.weekday()), tz)


def parse_week(text: str, tz: str, now: datetime, *, include_current: bool = False) -> Week:
    """``2026-W47``, ``2026-11-18`` or ``latest``; a clear ValueError otherwise."""
    value = text.strip()
    if value == "latest":
        current = week_of(now, tz)
        return current if include_current else current.shifted(-1)
    if m := _ISO.match(value):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError as exc:
            raise ValueError(f"no such week: {value!r}") from exc
        return Week(monday, tz)
    try:
        return week_of(date.fromisoformat(value), tz)
    except ValueError as exc:
        raise ValueError(
            f"a week is YYYY-Www, a date YYYY-MM-DD or 'latest', not {value!r}") from exc
