"""Migration 0013 on SQLite and PostgreSQL (`database_url`): upgrading adds `ideas.escalated_at` (empty for every
idea) and creates `escalations` as the model declares it, with the index that allows one open hop per idea;
downgrading to 0012 takes them away and keeps every idea; upgrading again brings them back empty."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, ensure_team, raise_idea
from storage import migrate
from storage.db import Database
from storage.models import Idea
from storage.models_tiers import Escalation
from tests.migration_steps import count, downgrade, nullable, revision

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def hop(idea_id: int, ward: int, dept: int, *, ended: bool = False) -> Escalation:
    return Escalation(idea_id=idea_id, from_team_id=ward, to_team_id=dept, reason="budget", escalated_by="U1",
                      escalated_at=NOW, ended_at=NOW if ended else None, card_synced_version=0)  # fmt: skip


def test_0013_adds_escalations_and_takes_them_back(db: Database) -> None:
    migrate.upgrade(db)  # to the head: 0013 and whatever came after it
    declared = {column.name: bool(column.nullable) for column in Escalation.__table__.columns}
    assert nullable(db, "escalations") == declared
    assert nullable(db, "ideas")["escalated_at"] is True
    clock = SettableClock(NOW)
    ward = ensure_team(db, clock, "T1", "C1", "ward-7")
    dept = ensure_team(db, clock, "T1", "C2", "surgery-dept")
    raised = raise_idea(db, clock, NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U1",
                                           problem="Bins overflow"))  # fmt: skip
    idea_id = raised.idea.id
    with db.write() as session:
        session.add(hop(idea_id, ward.id, dept.id, ended=True))
        session.add(hop(idea_id, ward.id, dept.id))
    with pytest.raises(IntegrityError), db.write() as session:
        session.add(hop(idea_id, ward.id, dept.id))  # a second open hop of one idea
    assert {"uq_escalations_open_hop"} <= {index["name"] for index in inspect(db.engine).get_indexes("escalations")}

    downgrade(db, "0012")  # (through whatever came after 0013)
    assert revision(db) == "0012"
    assert "escalations" not in inspect(db.engine).get_table_names()
    assert "escalated_at" not in nullable(db, "ideas")
    assert count(db, "ideas") == 1

    migrate.upgrade(db)
    assert count(db, "escalations") == 0
    with db.read() as session:
        [idea] = session.query(Idea).all()
    assert idea.problem == "Bins overflow" and idea.escalated_at is None
