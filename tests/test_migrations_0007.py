"""Migration 0007 on SQLite and PostgreSQL (`database_url`): upgrading adds `teams.language` (empty for every team
that was there: they speak the bot's language), downgrading to 0006 takes it away and keeps the teams, upgrading
again brings it back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, raise_idea
from storage import migrate
from storage.db import Database
from tests.migration_steps import migrate_to, revision


def team_columns(db: Database) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("teams")}


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database


def test_0007_adds_a_teams_language_and_takes_it_back(db: Database):
    migrate_to(db, "0006", down=False)
    clock = SettableClock(datetime(2026, 11, 30, 9, tzinfo=UTC))
    with db.engine.begin() as c:  # a team made before the column existed
        c.execute(
            text("INSERT INTO workspaces (id, last_idea_number, leaders, created_at) VALUES ('T1', 0, '[]', :at)"),
            {"at": clock.now()},
        )
        c.execute(
            text("INSERT INTO teams (workspace_id, channel_id, name, anonymous_allowed, just_do_it_allowed, "
                 "huddle_times, huddle_days, created_at) VALUES ('T1', 'C_OLD', 'old', true, true, '[]', '[]', :at)"),
            {"at": clock.now()},
        )  # fmt: skip
    migrate.upgrade(db)  # to the head: 0007 and whatever came after it
    assert revision(db) == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert "language" in team_columns(db)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT language FROM teams WHERE channel_id = 'C_OLD'")).scalar_one() is None
        c.execute(text("UPDATE teams SET language = 'ja' WHERE channel_id = 'C_OLD'"))
        c.commit()

    # An idea points at a team: taking the column away keeps the table (a copy-and-drop would be refused).
    with db.engine.begin() as c:
        team = c.execute(text("SELECT id FROM teams WHERE channel_id = 'C_OLD'")).scalar_one()
        c.execute(
            text("INSERT INTO ideas (workspace_id, number, team_id, author_id, problem, status, anonymous, category, "
                 "input_from, redacted, card_version, card_synced_version, created_at) VALUES ('T1', 1, :team, "
                 "'U1', 'Slow', 'new', false, 'other', '[]', false, 1, 0, :at)"),
            {"team": team, "at": clock.now()},
        )  # fmt: skip
        c.execute(text("UPDATE workspaces SET last_idea_number = 1 WHERE id = 'T1'"))
    migrate_to(db, "0006", down=True)
    assert "language" not in team_columns(db)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM teams")).scalar_one() == 1
        assert c.execute(text("SELECT count(*) FROM ideas")).scalar_one() == 1

    migrate.upgrade(db)
    new = NewIdea(workspace_id="T1", channel_id="C_NEW", channel_name="ward", author_id="U1", problem="Slow")
    assert raise_idea(db, clock, new).idea.team.language is None
