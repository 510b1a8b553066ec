"""Apply Alembic migrations, at start and through `kaizen-bot db upgrade`.

Instances starting together must not race on the upgrade: on PostgreSQL an advisory lock, on SQLite the
write lock of `BEGIN IMMEDIATE`, is held for the whole upgrade, and the second instance finds it done.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako) is imported only when a migration runs or is checked: about 4-9 MB a process that never does
# (a worker its serving process started, `bench memory`).

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_KEY = 0x4B41495A454E  # "KAIZEN"


def alembic_config() -> Config:
    """Alembic's configuration for the migrations shipped in `storage/migrations` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database) -> None:
    """Migrate the store to the newest revision, under a lock that makes concurrent starts wait (see the module's
    docstring). Raises what Alembic or the database raise."""
    from alembic import command

    config = alembic_config()
    with db.engine.execution_options(kaizen_write=True).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_up_to_date(db: Database) -> bool:
    """Whether the store is at the newest revision (False for an empty database)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
