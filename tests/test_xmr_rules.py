"""XmR process behavior charts (bot.measures.xmr), the signals: rules 1, 2 and 3 at their edges, episodes, the
latest episode, and the two series of the issue that must show no signal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pytest import approx

from bot.measures.xmr import ABOVE, BELOW, Episode, Signal, latest_episode, xmr_chart
from tests.xmr_series import PROPERTY, STEADY, limits_at, triples

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


# --- properties ----------------------------------------------------------------------------------------------


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
