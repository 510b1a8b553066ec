"""XmR process behavior charts (bot.measures.xmr) against published worked examples: NHSRplotthedots' screening
example and Wheeler's data sets in "Making Sense of Data"."""

from __future__ import annotations

from bot.measures.xmr import ABOVE, BELOW, REBASE, SHIFT, START, Episode, Jump, Step, xmr_chart
from tests.xmr_series import limits_at, triples

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
