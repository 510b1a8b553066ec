"""What one row of the charts' PNG is given (`ChartSeries`: a window of periods, their values, the series judged
over its whole history, the period in progress) and the checks `bot.measures.charts.render_png` makes of it before
drawing anything (`check`)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.measures.chart_style import PERIODS
from bot.measures.xmr import XmRChart


@dataclass(frozen=True)
class ChartSeries:
    """One row of the PNG.

    title: e.g. "Ideas raised per week" (the caller includes the period word). period: "week", "fortnight" or
    "month". starts: the first day of each complete period shown, oldest first (the window). values: one per
    start; None is a gap, drawn as a break in the line, never a zero. chart: the series judged over its whole
    history, or None; its indices are history indices, and `first_index` is the history index of starts[0]
    (chart.values[first_index + i] == values[i]). current_start / current_value: the period in progress, drawn
    apart (hollow marker, "so far") and never judged; current_value None draws no marker. count: whole-number
    y ticks and a y axis from 0.
    """

    title: str
    period: str
    starts: Sequence[date]
    values: Sequence[float | None]
    chart: XmRChart | None
    first_index: int
    current_start: date | None
    current_value: float | None
    count: bool


def check(one: ChartSeries) -> None:
    """ValueError when `one` cannot be drawn as a row: the cases `render_png` lists."""
    name = repr(one.title)
    if one.period not in PERIODS:
        raise ValueError(f"{name}: the period must be one of {', '.join(PERIODS)}, not {one.period!r}")
    if len(one.starts) != len(one.values):
        raise ValueError(f"{name}: {len(one.starts)} starts for {len(one.values)} values")
    if any(later <= earlier for earlier, later in itertools.pairwise(one.starts)):
        raise ValueError(f"{name}: the starts must be in order, oldest first")
    if one.current_value is not None and one.current_start is None:
        raise ValueError(f"{name}: a current value needs the start of the current period")
    if one.current_start is not None and one.starts and one.current_start <= one.starts[-1]:
        raise ValueError(f"{name}: the current period must come after the complete ones")
    if one.first_index < 0:
        raise ValueError(f"{name}: first_index must be ≥ 0, not {one.first_index}")
    chart = one.chart
    if chart is None:
        return
    end = one.first_index + len(one.values)
    if end > len(chart.values):
        raise ValueError(f"{name}: a window up to index {end} of a chart of {len(chart.values)} values")
    for i, value in enumerate(one.values):
        judged = chart.values[one.first_index + i]
        if (value is None) != (judged is None) or (value is not None and float(value) != judged):
            raise ValueError(f"{name}: value {i} is {value!r} but the chart has {judged!r} at {one.first_index + i}")
