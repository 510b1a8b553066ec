"""Writes an ack waits on go first across processes that share a SQLite file (`storage.write_gate`).

`flock` locks belong to an open file, so two `Database`s in this process stand for the serving process and the
worker exactly as two processes would. A raw sqlite3 connection holds the write lock to line writers up."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from storage import migrate
from storage.db import Database
from storage.models import Workspace
from tests.conftest import eventually


@pytest.fixture
def path(tmp_path: Path) -> Path:
    db = Database(f"sqlite:///{tmp_path / 'kaizen.db'}")
    migrate.upgrade(db)
    db.dispose()
    return tmp_path / "kaizen.db"


@pytest.fixture
def serving(path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def worker(path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{path}", background=True)
    yield db
    db.dispose()


def _begins(db: Database) -> list[str]:
    """The BEGINs `db` has sent to SQLite so far (a list that grows)."""
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            seen.append(statement)

    return seen


def _announced(path: Path) -> bool:
    """Whether some writer holds the urgent writers' lock file beside the database (an ack's write waits)."""
    fd = os.open(f"{path}-urgent", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False


def _add(db: Database, workspace_id: str, *, urgent: bool = False) -> None:
    with db.write(urgent=urgent) as session:
        session.add(Workspace(id=workspace_id, created_at=datetime.now(UTC)))


def _order(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Workspace.id).order_by(text("rowid"))))


def test_a_background_write_waits_while_an_urgent_one_waits_and_goes_after_it(
    path: Path, serving: Database, worker: Database
):
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone else is writing: both writers below must wait
    urgent = threading.Thread(target=_add, args=(serving, "T_ACK"), kwargs={"urgent": True})
    urgent.start()
    assert serving.gate is not None
    eventually(lambda: _announced(path))  # it waits, and says so to the other processes
    worker_begins = _begins(worker)
    background = threading.Thread(target=_add, args=(worker, "T_HUDDLE"))
    background.start()
    background.join(0.5)
    assert background.is_alive()
    assert worker_begins == [], "the background writer began a transaction while an ack's write was waiting"
    holder.execute("COMMIT")
    holder.close()
    urgent.join(10)
    background.join(10)
    assert _order(serving) == ["T_ACK", "T_HUDDLE"]
    assert worker.gate is not None and worker.gate.yields == 1


def test_an_urgent_write_waits_for_the_background_transaction_under_way_and_no_more(
    path: Path, serving: Database, worker: Database
):
    inside, release = threading.Event(), threading.Event()

    def long_background() -> None:
        with worker.write() as session:
            session.add(Workspace(id="T_FIRST", created_at=datetime.now(UTC)))
            inside.set()
            release.wait(10)

    first = threading.Thread(target=long_background)
    first.start()
    assert inside.wait(10)
    urgent = threading.Thread(target=_add, args=(serving, "T_ACK"), kwargs={"urgent": True})
    urgent.start()
    eventually(lambda: _announced(path))
    more = threading.Thread(target=_add, args=(worker, "T_NEXT"))  # the worker's next transaction
    more.start()
    release.set()
    for thread in (first, urgent, more):
        thread.join(10)
    assert _order(serving) == ["T_FIRST", "T_ACK", "T_NEXT"]


def test_without_a_worker_urgent_writes_take_the_gate_and_leave_it_free(serving: Database, path: Path):
    _add(serving, "T_ONE", urgent=True)
    _add(serving, "T_TWO")
    fd = os.open(f"{path}-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody holds it once the writes are done
    finally:
        os.close(fd)
    assert _order(serving) == ["T_ONE", "T_TWO"]


def test_postgresql_and_in_memory_databases_have_no_gate():
    assert Database("sqlite://").gate is None
    assert Database("postgresql://nobody@127.0.0.1:1/none").gate is None
