"""When a team's huddles are due: local times on local days in the team's zone, skipping skip dates and public
holidays, posted within a grace window after the slot (so a bot that was down catches up, or skips).

Daylight saving: a slot is the instant `datetime.combine(day, time, zone)` names with fold=0. A time that does
not exist on a spring-forward day (02:30 in New York) becomes the instant after the gap (03:30 local); a time that
happens twice on a fall-back day is taken once, the first time. Each (team, local date, slot) is posted once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class Slot:
    """One huddle due: its index among the day's times (sorted), the team's local date, and the instant (UTC)."""

    index: int  # 0 is the first huddle of the day: it brings the leaders' digest
    local_date: date
    at: datetime  # the instant, in UTC


def slot_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local time `at` on `day` in `zone` (fold=0; the module's docstring says what that means
    across daylight saving changes)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=4096)
def _holidays(country: str, year: int) -> frozenset[date]:
    # Imported on first use: its calendar tables take about 2 MB (shared by the serving process and its worker),
    # which a deployment whose teams name no holiday country never needs (`bench memory`).
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_holiday(country: str | None, day: date) -> bool:
    """Whether `day` is a public holiday in `country` (ISO 3166 alpha-2, per the holidays package); false for no
    country."""
    return bool(country) and day in _holidays(str(country), day.year)


def supported_country(code: str) -> bool:
    """Whether the holidays package knows the public holidays of `code` (ISO 3166 alpha-2, any case)."""
    import holidays

    return code.upper() in holidays.list_supported_countries()


def due_slots(
    *,
    times: Sequence[time],
    days: Collection[int],
    zone: ZoneInfo,
    skips: Collection[date],
    holiday_country: str | None,
    now: datetime,
    grace: timedelta = GRACE,
) -> list[Slot]:
    """Slots whose time has come and whose grace window has not yet passed."""
    ordered = sorted(times)
    today = now.astimezone(zone).date()
    due: list[Slot] = []
    for day in (today - timedelta(days=1), today):  # a slot late last night may still be inside its grace
        if day.weekday() not in days or day in skips or is_holiday(holiday_country, day):
            continue
        for index, at in enumerate(ordered):
            instant = slot_instant(day, at, zone)
            if instant <= now < instant + grace:
                due.append(Slot(index, day, instant))
    return due


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())
