"""Kept periods never change a figure (issue 16): a story of half a year in three teams of one workspace (busy:
counted by week; quiet: by fortnight; rare: by month) and a team of another workspace, told in order, with ideas
raised, decided, done, declined and reopened, one told late. At checkpoints across week ends, a month end and the
end of summer time, each scope is measured in its zone by a new process, from the periods kept at the checkpoint
before (a chain: nothing is counted afresh in between), and compared with a count from nothing. Two plans of zones
and nudge days. SQLite and PostgreSQL (`database_url`)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.measures.periods import PERIODS
from bot.measures.series import Series, measure_series
from storage import measure_periods
from storage.db import Database
from storage.measure_periods import KeptPeriods
from storage.measures import Scope
from storage.models import Idea
from storage.models_measures import MeasurePeriods
from tests.measures_world import OTHER_WARD, OTHER_WS, PHARMACY, WARD, WS, World, london, open_world

LAB = "C_LAB"
TOKYO, FAR_WEST, UTC_ZONE = ZoneInfo("Asia/Tokyo"), ZoneInfo("Pacific/Pago_Pago"), ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
START = date(2026, 5, 4)  # a Monday
CHECKPOINTS = (
    london(2026, 7, 1, 12),  # a Wednesday
    london(2026, 7, 6, 0, 30),  # just after Monday's midnight in London: Monday morning in Tokyo, Sunday in Samoa
    london(2026, 8, 3, 9),
    london(2026, 9, 1, 8),  # a month begins
    london(2026, 10, 26, 0, 30),  # the Monday after summer time ended
    london(2026, 11, 4, 12),
)
LATE_AT = 2  # before this checkpoint an idea is told late (dated three weeks back)
REOPEN_AT = 4  # before this one a done idea is reopened
# How many ideas each team raises a week, on average
PACE = {WARD: 4.0, PHARMACY: 1.5, LAB: 0.3, OTHER_WARD: 2.0}
PLANS = {
    "plan-a": ({"workspace": LONDON, WARD: LONDON, PHARMACY: TOKYO, LAB: FAR_WEST, OTHER_WARD: UTC_ZONE}, 2),
    "plan-b": ({"workspace": FAR_WEST, WARD: TOKYO, PHARMACY: UTC_ZONE, LAB: LONDON, OTHER_WARD: FAR_WEST}, 3),
}
Action = tuple[datetime, int, Callable[[World], None]]
Values = dict[str, tuple[object, ...]]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    with open_world(database_url) as opened:
        yield opened


def story(seed: int) -> list[Action]:
    """Every idea's life as timed actions, in time order: raised at any hour (some late in the evening, so zones
    put them on other days), then decided after hours to weeks (approved, or not now), some of the approved done
    and some left waiting."""
    rng = random.Random(seed)
    actions: list[Action] = []
    ideas = 0
    for channel, pace in PACE.items():
        workspace = OTHER_WS if channel == OTHER_WARD else WS
        day = START
        while day < date(2026, 11, 4):
            # Up to three a day (`pace` a week on average); every team's first idea on the first day.
            for _ in range(max(day == START, sum(rng.random() < pace / 21 for _ in range(3)))):
                raised = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC)
                ideas += 1
                actions.extend(_life(rng, ideas, raised, channel, workspace))
            day += timedelta(days=1)
    return sorted(actions, key=lambda action: (action[0], action[1]))


def _life(rng: random.Random, n: int, raised: datetime, channel: str, workspace: str) -> list[Action]:
    """One idea's actions; the idea's id is found by its problem text, which names `n`."""
    author = f"U_{n % 9}"
    found: dict[int, int] = {}

    def raise_(world: World) -> None:
        found[n] = world.raise_(raised, author, channel=channel, workspace=workspace)

    steps: list[Action] = [(raised, 0, raise_)]
    decided = raised + timedelta(hours=rng.randrange(2, 24 * 20))
    roll = rng.random()
    if roll < 0.15:
        return steps  # never decided: waits
    if roll < 0.3:
        steps.append((decided, 1, lambda world: world.not_now(found[n], decided)))
        return steps
    steps.append((decided, 1, lambda world: world.approve(found[n], decided)))
    if rng.random() < 0.6:
        done = decided + timedelta(hours=rng.randrange(1, 24 * 15))
        steps.append((done, 2, lambda world: world.finish(found[n], done)))
    return steps


def scopes(world: World) -> dict[str, Scope]:
    return {
        "workspace": Scope(WS),
        WARD: world.scope(WARD),
        PHARMACY: world.scope(PHARMACY),
        LAB: world.scope(LAB),
        OTHER_WARD: Scope(OTHER_WS, world.team_id(OTHER_WARD)),
    }


def values(all_series: list[Series]) -> Values:
    return {one.name: (one.period, one.starts, one.values, one.current_start, one.current_value) for one in all_series}


def new_process(url: str, scope: Scope, zone: ZoneInfo, now: datetime, nudge_days: int) -> list[Series]:
    db = Database(url)
    try:
        return measure_series(db, scope, zone, now, nudge_days)
    finally:
        db.dispose()


def from_nothing(url: str, scope: Scope, zone: ZoneInfo, now: datetime, nudge_days: int) -> Values:
    """The scope counted with nothing kept; the kept periods are put back afterwards, so the chain goes on."""
    db = Database(url)
    try:
        with db.read() as session:
            saved = {kind: measure_periods.load(session, scope.workspace_id, scope.key, kind) for kind in PERIODS}
        _drop(db, scope)
        counted = values(measure_series(db, scope, zone, now, nudge_days))
        _drop(db, scope)
        with db.write() as session:
            for kind, kept in saved.items():
                if kept is not None:
                    measure_periods.store(session, scope.workspace_id, scope.key, kind, kept, now)
        return counted
    finally:
        db.dispose()


def _drop(db: Database, scope: Scope) -> None:
    with db.write() as session:
        session.execute(
            delete(MeasurePeriods).where(
                MeasurePeriods.workspace_id == scope.workspace_id, MeasurePeriods.scope == scope.key
            )
        )


def weekly_kept(db: Database, scope: Scope) -> KeptPeriods | None:
    with db.read() as session:
        return measure_periods.load(session, scope.workspace_id, scope.key, "week")


def tell_late(world: World, when: datetime) -> None:
    """An idea raised now and then dated three weeks back (an import; a clock put right)."""
    idea_id = world.raise_(when, "U_LATE", channel=WARD)
    with world.db.write() as session:
        row = session.get(Idea, idea_id)
        assert row is not None
        row.created_at = when - timedelta(weeks=3)


def reopen_a_done_idea(world: World, when: datetime) -> None:
    with world.db.read() as session:
        done = session.scalars(
            select(Idea).where(Idea.status == "done", Idea.workspace_id == WS).order_by(Idea.done_at).limit(1)
        ).one()
    world.reopen(done.id, when, by=done.author_id)


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_kept_periods_give_every_figure_a_count_from_nothing_gives(world: World, database_url: str, plan: str) -> None:
    zones, nudge_days = PLANS[plan]
    pending = story(seed=16)
    kinds: set[str] = set()
    reused = 0
    for checkpoint, now in enumerate(CHECKPOINTS):
        while pending and pending[0][0] <= now - timedelta(minutes=5):
            _when, _order, act = pending.pop(0)
            act(world)
        # Actions fall on whole minutes: a second after the last one is before the next one.
        if checkpoint == LATE_AT:
            tell_late(world, world.clock.now() + timedelta(seconds=1))
        if checkpoint == REOPEN_AT:
            reopen_a_done_idea(world, world.clock.now() + timedelta(seconds=1))
        for name, scope in scopes(world).items():
            zone = zones[name]
            before = weekly_kept(world.db, scope)
            reused += before is not None and before.zone == zone.key and before.periods > 0
            measured = new_process(database_url, scope, zone, now, nudge_days)
            kinds |= {one.period for one in measured}
            assert values(measured) == from_nothing(database_url, scope, zone, now, nudge_days), (name, now)
    assert kinds == set(PERIODS)  # the busy team by week, the quiet by fortnight, the rare by month
    # From the second checkpoint on, every scope had the periods kept at the one before to go on from (the late
    # idea and the reopened one made them void for their scopes: counted again, and equal all the same).
    assert reused == (len(CHECKPOINTS) - 1) * len(zones)
