"""Migration 0008 on SQLite and PostgreSQL (`database_url`): upgrading replaces the measures' indexes by ones that
extend them (same leading columns) so that the measures read the indexes alone; the store then has exactly the
indexes the models declare; downgrading to 0007 brings the old ones back and keeps every row; upgrading again
works. 0008 is on the one line of revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage import measures, migrate
from storage.db import Database
from storage.measures import Scope
from storage.models import Idea, IdeaEvent
from tests.migration_steps import migrate_to, revision

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NEW = {
    "ix_ideas_team_created_author": ["team_id", "created_at", "author_id"],
    "ix_ideas_workspace_created_author": ["workspace_id", "created_at", "author_id"],
    "ix_ideas_team_done_owner": ["team_id", "done_at", "status", "owner_id"],
    "ix_ideas_workspace_done_owner": ["workspace_id", "done_at", "status", "owner_id"],
    "ix_ideas_workspace_status_created": ["workspace_id", "status", "created_at"],
    "ix_idea_events_status_at": ["kind", "to_status", "at", "idea_id"],
}
OLD = {
    "ix_ideas_team_created": ["team_id", "created_at"],
    "ix_ideas_workspace_created": ["workspace_id", "created_at"],
    "ix_ideas_team_done": ["team_id", "done_at"],
    "ix_ideas_workspace_done": ["workspace_id", "done_at"],
    "ix_ideas_workspace_status": ["workspace_id", "status"],
    "ix_idea_events_decisions": ["kind", "to_status", "idea_id", "at"],
}


def indexes(db: Database) -> dict[str, list[str]]:
    """Every named, non-unique index of ideas and idea_events in the store: {name: columns}."""
    inspector = inspect(db.engine)
    return {
        index["name"]: [str(column) for column in index["column_names"]]
        for table in ("ideas", "idea_events")
        for index in inspector.get_indexes(table)
        if index["name"] and not index.get("unique")
    }


def declared() -> dict[str, list[str]]:
    """The same, as storage.models declares them."""
    return {
        str(index.name): [column.name for column in index.columns]
        for table in (Idea.__table__, IdeaEvent.__table__)
        for index in table.indexes
        if not index.unique
    }


def raised_this_week(db: Database) -> int:
    with db.read() as session:
        return measures.raised_per_period(session, Scope("T1"), [(AT - timedelta(days=7), AT + timedelta(days=1))])[0]


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database


def test_0008_is_on_the_one_line_of_revisions() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1
    assert "0008" in {one.revision for one in script.walk_revisions()}


def test_0008_replaces_the_measures_indexes_and_takes_them_back(db: Database) -> None:
    migrate_to(db, "0007", down=False)
    with db.engine.begin() as c:  # ideas written before 0008: one raised, one raised and decided
        c.execute(
            text("INSERT INTO workspaces (id, last_idea_number, leaders, created_at) VALUES ('T1', 2, '[]', :at)"),
            {"at": AT},
        )
        c.execute(
            text("INSERT INTO teams (workspace_id, channel_id, name, anonymous_allowed, just_do_it_allowed, "
                 "huddle_times, huddle_days, created_at) VALUES ('T1', 'C1', 'ward', true, true, '[]', '[]', :at)"),
            {"at": AT},
        )  # fmt: skip
        team = c.execute(text("SELECT id FROM teams")).scalar_one()
        for number, status in ((1, "new"), (2, "approved")):
            c.execute(
                text("INSERT INTO ideas (workspace_id, number, team_id, author_id, problem, status, anonymous, "
                     "input_from, redacted, card_version, card_synced_version, created_at) VALUES ('T1', :number, "
                     ":team, 'U1', 'Slow', :status, false, '[]', false, 1, 0, :at)"),
                {"number": number, "team": team, "status": status, "at": AT - timedelta(days=1)},
            )  # fmt: skip
        decided = c.execute(text("SELECT id FROM ideas WHERE number = 2")).scalar_one()
        c.execute(
            text("INSERT INTO idea_events (idea_id, at, kind, from_status, to_status, source) "
                 "VALUES (:idea, :at, 'status', 'new', 'approved', 'emoji')"),
            {"idea": decided, "at": AT},
        )  # fmt: skip
    assert set(OLD) <= set(indexes(db))

    migrate.upgrade(db)  # to the head: 0008 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    found = indexes(db)
    assert {name: found.get(name) for name in NEW} == NEW
    assert not set(OLD) & set(found)
    assert found == declared()
    assert raised_this_week(db) == 2

    migrate_to(db, "0007", down=True)
    found = indexes(db)
    assert {name: found.get(name) for name in OLD} == OLD
    assert not set(NEW) & set(found)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM ideas")).scalar_one() == 2
        assert c.execute(text("SELECT count(*) FROM idea_events")).scalar_one() == 1

    migrate.upgrade(db)
    assert indexes(db) == declared()
    assert raised_this_week(db) == 2
