"""XmR charts: central line, natural process limits and the three signal rules, checked against hand arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.xmr import BASELINE_MAX, BASELINE_MIN, Signal, XmRChart, latest_signal, run_start, xmr_chart

# No example database in the repository, no flaky deadlines on a busy CI machine.
PROPERTY = settings(database=None, deadline=None, max_examples=300)
EXACT = 1e-9


def chart_of(values: list[float | None], *, count: bool = False) -> XmRChart:
    chart = xmr_chart(values, count=count)
    assert chart is not None
    return chart


# A steady baseline whose arithmetic is exact in binary, so edges can be tested exactly:
# 20 points alternating 150, 100 → mean (150 + 100) × 10 / 20 = 125;
# 19 moving ranges of |150 − 100| = 50 → average 50; 2.66 × 50 = 133;
# upper = 125 + 133 = 258; lower = 125 − 133 = −8 (0 for counts); upper range limit = 3.268 × 50 = 163.4;
# half-way lines: (125 + 258) / 2 = 191.5 above, (125 − 8) / 2 = 58.5 below, (125 + 0) / 2 = 62.5 below for counts.
# Its last point (index 19) is 100: below the central line, not beyond the lower half-way line.
STEADY: list[float | None] = [150, 100] * 10


def signals(*triples: tuple[int, int, str]) -> tuple[Signal, ...]:
    return tuple(Signal(index, rule, side) for index, rule, side in triples)


# --- central line and limits ---------------------------------------------------------------------------------


def test_limits_of_a_short_series_by_hand() -> None:
    # 4, 6, 5, 7, 5, 6, 4, 6: sum 43 → mean 43 / 8 = 5.375.
    # Moving ranges 2, 1, 2, 2, 1, 2, 2: sum 12 → average 12 / 7.
    # 2.66 × 12 / 7 = 31.92 / 7 = 4.56 → upper 5.375 + 4.56 = 9.935, lower 5.375 − 4.56 = 0.815.
    # Upper range limit 3.268 × 12 / 7 = 39.216 / 7.
    chart = chart_of([4, 6, 5, 7, 5, 6, 4, 6], count=True)
    assert chart.center == pytest.approx(5.375, abs=EXACT)
    assert chart.average_moving_range == pytest.approx(12 / 7, abs=EXACT)
    assert chart.upper == pytest.approx(9.935, abs=EXACT)
    assert chart.lower == pytest.approx(0.815, abs=EXACT)
    assert chart.upper_range_limit == pytest.approx(39.216 / 7, abs=EXACT)
    assert chart.moving_ranges == (None, 2, 1, 2, 2, 1, 2, 2)
    assert chart.baseline_points == 8
    # Half-way lines 7.655 and 3.095: nothing beyond them, no run, nothing outside.
    assert chart.signals == ()
    assert latest_signal(chart) is None


def test_the_steady_baseline_by_hand() -> None:
    chart = chart_of(STEADY)
    assert (chart.center, chart.average_moving_range, chart.upper, chart.lower) == (125, 50, 258, -8)
    assert chart.upper_range_limit == pytest.approx(163.4, abs=EXACT)
    assert chart.signals == ()


def test_the_lower_limit_of_a_count_stops_at_zero_and_of_a_measure_does_not() -> None:
    # 0, 3, 0, 3, 0, 3: mean 1.5; five moving ranges of 3 → average 3; 2.66 × 3 = 7.98.
    # upper 1.5 + 7.98 = 9.48; lower 1.5 − 7.98 = −6.48, which a count cannot reach: 0.
    values: list[float | None] = [0, 3, 0, 3, 0, 3]
    count = chart_of(values, count=True)
    measure = chart_of(values, count=False)
    assert count.center == measure.center == pytest.approx(1.5, abs=EXACT)
    assert count.upper == measure.upper == pytest.approx(9.48, abs=EXACT)
    assert count.lower == 0
    assert measure.lower == pytest.approx(-6.48, abs=EXACT)
    assert count.upper_range_limit == pytest.approx(3.268 * 3, abs=EXACT)  # 9.804


def test_the_baseline_is_the_first_twenty_points_and_later_weeks_do_not_move_it() -> None:
    # 12, 10 ten times: mean 11, 19 moving ranges of 2 → average 2; limits 11 ± 5.32 = 16.32 and 5.68.
    first_twenty: list[float | None] = [12, 10] * 10
    later: list[float | None] = [30, 31, 29, 40]
    chart = chart_of(first_twenty + later)
    assert chart.baseline_points == BASELINE_MAX == 20
    assert chart.center == pytest.approx(11, abs=EXACT)  # all 24 points would give (220 + 130) / 24 ≈ 14.58
    assert chart.average_moving_range == pytest.approx(2, abs=EXACT)  # the range 10 → 30 is not in the baseline
    assert chart.upper == pytest.approx(16.32, abs=EXACT)
    assert chart.lower == pytest.approx(5.68, abs=EXACT)
    assert chart.moving_ranges[20:] == (20, 1, 2, 11)  # still reported for every later week
    assert [s for s in chart.signals if s.rule == 1] == [Signal(index, 1, "above") for index in range(20, 24)]


def test_the_baseline_counts_present_points_not_weeks() -> None:
    # 22 weeks with 2 gaps hold 20 present points, so the 40s after them are outside the baseline.
    # Moving ranges: 9 of 2 in each block of ten, none across the gaps → average 2; mean 11.
    values: list[float | None] = [*[12, 10] * 5, None, *[12, 10] * 5, None, 40, 40]
    chart = chart_of(values)
    assert chart.baseline_points == 20
    assert chart.center == pytest.approx(11, abs=EXACT)
    assert chart.average_moving_range == pytest.approx(2, abs=EXACT)


def test_six_present_points_are_enough() -> None:
    chart = chart_of([1, 2, None, 3, 4, 5, 6])
    assert chart.baseline_points == BASELINE_MIN == 6
    # 21 / 6 = 3.5; moving ranges 1 | 1, 1, 1 → 1 (none from 2 to 3 across the gap).
    assert chart.center == pytest.approx(3.5, abs=EXACT)
    assert chart.average_moving_range == pytest.approx(1, abs=EXACT)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([1, 2, 3, 4, 5], id="five points"),
        pytest.param([1, 2, None, 3, None, 4, None, 5], id="eight weeks with three gaps"),
        pytest.param([], id="no weeks"),
        pytest.param([None] * 30, id="only gaps"),
        # Six points but every pair of neighbours is split by a gap: no moving range, no variation to measure.
        pytest.param([1, None, 2, None, 3, None, 4, None, 5, None, 6], id="no two neighbours"),
    ],
)
def test_too_few_points_give_no_chart(values: list[float | None]) -> None:
    assert xmr_chart(values, count=True) is None


# --- gaps -------------------------------------------------------------------------------------------------------


def test_no_moving_range_across_a_gap() -> None:
    # 4, _, 6, 5, _, 7, 5, 6, 4: present 4, 6, 5, 7, 5, 6, 4 → sum 37 → mean 37 / 7.
    # Moving ranges only between neighbours: |5 − 6| = 1, |5 − 7| = 2, |6 − 5| = 1, |4 − 6| = 2 → 6 / 4 = 1.5.
    # (Bridging the gaps would add |6 − 4| = 2 and |7 − 5| = 2 and give 10 / 6.)
    # 2.66 × 1.5 = 3.99 → limits 37 / 7 ± 3.99; upper range limit 3.268 × 1.5 = 4.902.
    chart = chart_of([4, None, 6, 5, None, 7, 5, 6, 4])
    assert chart.moving_ranges == (None, None, None, 1, None, None, 2, 1, 2)
    assert chart.average_moving_range == pytest.approx(1.5, abs=EXACT)
    assert chart.center == pytest.approx(37 / 7, abs=EXACT)
    assert chart.upper == pytest.approx(37 / 7 + 3.99, abs=EXACT)
    assert chart.lower == pytest.approx(37 / 7 - 3.99, abs=EXACT)
    assert chart.upper_range_limit == pytest.approx(4.902, abs=EXACT)
    assert chart.values[1] is None  # a gap stays a gap, not a zero
    assert chart.baseline_points == 7


def test_a_gap_is_not_a_zero_for_the_central_line() -> None:
    with_gaps = chart_of([5, None, 5, 6, None, 6, 5, 6], count=True)
    with_zeros = chart_of([5, 0, 5, 6, 0, 6, 5, 6], count=True)
    assert with_gaps.center == pytest.approx(33 / 6, abs=EXACT)
    assert with_zeros.center == pytest.approx(33 / 8, abs=EXACT)


# --- rule 1: a point outside the limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        pytest.param(258, (), id="on the upper limit"),
        pytest.param(math.nextafter(258, math.inf), signals((20, 1, "above")), id="just above the upper limit"),
        pytest.param(258.5, signals((20, 1, "above")), id="above the upper limit"),
        pytest.param(-8, (), id="on the lower limit"),
        pytest.param(math.nextafter(-8, -math.inf), signals((20, 1, "below")), id="just below the lower limit"),
    ],
)
def test_rule_1_a_point_strictly_outside_the_limits(last: float, expected: tuple[Signal, ...]) -> None:
    assert chart_of([*STEADY, last]).signals == expected


def test_rule_1_a_point_outside_the_limits_after_a_gap() -> None:
    chart = chart_of([*STEADY, None, 300])
    assert chart.signals == signals((21, 1, "above"))
    assert run_start(chart, chart.signals[0]) == 21


# --- rule 2: a run of eight on one side ---------------------------------------------------------------------------
# 130 is above the central line 125 and below the upper half-way line 191.5; 120 is below 125 and above 58.5,
# so only rule 2 can fire. The baseline's last point (100) is below the line, so runs above start at index 20.


def test_rule_2_seven_on_one_side_are_not_a_signal() -> None:
    assert chart_of([*STEADY, *[130] * 7]).signals == ()


def test_rule_2_eight_on_one_side_mark_the_whole_run() -> None:
    chart = chart_of([*STEADY, *[130] * 8])
    assert chart.signals == tuple(Signal(index, 2, "above") for index in range(20, 28))
    assert latest_signal(chart) == Signal(27, 2, "above")
    assert run_start(chart, Signal(27, 2, "above")) == 20


def test_rule_2_a_run_below_the_line_starts_where_it_crossed() -> None:
    # Index 19 (100) is below the line already, so the run below is 19..26: eight points, from index 19.
    chart = chart_of([*STEADY, *[120] * 7])
    assert chart.signals == tuple(Signal(index, 2, "below") for index in range(19, 27))
    latest = latest_signal(chart)
    assert latest is not None
    assert run_start(chart, latest) == 19


def test_rule_2_a_point_on_the_central_line_breaks_the_run() -> None:
    assert chart_of([*STEADY, *[130] * 4, 125, *[130] * 4]).signals == ()


def test_rule_2_a_gap_does_not_break_the_run() -> None:
    chart = chart_of([*STEADY, *[130] * 4, None, *[130] * 4])
    assert [s.index for s in chart.signals] == [20, 21, 22, 23, 25, 26, 27, 28]
    assert {(s.rule, s.side) for s in chart.signals} == {(2, "above")}
    assert run_start(chart, chart.signals[-1]) == 20


# --- rule 3: three of four closer to a limit than to the central line ---------------------------------------------
# 200 is beyond the upper half-way line 191.5 and inside the limit 258; 130 is above the line but not beyond it.


def test_rule_3_two_of_four_are_not_a_signal() -> None:
    assert chart_of([*STEADY, 200, 130, 200, 130]).signals == ()


def test_rule_3_three_of_four_mark_the_points_beyond_the_half_way_line() -> None:
    chart = chart_of([*STEADY, 200, 130, 200, 200])
    assert chart.signals == signals((20, 3, "above"), (22, 3, "above"), (23, 3, "above"))
    assert run_start(chart, Signal(23, 3, "above")) == 20


def test_rule_3_exactly_on_the_half_way_line_is_not_closer_to_the_limit() -> None:
    # |191.5 − 258| = 66.5 = |191.5 − 125|: as close to the centre as to the limit.
    assert chart_of([*STEADY, 200, 200, 191.5, 130]).signals == ()
    # 191.75 is 66.25 from the limit and 66.75 from the centre; windows 19..22 and 20..23 both hold three.
    chart = chart_of([*STEADY, 200, 200, 191.75, 130])
    assert chart.signals == signals((20, 3, "above"), (21, 3, "above"), (22, 3, "above"))


def test_rule_3_below_uses_the_lower_limit_as_drawn() -> None:
    # 60 is above the half-way line 58.5 of a measure, but below 62.5, half-way to a count's limit of 0.
    values: list[float | None] = [*STEADY, 60, 60, 100, 60]
    assert chart_of(values, count=False).signals == ()
    assert chart_of(values, count=True).signals == signals((20, 3, "below"), (21, 3, "below"), (23, 3, "below"))


def test_rule_3_a_gap_does_not_break_the_window() -> None:
    chart = chart_of([*STEADY, 200, None, 130, 200, None, 200])
    assert chart.signals == signals((20, 3, "above"), (23, 3, "above"), (25, 3, "above"))


# --- several rules at once ----------------------------------------------------------------------------------------


def test_several_rules_on_the_same_points() -> None:
    # Eight points above 125 (rule 2, indices 20..27), all beyond 191.5 (rule 3), and 300 beyond 258 (rule 1).
    chart = chart_of([*STEADY, 200, 200, 200, 300, 200, 200, 200, 200])
    expected = {Signal(index, rule, "above") for index in range(20, 28) for rule in (2, 3)} | {Signal(23, 1, "above")}
    assert set(chart.signals) == expected
    assert list(chart.signals) == sorted(chart.signals, key=lambda s: (s.index, s.rule))
    # The latest point carries rules 2 and 3: the lower rule is reported; the pattern began at index 20.
    assert latest_signal(chart) == Signal(27, 2, "above")
    assert run_start(chart, Signal(27, 2, "above")) == 20
    assert run_start(chart, Signal(27, 3, "above")) == 20
    assert run_start(chart, Signal(23, 1, "above")) == 23


def test_signals_on_both_sides() -> None:
    # 300 beyond the upper limit; then a run of eight at 120, which joins nothing before it (300 is above).
    chart = chart_of([*STEADY, 300, *[120] * 8])
    assert chart.signals == (Signal(20, 1, "above"), *(Signal(index, 2, "below") for index in range(21, 29)))
    assert latest_signal(chart) == Signal(28, 2, "below")
    assert run_start(chart, Signal(28, 2, "below")) == 21


def test_run_start_refuses_a_signal_the_chart_does_not_have() -> None:
    with pytest.raises(ValueError, match="not a signal"):
        run_start(chart_of(STEADY), Signal(3, 2, "above"))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_measure_must_be_a_number(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        xmr_chart([*STEADY, bad], count=False)


def test_a_count_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        xmr_chart([*STEADY, -1], count=True)


# --- invariants ---------------------------------------------------------------------------------------------------

measures = st.lists(st.none() | st.floats(-1e6, 1e6, allow_nan=False), max_size=45)
counts = st.lists(st.none() | st.integers(0, 60).map(float), max_size=45)
series = st.tuples(measures, st.just(False)) | st.tuples(counts, st.just(True))


@st.composite
def shifted_counts(draw: st.DrawFn) -> tuple[list[float | None], bool]:
    """Small counts, rarely missing, that may shift level part-way: the shapes that make runs and windows."""
    weeks = draw(st.lists(st.integers(-1, 12), min_size=BASELINE_MIN, max_size=45))
    shift_at = draw(st.integers(0, len(weeks)))
    shift = draw(st.integers(-6, 6))
    values: list[float | None] = [
        None if week < 0 else float(max(0, week + (shift if i >= shift_at else 0))) for i, week in enumerate(weeks)
    ]
    return values, True


def _present(values: list[float | None]) -> list[tuple[int, float]]:
    return [(index, value) for index, value in enumerate(values) if value is not None]


@PROPERTY
@given(series | shifted_counts())
def test_the_chart_holds_together(case: tuple[list[float | None], bool]) -> None:
    values, count = case
    chart = xmr_chart(values, count=count)
    present = _present(values)
    baseline_end = present[min(len(present), BASELINE_MAX) - 1][0] if present else -1
    has_neighbours = any(values[i] is not None and values[i - 1] is not None for i in range(1, baseline_end + 1))
    if len(present) < BASELINE_MIN or not has_neighbours:
        assert chart is None
        return
    assert chart is not None
    assert chart.lower <= chart.center <= chart.upper
    assert not count or chart.lower >= 0
    assert chart.baseline_points == min(len(present), BASELINE_MAX)
    assert chart.average_moving_range >= 0
    assert chart.upper_range_limit == pytest.approx(3.268 * chart.average_moving_range)
    assert len(chart.moving_ranges) == len(values)
    for i, moving_range in enumerate(chart.moving_ranges):
        neighbours = i > 0 and values[i] is not None and values[i - 1] is not None
        assert (moving_range is not None) == neighbours
    assert all(values[s.index] is not None for s in chart.signals)
    assert len(set(chart.signals)) == len(chart.signals)
    assert list(chart.signals) == sorted(chart.signals, key=lambda s: (s.index, s.rule))
    assert {(s.index, s.side) for s in chart.signals if s.rule == 1} == {
        (i, "above" if v > chart.upper else "below") for i, v in present if v > chart.upper or v < chart.lower
    }


@PROPERTY
@given(series | shifted_counts())
def test_runs_and_windows_agree_with_a_brute_force_reading_of_the_rules(case: tuple[list[float | None], bool]) -> None:
    values, count = case
    maybe_chart = xmr_chart(values, count=count)
    assume(maybe_chart is not None)
    assert maybe_chart is not None
    chart = maybe_chart
    present = _present(values)

    def on(side: str, v: float) -> bool:
        return v > chart.center if side == "above" else v < chart.center

    def beyond(side: str, v: float) -> bool:
        limit = chart.upper if side == "above" else chart.lower
        return on(side, v) and abs(v - limit) < abs(v - chart.center)

    expected: set[Signal] = set()
    for side in ("above", "below"):
        for start in range(len(present)):
            run = present[start : start + 8]
            if len(run) == 8 and all(on(side, v) for _, v in run):
                expected |= {Signal(i, 2, side) for i, _ in run}
            window = present[start : start + 4]
            if len(window) == 4 and sum(beyond(side, v) for _, v in window) >= 3:
                expected |= {Signal(i, 3, side) for i, v in window if beyond(side, v)}
    assert {s for s in chart.signals if s.rule != 1} == expected
    for signal in chart.signals:
        start = run_start(chart, signal)
        assert start <= signal.index
        assert Signal(start, signal.rule, signal.side) in chart.signals


@PROPERTY
@given(
    st.floats(0, 1e6, allow_nan=False),
    st.lists(st.booleans(), min_size=6, max_size=45),
    st.booleans(),
)
def test_a_flat_series_has_no_signals(level: float, gaps: list[bool], count: bool) -> None:
    values: list[float | None] = [None if gap else level for gap in gaps]
    chart = xmr_chart(values, count=count)
    assume(chart is not None)
    assert chart is not None
    assert chart.center == chart.upper == level
    assert chart.signals == ()
    assert latest_signal(chart) is None


@PROPERTY
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=BASELINE_MAX, max_size=30), measures)
def test_weeks_after_the_baseline_do_not_move_the_limits(first: list[float], later: list[float | None]) -> None:
    before = chart_of(list(first))
    after = chart_of([*first, *later])
    assert (after.center, after.upper, after.lower) == (before.center, before.upper, before.lower)
    assert after.average_moving_range == before.average_moving_range
