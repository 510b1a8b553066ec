"""The measures' complete periods are kept in the store (`storage.measure_periods`, `bot.measures.series`): a new
process (a new `Database` on the same store: what a restart or the worker gets) finds them counted and counts only
the periods after them. Kept periods must never differ from counting afresh: each test compares what a new process
measures with what one measures after the kept periods are dropped (`afresh`). SQLite and PostgreSQL
(`database_url`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text, update

from bot.measures import baselines
from bot.measures.series import MEASURES_VERSION, Series, measure_series
from storage import measure_periods
from storage.db import Database
from storage.measure_periods import KeptPeriods
from storage.measures import Scope
from storage.models import Idea, IdeaEvent, OutboxMessage, Supporter
from storage.models_measures import MeasurePeriods
from tests.measures_world import ALICE, BOB, LEADER, LONDON, PHARMACY, WS, World, london, open_world

FIRST_MONDAY = date(2026, 6, 1)
NOW = london(2026, 9, 2, 12)  # Wednesday of the week of 31 August: 13 complete weeks before it
FAR_WEST = ZoneInfo("Pacific/Pago_Pago")  # UTC-11: a Monday morning in London is Sunday evening there
Values = dict[str, tuple[object, ...]]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    with open_world(database_url) as opened:
        yield opened


def values(all_series: list[Series]) -> Values:
    return {one.name: (one.period, one.starts, one.values, one.current_start, one.current_value) for one in all_series}


def in_a_new_process(
    url: str, scope: Scope, *, zone: ZoneInfo = LONDON, now: datetime = NOW, nudge_days: int = 2
) -> Values:
    """What a process that just started measures: a `Database` of its own on the same store."""
    db = Database(url)
    try:
        return values(measure_series(db, scope, zone, now, nudge_days))
    finally:
        db.dispose()


def afresh(url: str, scope: Scope, *, zone: ZoneInfo = LONDON, now: datetime = NOW, nudge_days: int = 2) -> Values:
    """The same with the scope's kept periods dropped first: every period counted from the ideas and events."""
    db = Database(url)
    try:
        with db.write() as session:
            session.execute(
                delete(MeasurePeriods).where(
                    MeasurePeriods.workspace_id == scope.workspace_id, MeasurePeriods.scope == scope.key
                )
            )
        return values(measure_series(db, scope, zone, now, nudge_days))
    finally:
        db.dispose()


def kept(db: Database, scope: Scope, period: str = "week") -> KeptPeriods | None:
    with db.read() as session:
        return measure_periods.load(session, scope.workspace_id, scope.key, period)


def put(db: Database, scope: Scope, rows: KeptPeriods, period: str = "week") -> None:
    with db.write() as session:
        measure_periods.store(session, scope.workspace_id, scope.key, period, rows, NOW)


def raised(found: Values) -> tuple[float | None, ...]:
    return found["raised"][2]  # type: ignore[return-value]


def ten_weeks(world: World) -> list[int]:
    return world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4, 3], decide_after=timedelta(days=1))


# --- a new process ---------------------------------------------------------------------------------------------


def test_a_new_process_reads_the_kept_periods_instead_of_counting_them(world: World, database_url: str) -> None:
    ten_weeks(world)
    first = values(measure_series(world.db, world.scope(), LONDON, NOW, 2))
    rows = kept(world.db, world.scope())
    assert rows is not None and rows.periods == 13 and rows.zone == "Europe/London"
    assert in_a_new_process(database_url, world.scope()) == first
    # Proof that the new process read the row rather than counting: a value changed in the row shows.
    put(world.db, world.scope(), replace(rows, values={**rows.values, "raised": [99.0, *rows.values["raised"][1:]]}))
    assert raised(in_a_new_process(database_url, world.scope()))[0] == 99
    assert raised(afresh(database_url, world.scope()))[0] == raised(first)[0] != 99


def test_new_weeks_are_added_to_the_kept_ones_and_the_week_in_progress_is_never_kept(
    world: World, database_url: str
) -> None:
    ten_weeks(world)
    in_a_new_process(database_url, world.scope())
    world.raise_(london(2026, 9, 3, 9), ALICE)  # in the week in progress then
    world.raise_(london(2026, 9, 8, 9), BOB)
    later = london(2026, 9, 16, 12)  # two more weeks complete
    found = in_a_new_process(database_url, world.scope(), now=later)
    rows = kept(world.db, world.scope())
    assert rows is not None and rows.periods == 15
    assert found == afresh(database_url, world.scope(), now=later)
    assert raised(found)[-2:] == (1, 1)


def test_the_workspace_and_each_team_are_kept_apart(world: World, database_url: str) -> None:
    ten_weeks(world)
    world.raise_(london(2026, 8, 25, 9), BOB, channel=PHARMACY)
    for scope in (Scope(WS), world.scope(), world.scope(PHARMACY)):
        counted = in_a_new_process(database_url, scope)
        assert in_a_new_process(database_url, scope) == counted == afresh(database_url, scope)
    with world.db.read() as session:
        scopes = set(session.scalars(select(MeasurePeriods.scope)))
    assert scopes == {"workspace", world.scope().key, world.scope(PHARMACY).key}


# --- what makes kept periods void ------------------------------------------------------------------------------


def test_an_idea_dated_in_a_kept_week_is_counted_by_every_process(world: World, database_url: str) -> None:
    ten_weeks(world)
    before = in_a_new_process(database_url, world.scope())
    world.raise_(london(2026, 9, 2, 13), ALICE)  # now, so the clock allows the next step to be dated back...
    with world.db.write() as session:  # ...told late: raised in the week of 3 August, after that week was kept
        late = session.scalars(select(Idea).order_by(Idea.id.desc()).limit(1)).one()
        late.created_at = london(2026, 8, 4, 10)
    after = in_a_new_process(database_url, world.scope())
    week = after["raised"][1].index(date(2026, 8, 3))  # type: ignore[attr-defined]
    assert raised(after)[week] == (raised(before)[week] or 0) + 1
    assert after == afresh(database_url, world.scope())


def test_a_done_idea_reopened_leaves_its_done_week_in_every_process(world: World, database_url: str) -> None:
    ids = ten_weeks(world)
    world.finish(ids[0], london(2026, 8, 19, 9))
    before = in_a_new_process(database_url, world.scope())
    world.reopen(ids[0], london(2026, 9, 2, 13), by="U_00_0")  # its author, in the week in progress
    after = in_a_new_process(database_url, world.scope())
    assert after["done"] != before["done"]
    assert after == afresh(database_url, world.scope())


def test_a_deleted_idea_and_a_name_taken_off_are_counted_out(world: World, database_url: str) -> None:
    ids = ten_weeks(world)
    world.finish(ids[1], london(2026, 8, 19, 9))
    before = in_a_new_process(database_url, world.scope())
    with world.db.write() as session:  # a captured reply taken back (bot.ideas.capture.undo) deletes the idea
        for model in (OutboxMessage, IdeaEvent, Supporter):
            session.execute(delete(model).where(model.idea_id == ids[0]))
        session.execute(delete(Idea).where(Idea.id == ids[0]))
    deleted = in_a_new_process(database_url, world.scope())
    assert raised(deleted)[0] == (raised(before)[0] or 0) - 1
    assert deleted == afresh(database_url, world.scope())
    in_a_new_process(database_url, world.scope())
    with world.db.write() as session:  # "take my name off": no event is written
        session.execute(update(Idea).where(Idea.id == ids[1]).values(owner_id=None, anonymous=True))
    anonymous = in_a_new_process(database_url, world.scope())
    assert anonymous["people"] != deleted["people"]
    assert anonymous == afresh(database_url, world.scope())


def test_a_redaction_keeps_the_kept_periods_and_changes_no_count(world: World, database_url: str) -> None:
    ids = ten_weeks(world)
    before = in_a_new_process(database_url, world.scope())
    rows = kept(world.db, world.scope())
    world.clock.set(london(2026, 9, 2, 13))
    world.lifecycle.redact(ids[0], LEADER, "typed in the wrong team")
    assert in_a_new_process(database_url, world.scope()) == before
    found = kept(world.db, world.scope())
    assert rows is not None and found is not None and found.marks == rows.marks  # still holds: not counted again
    assert afresh(database_url, world.scope()) == before


def test_a_teams_new_time_zone_counts_its_periods_again(world: World, database_url: str) -> None:
    ten_weeks(world)
    in_london = in_a_new_process(database_url, world.scope())
    far_west = in_a_new_process(database_url, world.scope(), zone=FAR_WEST)
    rows = kept(world.db, world.scope())
    assert rows is not None and rows.zone == "Pacific/Pago_Pago"  # one row per scope and period kind: replaced
    assert far_west != in_london
    assert far_west == afresh(database_url, world.scope(), zone=FAR_WEST)
    assert in_a_new_process(database_url, world.scope()) == in_london  # and back


def test_other_nudge_days_count_the_periods_again(world: World, database_url: str) -> None:
    world.weeks(FIRST_MONDAY, [3, 4, 2, 3, 5, 3, 4, 2, 3, 4], decide_after=timedelta(days=3))
    two = in_a_new_process(database_url, world.scope(), nudge_days=2)
    five = in_a_new_process(database_url, world.scope(), nudge_days=5)
    assert two["waiting"] != five["waiting"]
    assert five == afresh(database_url, world.scope(), nudge_days=5)
    assert in_a_new_process(database_url, world.scope(), nudge_days=2) == two


def _one_period_more(rows: KeptPeriods) -> KeptPeriods:
    return replace(
        rows,
        periods=rows.periods + 1,
        values={name: [*column, 0.0] for name, column in rows.values.items()},
        decisions=[*rows.decisions, 0],
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: replace(rows, version=MEASURES_VERSION + 1),  # counted by other code (a deploy changed a count)
        lambda rows: replace(rows, calendar="0" * 32),  # other period bounds (new time zone rules for past dates)
        lambda rows: replace(rows, first_start=date(2026, 5, 25)),  # another first period
        _one_period_more,  # more periods than are complete (the week in progress kept)
        lambda rows: replace(rows, ideas=(rows.ideas[0] + 1, rows.ideas[1])),  # another count of ideas to the mark
        lambda rows: replace(rows, values={k: v for k, v in rows.values.items() if k != "waiting"}),  # a series less
    ],
    ids=["version", "calendar", "first", "too-many", "ideas", "series"],
)
def test_kept_periods_that_do_not_match_are_counted_again(
    world: World, database_url: str, change: Callable[[KeptPeriods], KeptPeriods]
) -> None:
    ten_weeks(world)
    first = in_a_new_process(database_url, world.scope())
    rows = kept(world.db, world.scope())
    assert rows is not None
    tampered = replace(rows, values={**rows.values, "raised": [99.0, *rows.values["raised"][1:]]})
    put(world.db, world.scope(), change(tampered))
    assert in_a_new_process(database_url, world.scope()) == first
    again = kept(world.db, world.scope())
    assert again is not None and again == replace(rows, marks=again.marks, ideas=again.ideas)
    assert again.values["raised"][0] != 99


def test_a_row_that_is_not_whole_is_counted_again(world: World, database_url: str) -> None:
    ten_weeks(world)
    first = in_a_new_process(database_url, world.scope())
    with world.db.write() as session:
        session.execute(update(MeasurePeriods).values(counts={"values": {"raised": [1.0]}, "decisions": []}))
    assert in_a_new_process(database_url, world.scope()) == first


def test_steps_are_applied_when_judged_so_a_rebase_shows_without_counting_again(
    world: World, database_url: str
) -> None:
    ten_weeks(world)
    in_a_new_process(database_url, world.scope())
    baselines.rebase(world.db, world.scope(), date(2026, 7, 20), "daily huddles", "U_LEAD", london(2026, 9, 2, 13))
    history = baselines.history(world.db, world.scope())
    db = Database(database_url)
    try:
        all_series = measure_series(db, world.scope(), LONDON, NOW, 2)
    finally:
        db.dispose()
    # Each chart starts new limits at its period holding 20 July, from the kept periods as they were.
    for one in all_series:
        holding = max(i for i, start in enumerate(one.starts) if start <= date(2026, 7, 20))
        segments = baselines.judge(one, history).segments
        assert [(s.start, s.kind, s.note) for s in segments][1:] == [(holding, "rebase", "daily huddles")]


# --- processes at the same time ----------------------------------------------------------------------------------


def test_two_processes_counting_one_scope_at_once_both_get_it_and_one_row_stays(
    world: World, database_url: str
) -> None:
    ten_weeks(world)
    results: list[Values] = []
    errors: list[BaseException] = []

    def count() -> None:
        try:
            results.append(in_a_new_process(database_url, Scope(WS)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=count) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(results) == 3
    assert results[0] == results[1] == results[2] == afresh(database_url, Scope(WS))
    with world.db.read() as session:  # one row for each period kind the rare-event rule looked at
        assert sorted(session.scalars(select(MeasurePeriods.period))) == ["fortnight", "month", "week"]


def test_a_second_store_of_the_same_scope_waits_and_replaces_never_fails(world: World, database_url: str) -> None:
    ten_weeks(world)
    in_a_new_process(database_url, world.scope())
    rows = kept(world.db, world.scope())
    assert rows is not None
    other = Database(database_url)
    done = threading.Event()
    failed: list[BaseException] = []

    def second() -> None:
        try:
            put(other, world.scope(), replace(rows, marks=(rows.marks[0], rows.marks[1] + 7)))
        except BaseException as error:
            failed.append(error)
        done.set()

    try:
        with world.db.write() as session:  # the first store's transaction is still open while the second one starts
            session.execute(delete(MeasurePeriods))
            measure_periods.store(session, WS, world.scope().key, "week", rows, NOW)
            thread = threading.Thread(target=second)
            thread.start()
            assert not done.wait(0.5)  # it waits for the first
        thread.join(30)
    finally:
        other.dispose()
    assert not failed
    found = kept(world.db, world.scope())
    assert found is not None and found.marks == (rows.marks[0], rows.marks[1] + 7)


def test_forget_drops_one_workspaces_kept_periods_or_all(world: World, database_url: str) -> None:
    ten_weeks(world)
    for scope in (Scope(WS), world.scope()):
        in_a_new_process(database_url, scope)
    put(world.db, Scope("T_OTHER"), replace(kept(world.db, Scope(WS)) or pytest.fail("kept"), periods=13))
    with world.db.write() as session:
        assert measure_periods.forget(session, WS) == 6  # week, fortnight and month of each scope
    assert kept(world.db, Scope(WS)) is None and kept(world.db, Scope("T_OTHER")) is not None
    with world.db.write() as session:
        assert measure_periods.forget(session) == 1


def test_a_store_that_cannot_keep_them_still_gives_the_chart(
    world: World, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    ten_weeks(world)
    first = afresh(database_url, world.scope())
    with world.db.write() as session:  # the table refuses writes (a read-only role, a full disk...)
        session.execute(delete(MeasurePeriods))
        for statement in REFUSE_WRITES[world.db.engine.dialect.name]:
            session.execute(text(statement))
    with caplog.at_level(logging.WARNING, logger="bot.measures.series"):
        assert in_a_new_process(database_url, world.scope()) == first
    assert kept(world.db, world.scope()) is None
    assert "Could not keep the week periods of team:" in caplog.text


REFUSE_WRITES = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON measure_periods BEGIN SELECT RAISE(ABORT, 'refused'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON measure_periods FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
