"""The command line's dealings with the database itself: its schema brought up to date in a child process, and
one line for a database that cannot be used."""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot import limits
from bot.forked import run_apart
from bot.settings import Settings
from storage import migrate
from storage.db import Database


class Said(Exception):
    """A failure already explained on stderr (by a child process): exit with `code`, saying nothing more."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def database_problem(error: SQLAlchemyError) -> str:
    """One line for a database that cannot be used: the driver's first line, never the password."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    first = (text.splitlines()[0] if text else type(cause).__name__)[: limits.DATABASE_ERROR_SHOWN]
    return f"the database at DATABASE_URL cannot be used ({first}): is it running, and is DATABASE_URL right?"


def upgrade_apart(settings: Settings) -> bool:
    """Bring the database to the newest schema in a forked child (`bot.forked.run_apart`), so that a long-running
    process never loads Alembic (about 10 MB it would keep for good, in the worker it forks too); True when done so.
    False, doing nothing, where forking is not safe or the database is SQLite in memory (a child's would be its
    own): then the caller upgrades it itself. Raises Said when the child failed (it said why on stderr: exit code
    3 for a database that cannot be used, 1 with a traceback for anything else)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return False
    code = run_apart(lambda: _upgrade_here(settings))
    if code not in (None, 0):
        raise Said(code)
    return code == 0


def _upgrade_here(settings: Settings) -> int:
    """The upgrade in `upgrade_apart`'s child: 0, or 3 after saying on stderr why the database cannot be used."""
    db = Database(settings.database_url)
    try:
        migrate.upgrade(db)
    except SQLAlchemyError as error:
        print(f"kaizen-bot: {database_problem(error)}", file=sys.stderr)
        return 3
    finally:
        db.dispose()
    return 0
