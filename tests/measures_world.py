"""A store and a clock for the measures tests: ideas raised with the real workflow (`bot.workflow.raise_idea`) and
moved with the real lifecycle under a clock the test moves, on the database `database_url` gives (a SQLite file,
or a PostgreSQL database of its own when KAIZEN_TEST_POSTGRES is set)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import SettableClock
from bot.ideas.lifecycle import Actor, Lifecycle
from bot.ideas.workflow import NewIdea, find_team, raise_idea
from bot.measures import report
from bot.measures.report import Report
from bot.measures.series import Series
from storage.db import Database
from storage.measures import Scope
from storage.migrate import upgrade
from storage.models import Source

LONDON = ZoneInfo("Europe/London")
UTC_ZONE = ZoneInfo("UTC")  # a team whose zone is UTC (`report.measure` takes a ZoneInfo)
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
        self, when: datetime, author: str, *, channel: str = WARD, workspace: str = WS, already_done: bool = False
    ) -> int:
        self._at(when)
        new = NewIdea(
            workspace_id=workspace, channel_id=channel, channel_name=channel.lower(), author_id=author,
            problem=f"A problem {author} noticed at {when.isoformat()}", already_done=already_done,
        )  # fmt: skip
        return raise_idea(self.db, self.clock, new).idea.id

    def approve(self, idea_id: int, when: datetime) -> None:
        self._at(when)
        self.lifecycle.approve(idea_id, LEADER, source=Source.BUTTON)

    def withdraw_approval(self, idea_id: int, when: datetime) -> None:
        """The leader's approve emoji taken off the card: approved → new."""
        self._at(when)
        assert self.lifecycle.withdraw_approval(idea_id, LEADER) is not None

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

    def team_id(self, channel: str = WARD) -> int:
        team = find_team(self.db, channel)
        assert team is not None
        return team.id

    def scope(self, channel: str = WARD) -> Scope:
        return Scope(WS, self.team_id(channel))

    def weeks(
        self,
        first_monday: date,
        counts: Sequence[int],
        *,
        zone: ZoneInfo = LONDON,
        until: datetime | None = None,
        decide_after: timedelta | None = None,
        author: Callable[[int, int], str] = lambda week, n: f"U_{week:02d}_{n}",
    ) -> list[int]:
        """`counts[w]` ideas in the week `w` after `first_monday`: the n-th on weekday n % 7 at (9 + n // 7):00
        local, by `author(w, n)` (by default someone new each time: people = raised). With `decide_after`, each
        is approved that long after it was raised, if that is no later than `until`."""
        moments = sorted(
            (datetime.combine(first_monday + timedelta(weeks=w, days=n % 7), time(9 + n // 7), zone), w, n)
            for w, count in enumerate(counts)
            for n in range(count)
        )
        ids: list[int] = []
        due: list[tuple[datetime, int]] = []
        for when, w, n in moments:
            self._decide(due, when)
            ids.append(self.raise_(when, author(w, n)))
            if decide_after is not None:
                heapq.heappush(due, (when + decide_after, ids[-1]))
        self._decide(due, until)
        return ids

    def _decide(self, due: list[tuple[datetime, int]], until: datetime | None) -> None:
        while due and (until is None or due[0][0] <= until):
            when, idea_id = heapq.heappop(due)
            self.approve(idea_id, when)


@contextmanager
def open_world(database_url: str) -> Iterator[World]:
    db = Database(database_url)
    upgrade(db)
    try:
        yield World(db)
    finally:
        db.dispose()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """A World on the test's own database (migrated), disposed of afterwards."""
    with open_world(database_url) as opened:
        yield opened


def by_name(all_series: Sequence[Series]) -> dict[str, Series]:
    return {one.name: one for one in all_series}


def measured(
    world: World,
    now: datetime,
    *,
    scope: Scope | None = None,
    weeks: int = 26,
    zone: ZoneInfo = LONDON,
    nudge_days: int = 2,
    members: int | None = None,
) -> Report:
    """`/kaizen stats` for the ward (or `scope`) at `now`."""
    return report.measure(
        world.db, scope or world.scope(), where="#c_ward", zone=zone, now=now, weeks=weeks, nudge_days=nudge_days,
        members=members,
    )  # fmt: skip
