"""What the command line says when it cannot go on: light to import, for every command."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from bot import limits


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
