"""The periods a measure is counted in: ISO weeks, fortnights or calendar months, in a team's time zone.

A period is local dates [start, end) and the UTC instants of their midnights (so daylight saving is handled
where the team is). Fortnights are fixed pairs of ISO weeks counted from FORTNIGHT_EPOCH, so a fortnight is the
same two weeks whatever window is drawn. Only complete periods are judged; the one in progress is `current`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEK = "week"
FORTNIGHT = "fortnight"
MONTH = "month"
PERIODS = (WEEK, FORTNIGHT, MONTH)
FORTNIGHT_EPOCH = date(2024, 1, 1)  # a Monday: fortnights are the ISO-week pairs counted from here


@dataclass(frozen=True)
class Period:
    """Local dates `start` ≤ d < `end` in the team's zone, with the UTC instants of those midnights."""

    start: date
    end: date
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class Calendar:
    """The periods of one series: `complete` ones oldest first (judged), and `current`, the one in progress."""

    kind: str
    complete: tuple[Period, ...]
    current: Period


def period_start(day: date, kind: str) -> date:
    """The first day of the `kind` period holding `day`: a Monday for weeks and fortnights, the 1st for months."""
    monday = day - timedelta(days=day.weekday())
    if kind == WEEK:
        return monday
    if kind == FORTNIGHT:
        return monday - timedelta(weeks=((monday - FORTNIGHT_EPOCH).days // 7) % 2)
    if kind == MONTH:
        return day.replace(day=1)
    raise ValueError(f"unknown period {kind!r}; expected one of {PERIODS}")


def next_start(start: date, kind: str) -> date:
    """The first day of the period after the one starting on `start`."""
    if kind == WEEK:
        return start + timedelta(weeks=1)
    if kind == FORTNIGHT:
        return start + timedelta(weeks=2)
    if kind == MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    raise ValueError(f"unknown period {kind!r}; expected one of {PERIODS}")


def _instant(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def period(start: date, kind: str, zone: ZoneInfo) -> Period:
    """The `kind` period that starts on `start` (which must be a period start)."""
    end = next_start(start, kind)
    return Period(start, end, _instant(start, zone), _instant(end, zone))


def calendar(kind: str, zone: ZoneInfo, first_day: date | None, now: datetime) -> Calendar:
    """The complete `kind` periods from the one holding `first_day` (None: none yet) up to, not including, the
    period holding `now` in `zone`, which is `current`."""
    today = now.astimezone(zone).date()
    current_start = period_start(today, kind)
    complete = []
    if first_day is not None:
        start = period_start(min(first_day, today), kind)
        while start < current_start:
            complete.append(period(start, kind, zone))
            start = next_start(start, kind)
    return Calendar(kind, tuple(complete), period(current_start, kind, zone))
