"""Migration 0012 on SQLite and PostgreSQL (`database_url`): upgrading adds the tier link to `teams` (the team one
tier up, who named it, when), empty for every team, keeping every team and idea; downgrading to 0011 takes the
columns away and keeps every row; upgrading again brings them back empty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, ensure_team, raise_idea
from storage import migrate
from storage.db import Database
from storage.models import Team
from tests.migration_steps import count, downgrade, nullable, revision

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TIER_COLUMNS = {"upper_team_id", "upper_set_by", "upper_set_at"}


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_0012_adds_the_tier_link_and_takes_it_back(db: Database) -> None:
    migrate.upgrade(db)  # to the head: 0012 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    declared = {column.name: bool(column.nullable) for column in Team.__table__.columns}
    assert nullable(db, "teams") == declared
    assert {"ix_teams_upper_team"} <= {index["name"] for index in inspect(db.engine).get_indexes("teams")}
    clock = SettableClock(NOW)
    ward = ensure_team(db, clock, "T1", "C1", "ward-7")
    dept = ensure_team(db, clock, "T1", "C2", "surgery-dept")
    raise_idea(db, clock, NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U1",
                                  problem="Bins overflow"))  # fmt: skip
    with db.write() as session:
        team = session.get(Team, ward.id)
        assert team is not None and team.upper_team_id is None
        team.upper_team_id, team.upper_set_by, team.upper_set_at = dept.id, "U1", NOW

    downgrade(db, "0011")
    assert revision(db) == "0011"
    assert not TIER_COLUMNS & set(nullable(db, "teams"))
    assert count(db, "teams") == 2 and count(db, "ideas") == 1

    migrate.upgrade(db)
    with db.read() as session:
        assert [t.upper_team_id for t in session.query(Team).order_by(Team.id)] == [None, None]
