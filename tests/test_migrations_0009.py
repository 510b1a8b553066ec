"""Migration 0009 on SQLite and PostgreSQL (`database_url`): upgrading creates `measure_periods` (the measures' kept
complete periods, one row per workspace, scope and period kind) as the models declare it; downgrading to 0008 drops
it and leaves every other row; upgrading again brings it back empty, and the measures keep their periods in it
again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.measures.series import measure_series
from storage import measure_periods, migrate
from storage.db import Database
from storage.models_measures import MeasurePeriods
from tests.measures_world import LONDON, World, london
from tests.migration_steps import downgrade, revision

NOW = london(2026, 9, 2, 12)


def columns(db: Database) -> dict[str, tuple[str, bool]]:
    """measure_periods' columns in the store: {name: (type's class name, nullable)}."""
    return {
        column["name"]: (type(column["type"]).__name__, bool(column["nullable"]))
        for column in inspect(db.engine).get_columns("measure_periods")
    }


def kept_rows(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM measure_periods")).scalar_one())


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_0009_adds_the_kept_periods_and_takes_them_back(db: Database) -> None:
    migrate.upgrade(db)  # to the head: 0009 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    found = columns(db)
    declared = {column.name: column.nullable for column in MeasurePeriods.__table__.columns}
    assert {name: nullable for name, (_type, nullable) in found.items()} == declared
    assert inspect(db.engine).get_pk_constraint("measure_periods")["constrained_columns"] == [
        "workspace_id", "scope", "period",
    ]  # fmt: skip

    world = World(db)
    world.weeks(NOW.date() - timedelta(weeks=10, days=2), [3, 4, 2, 3, 5, 3, 4, 2, 3, 4])
    counted = measure_series(db, world.scope(), LONDON, NOW, 2)
    assert kept_rows(db) >= 1
    with db.engine.connect() as connection:
        ideas = connection.execute(text("SELECT count(*) FROM ideas")).scalar_one()

    downgrade(db, "0008")
    assert revision(db) == "0008"
    assert "measure_periods" not in inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ideas")).scalar_one() == ideas

    migrate.upgrade(db)
    assert kept_rows(db) == 0
    assert measure_series(db, world.scope(), LONDON, NOW, 2) == counted
    with db.read() as session:
        week = measure_periods.load(session, world.scope().workspace_id, world.scope().key, "week")
    assert week is not None and week.periods == 10
