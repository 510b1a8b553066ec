"""The judged measures (bot.measures.report, baselines, figures) on a real store: the week in progress never
judged, limits anchored in time whatever window is shown, rebases and automatic shifts stored as history with
undo, the headline figures and their denominator (headcount history or channel members), and the JSON and CSV
of `kaizen-bot stats`. Every expected value is worked out by hand in the comments next to it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.measures import baselines, figures, words
from bot.measures.figures import CHANNEL_MEMBERS, HEADCOUNT, Denominator
from bot.measures.report import as_csv, as_json
from storage import measure_records as sql
from storage.measures import Scope
from tests.measures_world import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    LEADER,
    OTHER_WARD,
    OTHER_WS,
    PHARMACY,
    UTC_ZONE,
    WS,
    World,
    london,
    measured,
    utc,
)
from tests.measures_world import world as world  # the fixture: a World on the test's database

P = [4, 5, 3, 4, 5, 4, 3, 5, 4, 4]  # steady: mean 4.1, moving ranges 1,2,1,1,1,1,2,1,0 (and 0 from 4 to 4)
HOUR = timedelta(hours=1)
SMALLER = [count - 1 for count in P]  # mean 3.1, the same moving ranges
SMALLEST = [count - 2 for count in P]  # mean 2.1 (not rare: 2 or more a week), the same moving ranges


def series_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(one for one in data["series"] if one["name"] == name)


def limits_of(data: dict[str, Any], name: str) -> list[tuple[Any, ...]]:
    return [
        (s["from"], s["kind"], s["note"], s["trial"], s["baseline_points"]) for s in series_of(data, name)["limits"]
    ]


# --- only complete periods are judged ----------------------------------------------------------------------------


def test_one_idea_on_monday_morning_is_not_a_signal(world: World):
    # The issue's steady team, London: 12 complete weeks from Mon 7 Sep 2026 raising 6,5,7,6,5,6,7,5,6,6,5,6
    # ideas (each by someone new, each approved a day later), then 1 idea on Monday 30 Nov at 10:00, the week
    # in progress. Judged, that 1 would be far below the lower limit.
    counts = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 6]
    now = london(2026, 11, 30, 10, 30)
    world.weeks(date(2026, 9, 7), counts, decide_after=timedelta(days=1), until=now)
    world.raise_(london(2026, 11, 30, 10), ALICE)

    report = measured(world, now)
    data = as_json(report)

    raised = series_of(data, "raised")
    assert [p["value"] for p in raised["points"]] == [*counts, 1]
    assert raised["points"][-1] == {"start": "2026-11-30", "value": 1, "complete": False}
    # centre 70 / 12 = 5.8333; moving ranges 1,2,1,1,1,1,2,1,0,1,1 → AmR 12 / 11 = 1.0909; 2.66 × 1.0909 = 2.9018
    # → limits 2.9315 and 8.7352, trial (12 points); the current 1 is not among the points judged.
    [limits] = raised["limits"]
    assert (limits["center"], limits["lower"], limits["upper"]) == pytest.approx((5.8333, 2.9315, 8.7352))
    assert (limits["from"], limits["trial"], limits["baseline_points"]) == ("2026-09-07", True, 12)
    for one in data["series"]:  # no signal anywhere, and certainly none about the week in progress
        assert (one["name"], one["signals"], one["unusual_jumps"]) == (one["name"], [], [])
    text = words.summary(report)
    # Issue 14: one plain sentence leading with the latest complete week; 2.9315–8.7352 holds the counts 3 to 8.
    assert (
        "*Ideas raised per week:* Week of 23 Nov: 6; usually 3–8 a week since 7 Sep (a first estimate from 12 "
        "weeks) — within the usual range, steady." in text
    ), text
    assert "worth a look" not in text and "below the usual range" not in text


# --- limits anchored in time ---------------------------------------------------------------------------------------


def test_limits_are_the_same_whatever_window_is_shown_and_stay_put_once_20_points_are_in(world: World):
    # UTC, 27 weeks from Mon 5 Jan 2026 raising 3,4,2,3,4,3,2,4,3,3 (P - 1) twice, then its first 7; nobody
    # decides (nudge 365 days: nothing waits "long").
    counts = (SMALLER * 3)[:27]
    world.weeks(date(2026, 1, 5), counts, zone=UTC_ZONE)
    nineteen, now, next_week = utc(2026, 5, 18, 12), utc(2026, 7, 6, 12), utc(2026, 7, 13, 12)

    def report(at: datetime, weeks: int) -> dict[str, Any]:
        return as_json(measured(world, at, weeks=weeks, zone=UTC_ZONE, nudge_days=365))

    short, long, later = report(now, 12), report(now, 52), report(next_week, 12)

    # 20 baseline points: centre 62 / 20 = 3.1; 19 moving ranges summing 20 → AmR 1.0526;
    # 2.66 × 1.0526 = 2.8 → 0.3 to 5.9; no longer trial. The same for 12 and 52 weeks, and a week later.
    for data in (short, long, later):
        [limits] = series_of(data, "raised")["limits"]
        assert (limits["center"], limits["lower"], limits["upper"]) == pytest.approx((3.1, 0.3, 5.9))
        assert (limits["from"], limits["until"], limits["trial"], limits["baseline_points"]) == (
            "2026-01-05", None, False, 20
        )  # fmt: skip
    # 26 complete weeks at `now`: the 12-week window shows the last 11 and the week in progress
    assert series_of(short, "raised")["points"] == series_of(long, "raised")["points"][-12:]
    assert len(series_of(long, "raised")["points"]) == 27

    # Weeks shown both now and a week later (the 10 complete weeks from 27 Apr) keep their limits in the CSV too.
    def limits_by_week(at: datetime) -> dict[str, list[str]]:
        rows = csv.DictReader(io.StringIO(as_csv(measured(world, at, weeks=12, zone=UTC_ZONE, nudge_days=365))))
        return {
            r["start"]: [r[k] for k in ("center", "lower", "upper", "trial")]
            for r in rows
            if r["series"] == "raised" and r["complete"] == "yes"
        }

    this_window, next_window = limits_by_week(now), limits_by_week(next_week)
    shared = sorted(this_window.keys() & next_window.keys())
    assert (len(shared), shared[0], shared[-1]) == (10, "2026-04-27", "2026-06-29")
    for week in shared:
        assert this_window[week] == next_window[week] == ["3.1", "0.3", "5.9", "no"]
    # Before 20 points the trial limits are refined as points arrive: at 19 weeks, 59 / 19 = 3.1053.
    [trial] = series_of(report(nineteen, 52), "raised")["limits"]
    assert (trial["center"], trial["trial"], trial["baseline_points"]) == (pytest.approx(3.1053), True, 19)


# --- steps: a leader's rebase, an automatic shift, undo -------------------------------------------------------------


def test_a_rebase_starts_new_limits_for_every_series_and_undo_takes_it_back(world: World):
    # UTC, 14 weeks from Mon 5 Jan 2026 raising P + P[:4]; a leader rebases from Wed 18 Feb (week 6).
    world.weeks(date(2026, 1, 5), P + P[:4], zone=UTC_ZONE)
    scope, now = world.scope(), utc(2026, 4, 13, 12)
    baselines.rebase(world.db, scope, date(2026, 2, 18), "  started daily huddles ", by=LEADER.user_id, at=now)

    data = as_json(measured(world, now, zone=UTC_ZONE, nudge_days=365))

    # The step starts with the week holding 18 Feb, Mon 16 Feb. Before it, weeks 0-5 (4,5,3,4,5,4): centre 25 / 6
    # = 4.1667, AmR 6 / 5 = 1.2; from it, weeks 6-13 (3,5,4,4,4,5,3,4): centre 32 / 8 = 4.0, AmR 7 / 7 = 1.0.
    note = "started daily huddles"
    for name in ("raised", "people"):  # every series of the team (people = raised: one idea each)
        assert limits_of(data, name) == [
            ("2026-01-05", "start", None, True, 6),
            ("2026-02-16", "rebase", note, True, 8),
        ]
    before, after = series_of(data, "raised")["limits"]
    assert before["until"] == "2026-02-16"
    assert (before["center"], after["center"], after["upper"]) == pytest.approx((4.1667, 4.0, 6.66))
    assert f"New usual range from 16 Feb: {note}." in words.summary(measured(world, now, zone=UTC_ZONE, nudge_days=365))
    [record] = baselines.history(world.db, scope)
    assert (record.kind, record.series, record.starts_on, record.note) == ("rebase", "*", date(2026, 2, 18), note)
    assert (record.created_by, record.active) == (LEADER.user_id, True)

    undone = baselines.undo(world.db, scope, by=LEADER.user_id, at=now + timedelta(hours=1))
    assert undone is not None and undone.undone_at == now + timedelta(hours=1)
    # One segment again, from all 14 points: centre 57 / 14 = 4.0714.
    data = as_json(measured(world, now, zone=UTC_ZONE, nudge_days=365))
    assert limits_of(data, "raised") == [("2026-01-05", "start", None, True, 14)]
    assert series_of(data, "raised")["limits"][0]["center"] == pytest.approx(4.0714)
    assert [(s["kind"], s["undone_by"]) for s in data["steps"]] == [("rebase", LEADER.user_id)]
    assert baselines.undo(world.db, scope, by=LEADER.user_id, at=now + timedelta(hours=2)) is None  # nothing left

    # Rebased again at the same date: the same step revived with the new note (still one row of history).
    baselines.rebase(world.db, scope, date(2026, 2, 18), "daily huddles, again", LEADER.user_id, now + HOUR * 3)
    data = as_json(measured(world, now, zone=UTC_ZONE, nudge_days=365))
    assert limits_of(data, "raised")[1] == ("2026-02-16", "rebase", "daily huddles, again", True, 8)
    [revived] = baselines.history(world.db, scope)
    assert (revived.starts_on, revived.note, revived.active) == (date(2026, 2, 18), "daily huddles, again", True)
    # Two rebases in the week of 16 Feb: the one made later is the step shown.
    baselines.rebase(world.db, scope, date(2026, 2, 16), "daily huddles, on Mondays", LEADER.user_id, now + HOUR * 4)
    data = as_json(measured(world, now, zone=UTC_ZONE, nudge_days=365))
    assert limits_of(data, "raised")[1] == ("2026-02-16", "rebase", "daily huddles, on Mondays", True, 8)
    assert len(baselines.history(world.db, scope)) == 2


def test_a_shift_is_recorded_once_and_an_undone_shift_is_not_found_again(world: World):
    # UTC, Mon 5 Jan 2026: 20 steady weeks (2,3,1,2,3,2,1,3,2,2 twice: 2.1 ± 2.8, so up to 4.9 and no lower
    # limit), then from Mon 25 May 8 weeks of 6, 7, 6, 7, ... all above the central line. Alice raises them all,
    # so only `raised` moves (people is 1 a week; nothing is decided or done).
    world.weeks(date(2026, 1, 5), SMALLEST * 2 + [6, 7] * 4, zone=UTC_ZONE, author=lambda week, n: ALICE)
    scope, now = world.scope(), utc(2026, 7, 20, 12)

    for minutes in range(3):  # however many times the chart is drawn
        data = as_json(measured(world, now + timedelta(minutes=minutes), zone=UTC_ZONE, nudge_days=365))

    # New trial limits from the first of the 8: centre 52 / 8 = 6.5, AmR 1 → 3.84 to 9.16.
    assert limits_of(data, "raised") == [
        ("2026-01-05", "start", None, False, 20),
        ("2026-05-25", "shift", None, True, 8),
    ]
    assert series_of(data, "raised")["limits"][1]["center"] == pytest.approx(6.5)
    run = {"rule": 2, "side": "above", "start": "2026-05-25", "end": "2026-07-13"}
    assert series_of(data, "raised")["signals"] == [run]  # the run that started them stays a signal
    [shift] = baselines.history(world.db, scope)
    assert (shift.kind, shift.series, shift.starts_on, shift.side) == ("shift", "raised", date(2026, 5, 25), "above")
    assert (shift.created_by, shift.created_at, shift.active) == (None, now, True)
    drawn = measured(world, now, zone=UTC_ZONE, nudge_days=365)
    assert "New usual range from 25 May, after 8 weeks in a row on one side" in words.summary(drawn)
    # Another instance drawing at the same moment, before it saw the stored shift: the store keeps one row.
    raised = drawn.measured[0]
    assert baselines.record_shifts(world.db, scope, raised.series, raised.chart, [], now + HOUR) == []
    assert len(baselines.history(world.db, scope)) == 1

    undone = baselines.undo(world.db, scope, by=LEADER.user_id, at=now + timedelta(hours=1))
    assert undone is not None and (undone.kind, undone.starts_on) == ("shift", date(2026, 5, 25))
    data = as_json(measured(world, now + timedelta(hours=2), zone=UTC_ZONE, nudge_days=365))

    # Not found again: one segment; the 8 points judged against 2.1 ± 2.8 (each above 4.9: rule 1 too).
    assert limits_of(data, "raised") == [("2026-01-05", "start", None, False, 20)]
    assert run in series_of(data, "raised")["signals"]
    assert {(s["rule"], s["start"]) for s in series_of(data, "raised")["signals"]} >= {
        (1, "2026-05-25"),
        (1, "2026-07-13"),
    }
    [kept] = baselines.history(world.db, scope)
    assert (kept.kind, kept.undone_at, kept.undone_by) == ("shift", now + timedelta(hours=1), LEADER.user_id)


# --- headline figures and their denominator -------------------------------------------------------------------------


def test_headline_figures_cover_the_last_52_weeks_by_first_decision_date(world: World):
    now = utc(2026, 11, 25)  # 52 weeks earlier: Wednesday 26 November 2025, 09:00 UTC
    # Before the window: raised, decided and done in October 2025 (more than 52 weeks ago): not counted at all.
    old = world.raise_(utc(2025, 10, 1), BOB)
    world.approve(old, utc(2025, 10, 2))
    world.finish(old, utc(2025, 10, 3))
    # Raised before the window but first decided inside it: its decision counts (by decision date), its raising
    # does not make Erin a participant.
    late = world.raise_(utc(2025, 11, 1), ERIN)
    world.not_now(late, utc(2025, 12, 1))  # 30 days
    i1, i2 = world.raise_(utc(2026, 6, 1), ALICE), world.raise_(utc(2026, 6, 2), BOB)
    world.approve(i1, utc(2026, 6, 3))  # 2 days, approved
    world.not_now(i2, utc(2026, 6, 6))  # 4 days, not now
    world.finish(i1, utc(2026, 6, 10))  # done, by Alice (she owns it)
    i3 = world.raise_(utc(2026, 7, 1), CAROL)
    world.approve(i3, utc(2026, 7, 2))  # 1 day, approved
    world.finish(i3, utc(2026, 7, 5))  # done
    i4 = world.raise_(utc(2026, 8, 1), ALICE)
    world.approve(i4, utc(2026, 8, 11))  # 10 days, approved; not done
    world.raise_(utc(2026, 9, 1), DAVE)  # waits for a decision
    world.reopen(i2, utc(2026, 10, 1), by=BOB)
    world.approve(i2, utc(2026, 10, 2))  # a second decision: i2's first was "not now", and it counts once

    eight = figures.denominator(world.db, Scope(WS), date(2026, 11, 25), 8)
    found = figures.headline(world.db, Scope(WS), now, eight)

    assert found.done == 2  # i1, i3 (not `old`)
    assert found.participants == 4  # Alice, Bob, Carol, Dave (Erin raised before the window; Bob's old idea too)
    # first decisions in the window: i1 yes, i2 not now, i3 yes, i4 yes, late not now → 3 / (3 + 2) = 60%
    assert (found.approved, found.not_now, found.approval_rate) == (3, 2, pytest.approx(0.6))
    # days to decision: [1, 2, 4, 10, 30] → median 4.0 (the old idea's 1 day is outside the window)
    assert found.median_days_to_decision == pytest.approx(4.0)
    # no headcount set: per member of the channel (8 people): 2 / 8 = 0.25 done per person; 4 / 8 = 50% took part
    assert found.denominator == Denominator(8, CHANNEL_MEMBERS)
    assert (found.done_per_person_per_year, found.participation_rate) == pytest.approx((0.25, 0.5))
    unknown = figures.headline(world.db, Scope(WS), now, figures.denominator(world.db, Scope(WS), now.date(), None))
    assert (unknown.denominator, unknown.done_per_person_per_year, unknown.participation_rate) == (None, None, None)
    assert unknown.approval_rate == pytest.approx(0.6)
    # more people took part than are in the channel now (people left): the rate stops at 100%
    assert figures.headline(world.db, Scope(WS), now, Denominator(3, CHANNEL_MEMBERS)).participation_rate == 1.0


def test_headline_without_decisions_has_no_approval_rate_or_median(world: World):
    world.raise_(utc(2026, 11, 2), ALICE)

    found = figures.headline(world.db, Scope(WS), utc(2026, 11, 25), Denominator(2, CHANNEL_MEMBERS))

    assert (found.done, found.participants, found.approved, found.not_now) == (0, 1, 0, 0)
    assert (found.approval_rate, found.median_days_to_decision) == (None, None)  # no decision: not 0%
    assert (found.participation_rate, found.done_per_person_per_year) == (0.5, 0.0)  # 1 of 2; 0 done


def test_headline_counts_nothing_older_than_52_weeks_and_workspaces_never_mix(world: World):
    now = utc(2026, 11, 25)
    before = world.raise_(now - timedelta(weeks=53), ALICE)  # raised, decided, done before the window
    world.approve(before, now - timedelta(weeks=53, days=-1))
    world.finish(before, now - timedelta(weeks=53, days=-2))
    inside = world.raise_(now - timedelta(weeks=51), BOB)  # the same story inside it: decided after 3 days
    world.approve(inside, now - timedelta(weeks=51, days=-3))
    world.finish(inside, now - timedelta(weeks=51, days=-4))
    theirs = world.raise_(utc(2026, 11, 2, 12), BOB, channel=OTHER_WARD, workspace=OTHER_WS)
    world.not_now(theirs, utc(2026, 11, 12, 12))  # 10 days
    world.raise_(utc(2026, 11, 13), CAROL, channel=OTHER_WARD, workspace=OTHER_WS)

    ours = figures.headline(world.db, Scope(WS), now, Denominator(2, CHANNEL_MEMBERS))
    other = figures.headline(world.db, Scope(OTHER_WS), now, None)

    assert (ours.done, ours.participants, ours.approved, ours.not_now) == (1, 1, 1, 0)  # Bob's only, counted once
    assert ours.median_days_to_decision == pytest.approx(3.0)
    assert (ours.participation_rate, ours.done_per_person_per_year) == (0.5, 0.5)
    assert (other.done, other.participants, other.approved, other.not_now, other.approval_rate) == (0, 2, 0, 1, 0.0)
    assert other.median_days_to_decision == pytest.approx(10.0)


def test_the_denominator_is_the_headcount_in_force_on_the_day_else_channel_members(world: World):
    world.raise_(london(2026, 1, 5), ALICE)  # the ward
    world.raise_(london(2026, 1, 6), BOB, channel=PHARMACY)
    world.raise_(london(2026, 1, 7), CAROL, channel=OTHER_WARD, workspace=OTHER_WS)
    ward, pharmacy, theirs = world.team_id(), world.team_id(PHARMACY), world.team_id(OTHER_WARD)
    at = utc(2026, 1, 8)

    def set_headcount(team_id: int, starts_on: date, headcount: int) -> None:
        with world.db.write() as session:
            sql.set_headcount(session, team_id, starts_on, headcount, LEADER.user_id, at)

    def per(scope: Scope, day: date, members: int | None = None) -> Denominator | None:
        return figures.denominator(world.db, scope, day, members)

    set_headcount(ward, date(2026, 1, 1), 40)
    set_headcount(ward, date(2026, 12, 1), 42)  # set ahead of time: earlier days keep 40
    set_headcount(theirs, date(2026, 1, 1), 100)  # another workspace's team: never added to ours

    team = Scope(WS, ward)
    assert per(team, date(2026, 11, 30), members=10) == Denominator(40, HEADCOUNT)  # a headcount wins
    assert per(team, date(2026, 12, 1)) == Denominator(42, HEADCOUNT)
    assert per(team, date(2025, 12, 31), members=10) == Denominator(10, CHANNEL_MEMBERS)  # none in force yet
    assert per(team, date(2025, 12, 31)) is None
    set_headcount(ward, date(2026, 12, 1), 44)  # set again for the same date: replaces it
    assert per(team, date(2026, 12, 1)) == Denominator(44, HEADCOUNT)
    # The workspace: the sum of its teams' headcounts only when every team has one on that day.
    assert per(Scope(WS), date(2026, 11, 30), members=25) == Denominator(25, CHANNEL_MEMBERS)
    set_headcount(pharmacy, date(2026, 6, 1), 8)
    assert per(Scope(WS), date(2026, 11, 30)) == Denominator(48, HEADCOUNT)  # 40 + 8
    assert per(Scope(WS), date(2026, 5, 31)) is None  # the pharmacy had none yet

    # The report uses the one in force on its local day: 40 on 30 Nov, whatever was set for December.
    report = measured(world, london(2026, 11, 30, 12), members=10)
    assert as_json(report)["figures"]["denominator"] == {"value": 40, "kind": "headcount"}
    assert as_json(report)["figures"]["participation_rate"] == pytest.approx(1 / 40)  # Alice, of 40
    assert "1 of 40 people took part" in words.summary(report) and "per the team's headcount" in words.summary(report)


# --- the JSON and CSV of `kaizen-bot stats` -------------------------------------------------------------------------


def test_json_and_csv_have_the_issues_shape_and_no_lower_limit_is_null(world: World):
    # The issue's small ward, UTC: 15 complete weeks from Mon 5 Jan 2026 of 4,2,6,3,5,4,1,6,4,3,5,4,1,1,0, and
    # 2 ideas so far in the week of 20 Apr; nobody decides. Shown: 8 weeks (7 complete and the current one).
    counts = [4, 2, 6, 3, 5, 4, 1, 6, 4, 3, 5, 4, 1, 1, 0, 2]
    world.weeks(date(2026, 1, 5), counts, zone=UTC_ZONE)
    report = measured(world, utc(2026, 4, 22, 12), weeks=8, zone=UTC_ZONE, members=12)

    data = json.loads(json.dumps(as_json(report)))  # plain JSON: no NaN, no dates as objects

    assert [one["name"] for one in data["series"]] == ["raised", "done", "people", "days_to_decision", "waiting"]
    for one in data["series"]:
        assert {"name", "period", "points", "limits", "signals", "unusual_jumps"} <= one.keys()
        assert one["period"] in ("week", "fortnight", "month")
        assert all(p.keys() >= {"start", "value", "complete"} for p in one["points"])
        assert [p["complete"] for p in one["points"]] == [True] * (len(one["points"]) - 1) + [False]
        assert all(s.keys() >= {"from", "center", "lower", "upper", "trial", "note"} for s in one["limits"])
        complete = {p["start"] for p in one["points"] if p["complete"]}
        for signal in one["signals"]:  # ending in a complete period shown (a run may begin before the window)
            assert signal.keys() >= {"rule", "side", "start", "end"} and signal["rule"] in (1, 2, 3)
            assert signal["side"] in ("above", "below") and signal["start"] <= signal["end"] in complete
    raised = series_of(data, "raised")
    assert [(p["start"], p["value"]) for p in raised["points"]] == [
        ("2026-03-02", 4), ("2026-03-09", 3), ("2026-03-16", 5), ("2026-03-23", 4), ("2026-03-30", 1),
        ("2026-04-06", 1), ("2026-04-13", 0), ("2026-04-20", 2),
    ]  # fmt: skip
    # All 15 weeks are the baseline: centre 49 / 15 = 3.2667; moving ranges 2,4,3,2,1,3,5,2,1,2,1,3,0,1 → AmR
    # 30 / 14 = 2.1429; 2.66 × 2.1429 = 5.7 → upper 8.9667, computed lower −2.4333: no lower limit (null).
    # Rule 3 below is judged against −2.4333: only the 0 is closer to it than to 3.2667 (1 is 3.43 from it and
    # 2.27 from the centre), so the three low weeks are not a signal.
    [limits] = raised["limits"]
    assert limits["lower"] is None and '"lower": null' in json.dumps(limits)
    assert (limits["center"], limits["upper"], limits["trial"]) == (pytest.approx(3.2667), pytest.approx(8.9667), True)
    assert raised["signals"] == [] and raised["unusual_jumps"] == []
    # done: nothing done → by month; the window starts in the month holding 2 Mar
    assert [(p["start"], p["complete"]) for p in series_of(data, "done")["points"]] == [
        ("2026-03-01", True), ("2026-04-01", False)
    ]  # fmt: skip
    assert data["figures"]["denominator"] == {"value": 12, "kind": "channel members"}
    assert data["figures"]["participants"] == 51  # someone new for each of the 49 + 2 ideas

    rows = list(csv.DictReader(io.StringIO(as_csv(report))))
    for one in data["series"]:  # one row per period shown, the current one last
        mine = [r for r in rows if r["series"] == one["name"]]
        assert [(r["start"], r["complete"]) for r in mine] == [
            (p["start"], "yes" if p["complete"] else "no") for p in one["points"]
        ]
    first, *_, current = [r for r in rows if r["series"] == "raised"]
    columns = ("start", "value", "complete", "center", "lower", "upper", "trial", "signals")
    assert [first[k] for k in columns] == ["2026-03-02", "4", "yes", "3.267", "", "8.967", "yes", ""]
    assert [current[k] for k in columns] == ["2026-04-20", "2", "no", "", "", "", "", ""]
