"""XmR process behavior charts (bot.measures.xmr), the steps: a rebase starts new limits from its own points,
a run of eight starts new limits by itself (an automatic shift, which a leader may undo), and a step seals the past."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pytest import approx

from bot.measures.xmr import (
    ABOVE,
    REBASE,
    SHIFT,
    START,
    Episode,
    Jump,
    Segment,
    Step,
    XmRChart,
    latest_episode,
    xmr_chart,
)
from tests.xmr_series import PROPERTY, STEADY, fields, limits_at, rebases, series, triples

# --- steps: rebase and automatic shift -----------------------------------------------------------------------


def test_a_rebase_starts_new_limits_from_its_own_points_only() -> None:
    # After the rebase: 400, 410 × 4 → centre 405, 7 ranges of 10 → limits 405 ± 26.6, trial.
    # The 250 jump across the step (150 → 400) is no moving range and no unusual jump.
    values = [*STEADY, *[400, 410] * 4]
    chart = xmr_chart(values, [Step(20, REBASE, "new rota")])
    first, second = chart.segments
    assert first == Segment(0, 20, START, None, limits_at(xmr_chart(STEADY)))
    assert (second.start, second.end, second.kind, second.note) == (20, 28, REBASE, "new rota")
    assert fields(second.limits) == approx((405, 431.6, 378.4, 378.4, 10, 32.68, 8, 28, 0))
    assert (chart.signals, chart.jumps, chart.shifts) == ((), (), ())
    assert chart.segment_of(20) == second
    with pytest.raises(ValueError):
        chart.segment_of(28)


def test_a_rebase_with_fewer_than_six_points_has_no_limits_yet() -> None:
    chart = xmr_chart([*STEADY, 400, 410, 400, 410, 400], [Step(20, REBASE, "new rota")])
    assert chart.segments[1].limits is None
    assert chart.signals == ()  # without the rebase each 400 would be beyond 308


def test_steps_at_the_start_or_beyond_the_series_are_ignored() -> None:
    steps = [Step(0, REBASE, "first"), Step(20, REBASE, "future")]
    assert xmr_chart(STEADY, steps) == xmr_chart(STEADY)


def test_a_step_inside_a_run_cuts_it() -> None:
    # 180 × 8 after the steady baseline is a shift; a rebase at 24 leaves 4 points on each side of it: no run,
    # and too few points after the step for limits. The periods before the step keep what their own chart says.
    values = [*STEADY, *[180] * 8]
    assert xmr_chart(values).shifts == (Episode(2, ABOVE, tuple(range(20, 28))),)
    cut = xmr_chart(values, [Step(24, REBASE, "new rota")])
    assert cut.signals == () == xmr_chart(values[:24]).signals
    assert cut.segments[1].limits is None


def test_a_run_of_eight_starts_new_limits_at_its_first_point() -> None:
    # 100, 110 × 5 then 200, 210 × 5: centre 155, so points 10..19 are a run above → a shift at 10.
    # New limits: 105 ± 2.66 × 10 before it, 205 ± 26.6 from it (the 90 jump at the step is no range of either).
    # Points 0..9 are a run below too, but new limits cannot start at a segment's first point.
    values: list[float | None] = [*[100, 110] * 5, *[200, 210] * 5]
    chart = xmr_chart(values)
    run = Episode(2, ABOVE, tuple(range(10, 20)))
    shown_by = Episode(2, ABOVE, tuple(range(10, 18)))  # the 8 points that showed the shift
    assert [(s.start, s.end, s.kind) for s in chart.segments] == [(0, 10, START), (10, 20, SHIFT)]
    assert [limits_at(chart, i).center for i in (0, 10)] == [105, 205]
    assert chart.shifts == (shown_by,)
    # Those 8 keep their rule-2 signals, whatever the new limits say about them; later points are judged
    # against the new limits (205 ± 26.6: 200 and 210 are inside, alternating: nothing).
    assert triples(chart) == [(i, 2, ABOVE) for i in range(10, 18)]
    assert latest_episode(chart) == shown_by
    # A leader undid the shift: one segment, and the run is an ordinary rule-2 episode of the old limits.
    undone = xmr_chart(values, skip_shifts=[10])
    assert len(undone.segments) == 1 and undone.shifts == ()
    assert run in undone.episodes
    assert undone == xmr_chart(values, auto_shift=False)
    # With the old limits the 90 jump is above 3.268 × 270 / 19 ≈ 46.4: screened (AmR 10) and reported.
    assert limits_at(undone).screened == 1 and undone.jumps == (Jump(9, 10, 90),)


# --- properties ----------------------------------------------------------------------------------------------


def before(chart: XmRChart, k: int) -> tuple[object, ...]:
    """Everything the chart says about periods before k."""
    return (
        [s for s in chart.segments if s.start < k],
        [s for s in chart.signals if s.index < k],
        [e for e in chart.episodes if e.start < k],
        [j for j in chart.jumps if j.index < k],
        [e for e in chart.shifts if e.start < k],
    )


@PROPERTY
@given(values=series(min_size=2), steps=rebases(), data=st.data())
def test_a_step_seals_the_past(values: list[float | None], steps: list[Step], data: st.DataObject) -> None:
    k = data.draw(st.integers(1, len(values) - 1))
    full = xmr_chart(values, [*steps, Step(k, REBASE, "k")])
    past = xmr_chart(values[:k], [s for s in steps if s.index < k])
    assert before(full, k) == before(past, k)
    assert full.segment_of(k).start == k


@PROPERTY
@given(values=series(min_size=2), steps=rebases(), data=st.data())
def test_adding_a_later_step_never_changes_earlier_verdicts(
    values: list[float | None], steps: list[Step], data: st.DataObject
) -> None:
    last = max((s.index for s in steps if s.index < len(values)), default=0)
    assume(last + 1 < len(values))
    m = data.draw(st.integers(last + 1, len(values) - 1))
    without, with_step = xmr_chart(values, steps), xmr_chart(values, [*steps, Step(m, REBASE, "later")])
    # Nothing before the last existing step moves...
    assert before(with_step, last) == before(without, last)
    # ...and before the new step every verdict is the one shown when m was the next period.
    assert before(with_step, m) == before(xmr_chart(values[:m], steps), m)
