"""Migration 0002 on SQLite and PostgreSQL (`database_url`) writes slack_sdk's OAuth tables out itself (storage/
imports nothing of Slack): after upgrading, the tables in the database must be the ones slack_sdk's own table
builders make today (same columns in the same order, types and widths, nullability, primary keys, indexes), and
slack_sdk's stores must work on them. Downgrading past 0002 drops them; a table slack_sdk created before the
upgrade is left as it is."""

from __future__ import annotations

import pytest
from alembic import command
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, UniqueConstraint, inspect, text

from storage import migrate
from storage.db import Database

CLIENT_ID = "111.222"
OAUTH_TABLES = {"slack_installations", "slack_bots", "slack_oauth_states"}


def slack_sdk_tables() -> MetaData:
    """The tables as the installed slack_sdk's builders make them, under the stores' default names."""
    metadata = MetaData()
    installations = SQLAlchemyInstallationStore.default_installations_table_name
    SQLAlchemyInstallationStore.build_installations_table(metadata, installations)
    SQLAlchemyInstallationStore.build_bots_table(metadata, SQLAlchemyInstallationStore.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, SQLAlchemyOAuthStateStore.default_table_name)
    assert set(metadata.tables) == OAUTH_TABLES  # slack_sdk renamed one: the migration no longer matches it
    return metadata


def differences(engine: Engine, expected: MetaData) -> list[str]:
    """How the OAuth tables in the database differ from `expected`, one line per difference (none: the same)."""
    found = inspect(engine)
    dialect = engine.dialect
    said: list[str] = []
    present = {name for name in found.get_table_names() if name.startswith("slack_")}
    if present != set(expected.tables):
        said.append(f"tables: {sorted(present)} instead of {sorted(expected.tables)}")
    for name, table in expected.tables.items():
        if name not in present:
            continue
        columns = {c["name"]: c for c in found.get_columns(name)}
        if list(columns) != [c.name for c in table.columns]:
            said.append(f"{name} columns: {list(columns)} instead of {[c.name for c in table.columns]}")
        for column in table.columns:
            if column.name not in columns:
                said.append(f"{name}.{column.name}: missing")
                continue
            got = columns[column.name]
            want_type, got_type = column.type, got["type"]
            if not isinstance(got_type, type(want_type)):
                said.append(f"{name}.{column.name}: type {got_type!r} is no {type(want_type).__name__}")
            for attribute in ("length", "timezone"):
                if getattr(got_type, attribute, None) != getattr(want_type, attribute, None):
                    said.append(f"{name}.{column.name}: {attribute} {getattr(got_type, attribute, None)!r}")
            if got_type.compile(dialect=dialect) != want_type.compile(dialect=dialect):
                said.append(f"{name}.{column.name}: {got_type.compile(dialect=dialect)} in the database")
            if got["nullable"] != column.nullable:
                said.append(f"{name}.{column.name}: nullable {got['nullable']} instead of {column.nullable}")
            # slack_sdk's defaults are Python-side (on insert), never in the DDL; the numbered key's sequence is
            # the database's (PostgreSQL shows it as a default).
            if column.server_default is None and got.get("default") is not None and not column.primary_key:
                said.append(f"{name}.{column.name}: a server default ({got['default']}) slack_sdk does not have")
        primary_key = found.get_pk_constraint(name)["constrained_columns"]
        if primary_key != [c.name for c in table.primary_key.columns]:
            said.append(f"{name} primary key: {primary_key}")
        indexes = {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(name)}
        wanted = {(i.name, tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes}
        if indexes != wanted:
            said.append(f"{name} indexes: {sorted(indexes)} instead of {sorted(wanted)}")
        uniques = {tuple(u["column_names"]) for u in found.get_unique_constraints(name)}
        wanted_uniques = {
            tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)
        }
        if uniques != wanted_uniques:
            said.append(f"{name} unique constraints: {sorted(uniques)} instead of {sorted(wanted_uniques)}")
        if found.get_foreign_keys(name) or table.foreign_keys:
            said.append(f"{name} foreign keys: {found.get_foreign_keys(name)} / {table.foreign_keys}")
    return said


def to(db: Database, revision: str, *, down: bool = False) -> None:
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def install(engine: Engine, team_id: str, token: str) -> SQLAlchemyInstallationStore:
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    store.save(
        Installation(
            app_id="A1", team_id=team_id, team_name="Ward 7", user_id="U_ALICE", bot_token=token, bot_id="B1",
            bot_user_id="U_BOT", bot_scopes=["chat:write", "channels:history"], user_token="xoxp-1",
            user_scopes=["identify"], token_type="bot",
        )
    )  # fmt: skip
    return store


@pytest.fixture
def db(fresh_database: Database) -> Database:
    return fresh_database  # not upgraded: each test upgrades (and downgrades) it itself


def test_upgrading_creates_the_oauth_tables_slack_sdk_builds(db: Database):
    migrate.upgrade(db)

    assert differences(db.engine, slack_sdk_tables()) == []


def test_the_comparison_sees_a_column_missing(db: Database):
    migrate.upgrade(db)
    with db.engine.begin() as c:
        c.execute(text("ALTER TABLE slack_installations DROP COLUMN token_type"))

    found = differences(db.engine, slack_sdk_tables())

    assert "slack_installations.token_type: missing" in found


def test_slack_sdks_stores_work_on_the_migrated_tables(db: Database):
    migrate.upgrade(db)

    store = install(db.engine, "T1", "xoxb-1")
    install(db.engine, "T2", "xoxb-2")

    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.is_enterprise_install) == ("xoxb-1", False)
    installation = store.find_installation(enterprise_id=None, team_id="T2")
    assert installation is not None
    assert (installation.bot_token, installation.user_token, installation.token_type) == ("xoxb-2", "xoxp-1", "bot")
    assert installation.bot_scopes == ["chat:write", "channels:history"]
    states = SQLAlchemyOAuthStateStore(expiration_seconds=60, engine=db.engine)
    state = states.issue()
    assert states.consume(state)
    assert not states.consume(state)  # used once


def test_downgrading_past_0002_drops_the_tables_and_upgrading_brings_them_back(db: Database):
    migrate.upgrade(db)

    to(db, "0001", down=True)

    assert not set(inspect(db.engine).get_table_names()) & OAUTH_TABLES
    assert {c["name"] for c in inspect(db.engine).get_columns("workspaces")}.isdisjoint(
        {"leaders", "leader_group", "approve_emoji"}
    )

    migrate.upgrade(db)

    assert differences(db.engine, slack_sdk_tables()) == []
    with db.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM slack_bots")).scalar_one() == 0


def test_tables_slack_sdk_made_before_the_upgrade_are_kept_with_their_rows(db: Database):
    to(db, "0001")
    SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=db.engine).create_tables()
    SQLAlchemyOAuthStateStore(expiration_seconds=60, engine=db.engine).create_tables()
    store = install(db.engine, "T1", "xoxb-1")

    migrate.upgrade(db)

    assert differences(db.engine, slack_sdk_tables()) == []
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-1"
