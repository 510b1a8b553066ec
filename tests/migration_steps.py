"""Stepping a test's database through the migrations (for tests/test_migrations_*.py): which revision it is at, and
moving it up or down to one, each in a transaction of its own as `storage.migrate.upgrade` runs them."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate
from storage.db import Database


def revision(db: Database) -> str | None:
    """The revision the database is at; None before the first migration."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate_to(db: Database, to: str, *, down: bool) -> None:
    """Upgrade (or, `down`, downgrade) the database to revision `to`."""
    config = migrate.alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, to)


def downgrade(db: Database, to: str) -> None:
    """Downgrade the database to revision `to`."""
    migrate_to(db, to, down=True)


def nullable(db: Database, table: str) -> dict[str, bool]:
    """Each column of `table` as the database has it: name → whether it takes NULL."""
    return {column["name"]: bool(column["nullable"]) for column in inspect(db.engine).get_columns(table)}


def count(db: Database, table: str) -> int:
    """How many rows `table` holds."""
    with db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
