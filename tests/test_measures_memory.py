"""The measures remember complete periods per process (`bot.measures.series`): a second `/kaizen stats` counts only
the period in progress. Remembered values must never differ from counting afresh: each test compares a store
that remembers with a second connection to the same database that counts everything anew."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bot.measures.series import Series, measure_series
from storage.db import Database
from storage.models import Idea
from tests.measures_world import ALICE, BOB, LONDON, World, london, open_world


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    with open_world(database_url) as opened:
        yield opened


@pytest.fixture
def fresh(database_url: str) -> Iterator[Database]:
    """Another connection to the same database, with nothing remembered."""
    database = Database(database_url)
    yield database
    database.dispose()


FIRST_MONDAY = date(2026, 6, 1)
NOW = london(2026, 9, 2, 12)  # Wednesday of the week of 31 August: 13 complete weeks before it


def series(db: Database, world: World, *, nudge_days: int = 2) -> list[Series]:
    return measure_series(db, world.scope(), LONDON, NOW, nudge_days)


def values(all_series: list[Series]) -> dict[str, tuple[object, ...]]:
    return {one.name: (one.period, one.starts, one.values, one.current_value) for one in all_series}


def test_a_second_count_remembers_the_past_and_adds_the_week_in_progress(world: World, fresh: Database):
    world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4], decide_after=timedelta(days=1))
    first = series(world.db, world)
    world.raise_(london(2026, 9, 1, 9), ALICE)  # Tuesday of the week in progress
    again = series(world.db, world)
    assert values(again) == values(series(fresh, world))
    raised = next(one for one in again if one.name == "raised")
    assert raised.current_value == next(one for one in first if one.name == "raised").current_value + 1


def test_an_idea_dated_in_a_remembered_week_is_counted(world: World, fresh: Database):
    world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2], decide_after=timedelta(days=1))
    before = series(world.db, world)
    # Told late: raised in the week of 3 August (week 9), after that week was counted and remembered.
    world.raise_(london(2026, 8, 4, 10), BOB)
    after = series(world.db, world)
    assert values(after) == values(series(fresh, world))
    raised_before = next(one for one in before if one.name == "raised")
    raised_after = next(one for one in after if one.name == "raised")
    week = raised_after.starts.index(date(2026, 8, 3))
    assert raised_after.values[week] == raised_before.values[week] + 1


def test_a_done_idea_reopened_this_week_leaves_the_week_it_was_done_in(world: World, fresh: Database):
    ids = world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4, 3], decide_after=timedelta(days=1))
    world.finish(ids[0], london(2026, 8, 19, 9))  # done in the week of 17 August
    before = next(one for one in series(world.db, world) if one.name == "done")
    # One done idea is rare: counted by month, so find the period that holds 19 August.
    week = max(i for i, start in enumerate(before.starts) if start <= date(2026, 8, 19))
    assert before.values[week] == 1
    author = "U_00_0"  # the first idea's author (`World.weeks`): the author may reopen it
    world.reopen(ids[0], london(2026, 9, 1, 9), by=author)  # in the week in progress: dated after what is known
    after = next(one for one in series(world.db, world) if one.name == "done")
    assert after.values[week] == 0
    assert values(series(world.db, world)) == values(series(fresh, world))


def test_other_nudge_days_are_counted_apart(world: World, fresh: Database):
    world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4], decide_after=timedelta(days=3))
    two = series(world.db, world, nudge_days=2)
    five = series(world.db, world, nudge_days=5)
    assert values(two) == values(series(fresh, world, nudge_days=2))
    assert values(five) == values(series(fresh, world, nudge_days=5))
    # Decided 3 days after raising: over 2 days some ideas wait at a week's end, over 5 days none do.
    assert any(next(one for one in two if one.name == "waiting").values)
    assert not any(next(one for one in five if one.name == "waiting").values)


def test_a_name_taken_off_a_done_idea_leaves_the_people_of_its_week(world: World, fresh: Database):
    # "Take my name off" (bot.capture.make_anonymous) clears the owner and writes no event: the people of the
    # week the idea was done in must drop that person all the same.
    ids = world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4, 3], decide_after=timedelta(days=1))
    world.finish(ids[0], london(2026, 8, 19, 9))
    series(world.db, world)  # remembered
    with world.db.write() as session:
        session.execute(update(Idea).where(Idea.id == ids[0]).values(owner_id=None, anonymous=True))
    assert values(series(world.db, world)) == values(series(fresh, world))
