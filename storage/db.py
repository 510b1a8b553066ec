"""Engine and sessions. SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for writing transactions, so
read-then-write work never fails half-way with "database is locked" when threads or processes share the file; and
writers an answer to Slack waits on go first, within a process (`WriterQueue`) and across processes
(`storage.write_gate`)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from storage import write_gate
from storage.write_gate import WriteGate

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run with `Session.execute` matched.

    SQLAlchemy types `Session.execute` as returning a `Result`; for such a statement it is a `CursorResult`, the
    one kind with `rowcount` (the cast its documentation gives for this)."""
    return cast("CursorResult[Any]", result).rowcount


class WriterQueue:
    """A re-entrant lock where urgent writers go first: a write someone's 3-second ack waits on should not queue
    behind a thousand huddle claims. Among writers of one kind the order is whoever wakes first.

    A release wakes one waiter, not all: with sixty threads waiting, waking every one to re-check cost a sixth of
    the process's CPU under load."""

    def __init__(self) -> None:
        lock = threading.Lock()
        self._urgent = threading.Condition(lock)
        self._others = threading.Condition(lock)
        self._owner: int | None = None
        self._depth = 0
        self._urgent_waiting = 0
        self._others_waiting = 0

    def waiting(self) -> tuple[int, int]:
        """How many urgent and other writers wait now."""
        with self._urgent:
            return self._urgent_waiting, self._others_waiting

    @contextmanager
    def hold(self, urgent: bool) -> Iterator[None]:
        """Hold the lock for the block (re-entrant in one thread); `urgent` writers are let in before the others."""
        me = threading.get_ident()
        with self._urgent:  # the lock both conditions share
            if self._owner == me:
                self._depth += 1
            elif urgent:
                self._urgent_waiting += 1
                try:
                    self._urgent.wait_for(lambda: self._owner is None)
                finally:
                    self._urgent_waiting -= 1
                self._owner, self._depth = me, 1
            else:
                self._others_waiting += 1
                try:
                    self._others.wait_for(lambda: self._owner is None and not self._urgent_waiting)
                finally:
                    self._others_waiting -= 1
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._urgent:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    # A woken writer that finds the lock taken again waits again; the next release wakes another.
                    (self._urgent if self._urgent_waiting else self._others).notify()


class Database:
    """The store's engine and session factories for a SQLAlchemy URL (`sqlite:///…` or `postgresql://…`); raises
    sqlalchemy.exc.ArgumentError for a URL SQLAlchemy cannot read. `is_sqlite` says which kind it is.

    `background`: this process does background work only (`kaizen-bot worker`); on a SQLite file its writes give
    way to urgent writes of the other processes (`storage.write_gate`). PostgreSQL needs no such thing: it locks
    rows, not the whole database."""

    def __init__(self, url: str | URL, *, echo: bool = False, background: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine(echo)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(kaizen_write=True), expire_on_commit=False)
        self._writers = WriterQueue() if self.is_sqlite else None
        in_memory = self.url.database in (None, "", ":memory:")
        shared_file = self.is_sqlite and not in_memory and write_gate.AVAILABLE
        self.gate = WriteGate(self.url.database or "", background=background) if shared_file else None

    def _create_engine(self, echo: bool) -> Engine:
        if not self.is_sqlite:
            # A server that drops packets must not hang start-up: give up connecting after 10 s.
            return create_engine(
                self.url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20,
                connect_args={"connect_timeout": 10} if self.url.get_backend_name() == "postgresql" else {},
            )  # fmt: skip
        in_memory = self.url.database in (None, "", ":memory:")
        if not in_memory:
            Path(self.url.database or "").expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            self.url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **({"poolclass": StaticPool} if in_memory else {}),
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below start transactions, instead of pysqlite's own guesswork.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            # Writers take the lock up front: a deferred transaction that reads and then writes can fail with
            # SQLITE_BUSY without waiting on the busy timeout.
            immediate = connection.get_execution_options().get("kaizen_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction for reading: its session; the transaction ends with the block."""
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, urgent: bool = False) -> Iterator[Session]:
        """A writing transaction: committed when the block ends, rolled back whole on any error.

        On SQLite, writers in this process queue first: SQLite has one writer at a time, and threads waiting in
        its busy handler poll with growing sleeps, which is far slower than a queue. `urgent` is for writes that
        an answer to Slack waits on; they go before background work, in this process and (through the write
        gate) in the others that share the file."""
        gate = self.gate
        # The order matters: an urgent writer shows other processes it waits before queueing here; a background
        # writer takes the gate only once it is this process's turn, so one thread holds it at a time.
        announced: AbstractContextManager[None] = (
            gate.urgent() if gate and urgent and not gate.background else nullcontext()
        )
        queued: AbstractContextManager[None] = self._writers.hold(urgent) if self._writers else nullcontext()
        yielding: AbstractContextManager[None] = gate.background_write() if gate and gate.background else nullcontext()
        with announced, queued, yielding, self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close the engine's pooled connections and the write gate's file (at shutdown)."""
        self.engine.dispose()
        if self.gate is not None:
            self.gate.close()
