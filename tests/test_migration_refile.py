"""Migration 0005 on a copy of a database with ideas mis-filed under a Slack Connect partner's workspace: it leaves
one team per channel, renumbers the moved ideas after the keeping workspace's last number (no number reused),
moves what belonged to the doubled team, says what it changed, and stores empty installation keys as NULL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from storage import migrate
from storage.db import Database

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None)


def at_0004(database_url: str) -> Database:
    db = Database(database_url)
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    return db


def seed(db: Database) -> None:
    rows = {
        "workspaces": [
            {"id": "T_HOME", "last_idea_number": 3, "leaders": "[]", "created_at": T0},
            {"id": "T_PARTNER", "last_idea_number": 3, "leaders": "[]", "created_at": T0},
        ],
        "teams": [
            (1, "T_HOME", "C_SHARED", 0),
            (2, "T_PARTNER", "C_SHARED", 1),  # the same channel, filed again under the partner
            (3, "T_PARTNER", "C_THEIRS", 2),  # the partner's own channel: theirs to keep
        ],
        "ideas": [
            # (id, workspace, number, team, source_ts)
            (1, "T_HOME", 1, 1, None),
            (2, "T_HOME", 2, 1, "111.1"),
            (3, "T_PARTNER", 1, 2, "111.1"),  # the same :bulb: reply captured twice, once under each
            (4, "T_PARTNER", 2, 2, None),
            (5, "T_PARTNER", 3, 3, None),
            (6, "T_HOME", 3, 1, None),
        ],
    }
    with db.engine.begin() as c:
        for workspace in rows["workspaces"]:
            c.execute(
                text(
                    "INSERT INTO workspaces (id, last_idea_number, leaders, created_at) "
                    "VALUES (:id, :last_idea_number, :leaders, :created_at)"
                ),
                workspace,
            )
        for team_id, workspace, channel, hours in rows["teams"]:
            c.execute(
                text(
                    "INSERT INTO teams (id, workspace_id, channel_id, name, anonymous_allowed, just_do_it_allowed, "
                    "huddle_times, huddle_days, created_at) VALUES (:id, :w, :c, 'ward', true, true, '[]', '[]', :at)"
                ),
                {"id": team_id, "w": workspace, "c": channel, "at": T0.replace(hour=9 + hours)},
            )
        for idea_id, workspace, number, team, source_ts in rows["ideas"]:
            c.execute(
                text(
                    "INSERT INTO ideas (id, workspace_id, number, team_id, author_id, anonymous, problem, "
                    "input_from, status, created_at, redacted, card_version, card_synced_version, source_channel, "
                    "source_ts) VALUES (:id, :w, :n, :t, 'U1', false, 'p', '[]', 'new', :at, false, 1, 1, :sc, :st)"
                ),
                {
                    "id": idea_id, "w": workspace, "n": number, "t": team, "at": T0.replace(minute=idea_id),
                    "sc": "C_SHARED" if source_ts else None, "st": source_ts,
                },
            )  # fmt: skip
        c.execute(text("INSERT INTO team_leaders VALUES (1, 'ULEAD', 'U1', :at), (2, 'ULEAD', 'U1', :at)"), {"at": T0})
        c.execute(text("INSERT INTO team_leaders VALUES (2, 'UPLEAD', 'U1', :at)"), {"at": T0})
        c.execute(
            text(
                "INSERT INTO huddle_posts (team_id, local_date, slot, scheduled_for, attempts) VALUES "
                "(1, '2026-11-02', 0, :at, 0), (2, '2026-11-02', 0, :at, 0), (2, '2026-11-03', 0, :at, 0)"
            ),
            {"at": T0},
        )


def test_doubled_channels_are_merged_into_the_team_that_set_them_up(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = at_0004(empty_database_url)
    seed(db)

    with caplog.at_level(logging.WARNING, logger="kaizen.migrations"):
        migrate.upgrade(db)

    with db.engine.connect() as c:
        teams = c.execute(text("SELECT id, workspace_id, channel_id FROM teams ORDER BY id")).all()
        ideas = dict(c.execute(text("SELECT id, workspace_id || ' #' || number FROM ideas")).all())  # type: ignore[arg-type]
        team_of = dict(c.execute(text("SELECT id, team_id FROM ideas")).all())  # type: ignore[arg-type]
        last = dict(c.execute(text("SELECT id, last_idea_number FROM workspaces")).all())  # type: ignore[arg-type]
        leaders = c.execute(text("SELECT team_id, user_id FROM team_leaders ORDER BY user_id")).all()
        posts = c.execute(text("SELECT team_id, local_date FROM huddle_posts ORDER BY local_date")).all()
        sources = c.execute(text("SELECT id FROM ideas WHERE source_ts IS NOT NULL")).scalars().all()
        versions = dict(c.execute(text("SELECT id, card_version FROM ideas")).all())  # type: ignore[arg-type]
    db.dispose()

    assert [tuple(t) for t in teams] == [(1, "T_HOME", "C_SHARED"), (3, "T_PARTNER", "C_THEIRS")]
    # The partner's two ideas in the shared channel follow the home workspace's #3, in the order they were raised.
    assert ideas == {
        1: "T_HOME #1", 2: "T_HOME #2", 3: "T_HOME #4", 4: "T_HOME #5", 5: "T_PARTNER #3", 6: "T_HOME #3"
    }  # fmt: skip
    assert team_of == {1: 1, 2: 1, 3: 1, 4: 1, 5: 3, 6: 1}
    assert last == {"T_HOME": 5, "T_PARTNER": 3}  # the partner's numbers are never handed out again either
    assert [tuple(r) for r in leaders] == [(1, "ULEAD"), (1, "UPLEAD")]
    assert [(r[0], str(r[1])) for r in posts] == [(1, "2026-11-02"), (1, "2026-11-03")]
    assert sources == [2]  # the capture kept once; its double lost the source, not the idea
    assert versions[3] == versions[4] == 2  # their cards are re-drawn with the new numbers
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "C_SHARED" in said and "#1→#4" in said and "#2→#5" in said


def test_empty_installation_keys_are_stored_as_null(empty_database_url: str) -> None:
    db = at_0004(empty_database_url)
    with db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO slack_bots (client_id, app_id, enterprise_id, enterprise_name, team_id, team_name, "
                "bot_token, bot_id, bot_user_id, is_enterprise_install, installed_at) VALUES "
                "('111.222', 'A1', '', '', 'T1', 'One', 'xoxb-1', 'B1', 'U1', false, :at)"
            ),
            {"at": T0},
        )

    migrate.upgrade(db)

    with db.engine.connect() as c:
        assert c.execute(text("SELECT enterprise_id, team_id FROM slack_bots")).one() == (None, "T1")
    db.dispose()
