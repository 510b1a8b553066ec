"""Migration 0011 on SQLite and PostgreSQL (`database_url`): upgrading adds `ideas.credited_name` and creates
`walkup_forms` and `app_secrets` as the models declare them, keeping every idea; downgrading to 0010 takes them away
and leaves every other row; upgrading again brings them back empty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, ensure_team, raise_idea
from storage import migrate
from storage.db import Database
from storage.models import Idea
from storage.models_walkup import AppSecret, WalkUpForm
from tests.migration_steps import count, downgrade, nullable, revision

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_0011_adds_the_walkup_records_and_takes_them_back(db: Database) -> None:
    migrate.upgrade(db)  # to the head: 0011 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    for model in (WalkUpForm, AppSecret):
        declared = {column.name: bool(column.nullable) for column in model.__table__.columns}
        assert nullable(db, model.__tablename__) == declared
    assert nullable(db, "ideas")["credited_name"] is True
    assert [c["column_names"] for c in inspect(db.engine).get_unique_constraints("walkup_forms")] == [["token_hash"]]
    clock = SettableClock(NOW)
    team = ensure_team(db, clock, "T1", "C1", "ward-7")
    new = NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U1", problem="Bins overflow")
    raise_idea(db, clock, new)
    with db.write() as session:
        session.add(WalkUpForm(team_id=team.id, token_hash="a" * 64, created_at=NOW, created_by="U1"))
        session.add(AppSecret(name="walkup_csrf", value="b" * 64, created_at=NOW))

    downgrade(db, "0010")
    assert revision(db) == "0010"
    tables = inspect(db.engine).get_table_names()
    assert "walkup_forms" not in tables and "app_secrets" not in tables
    assert "credited_name" not in nullable(db, "ideas")
    assert count(db, "ideas") == 1

    migrate.upgrade(db)
    assert count(db, "walkup_forms") == 0 and count(db, "app_secrets") == 0
    with db.read() as session:
        [idea] = session.query(Idea).all()
    assert idea.problem == "Bins overflow" and idea.credited_name is None
