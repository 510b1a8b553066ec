"""The command line's dealings with the database itself: its schema brought up to date in a child process."""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.cli_errors import Said, database_problem
from bot.forked import run_apart
from bot.settings import Settings
from storage import migrate
from storage.db import Database


def upgrade_apart(settings: Settings) -> bool:
    """Bring the database to the newest schema in a forked child (`bot.forked.run_apart`), so that a long-running
    process never loads Alembic (about 10 MB it would keep for good, in the worker it forks too); True when done so.
    False, doing nothing, where forking is not safe or the database is SQLite in memory (a child's would be its
    own): then the caller upgrades it itself. Raises Said when the child failed (it said why on stderr: exit code
    3 for a database that cannot be used, 1 with a traceback for anything else)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or "mode=memory" in f"{url.database}?{url.query}"
    ):
        return False
    code = run_apart(lambda: _upgrade_here(settings))
    if code is not None and code < 0:  # ended by a signal (the OOM killer, a supervisor's stop): say so here
        print(f"kaizen-bot: the database upgrade was ended by signal {-code}", file=sys.stderr)
        raise Said(1)
    if code not in (None, 0):
        raise Said(code)
    return code == 0


def _upgrade_here(settings: Settings) -> int:
    """The upgrade in `upgrade_apart`'s child: 0, or 3 after saying on stderr why the database cannot be used."""
    db: Database | None = None
    try:
        db = Database(settings.database_url)  # a URL of an unknown driver fails here
        migrate.upgrade(db)
    except SQLAlchemyError as error:
        print(f"kaizen-bot: {database_problem(error)}", file=sys.stderr)
        return 3
    finally:
        if db is not None:
            db.dispose()
    return 0
