"""Migration 0006 on SQLite and PostgreSQL (`database_url`): upgrading to head creates `measure_steps` (one row per
step of a scope's series, unique) and `team_headcounts` (a team's headcount from a date); downgrading to 0005 drops
them and leaves everything else; upgrading again brings them back, empty and working."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, raise_idea
from storage import migrate
from storage.db import Database
from tests.migration_steps import downgrade, revision

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC).replace(tzinfo=None)
NEW_TABLES = {"measure_steps", "team_headcounts"}
STEP = (
    "INSERT INTO measure_steps (workspace_id, scope, series, kind, starts_on, note, created_by, created_at) "
    "VALUES ('T1', :scope, '*', 'rebase', :day, 'started daily huddles', 'U_LEAD', :at)"
)
HEADCOUNT = (
    "INSERT INTO team_headcounts (team_id, starts_on, headcount, set_by, set_at) "
    "VALUES (:team, :day, 42, 'U_LEAD', :at)"
)


def tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_0006_adds_the_step_and_headcount_tables_and_takes_them_back(db: Database):
    migrate.upgrade(db)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert revision(db) == head
    assert tables(db) >= NEW_TABLES
    found = inspect(db.engine)
    assert {c["name"] for c in found.get_columns("measure_steps")} == {
        "id", "workspace_id", "scope", "series", "kind", "starts_on", "side", "note", "created_by", "created_at",
        "undone_at", "undone_by",
    }  # fmt: skip
    assert {c["name"] for c in found.get_columns("team_headcounts")} == {
        "team_id", "starts_on", "headcount", "set_by", "set_at"
    }  # fmt: skip
    assert found.get_pk_constraint("team_headcounts")["constrained_columns"] == ["team_id", "starts_on"]
    assert [u["column_names"] for u in found.get_unique_constraints("measure_steps")] == [
        ["workspace_id", "scope", "series", "kind", "starts_on"]
    ]
    # A team to point at, made the way the bot makes one.
    clock = SettableClock(datetime(2026, 11, 30, 9, tzinfo=UTC))
    new = NewIdea(workspace_id="T1", channel_id="C_WARD", channel_name="ward", author_id="U1", problem="Slow")
    team_id = raise_idea(db, clock, new).idea.team_id
    with db.engine.begin() as c:
        c.execute(text(STEP), {"scope": f"team:{team_id}", "day": date(2026, 3, 2), "at": AT})
        c.execute(text(HEADCOUNT), {"team": team_id, "day": date(2026, 12, 1), "at": AT})
    with pytest.raises(IntegrityError), db.engine.begin() as c:  # the same step twice: one row per step
        c.execute(text(STEP), {"scope": f"team:{team_id}", "day": date(2026, 3, 2), "at": AT})
    with pytest.raises(IntegrityError), db.engine.begin() as c:  # one headcount per team and date
        c.execute(text(HEADCOUNT), {"team": team_id, "day": date(2026, 12, 1), "at": AT})

    downgrade(db, "0005")

    assert revision(db) == "0005"
    assert not tables(db) & NEW_TABLES
    with db.engine.connect() as c:  # the rest is untouched
        assert c.execute(text("SELECT count(*) FROM ideas")).scalar_one() == 1
        assert c.execute(text("SELECT channel_id FROM teams")).scalar_one() == "C_WARD"

    migrate.upgrade(db)

    assert revision(db) == head
    assert tables(db) >= NEW_TABLES
    with db.engine.begin() as c:
        assert c.execute(text("SELECT count(*) FROM measure_steps")).scalar_one() == 0
        assert c.execute(text("SELECT count(*) FROM team_headcounts")).scalar_one() == 0
        c.execute(text(STEP), {"scope": f"team:{team_id}", "day": date(2026, 3, 2), "at": AT})
        c.execute(text(HEADCOUNT), {"team": team_id, "day": date(2026, 12, 1), "at": AT})
    with db.engine.connect() as c:
        assert c.execute(text("SELECT note FROM measure_steps")).scalar_one() == "started daily huddles"
        assert c.execute(text("SELECT headcount FROM team_headcounts")).scalar_one() == 42
