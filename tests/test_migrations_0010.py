"""Migration 0010 on SQLite and PostgreSQL (`database_url`): upgrading adds `ideas.text_removed_at` (when retention
removed an idea's text) and creates `erasure_requests` and `retention_runs` as the models declare them, keeping
every idea; downgrading to 0009 takes them away and leaves every other row; upgrading again brings them back
empty."""

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
from storage.models_privacy import ErasureRequest, RetentionRun
from tests.migration_steps import count, downgrade, nullable, revision

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_0010_adds_the_privacy_records_and_takes_them_back(db: Database) -> None:
    migrate.upgrade(db)  # to the head: 0010 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    for model in (ErasureRequest, RetentionRun):
        declared = {column.name: bool(column.nullable) for column in model.__table__.columns}
        assert nullable(db, model.__tablename__) == declared
    assert nullable(db, "ideas")["text_removed_at"] is True
    assert inspect(db.engine).get_pk_constraint("retention_runs")["constrained_columns"] == ["day"]
    clock = SettableClock(NOW)
    ensure_team(db, clock, "T1", "C1", "ward-7")
    new = NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U1", problem="Bins overflow")
    raise_idea(db, clock, new)
    with db.write() as session:
        session.add(ErasureRequest(workspace_id="T1", user_id="U2", delete_text=False, requested_at=NOW))

    downgrade(db, "0009")
    assert revision(db) == "0009"
    tables = inspect(db.engine).get_table_names()
    assert "erasure_requests" not in tables and "retention_runs" not in tables
    assert "text_removed_at" not in nullable(db, "ideas")
    assert count(db, "ideas") == 1

    migrate.upgrade(db)
    assert count(db, "erasure_requests") == 0 and count(db, "retention_runs") == 0
    with db.read() as session:
        [idea] = session.query(Idea).all()
    assert idea.problem == "Bins overflow" and idea.text_removed_at is None
