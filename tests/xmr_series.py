"""Shared by the XmR tests (bot.measures.xmr): the steady series worked out by hand, what a chart says read
back as plain values, and Hypothesis strategies for series with gaps and for rebases."""

from __future__ import annotations

import dataclasses

from hypothesis import settings
from hypothesis import strategies as st

from bot.measures.xmr import REBASE, Limits, Step, XmRChart

# No example database in the repository, no flaky deadlines on a busy CI machine.
PROPERTY = settings(database=None, deadline=None, max_examples=150)

# 20 points alternating 200, 150, exact in binary: centre 175; 19 moving ranges of 50 → AmR 50;
# 2.66 × 50 = 133 → upper 308, lower 42; upper range limit 3.268 × 50 = 163.4.
# Half-way lines: (175 + 308) / 2 = 241.5 above, (175 + 42) / 2 = 108.5 below. The last point (index 19) is 150.
STEADY: list[float | None] = [200, 150] * 10


def limits_at(chart: XmRChart, index: int = 0) -> Limits:
    limits = chart.segment_of(index).limits
    assert limits is not None
    return limits


def fields(limits: Limits | None) -> tuple[object, ...]:
    """center, upper, lower, computed_lower, average_moving_range, upper_range_limit, baseline_points,
    baseline_end, screened."""
    assert limits is not None
    return dataclasses.astuple(limits)


def triples(chart: XmRChart) -> list[tuple[int, int, str]]:
    return [(signal.index, signal.rule, signal.side) for signal in chart.signals]


@st.composite
def series(draw: st.DrawFn, min_size: int = 0, max_size: int = 45) -> list[float | None]:
    """Blocks at different levels (so runs, shifts and jumps happen), with about one gap in eight."""
    size = draw(st.integers(min_size, max_size))
    values: list[float | None] = []
    while len(values) < size:
        level = draw(st.integers(0, 40))
        noise = draw(st.lists(st.integers(-1, 6), min_size=1, max_size=14))
        values += [None if n < 0 else float(level + n) for n in noise]
    return values[:size]


def rebases(limit: int = 45) -> st.SearchStrategy[list[Step]]:
    return st.lists(st.integers(1, limit).map(lambda i: Step(i, REBASE, f"note {i}")), max_size=3)
