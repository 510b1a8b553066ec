"""SQLAlchemy Core for the paths every request takes (an idea raised, an event stored, a card posted or updated,
a reaction counted): statements built once with bound parameters and run on the session's connection (`run`), a
new row written with one INSERT instead of the ORM's unit of work (`add_new`), and an INSERT that skips a row whose
key is taken instead of needing a savepoint to survive the error (`insert_skipping_taken`).

Building a statement, the ORM's synchronisation of an UPDATE and its flush cost more than the SQL itself (profiles
of issue 16). Statements run this way change rows no ORM object in the session holds, or columns its callers do
not read back from one, and flush nothing the session holds: a change made to a loaded object is written when the
session flushes, as ever."""

from __future__ import annotations

import functools
from typing import Any, TypeVar, cast

from sqlalchemy import Column, CursorResult, Executable, Insert, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import MANYTOONE, Session, make_transient_to_detached

from storage.models import Base

Row = TypeVar("Row", bound=Base)


def run(session: Session, statement: Executable, params: dict[str, Any]) -> CursorResult[Any]:
    """`statement` with `params` on the session's connection, in its transaction (Core: no ORM bookkeeping, no
    autoflush). Raises as the statement does."""
    return session.connection().execute(statement, params)


@functools.cache
def _insert_returning_key(model: type[Base]) -> Insert:
    [key] = sa_inspect(model).primary_key
    return insert(model).returning(key)


def _default(column: Column[Any]) -> Any:
    """The value a column without one is given on INSERT: its Python-side default (a constant, or a callable of no
    arguments such as `list`), else None. Raises ValueError for a default only the database knows."""
    default = column.default
    if column.server_default is not None or (default is not None and not (default.is_scalar or default.is_callable)):
        raise ValueError(f"{column} has a default that only the database knows")
    if default is None:
        return None
    return default.arg if default.is_scalar else default.arg(None)  # type: ignore[attr-defined]


def add_new(session: Session, row: Row) -> Row:
    """Insert `row`, a new object built in memory and added to no session, with one Core INSERT instead of the
    unit of work. Foreign keys are taken from the many-to-one relationships set on it (an idea's `team`); columns
    not set get their Python-side defaults (then set on `row` too). Returns `row`, now detached: its id given,
    every column loaded, its relationships as set. It is to read, not to change (load it again for that), and not
    to be added to a session. Raises IntegrityError as the INSERT does (e.g. a dedupe key taken), ValueError for a
    model with a default only the database knows."""
    mapper = sa_inspect(type(row))
    given = row.__dict__
    for relationship in mapper.relationships:
        target = given.get(relationship.key)
        if relationship.direction is MANYTOONE and target is not None:
            for local, remote in relationship.local_remote_pairs:
                key = mapper.get_property_by_column(local).key
                setattr(row, key, getattr(target, relationship.mapper.get_property_by_column(remote).key))
    [primary_key] = mapper.primary_key
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column is primary_key:
            continue
        if prop.key not in given:
            setattr(row, prop.key, _default(cast("Column[Any]", column)))
        values[str(column.key)] = given[prop.key]
    new_id = run(session, _insert_returning_key(type(row)), values).scalar_one()
    setattr(row, mapper.get_property_by_column(primary_key).key, new_id)
    make_transient_to_detached(row)
    return row


@functools.cache
def insert_skipping_taken(dialect: str, model: type[Base]) -> SqliteInsert | PostgresqlInsert:
    """`model`'s INSERT … ON CONFLICT DO NOTHING for `dialect` (a session's `connection().dialect.name`: "sqlite"
    or "postgresql"): a row whose unique key is taken is skipped (none inserted, none returned by a RETURNING
    clause), not an error, so no savepoint is needed to carry on after it. Built once per dialect and model;
    raises ValueError for another dialect."""
    if dialect == "postgresql":
        return postgresql_insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(model).on_conflict_do_nothing()
    raise ValueError(f"no INSERT … ON CONFLICT for {dialect!r}")
