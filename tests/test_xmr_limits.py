"""XmR process behavior charts (bot.measures.xmr), the limits: central line, natural process limits and the upper
range limit by hand arithmetic, when a baseline is complete, no lower limit below zero, screening of unusual jumps,
gaps, and rare counts."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pytest import approx

from bot.measures import xmr
from bot.measures.xmr import ABOVE, BELOW, START, Episode, Jump, Segment, Step, latest_episode, xmr_chart
from tests.xmr_series import PROPERTY, STEADY, fields, limits_at, rebases, series, triples


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


# --- properties ----------------------------------------------------------------------------------------------


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
