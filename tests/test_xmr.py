"""XmR process behavior charts (bot.measures.xmr): limits, steps and the three rules, checked by hand arithmetic,
against published worked examples, and by properties."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pytest import approx

from bot.measures import xmr
from bot.measures.xmr import (
    ABOVE,
    BELOW,
    REBASE,
    SHIFT,
    START,
    Episode,
    Jump,
    Limits,
    Segment,
    Signal,
    Step,
    XmRChart,
    latest_episode,
    xmr_chart,
)

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


def test_constants() -> None:
    assert (xmr.LIMIT_FACTOR, xmr.RANGE_LIMIT_FACTOR, xmr.BASELINE_MIN, xmr.BASELINE_MAX) == (2.66, 3.268, 6, 20)
    assert (xmr.RUN_LENGTH, xmr.RULE_3_WINDOW, xmr.RULE_3_NEEDED) == (8, 4, 3)


# --- central line and limits ---------------------------------------------------------------------------------


def test_limits_of_a_short_series_by_hand() -> None:
    # 4, 6, 5, 7, 5, 6, 4, 6: sum 43 → centre 43 / 8 = 5.375. Moving ranges 2, 1, 2, 2, 1, 2, 2: AmR 12 / 7.
    # 2.66 × 12 / 7 = 4.56 → upper 9.935, lower 0.815; upper range limit 3.268 × 12 / 7 = 39.216 / 7.
    chart = xmr_chart([4, 6, 5, 7, 5, 6, 4, 6])
    limits = limits_at(chart)
    assert fields(limits) == approx((5.375, 9.935, 0.815, 0.815, 12 / 7, 39.216 / 7, 8, 8, 0))
    assert limits.trial
    assert chart.segments == (Segment(0, 8, START, None, limits),)
    assert (chart.signals, chart.episodes, chart.jumps, chart.shifts) == ((), (), (), ())
    assert latest_episode(chart) is None


def test_twenty_points_make_a_complete_baseline_that_later_points_do_not_move() -> None:
    complete = limits_at(xmr_chart(STEADY))
    assert fields(complete) == approx((175, 308, 42, 42, 50, 163.4, 20, 20, 0))
    assert not complete.trial
    # 19 points are a trial: (10 × 200 + 9 × 150) / 19 = 3350 / 19, 18 ranges of 50.
    trial = limits_at(xmr_chart(STEADY[:19]))
    assert trial.trial and trial.baseline_points == 19 and trial.center == approx(3350 / 19)
    # Later points, even far from the centre, are judged but never enter the limits: 300 and 60 lie inside them.
    later = xmr_chart([*STEADY, 300, 60, 175])
    assert later.segments == (Segment(0, 23, START, None, complete),)
    assert later.signals == ()


def test_fewer_than_six_points_have_no_limits_and_no_verdicts() -> None:
    chart = xmr_chart([1, 2, 1, 2, 90])
    assert chart.segments == (Segment(0, 5, START, None, None),)
    assert (chart.signals, chart.jumps) == ((), ())
    assert limits_at(xmr_chart([1, 2, 1, 2, 90, 1])).baseline_points == xmr.BASELINE_MIN
    assert xmr_chart([]).signals == ()


@pytest.mark.parametrize("bad", [-1, -0.5, math.nan, math.inf, -math.inf])
def test_a_negative_or_non_finite_value_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        xmr_chart([*STEADY, bad])


# --- no lower limit below zero -------------------------------------------------------------------------------

# 150, 100 × 10: centre 125, AmR 50, upper 125 + 133 = 258, computed lower 125 − 133 = −8 → no lower limit.
# Rule 3 below judges against −8: half-way line (125 − 8) / 2 = 58.5 (clamping to 0 would wrongly give 62.5).
FLOOR: list[float | None] = [150, 100] * 10


def test_a_lower_limit_below_zero_is_not_drawn_but_rule_3_still_uses_it() -> None:
    limits = limits_at(xmr_chart(FLOOR))
    assert (limits.center, limits.upper, limits.lower, limits.computed_lower) == (125, 258, None, -8)
    # 60 is 68 from −8 and 65 from 125: closer to the centre, no signal (a clamped 0, 60 away, would flag it).
    assert xmr_chart([*FLOOR, 60, 60, 60]).signals == ()
    # 0 is 8 from −8: rule 3 below (100, 0, 0, 0 is 3 of 4), never rule 1, as there is no lower limit.
    chart = xmr_chart([*FLOOR, 0, 0, 0])
    assert chart.episodes == (Episode(3, BELOW, (20, 21, 22)),)


# --- rule 1 --------------------------------------------------------------------------------------------------


def test_rule_1_needs_a_point_strictly_beyond_a_limit() -> None:
    assert xmr_chart([*STEADY, 308]).signals == ()
    assert xmr_chart([*STEADY, 42]).signals == ()
    assert xmr_chart([*STEADY, 309]).signals == (Signal(20, 1, ABOVE),)
    assert triples(xmr_chart([*STEADY, 41])) == [(20, 1, BELOW)]


# --- rule 2 --------------------------------------------------------------------------------------------------


def test_rule_2_is_eight_points_on_one_side_and_a_point_on_the_line_ends_a_run() -> None:
    run = xmr_chart([*STEADY, *[180] * 8], auto_shift=False)
    assert run.episodes == (Episode(2, ABOVE, tuple(range(20, 28))),)
    # 7 above, one exactly on the central line (175), one above: no run.
    assert xmr_chart([*STEADY, *[180] * 7, 175, 180]).signals == ()
    # A gap is not a point: the run goes on across it.
    gap = xmr_chart([*STEADY, *[180] * 4, None, *[180] * 4], auto_shift=False)
    assert gap.episodes == (Episode(2, ABOVE, (20, 21, 22, 23, 25, 26, 27, 28)),)


# --- rule 3 --------------------------------------------------------------------------------------------------


def test_rule_3_needs_three_of_four_strictly_closer_to_the_same_limit() -> None:
    # 241.5 is exactly half-way (66.5 from 308 and from 175): not closer to the limit, so only 2 of 4.
    assert xmr_chart([*STEADY, 241.5, 250, 250]).signals == ()
    assert xmr_chart([*STEADY, 242, 250, 250]).episodes == (Episode(3, ABOVE, (20, 21, 22)),)
    # 250 is near the upper limit, 100 near the lower one (58 from 42, 75 from 175): never 3 near the same limit.
    assert xmr_chart([*STEADY, 250, 100, 250, 100, 250]).signals == ()


def test_overlapping_rule_3_windows_are_one_episode() -> None:
    # 250, 250, 160, 250 and 250, 160, 250, 250 both qualify: one occurrence from index 20 to 24.
    chart = xmr_chart([*STEADY, 250, 250, 160, 250, 250])
    assert chart.episodes == (Episode(3, ABOVE, (20, 21, 23, 24)),)
    assert (chart.episodes[0].start, chart.episodes[0].end) == (20, 24)


def test_latest_episode_is_the_one_reaching_the_newest_point_plainest_rule_first() -> None:
    # 250, 250, 320: rule 3 above at 20–22 and rule 1 at 22 (320 > 308); both end at 22, rule 1 is plainer.
    chart = xmr_chart([*STEADY, 250, 250, 320])
    assert chart.episodes == (Episode(3, ABOVE, (20, 21, 22)), Episode(1, ABOVE, (22,)))
    assert latest_episode(chart) == Episode(1, ABOVE, (22,))


# --- screening and unusual jumps -----------------------------------------------------------------------------


def test_a_blitz_week_is_screened_out_of_the_average_moving_range_and_reported_as_a_jump() -> None:
    # 10, 14 alternating with a blitz week of 42 at index 9: centre (10 × 10 + 9 × 14 + 42) / 20 = 268 / 20 = 13.4.
    # Ranges: 17 of 4 and two of 32 (10 → 42 → 10): unscreened AmR 132 / 19, range limit 3.268 × 132 / 19 ≈ 22.7.
    # Both 32s are above it: AmR 68 / 17 = 4 → limits 13.4 ± 10.64 (unscreened they would be 13.4 ± 18.48).
    values: list[float | None] = [10, 14] * 10
    values[9] = 42
    chart = xmr_chart([*values, 34])
    limits = limits_at(chart)
    assert (limits.average_moving_range, limits.screened) == (4, 2)
    assert limits.center == approx(13.4)
    assert (limits.upper, limits.lower) == approx((24.04, 2.76))
    assert limits.upper_range_limit == approx(3.268 * 132 / 19)
    # Jumps are named by the periods they join, in the baseline and after it (14 → 34 is 20 < 22.7: no jump).
    assert chart.jumps == (Jump(8, 9, 32), Jump(9, 10, 32))
    assert triples(chart) == [(9, 1, ABOVE), (20, 1, ABOVE)]


def test_a_range_exactly_on_the_upper_range_limit_is_kept() -> None:
    # Ranges 817 and 7 × 169: AmR 2000 / 8 = 250 and 3.268 × 250 = 817 exactly in binary. Only ranges *above*
    # the limit are screened out and reported (NHSRplotthedots keeps only ranges strictly below 3.267 × AmR).
    on_the_limit = limits_at(xmr_chart([0, 817, 648, 817, 648, 817, 648, 817, 648]))
    assert (on_the_limit.upper_range_limit, on_the_limit.average_moving_range, on_the_limit.screened) == (817, 250, 0)
    # One more: 818 and 7 × 169 → AmR 2001 / 8, limit ≈ 817.41 < 818: screened, AmR 169, and a jump.
    above = xmr_chart([0, 818, 649, 818, 649, 818, 649, 818, 649])
    assert (limits_at(above).average_moving_range, above.jumps) == (169, (Jump(0, 1, 818),))


def test_a_gap_is_not_a_zero_and_no_moving_range_crosses_it() -> None:
    # Present: 100, 110, 100 | 130, 120, 130 → centre 690 / 6 = 115; ranges 10, 10 and 10, 10 → AmR 10.
    # A range across the gap (|130 − 100| = 30) would make AmR 14; a zero would make the centre 690 / 7.
    chart = xmr_chart([100, 110, 100, None, 130, 120, 130])
    limits = limits_at(chart)
    assert (limits.center, limits.average_moving_range, limits.baseline_points, limits.baseline_end) == (115, 10, 6, 7)
    assert (limits.upper, limits.lower) == approx((141.6, 88.4))
    assert chart.values[3] is None
    assert (chart.signals, chart.jumps) == ((), ())


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


# --- the two series of the issue -----------------------------------------------------------------------------


def test_a_steady_team_has_no_signal() -> None:
    # 12 complete weeks (the week in progress is never passed in): centre 70 / 12 ≈ 5.83; 11 ranges sum 12 →
    # AmR 12 / 11 ≈ 1.09; limits ≈ 8.74 and 2.93; half-way lines ≈ 7.28 and 4.38: every 7 and 5 stays inside.
    chart = xmr_chart([6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 6])
    limits = limits_at(chart)
    assert limits.center == approx(70 / 12)
    assert limits.upper == approx(70 / 12 + 2.66 * 12 / 11)
    assert chart.signals == ()


def test_a_small_ward_has_no_signal_and_no_lower_limit() -> None:
    # Centre 49 / 15 ≈ 3.27; 14 ranges sum 30 → AmR 15 / 7 ≈ 2.14; upper ≈ 8.97; computed lower ≈ −2.43 → none.
    # Rule 3 below: half-way line ≈ 0.42, so only the final 0 is near the limit (a clamped 0 would put the line
    # at ≈ 1.63 and flag 1, 1, 0).
    chart = xmr_chart([4, 2, 6, 3, 5, 4, 1, 6, 4, 3, 5, 4, 1, 1, 0])
    limits = limits_at(chart)
    assert limits.lower is None
    assert limits.computed_lower == approx(49 / 15 - 2.66 * 15 / 7)
    assert chart.signals == ()


# --- published worked examples -------------------------------------------------------------------------------


def test_nhsr_plot_the_dots_screening_example() -> None:
    # Source: NHS-R Community, NHSRplotthedots 0.2.2, vignette "Deviations from Excel defaults", section
    # "1. Treatment of outlying points" (https://github.com/nhs-r-community/NHSRplotthedots/blob/main/vignettes/
    # deviations.Rmd, figure captions; https://nhsrplotthedots.nhsrcommunity.com/articles/deviations.html).
    # 18 daily points; printed with screen_outliers (the default): UPL 4.6, mean 1.94, LPL -0.72; the
    # "Making Data Count" Excel tool (no screening): UPL 6.95, mean 1.94, LPL -3.06.
    # All 18 points are a trial baseline here, the same points the package uses.
    chart = xmr_chart([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
    limits = limits_at(chart)
    assert (round(limits.center, 2), round(limits.upper, 2), round(limits.computed_lower, 2)) == (1.94, 4.6, -0.72)
    assert limits.lower is None and limits.screened == 2
    # The unscreened AmR behind the range limit gives the Excel figures.
    unscreened = limits.upper_range_limit / 3.268
    assert round(limits.center + 2.66 * unscreened, 2) == 6.95
    assert round(limits.center - 2.66 * unscreened, 2) == -3.06
    # By our rules the blitz point is the only signal; its two moving ranges are the unusual jumps.
    assert triples(chart) == [(4, 1, ABOVE)]
    assert chart.jumps == (Jump(3, 4, 8), Jump(4, 5, 9))


def test_wheeler_accident_rates_before_and_after_a_change() -> None:
    # Source: Donald J. Wheeler, "Making Sense of Data" (SPC Press), Table 9.1 "Accident Rates", group A and
    # group B with the limits printed for each (A: 43.9 and 25.6; B: 39.3 and 18.0), as transcribed in the
    # statprocon package's tests (https://github.com/mattmccormick/statprocon, tests/test_xmr.py,
    # test_rule_1_points_beyond_upper_limits / _lower_limits). Each group's limits use its own 12 points: a
    # rebase between them gives the same.
    group_a = [43, 40, 37, 33, 30, 33, 34, 35, 29, 33, 31, 39]
    group_b = [35, 37, 33, 32, 27, 29, 31, 22, 25, 30, 24, 19]
    chart = xmr_chart([*group_a, *group_b], [Step(12, REBASE, "group B")])
    a, b = limits_at(chart, 0), limits_at(chart, 12)
    assert (round(a.upper, 1), round(a.lower or 0, 1)) == (43.9, 25.6)  # 34.75 ± 2.66 × 38 / 11
    assert (round(b.upper, 1), round(b.lower or 0, 1)) == (39.3, 18.0)  # 344 / 12 ± 2.66 × 44 / 11
    assert a.screened == b.screened == 0
    assert chart.signals == ()  # each group is predictable within its own limits


def test_wheeler_software_verification_data() -> None:
    # Source: Donald J. Wheeler, "Making Sense of Data", p. 382 "Data Set to Use When Verifying Software"
    # (transcribed in https://github.com/mattmccormick/statprocon, tests/test_xmr.py, test_verifying_software):
    # average 4135.50, average moving range 355.93, UNPL 5082.28, LNPL 3188.72, URL 1163.19.
    # Wheeler does not screen; the last range (3463 → 5200 = 1737) is above the URL, so we leave it out.
    chart = xmr_chart([5045, 4350, 4350, 3975, 4290, 4430, 4485, 4285, 3980, 3925, 3645, 3760, 3300, 3685, 3463, 5200])
    limits = limits_at(chart)
    unscreened = limits.upper_range_limit / 3.268
    figures = (round(limits.center, 2), round(unscreened, 2), round(limits.upper_range_limit, 2))
    assert figures == (4135.5, 355.93, 1163.19)
    assert round(limits.center + 2.66 * unscreened, 2) == 5082.28
    assert round(limits.center - 2.66 * unscreened, 2) == 3188.72
    # Screened: AmR (5339 − 1737) / 14 = 3602 / 14 ≈ 257.29 → limits 4135.5 ± 684.38.
    assert (limits.screened, round(limits.average_moving_range, 2)) == (1, 257.29)
    assert chart.jumps == (Jump(14, 15, 1737),)
    # Judged by our rules against the screened limits: 5045 and 5200 above, 3300 below (and a rule-3 cluster).
    assert {(s.index, s.side) for s in chart.signals if s.rule == 1} == {(0, ABOVE), (12, BELOW), (15, ABOVE)}


def test_wheeler_smoking_rates_run_below() -> None:
    # Source: Wheeler, "Making Sense of Data", Table 8.1 (percentage of high-school seniors who smoke daily),
    # transcribed with its expected run in https://github.com/mattmccormick/statprocon tests/test_xmr.py
    # (test_rule_2: points 7 to 14 are a run below the central line 269.8 / 14 ≈ 19.27).
    chart = xmr_chart([21.3, 20.2, 20.9, 21.0, 18.8, 19.6, 18.7, 18.6, 18.1, 18.9, 19.2, 18.2, 17.3, 19.0])
    assert chart.shifts == (Episode(2, BELOW, tuple(range(6, 14))),)
    assert triples(chart) == [(i, 2, BELOW) for i in range(6, 14)]
    assert [s.kind for s in chart.segments] == [START, SHIFT]


# --- properties ----------------------------------------------------------------------------------------------


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
@given(st.integers(1, 20), st.lists(st.integers(0, 200), min_size=3, max_size=20), st.integers(0, 1000), st.booleans())
def test_a_series_within_its_limits_without_runs_or_clusters_never_signals(
    scale: int, swings: list[int], offset: int, above_first: bool
) -> None:
    # Pairs c ± a with a in [k, 3k], strictly alternating sides: the centre is exactly c, every range is in
    # [2k, 6k] (AmR ≥ 2k, range limit ≥ 6.5k: nothing screened), every point within 3k < 2.66 × 2k of c, no two
    # neighbours on one side (no run), and every 4 consecutive points have 2 on each side (no rule-3 window).
    center = 3 * scale + offset
    halves = [scale + swing % (2 * scale + 1) for swing in swings]
    sign = 1 if above_first else -1
    values: list[float | None] = [float(center + s * sign * a) for a in halves for s in (1, -1)]
    chart = xmr_chart(values)
    assert limits_at(chart).center == center
    assert (chart.signals, chart.episodes, chart.jumps, chart.shifts) == ((), (), (), ())


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


@st.composite
def steady(draw: st.DrawFn) -> list[float | None]:
    """23 to 40 points around one level (runs of 8, and so shifts, still happen by chance), about one gap in eight."""
    level = draw(st.integers(0, 40))
    noise = draw(st.lists(st.integers(-1, 6), min_size=xmr.BASELINE_MAX + 3, max_size=40))
    return [None if n < 0 else float(level + n) for n in noise]


@PROPERTY
@given(values=steady(), extra=series(max_size=15), steps=rebases(40))
def test_a_complete_baseline_never_moves_when_points_are_appended(
    values: list[float | None], extra: list[float | None], steps: list[Step]
) -> None:
    shorter, longer = xmr_chart(values, steps), xmr_chart([*values, *extra], steps)
    complete = [s for s in shorter.segments if s.limits is not None and not s.limits.trial]
    assume(complete)
    for segment in complete:
        same = [s for s in longer.segments if s.start == segment.start]
        # Unless a new shift began inside the segment (a run reaching into the new points), its limits stay.
        if same and same[0].end >= segment.end:
            assert same[0].limits == segment.limits


def test_screening_the_one_jump_of_a_flat_baseline_keeps_limits_of_some_width() -> None:
    # 5 × 10 then 6: moving ranges 0 × 9 and 1 → average 0.1; 1 > 3.268 × 0.1 would be screened, leaving 0 and
    # limits of no width. Kept instead: centre 56 / 11 ≈ 5.09, limits 5.09 ± 0.266; the 6 is beyond them.
    chart = xmr_chart([*[5] * 10, 6])
    limits = limits_at(chart)
    assert limits.average_moving_range == pytest.approx(0.1) and limits.screened == 0
    assert limits.upper > limits.center > (limits.lower or 0)
    assert (10, 1, ABOVE) in triples(chart)


def test_a_rare_count_gets_no_limits_rather_than_flagging_its_zeros() -> None:
    # One idea in 25 weeks: mean 0.04 < 1. With limits (upper 0.7) every run of zeros would be "below".
    values: list[float | None] = [*[0] * 5, 1, *[0] * 19]
    assert xmr_chart(values).signals  # what it would say
    rare = xmr_chart(values, rare_below=1.0)
    assert rare.signals == () and rare.shifts == () and rare.segments[0].limits is None
