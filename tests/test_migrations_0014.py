"""Migration 0014 on SQLite and PostgreSQL (`database_url`): upgrading adds `ideas.spread_at` and
`ideas.copied_from_id` (empty for every idea) and creates `spreads` as the model declares it, one offer per idea and
team; downgrading to 0013 takes them away and keeps every idea; upgrading again brings them back empty. 0014 is the
one head."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, ensure_team, raise_idea
from storage import migrate
from storage.db import Database
from storage.models import Idea
from storage.models_spread import Spread
from tests.migration_steps import count, downgrade, nullable, revision

NOW = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: the test upgrades (and downgrades) it itself


def test_0014_is_the_one_head() -> None:
    assert ScriptDirectory.from_config(migrate.alembic_config()).get_heads() == ["0014"]


def offer(idea_id: int, team_id: int) -> Spread:
    return Spread(idea_id=idea_id, team_id=team_id, offered_by="U1", offered_at=NOW, suggested=True,
                  card_synced_version=0)  # fmt: skip


def test_0014_adds_spreads_and_takes_them_back(db: Database) -> None:
    migrate.upgrade(db)
    assert revision(db) == "0014"
    declared = {column.name: bool(column.nullable) for column in Spread.__table__.columns}
    assert nullable(db, "spreads") == declared
    assert nullable(db, "ideas")["spread_at"] is True and nullable(db, "ideas")["copied_from_id"] is True
    clock = SettableClock(NOW)
    ensure_team(db, clock, "T1", "C1", "ward-7")
    ward_b = ensure_team(db, clock, "T1", "C2", "ward-b")
    raised = raise_idea(db, clock, NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U1",
                                           problem="Bins overflow"))  # fmt: skip
    with db.write() as session:
        session.add(offer(raised.idea.id, ward_b.id))
    with pytest.raises(IntegrityError), db.write() as session:
        session.add(offer(raised.idea.id, ward_b.id))  # offered to one team twice
    assert {"ix_spreads_copy", "ix_spreads_card_ts"} <= {i["name"] for i in inspect(db.engine).get_indexes("spreads")}

    downgrade(db, "0013")
    assert revision(db) == "0013"
    assert "spreads" not in inspect(db.engine).get_table_names()
    assert not {"spread_at", "copied_from_id"} & set(nullable(db, "ideas"))
    assert count(db, "ideas") == 1

    migrate.upgrade(db)
    assert count(db, "spreads") == 0
    with db.read() as session:
        [idea] = session.query(Idea).all()
    assert idea.problem == "Bins overflow" and idea.spread_at is None and idea.copied_from_id is None
