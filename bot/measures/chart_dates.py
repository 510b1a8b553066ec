"""The dates along a chart's x axis: a day as matplotlib's date number (`to_x`), the boundaries between periods
(`edges`), a period's tick label (`tick`), and matplotlib's concise date labels with the months in the reader's
language (`concise_dates`). As in `bot.measures.charts`, matplotlib is imported only inside the functions."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import TYPE_CHECKING

from bot.i18n import day, day_like

if TYPE_CHECKING:
    from matplotlib.dates import ConciseDateFormatter, DateLocator

PERIOD_DAYS = {"week": 7.0, "fortnight": 14.0, "month": 365.25 / 12}


def to_x(day: date) -> float:
    """A day as matplotlib's date number, what its date locators and formatters read."""
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def tick(start: date, period: str) -> str:
    """A period's tick label in the reader's language: "Nov 2025" for a month, "2 Mar" for a week or fortnight."""
    return day_like(start, "MMM y") if period == "month" else day_like(start, "d MMM")


# matplotlib names months with strftime (in C's English); its concise formatter is given this instead, which the
# reader's name of the month replaces once the labels are made.
_MONTH = "\x1f%m\x1f"
_MONTH_FOUND = re.compile("\x1f([0-9]{2})\x1f")


def concise_dates(locator: DateLocator) -> ConciseDateFormatter:
    """matplotlib's concise date labels (years at a January tick, months, days), the months in the reader's
    language; English as matplotlib's own ("Jan", "2026", "Mar")."""
    from matplotlib.dates import ConciseDateFormatter

    class LocalDates(ConciseDateFormatter):
        def format_ticks(self, values: object) -> list[str]:
            labels: list[str] = super().format_ticks(values)  # type: ignore[no-untyped-call]
            return [_MONTH_FOUND.sub(_month_name, label) for label in labels]

    # matplotlib's own formats, with `_MONTH` for "%b".
    formats = ["%Y", _MONTH, "%d", "%H:%M", "%H:%M", "%S.%f"]
    zero_formats = ["", "%Y", _MONTH, f"{_MONTH}-%d", "%H:%M", "%H:%M"]
    return LocalDates(locator, formats=formats, zero_formats=zero_formats, show_offset=False)  # type: ignore[no-untyped-call]


def _month_name(found: re.Match[str]) -> str:
    return day(date(2000, int(found[1]), 1), "LLL")


def edges(positions: list[float], period_days: float) -> list[float]:
    """The boundaries between periods (half way between neighbouring starts), half a period beyond each end."""
    if len(positions) == 1:
        return [positions[0] - period_days / 2, positions[0] + period_days / 2]
    middles = [(a + b) / 2 for a, b in itertools.pairwise(positions)]
    return [
        positions[0] - (positions[1] - positions[0]) / 2,
        *middles,
        positions[-1] + (positions[-1] - positions[-2]) / 2,
    ]
