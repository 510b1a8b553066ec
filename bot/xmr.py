"""XmR charts (process behaviour charts) for the weekly measures: central line, natural process limits, signals.

A series is one value per week; `None` is a week with nothing to measure (a gap), never a zero. The limits come
from a baseline, the first up to 20 present points, so that later weeks are judged against it instead of moving
the yardstick they are judged by. Signals are judged on every present point; gaps are skipped.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

BASELINE_MAX = 20
BASELINE_MIN = 6
# Wheeler's scaling constants for individual values and two-point moving ranges (3 / d2 and D4 for n = 2).
LIMIT_FACTOR = 2.66
RANGE_LIMIT_FACTOR = 3.268
RUN_LENGTH = 8
RULE_3_WINDOW = 4
RULE_3_NEEDED = 3

ABOVE = "above"
BELOW = "below"


@dataclass(frozen=True)
class Signal:
    index: int  # the point's position in the series
    rule: int  # 1: outside the limits; 2: a run of 8 on one side; 3: 3 of 4 closer to one limit than to the centre
    side: str  # "above" or "below"


@dataclass(frozen=True)
class XmRChart:
    values: tuple[float | None, ...]  # None = a gap (e.g. a week with no decisions): not a zero
    center: float  # mean of the baseline
    upper: float  # upper natural process limit: center + 2.66 × average moving range
    lower: float  # lower natural process limit: center − 2.66 × average moving range, not below 0 for counts
    moving_ranges: tuple[float | None, ...]  # |x_i − x_{i−1}|; None at the first point and next to a gap
    average_moving_range: float
    upper_range_limit: float  # 3.268 × average moving range
    baseline_points: int  # how many present points the baseline used: the first up to 20, at least 6
    signals: tuple[Signal, ...]  # ordered by index, then rule


@dataclass(frozen=True)
class _Episode:
    """The points one occurrence of a rule marks: one point for rule 1, a run for rule 2, a cluster for rule 3."""

    rule: int
    side: str
    indices: tuple[int, ...]


def xmr_chart(values: Sequence[float | None], *, count: bool) -> XmRChart | None:
    """The XmR chart of a weekly series, or None while there is too little to set limits.

    None when fewer than 6 points are present, or when no two present points inside the baseline are
    neighbours (every moving range would cross a gap, so there is no variation to measure).
    `count` marks a series of counts: the lower limit is clamped at 0 and negative values are refused.

    Signals, judged on the present points in order (a gap is skipped and does not break a run or a window):
    - rule 1: the point lies strictly beyond a limit;
    - rule 2: every point of a run of 8 or more consecutive points strictly on one side of the central line
      is marked, the first 7 included (a point exactly on the line ends the run); `run_start` gives its start;
    - rule 3: in any 4 consecutive points, 3 or more are strictly closer to the same limit (as drawn, so the
      clamped one for counts) than to the central line; every such point of a qualifying window is marked.
    A point can carry several signals (e.g. rules 1, 2 and 3 at once).
    """
    series = tuple(_checked(value, count=count) for value in values)
    present = [(index, value) for index, value in enumerate(series) if value is not None]
    if len(present) < BASELINE_MIN:
        return None

    moving_ranges = tuple(
        _moving_range(previous, value) for previous, value in zip((None, *series[:-1]), series, strict=True)
    )
    baseline = present[:BASELINE_MAX]
    last_baseline_index = baseline[-1][0]
    baseline_ranges = [mr for mr in moving_ranges[: last_baseline_index + 1] if mr is not None]
    if not baseline_ranges:
        return None

    # statistics.mean is exact before its one rounding, so a flat series gets a centre equal to its values
    # and no point of it is flagged by a limit that sits an ulp away.
    center = float(statistics.mean(value for _, value in baseline))
    average_moving_range = float(statistics.mean(baseline_ranges))
    spread = LIMIT_FACTOR * average_moving_range
    lower = center - spread
    chart = XmRChart(
        values=series,
        center=center,
        upper=center + spread,
        lower=max(lower, 0.0) if count else lower,
        moving_ranges=moving_ranges,
        average_moving_range=average_moving_range,
        upper_range_limit=RANGE_LIMIT_FACTOR * average_moving_range,
        baseline_points=len(baseline),
        signals=(),
    )
    signals = {Signal(index, episode.rule, episode.side) for episode in _episodes(chart) for index in episode.indices}
    return replace(chart, signals=tuple(sorted(signals, key=lambda signal: (signal.index, signal.rule))))


def latest_signal(chart: XmRChart) -> Signal | None:
    """The signal on the most recent point; of several on that point, the lowest rule (the plainest evidence)."""
    if not chart.signals:
        return None
    latest = max(signal.index for signal in chart.signals)
    return min((signal for signal in chart.signals if signal.index == latest), key=lambda signal: signal.rule)


def run_start(chart: XmRChart, signal: Signal) -> int:
    """Where the pattern behind `signal` began, for wording like "above the central line since …".

    Rule 2: the first point of the run. Rule 3: the first marked point of the cluster of overlapping qualifying
    windows the signal belongs to. Rule 1: the point itself.
    """
    for episode in _episodes(chart):
        if (episode.rule, episode.side) == (signal.rule, signal.side) and signal.index in episode.indices:
            return episode.indices[0]
    raise ValueError(f"{signal} is not a signal of this chart")


def _checked(value: float | None, *, count: bool) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value):
        raise ValueError(f"a measure must be a finite number or None for a gap, not {value!r}")
    if count and value < 0:
        raise ValueError(f"a count cannot be negative: {value!r}")
    return float(value)


def _moving_range(previous: float | None, value: float | None) -> float | None:
    # No range across a gap: the two weeks around it are not neighbours.
    return None if previous is None or value is None else abs(value - previous)


def _episodes(chart: XmRChart) -> list[_Episode]:
    present = [(index, value) for index, value in enumerate(chart.values) if value is not None]
    return [*_rule_1(chart, present), *_rule_2(chart, present), *_rule_3(chart, present)]


def _rule_1(chart: XmRChart, present: list[tuple[int, float]]) -> list[_Episode]:
    episodes = []
    for index, value in present:
        if value > chart.upper:
            episodes.append(_Episode(1, ABOVE, (index,)))
        elif value < chart.lower:
            episodes.append(_Episode(1, BELOW, (index,)))
    return episodes


def _rule_2(chart: XmRChart, present: list[tuple[int, float]]) -> list[_Episode]:
    def side(point: tuple[int, float]) -> str | None:
        value = point[1]
        return ABOVE if value > chart.center else BELOW if value < chart.center else None

    episodes = []
    for run_side, points in itertools.groupby(present, key=side):
        run = tuple(index for index, _ in points)
        if run_side is not None and len(run) >= RUN_LENGTH:
            episodes.append(_Episode(2, run_side, run))
    return episodes


def _rule_3(chart: XmRChart, present: list[tuple[int, float]]) -> list[_Episode]:
    episodes = []
    for side, limit in ((ABOVE, chart.upper), (BELOW, chart.lower)):
        # Beyond the half-way line, written as the rule reads: strictly closer to the limit than to the centre.
        # When the limit sits on the centre (no variation) nothing is strictly closer to it.
        beyond = [
            (value > chart.center if side == ABOVE else value < chart.center)
            and abs(value - limit) < abs(value - chart.center)
            for _, value in present
        ]
        windows = [
            start
            for start in range(len(present) - RULE_3_WINDOW + 1)
            if sum(beyond[start : start + RULE_3_WINDOW]) >= RULE_3_NEEDED
        ]
        # Overlapping qualifying windows are one occurrence, so that run_start points to where it began.
        cluster: list[int] = []
        cluster_end = -1
        for start in windows:
            if start > cluster_end and cluster:
                episodes.append(_cluster(side, cluster, beyond, present))
                cluster = []
            cluster.append(start)
            cluster_end = start + RULE_3_WINDOW - 1
        if cluster:
            episodes.append(_cluster(side, cluster, beyond, present))
    return episodes


def _cluster(side: str, starts: list[int], beyond: list[bool], present: list[tuple[int, float]]) -> _Episode:
    positions = range(starts[0], starts[-1] + RULE_3_WINDOW)
    return _Episode(3, side, tuple(present[position][0] for position in positions if beyond[position]))
