"""The measure series (bot.measures.series) on a real store: ideas raised with the workflow and moved with the
lifecycle under a clock the test moves, read back per period in the team's zone: complete periods only, the one
in progress apart ("so far"), the waiting stock at each week's local end, fortnights and months for rare events.
Every expected value is worked out by hand in the comments next to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.measures.figures import headline
from bot.measures.periods import FORTNIGHT, MONTH, WEEK, period_start
from bot.measures.series import measure_series, rare
from storage.measures import Scope
from tests.measures_world import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    LONDON,
    OTHER_WARD,
    OTHER_WS,
    PHARMACY,
    UTC_ZONE,
    WARD,
    WS,
    World,
    by_name,
    london,
    open_world,
    utc,
)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    with open_world(database_url) as opened:
        yield opened


# --- per period, complete periods only ------------------------------------------------------------------------


def test_series_count_raised_done_people_and_days_to_decision_per_iso_week(world: World):
    # Four ISO weeks, Mondays 2 / 9 / 16 / 23 November 2026 (GMT, so London time = UTC here).
    # week 0 (2 Nov)
    a1 = world.raise_(london(2026, 11, 2, 9), ALICE)  # Mon
    b1 = world.raise_(london(2026, 11, 3, 9), BOB)  # Tue
    world.approve(a1, london(2026, 11, 4, 9))  # a1 decided after 2.0 days
    # week 1 (9 Nov)
    world.not_now(b1, london(2026, 11, 9, 9))  # b1 decided after 6.0 days (Tue 09:00 → Mon 09:00)
    c1 = world.raise_(london(2026, 11, 9, 12), CAROL)
    world.raise_(london(2026, 11, 10, 9), ALICE)  # a2: Alice raises this week ...
    world.approve(c1, london(2026, 11, 10, 12))  # c1 decided after 1.0 day
    world.finish(a1, london(2026, 11, 12, 9))  # ... and completes a1 this week too: she counts once
    # week 2 (16 Nov): nothing happens
    # week 3 (23 Nov), the week in progress at "now" (Wednesday 25 Nov 09:00)
    world.raise_(london(2026, 11, 23, 9), BOB)  # b2
    world.reopen(b1, london(2026, 11, 24, 9), by=BOB)  # b1 back to new: reopening is not taking part
    world.approve(b1, london(2026, 11, 25, 8))  # b1's second decision: its first was on 9 Nov

    series = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 11, 25, 9), 2))

    for one in series.values():  # 3 complete weeks: too soon (< 6) to call anything rare, so all weekly
        assert (one.period, one.starts) == (WEEK, (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)))
        assert one.current_start == date(2026, 11, 23)  # the week in progress: never among the values
    # raised: w0 a1, b1 = 2; w1 c1, a2 = 2; w2 none = 0; so far in w3: b2 = 1
    assert (series["raised"].values, series["raised"].current_value) == ((2, 2, 0), 1)
    # done: a1 in w1 only
    assert (series["done"].values, series["done"].current_value) == ((0, 1, 0), 0)
    # people: w0 {Alice, Bob} = 2; w1 {Carol (raised), Alice (raised a2 and completed a1: once)} = 2;
    # w2 nobody = 0; w3 so far {Bob (raised b2)} = 1 (his reopening of b1 is not raising or completing)
    assert (series["people"].values, series["people"].current_value) == ((2, 2, 0), 1)
    # days to decision: w0 median(2.0) = 2.0; w1 median(6.0, 1.0) = 3.5; w2 no decision: a gap (None), not 0;
    # w3 only b1's second decision, which does not count again: a gap too
    assert series["days_to_decision"].values == (2.0, 3.5, None)
    assert series["days_to_decision"].current_value is None
    # waiting over 2 days at each week's end (Monday 00:00): 9 Nov, b1 (since Tue 3 Nov; decided at 09:00 that
    # Monday); 16 Nov, a2 (since Tue 10 Nov); 23 Nov, a2 still.
    assert series["waiting"].values == (1, 1, 1)


def test_days_to_decision_is_the_median_of_first_decisions_and_counts_each_idea_once(world: World):
    # Week of Monday 2 November 2026; three ideas raised on Monday at 09:00, decided that week:
    first = world.raise_(london(2026, 11, 2, 9), ALICE)
    second = world.raise_(london(2026, 11, 2, 9, 30), BOB)
    third = world.raise_(london(2026, 11, 2, 10), CAROL)
    world.approve(first, london(2026, 11, 2, 21))  # 12 h = 0.5 days
    world.not_now(second, london(2026, 11, 4, 9, 30))  # 48 h = 2.0 days
    world.approve(third, london(2026, 11, 7, 10))  # 5 days = 5.0 days
    # Reopened and decided again the next week: neither the reopening nor the second decision counts.
    world.reopen(second, london(2026, 11, 10, 9), by=BOB)
    world.approve(second, london(2026, 11, 11, 9))
    world.not_now(second, london(2026, 11, 12, 9))  # and a third decision: still its first one counts, once

    days = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 11, 12, 12), 2))["days_to_decision"]

    # week 0: median(0.5, 2.0, 5.0) = 2.0 (a mean would be 2.5); the week of 9 Nov so far: no first decision
    assert (days.starts, days.values, days.current_value) == ((date(2026, 11, 2),), (2.0,), None)
    found = headline(world.db, Scope(WS), london(2026, 11, 12, 12), None)
    # first decisions: approved (first), not now (second), approved (third): 2 approved, 1 not now; median 2.0
    assert (found.approved, found.not_now, found.median_days_to_decision) == (2, 1, 2.0)


def test_week_boundaries_follow_london_time_when_summer_time_ends(world: World):
    # Summer time ends on Sunday 25 October 2026 (02:00 BST → 01:00 GMT).
    # Weeks (London): Mon 12 Oct, Mon 19 Oct (00:00 BST = Sun 18 Oct 23:00 UTC), Mon 26 Oct (00:00 GMT = 00:00 UTC).
    late_sunday = world.raise_(london(2026, 10, 18, 23, 30), ALICE)  # 22:30 UTC Sunday: week of 12 Oct
    early_monday = world.raise_(london(2026, 10, 19, 0, 30), BOB)  # 23:30 UTC *Sunday*: week of 19 Oct
    world.approve(late_sunday, london(2026, 10, 19, 0, 45))  # 23:45 UTC Sunday, decided in the week of 19 Oct
    world.raise_(london(2026, 10, 25, 23, 30), CAROL)  # GMT now: 23:30 UTC Sunday, still the week of 19 Oct
    world.finish(early_monday, london(2026, 10, 25, 23, 45))  # done on the last minutes of that week
    world.raise_(london(2026, 10, 26, 0, 30), DAVE)  # Monday 00:30 GMT: the week of 26 Oct, in progress

    series = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 10, 28, 12), 2))

    assert series["raised"].starts == (date(2026, 10, 12), date(2026, 10, 19))
    # by UTC date, Bob's idea would be in the first week and Dave's in the last; by London weeks:
    assert (series["raised"].values, series["raised"].current_value) == ((1, 2), 1)  # {Alice}, {Bob, Carol}; Dave
    assert series["done"].values == (0, 1)  # Bob's, Sunday 23:45 GMT
    assert (series["people"].values, series["people"].current_value) == ((1, 2), 1)  # Bob raised and completed
    # Alice's: 22:30 → 23:45 UTC, 75 min = 0.052 days. Bob's was started by a leader while still new, which is a
    # yes (an approval event): Sun 18 Oct 23:30 UTC → Sun 25 Oct 23:45 UTC = 7 days 15 min = 7.0104 days.
    # Both decided in the week of 19 Oct; the median of the two: (0.0521 + 7.0104) / 2 = 3.53125.
    assert series["days_to_decision"].values == (None, pytest.approx((75 / (24 * 60) + 7 + 15 / (24 * 60)) / 2))


def test_week_boundaries_follow_london_time_when_summer_time_starts(world: World):
    # Summer time starts on Sunday 29 March 2026 (01:00 GMT → 02:00 BST).
    # Weeks (London): Mon 23 Mar (00:00 GMT = 00:00 UTC), Mon 30 Mar (00:00 BST = Sun 29 Mar 23:00 UTC).
    world.raise_(london(2026, 3, 23, 0, 30), ALICE)  # Monday 00:30 GMT: the week of 23 Mar
    world.raise_(london(2026, 3, 29, 23, 30), BOB)  # Sunday 23:30 BST = 22:30 UTC: the week of 23 Mar
    world.raise_(london(2026, 3, 30, 0, 30), CAROL)  # Monday 00:30 BST = Sunday 23:30 UTC: the week of 30 Mar

    series = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 4, 6, 12), 2))

    assert series["raised"].starts == (date(2026, 3, 23), date(2026, 3, 30))
    assert series["raised"].values == (2, 1)  # by UTC weeks it would be (3, 0)
    assert series["people"].values == (2, 1)
    assert series["done"].values == (0, 0)
    assert series["days_to_decision"].values == (None, None)


def test_a_week_starts_at_local_monday_midnight_inclusive(world: World):
    # Monday 30 March 2026, 00:00 BST = Sunday 29 March 23:00 UTC.
    monday_midnight = london(2026, 3, 30, 0, 0)
    world.raise_(monday_midnight - timedelta(microseconds=1), ALICE)  # the last instant of the week of 23 Mar
    world.raise_(monday_midnight, BOB)  # the first instant of the week of 30 Mar
    world.raise_(london(2026, 4, 5, 23, 59) + timedelta(seconds=59), CAROL)  # the last second of that week

    at_midnight = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 4, 6, 0, 0), 2))["raised"]
    just_before = by_name(
        measure_series(world.db, Scope(WS), LONDON, london(2026, 4, 6, 0, 0) - timedelta(microseconds=1), 2)
    )["raised"]

    # At Monday 00:00 the week of 30 Mar is complete and the week of 6 Apr (nothing yet) is in progress.
    assert (at_midnight.starts, at_midnight.values) == ((date(2026, 3, 23), date(2026, 3, 30)), (1, 2))
    assert (at_midnight.current_start, at_midnight.current_value) == (date(2026, 4, 6), 0)
    # A microsecond earlier the week of 30 Mar is still in progress: so far, not judged.
    assert (just_before.starts, just_before.values) == ((date(2026, 3, 23),), (1,))
    assert (just_before.current_start, just_before.current_value) == (date(2026, 3, 30), 2)


def test_the_same_instants_fall_in_other_weeks_in_another_zone(world: World):
    # Sunday 22:30 UTC on 1 November 2026 is already Monday 07:30 in Tokyo (UTC+9, no summer time).
    world.raise_(utc(2026, 11, 1, 22, 30), ALICE)

    tokyo = by_name(measure_series(world.db, Scope(WS), ZoneInfo("Asia/Tokyo"), utc(2026, 11, 11), 2))["raised"]
    in_london = by_name(measure_series(world.db, Scope(WS), LONDON, utc(2026, 11, 11), 2))["raised"]

    # Each zone's series begins with the week holding the first idea there.
    assert (tokyo.starts, tokyo.values) == ((date(2026, 11, 2),), (1,))
    assert (in_london.starts, in_london.values) == ((date(2026, 10, 26), date(2026, 11, 2)), (1, 0))


def test_workspaces_never_mix_and_a_team_scope_counts_only_that_team(world: World):
    # Two workspaces; a second team in the first workspace. All in the week of Monday 2 Nov 2026 (UTC).
    ward = world.raise_(utc(2026, 11, 2), ALICE, channel=WARD, workspace=WS)
    elsewhere = [
        world.raise_(utc(2026, 11, 2, 10 + n), CAROL, channel=OTHER_WARD, workspace=OTHER_WS) for n in range(3)
    ]
    world.approve(ward, utc(2026, 11, 3))  # 1 day
    pharmacy = world.raise_(utc(2026, 11, 3, 9), BOB, channel=PHARMACY, workspace=WS)
    world.raise_(utc(2026, 11, 3, 10), ALICE, channel=OTHER_WARD, workspace=OTHER_WS)  # the same user ID, elsewhere
    world.approve(elsewhere[0], utc(2026, 11, 4, 10))  # 2 Nov 10:00 → 4 Nov 10:00: 2 days
    world.finish(elsewhere[0], utc(2026, 11, 4, 12))
    world.not_now(pharmacy, utc(2026, 11, 5))  # 2 days
    now = utc(2026, 11, 9, 12)  # the week of 2 Nov is complete

    def week(scope: Scope) -> dict[str, tuple[float | None, ...]]:
        return {name: one.values for name, one in by_name(measure_series(world.db, scope, UTC_ZONE, now, 2)).items()}

    whole = week(Scope(WS))  # ward + pharmacy; Alice, Bob; median(1, 2) days
    assert (whole["raised"], whole["done"], whole["people"], whole["days_to_decision"]) == ((2,), (0,), (2,), (1.5,))
    ward_only = week(Scope(WS, world.team_id(WARD)))
    assert (ward_only["raised"], ward_only["people"], ward_only["days_to_decision"]) == ((1,), (1,), (1.0,))
    other = week(Scope(OTHER_WS))  # Carol ×3 and Alice; one decided after 2 days and done
    assert (other["raised"], other["done"], other["people"], other["days_to_decision"]) == ((4,), (1,), (2,), (2.0,))
    # waiting over 2 days at Mon 9 Nov 00:00: in the other workspace Carol's two undecided ideas (2 Nov) and
    # Alice's (3 Nov 10:00) = 3; none of ours (both decided)
    assert (whole["waiting"], other["waiting"]) == ((0,), (3,))


# --- the waiting stock -------------------------------------------------------------------------------------------


def test_waiting_is_a_stock_at_each_weeks_local_end_and_a_reopened_idea_waits_again(world: World):
    # London, nudge 2 days. Weeks: Mon 5 Oct, Mon 12 Oct 2026 (BST) and Mon 19 Oct (its end, Mon 26 Oct 00:00, is
    # GMT again). The week of 12 Oct ends at Mon 19 Oct 00:00 BST = Sun 18 Oct 23:00 UTC; waiting over 2 days
    # then means waiting since before Sat 17 Oct 00:00 BST (= Fri 16 Oct 23:00 UTC).
    f = world.raise_(london(2026, 10, 5, 9), ALICE)
    g = world.raise_(london(2026, 10, 5, 9, 10), BOB)
    h = world.raise_(london(2026, 10, 5, 9, 20), CAROL)
    world.approve(f, london(2026, 10, 6, 9))
    world.not_now(h, london(2026, 10, 6, 10))
    world.finish(g, london(2026, 10, 7, 9))
    a = world.raise_(london(2026, 10, 14, 9), ALICE)  # never decided until 27 Oct
    b = world.raise_(london(2026, 10, 14, 10), BOB)
    c = world.raise_(london(2026, 10, 14, 11), CAROL)
    world.reopen(h, london(2026, 10, 15, 9), by=CAROL)  # not now → new: waits from Thu 15 Oct
    world.raise_(london(2026, 10, 16, 23, 30), DAVE)  # e: 48.5 h before the week's end
    exact = world.raise_(london(2026, 10, 17, 0, 0), ERIN)  # exactly 48 h before: 2 days, not longer
    world.raise_(london(2026, 10, 17, 0, 30), ALICE)  # d: 47.5 h before the end
    world.withdraw_approval(f, london(2026, 10, 17, 12))  # approved → new: raised 5 Oct, waits from Sat noon
    world.reopen(g, london(2026, 10, 17, 12, 10), by=BOB)  # done → new: waits from Sat 12:10
    world.raise_(london(2026, 10, 17, 13), BOB, already_done=True)  # "just did it": never waits for a decision
    world.approve(b, london(2026, 10, 18, 23, 30))  # Sun 22:30 UTC: decided before the week's end
    world.approve(c, london(2026, 10, 19, 0, 30))  # Mon 00:30 BST = Sun 23:30 UTC: after the local end
    world.not_now(exact, london(2026, 10, 20, 9))
    world.approve(a, london(2026, 10, 27, 9))

    waiting = by_name(measure_series(world.db, Scope(WS), LONDON, london(2026, 10, 28, 12), 2))["waiting"]

    assert (waiting.period, waiting.starts) == (WEEK, (date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)))
    # Mon 12 Oct 00:00: f approved, g done, h not now → 0.
    # Mon 19 Oct 00:00 BST: a (since Wed), c (decided 30 minutes after the local end), h (since Thu), e (48.5 h)
    # → 4. Not b (decided before), exact (48 h), d (47.5 h), f and g (waiting again only since Sat noon), nor
    # the idea raised done. (Measured at UTC midnight it would be a, h, e, exact, d = 5.)
    # Mon 26 Oct 00:00 GMT (threshold Sat 24 Oct 00:00 UTC): a, h, e, d, f, g → 6 (exact was decided on 20 Oct).
    # So far, at Wed 28 Oct 12:00 (threshold Mon 26 Oct 12:00): a was decided on 27 Oct → h, e, d, f, g = 5.
    assert (waiting.values, waiting.current_value) == ((0, 4, 6), 5)


# --- fortnights and months for rare events ---------------------------------------------------------------------


def test_rare_means_under_2_a_period_over_the_first_20_complete_periods():
    assert not rare([1.0] * 5)  # 5 periods: too soon to tell
    assert rare([1.0] * 6)
    assert not rare([2.0] * 6) and not rare([1.0, 3.0] * 3)  # an average of exactly 2 is not under 2
    assert rare([0.0] * 20 + [9.0] * 20)  # only the baseline (the first 20) counts
    assert not rare([3.0] * 20 + [0.0] * 20)


def test_a_small_team_is_counted_by_fortnight_from_each_periods_raw_data(world: World):
    # UTC. Fortnights are fixed pairs of ISO weeks counted from Monday 1 Jan 2024 (weeks 1+2, 3+4, ... of 2024);
    # 2024 and 2025 have 52 ISO weeks, so Monday 12 Jan 2026 (742 days = 106 weeks later) starts one.
    # Six fortnights: in the first week Alice raises one idea (decided after 1 day); in the second Alice raises
    # one (decided after 2 days) and Bob one (decided after 6 days, on the Sunday).
    for fortnight in range(6):
        first = date(2026, 1, 12) + timedelta(weeks=2 * fortnight)
        second = first + timedelta(weeks=1)
        x = world.raise_(utc(first.year, first.month, first.day, 9), ALICE)
        world.approve(x, utc(first.year, first.month, first.day, 9) + timedelta(days=1))
        y = world.raise_(utc(second.year, second.month, second.day, 9), ALICE)
        z = world.raise_(utc(second.year, second.month, second.day, 10), BOB)
        world.approve(y, utc(second.year, second.month, second.day, 9) + timedelta(days=2))
        world.approve(z, utc(second.year, second.month, second.day, 10) + timedelta(days=6))

    series = by_name(measure_series(world.db, world.scope(), UTC_ZONE, utc(2026, 4, 6, 12), 2))

    fortnights = tuple(date(2026, 1, 12) + timedelta(weeks=2 * n) for n in range(6))  # 12 Jan ... 23 Mar
    # raised: 1, 2, 1, 2, ... a week (1.5 on average over 12 weeks: under 2) → by fortnight: 3 each (not under 2)
    assert (series["raised"].period, series["raised"].starts, series["raised"].values) == (
        FORTNIGHT,
        fortnights,
        (3,) * 6,
    )
    assert (series["raised"].current_start, series["raised"].current_value) == (date(2026, 4, 6), 0)
    # people: 1, 2, 1, 2, ... a week → by fortnight {Alice, Bob} = 2, not the sum of the weeks (3)
    assert (series["people"].period, series["people"].values) == (FORTNIGHT, (2,) * 6)
    # decisions: 1, 2, ... a week → by fortnight, the median over its decisions: median(1, 2, 6) = 2.0 (not the
    # median of the weekly medians 1 and 4, 2.5, nor the mean, 3)
    days = series["days_to_decision"]
    assert (days.period, days.values) == (FORTNIGHT, (2.0,) * 6)
    # done: none at all → under 2 a week, then under 2 a fortnight → by month: Jan, Feb, Mar complete; Apr so far
    assert (series["done"].period, series["done"].starts) == (
        MONTH,
        (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)),
    )
    assert (series["done"].values, series["done"].current_start) == ((0, 0, 0), date(2026, 4, 1))
    # waiting is a stock: it stays weekly (every idea was decided within its week: 0 at each week's end)
    assert (series["waiting"].period, series["waiting"].values) == (WEEK, (0,) * 12)


def test_a_team_with_under_2_a_fortnight_is_counted_by_month(world: World):
    # UTC. Carol raises an idea every third Monday: 19 Jan, 9 Feb, 2 Mar, 23 Mar 2026; nobody decides.
    for day in (date(2026, 1, 19), date(2026, 2, 9), date(2026, 3, 2), date(2026, 3, 23)):
        world.raise_(utc(day.year, day.month, day.day, 9), CAROL, channel=PHARMACY)
    now = utc(2026, 4, 13, 12)

    series = by_name(measure_series(world.db, world.scope(PHARMACY), UTC_ZONE, now, 2))

    # 19 Jan is in the second week of the fortnight of 12 Jan: fortnights do not start where the data starts.
    assert period_start(date(2026, 1, 19), FORTNIGHT) == date(2026, 1, 12)
    # Weeks 19 Jan ... 6 Apr: 12 complete, 4 ideas (under 2 a week). Fortnights 12 Jan ... 23 Mar: 6 complete,
    # holding 1, 0, 1, 1, 0, 1 (4 / 6: under 2 a fortnight) → by month.
    raised = series["raised"]
    assert (raised.period, raised.starts) == (MONTH, (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)))
    assert (raised.values, raised.current_start, raised.current_value) == ((1, 1, 2), date(2026, 4, 1), 0)
    assert (series["people"].period, series["people"].values) == (MONTH, (1, 1, 1))  # Carol, once in March too
    # Waiting stays weekly, a stock growing by one idea two days after each: weeks 19 Jan ... 6 Apr
    assert (series["waiting"].period, series["waiting"].values) == (WEEK, (1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4))
