"""The measures on a real SQLite file: ideas raised with the workflow and moved with the lifecycle under a clock
the test moves, then read back as weekly series (ISO weeks in the team's zone) and headline figures (last 52
weeks). Every expected value is worked out by hand in the comments next to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SettableClock
from bot.lifecycle import Actor, Lifecycle
from bot.measures import headline, weekly_series
from bot.workflow import NewIdea, find_team, raise_idea
from storage.db import Database
from storage.measures import Scope
from storage.migrate import upgrade
from storage.models import Source

LONDON = ZoneInfo("Europe/London")
WS, OTHER_WS = "T1", "T2"
WARD, PHARMACY = "C_WARD", "C_PHARMACY"
OTHER_WARD = "C_OTHER_WARD"  # the other workspace's channel (a channel is one team, in one workspace)
ALICE, BOB, CAROL, DAVE, ERIN = "U_ALICE", "U_BOB", "U_CAROL", "U_DAVE", "U_ERIN"
LEADER = Actor("U_LEAD", is_leader=True)


def london(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class World:
    """One store and one clock; every action first moves the clock to the moment it happens."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = SettableClock(utc(2020, 1, 1))
        self.lifecycle = Lifecycle(db, self.clock)

    def _at(self, when: datetime) -> None:
        assert when >= self.clock.now(), "the story is told in order"
        self.clock.set(when)

    def raise_(
        self, when: datetime, author: str, *, channel: str = WARD, workspace: str = WS, anonymous: bool = False
    ) -> int:
        self._at(when)
        new = NewIdea(
            workspace_id=workspace, channel_id=channel, channel_name=channel.lower(), author_id=author,
            problem=f"A problem {author} noticed at {when.isoformat()}", anonymous=anonymous,
        )  # fmt: skip
        return raise_idea(self.db, self.clock, new).idea.id

    def approve(self, idea_id: int, when: datetime) -> None:
        self._at(when)
        self.lifecycle.approve(idea_id, LEADER, source=Source.BUTTON)

    def not_now(self, idea_id: int, when: datetime) -> None:
        self._at(when)
        self.lifecycle.not_now(idea_id, LEADER, "Not this quarter: the budget is spent.")

    def finish(self, idea_id: int, when: datetime) -> None:
        """Started and done (by a leader, so the owner stays the author) at `when`."""
        self._at(when)
        idea = self.lifecycle.load(idea_id)
        self.lifecycle.start(idea_id, LEADER, idea.team)
        self.lifecycle.done(idea_id, LEADER, outcome="worked", result="Moved it.", learned="Ask early.", effect=None)

    def reopen(self, idea_id: int, when: datetime, by: str) -> None:
        self._at(when)
        self.lifecycle.reopen(idea_id, Actor(by, is_leader=False))

    def team_id(self, channel: str = WARD, workspace: str = WS) -> int:
        team = find_team(self.db, channel)
        assert team is not None
        return team.id


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db = Database(f"sqlite:///{tmp_path / 'measures.db'}")
    upgrade(db)
    yield World(db)
    db.dispose()


# --- weekly series -------------------------------------------------------------------------------------------


def test_weekly_series_counts_raised_done_people_and_days_to_decision_per_iso_week(world: World):
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
    # week 3 (23 Nov)
    world.raise_(london(2026, 11, 23, 9), BOB)  # b2
    world.reopen(b1, london(2026, 11, 24, 9), by=BOB)  # b1 back to new: reopening is not taking part
    world.approve(b1, london(2026, 11, 25, 8))  # b1's second decision: its first was on 9 Nov

    series = weekly_series(world.db, Scope(WS), LONDON, london(2026, 11, 25, 9), 4)

    assert series.week_starts == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    # raised: w0 a1, b1 = 2; w1 c1, a2 = 2; w2 none = 0; w3 b2 = 1
    assert series.raised == [2, 2, 0, 1]
    # done: a1 in w1 only
    assert series.done == [0, 1, 0, 0]
    # people: w0 {Alice, Bob} = 2; w1 {Carol (raised), Alice (raised a2 and completed a1: once)} = 2;
    # w2 nobody = 0; w3 {Bob (raised b2)} = 1 (his reopening of b1 is not raising or completing)
    assert series.participants == [2, 2, 0, 1]
    # days to decision: w0 median(2.0) = 2.0; w1 median(6.0, 1.0) = 3.5; w2 no decision: a gap (None), not 0;
    # w3 only b1's second decision, which does not count again: a gap too
    assert series.days_to_decision == [2.0, 3.5, None, None]


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

    series = weekly_series(world.db, Scope(WS), LONDON, london(2026, 11, 12, 12), 2)

    # week 0: median(0.5, 2.0, 5.0) = 2.0 (a mean would be 2.5); week 1: no first decision → None
    assert series.days_to_decision == [2.0, None]
    headline_figures = headline(world.db, Scope(WS), london(2026, 11, 12, 12), None)
    # first decisions: approved (first), not now (second), approved (third): 2 approved, 1 not now
    assert (headline_figures.approved, headline_figures.not_now) == (2, 1)
    assert headline_figures.median_days_to_decision == 2.0


def test_week_boundaries_follow_london_time_when_summer_time_ends(world: World):
    # Summer time ends on Sunday 25 October 2026 (02:00 BST → 01:00 GMT).
    # Weeks (London): Mon 12 Oct, Mon 19 Oct (00:00 BST = Sun 18 Oct 23:00 UTC), Mon 26 Oct (00:00 GMT = 00:00 UTC).
    late_sunday = world.raise_(london(2026, 10, 18, 23, 30), ALICE)  # 22:30 UTC Sunday: week of 12 Oct
    early_monday = world.raise_(london(2026, 10, 19, 0, 30), BOB)  # 23:30 UTC *Sunday*: week of 19 Oct
    world.approve(late_sunday, london(2026, 10, 19, 0, 45))  # 23:45 UTC Sunday, decided in the week of 19 Oct
    world.raise_(london(2026, 10, 25, 23, 30), CAROL)  # GMT now: 23:30 UTC Sunday, still the week of 19 Oct
    world.finish(early_monday, london(2026, 10, 25, 23, 45))  # done on the last minutes of that week
    world.raise_(london(2026, 10, 26, 0, 30), DAVE)  # Monday 00:30 GMT: the week of 26 Oct

    series = weekly_series(world.db, Scope(WS), LONDON, london(2026, 10, 28, 12), 3)

    assert series.week_starts == [date(2026, 10, 12), date(2026, 10, 19), date(2026, 10, 26)]
    # by UTC date, Bob's idea would be in the first week and Dave's in the last; by London weeks:
    assert series.raised == [1, 2, 1]  # {Alice}, {Bob, Carol}, {Dave}
    assert series.done == [0, 1, 0]  # Bob's, Sunday 23:45 GMT
    assert series.participants == [1, 2, 1]  # Alice; Bob (raised and completed: once) and Carol; Dave
    assert series.days_to_decision[0] is None
    # Alice's: 22:30 → 23:45 UTC, 75 min = 0.052 days. Bob's was started by a leader while still new, which is a
    # yes (an approval event): Sun 18 Oct 23:30 UTC → Sun 25 Oct 23:45 UTC = 7 days 15 min = 7.0104 days.
    # The median of the two: (0.0521 + 7.0104) / 2 = 3.53125.
    assert series.days_to_decision[1] == pytest.approx((75 / (24 * 60) + 7 + 15 / (24 * 60)) / 2)
    assert series.days_to_decision[2] is None


def test_week_boundaries_follow_london_time_when_summer_time_starts(world: World):
    # Summer time starts on Sunday 29 March 2026 (01:00 GMT → 02:00 BST).
    # Weeks (London): Mon 23 Mar (00:00 GMT = 00:00 UTC), Mon 30 Mar (00:00 BST = Sun 29 Mar 23:00 UTC).
    world.raise_(london(2026, 3, 23, 0, 30), ALICE)  # Monday 00:30 GMT: the week of 23 Mar
    world.raise_(london(2026, 3, 29, 23, 30), BOB)  # Sunday 23:30 BST = 22:30 UTC: the week of 23 Mar
    world.raise_(london(2026, 3, 30, 0, 30), CAROL)  # Monday 00:30 BST = Sunday 23:30 UTC: the week of 30 Mar

    series = weekly_series(world.db, Scope(WS), LONDON, london(2026, 4, 1, 12), 2)

    assert series.week_starts == [date(2026, 3, 23), date(2026, 3, 30)]
    assert series.raised == [2, 1]  # by UTC weeks it would be [3, 0]
    assert series.participants == [2, 1]
    assert series.done == [0, 0]
    assert series.days_to_decision == [None, None]


def test_a_week_starts_at_local_monday_midnight_inclusive(world: World):
    # Monday 30 March 2026, 00:00 BST = Sunday 29 March 23:00 UTC.
    monday_midnight = london(2026, 3, 30, 0, 0)
    world.raise_(monday_midnight - timedelta(microseconds=1), ALICE)  # the last instant of the week of 23 Mar
    world.raise_(monday_midnight, BOB)  # the first instant of the week of 30 Mar
    world.raise_(london(2026, 4, 5, 23, 59) + timedelta(seconds=59), CAROL)  # the last second of that week

    series = weekly_series(world.db, Scope(WS), LONDON, london(2026, 4, 6, 0, 0), 3)

    assert series.week_starts == [date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6)]
    assert series.raised == [1, 2, 0]


def test_the_same_instants_fall_in_other_weeks_in_another_zone(world: World):
    # Sunday 22:30 UTC on 1 November 2026 is already Monday 07:30 in Tokyo (UTC+9, no summer time).
    world.raise_(utc(2026, 11, 1, 22, 30), ALICE)

    tokyo = weekly_series(world.db, Scope(WS), ZoneInfo("Asia/Tokyo"), utc(2026, 11, 4), 2)
    london_weeks = weekly_series(world.db, Scope(WS), LONDON, utc(2026, 11, 4), 2)

    assert tokyo.week_starts == [date(2026, 10, 26), date(2026, 11, 2)]
    assert tokyo.raised == [0, 1]
    assert london_weeks.week_starts == [date(2026, 10, 26), date(2026, 11, 2)]
    assert london_weeks.raised == [1, 0]


# --- headline figures ----------------------------------------------------------------------------------------


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
    # Inside the window:
    i1 = world.raise_(utc(2026, 6, 1), ALICE)
    i2 = world.raise_(utc(2026, 6, 2), BOB)
    world.approve(i1, utc(2026, 6, 3))  # 2 days, approved
    world.not_now(i2, utc(2026, 6, 6))  # 4 days, not now
    world.finish(i1, utc(2026, 6, 10))  # done, by Alice's idea (she owns it)
    i3 = world.raise_(utc(2026, 7, 1), CAROL)
    world.approve(i3, utc(2026, 7, 2))  # 1 day, approved
    world.finish(i3, utc(2026, 7, 5))  # done
    i4 = world.raise_(utc(2026, 8, 1), ALICE)
    world.approve(i4, utc(2026, 8, 11))  # 10 days, approved; not done
    world.raise_(utc(2026, 9, 1), DAVE)  # waits for a decision
    world.reopen(i2, utc(2026, 10, 1), by=BOB)
    world.approve(i2, utc(2026, 10, 2))  # a second decision: i2's first was "not now", and it counts once

    figures = headline(world.db, Scope(WS), now, 8)

    assert figures.done == 2  # i1, i3 (not `old`)
    assert figures.participants == 4  # Alice, Bob, Carol, Dave (Erin raised before the window; Bob's old idea too)
    # first decisions in the window: i1 yes, i2 not now, i3 yes, i4 yes, late not now → 3 / (3 + 2) = 60%
    assert (figures.approved, figures.not_now) == (3, 2)
    assert figures.approval_rate == pytest.approx(0.6)
    # days to decision: [1, 2, 4, 10, 30] → median 4.0 (the old idea's 1 day is outside the window)
    assert figures.median_days_to_decision == pytest.approx(4.0)
    # per member of the channel (8 people): 2 done / 8 = 0.25 per person per year; 4 / 8 = 50% took part
    assert figures.members == 8
    assert figures.done_per_person_per_year == pytest.approx(0.25)
    assert figures.participation_rate == pytest.approx(0.5)

    unknown_members = headline(world.db, Scope(WS), now, None)
    assert unknown_members.done_per_person_per_year is None and unknown_members.participation_rate is None
    assert unknown_members.approval_rate == pytest.approx(0.6)
    # more people took part than are in the channel now (people left): the rate stops at 100%
    assert headline(world.db, Scope(WS), now, 3).participation_rate == 1.0


def test_headline_without_decisions_has_no_approval_rate_or_median(world: World):
    world.raise_(utc(2026, 11, 2), ALICE)

    figures = headline(world.db, Scope(WS), utc(2026, 11, 25), 2)

    assert (figures.done, figures.participants, figures.approved, figures.not_now) == (0, 1, 0, 0)
    assert figures.approval_rate is None  # no decision: not 0%
    assert figures.median_days_to_decision is None
    assert figures.participation_rate == pytest.approx(0.5)
    assert figures.done_per_person_per_year == 0.0


def test_ideas_older_than_52_weeks_are_not_counted(world: World):
    now = utc(2026, 11, 25)
    # 53 weeks ago: raised, decided, done — all before the window
    before = world.raise_(now - timedelta(weeks=53), ALICE)
    world.approve(before, now - timedelta(weeks=53) + timedelta(days=1))
    world.finish(before, now - timedelta(weeks=53) + timedelta(days=2))
    # 51 weeks ago: the same story, inside the window
    inside = world.raise_(now - timedelta(weeks=51), BOB)
    world.approve(inside, now - timedelta(weeks=51) + timedelta(days=3))
    world.finish(inside, now - timedelta(weeks=51) + timedelta(days=4))

    figures = headline(world.db, Scope(WS), now, 10)

    assert figures.done == 1  # Bob's only
    assert figures.participants == 1  # Bob (raised and completed: once)
    assert (figures.approved, figures.not_now) == (1, 0)
    assert figures.median_days_to_decision == pytest.approx(3.0)


# --- scopes --------------------------------------------------------------------------------------------------


def test_workspaces_never_mix_and_a_team_scope_counts_only_that_team(world: World):
    # Two workspaces; a second team in the first workspace.
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
    now = utc(2026, 11, 6)

    whole = weekly_series(world.db, Scope(WS), UTC, now, 1)
    assert (whole.raised, whole.done, whole.participants) == ([2], [0], [2])  # ward + pharmacy; Alice, Bob
    assert whole.days_to_decision == [1.5]  # median(1, 2)
    ward_only = weekly_series(world.db, Scope(WS, world.team_id(WARD, WS)), UTC, now, 1)
    assert (ward_only.raised, ward_only.participants, ward_only.days_to_decision) == ([1], [1], [1.0])
    other = weekly_series(world.db, Scope(OTHER_WS), UTC, now, 1)
    assert (other.raised, other.done, other.participants) == ([4], [1], [2])  # Carol, Alice
    assert other.days_to_decision == [2.0]


def test_headlines_of_two_workspaces_never_mix(world: World):
    mine = world.raise_(utc(2026, 11, 2), ALICE, workspace=WS)
    theirs = world.raise_(utc(2026, 11, 2, 12), BOB, channel=OTHER_WARD, workspace=OTHER_WS)
    world.approve(mine, utc(2026, 11, 3))  # 1 day
    world.finish(mine, utc(2026, 11, 4))
    world.not_now(theirs, utc(2026, 11, 12, 12))  # 10 days
    world.raise_(utc(2026, 11, 13), CAROL, channel=OTHER_WARD, workspace=OTHER_WS)

    ours = headline(world.db, Scope(WS), utc(2026, 11, 25), 4)
    assert (ours.done, ours.participants, ours.approved, ours.not_now) == (1, 1, 1, 0)
    assert ours.median_days_to_decision == pytest.approx(1.0)
    other = headline(world.db, Scope(OTHER_WS), utc(2026, 11, 25), 4)
    assert (other.done, other.participants, other.approved, other.not_now) == (0, 2, 0, 1)
    assert other.median_days_to_decision == pytest.approx(10.0)
    assert other.approval_rate == 0.0
