"""Priority for urgent writers across processes sharing one SQLite file.

`storage.db.WriterQueue` orders the writers of one process. When the background work runs in a process of its
own (`kaizen-bot worker`), its writes would meet the serving process's only in SQLite's busy handler, which polls
with sleeps of up to 100 ms and favours nobody: an ack could wait behind a run of huddle claims. So processes
agree through advisory locks (`flock`) on two files beside the database, as SQLite keeps `-wal` and `-shm`:

- `<database>-urgent`: a process holds it shared while any of its urgent writers (a write Slack's answer waits on)
  waits or writes; a background writer looks at it before each transaction and, if anyone holds it, waits until
  nobody does;
- `<database>-writers`: urgent writers hold it shared while they wait for SQLite and write; a background writer
  holds it exclusive for its whole transaction.

So a background process starts no transaction while an urgent writer waits anywhere, and an urgent writer waits
at most for the one background transaction under way (the first file keeps a background writer from slipping in
again between its transactions, which flock alone does not promise). The background work catches up in the gaps.
`flock` locks belong to an open file, so two `WriteGate`s in one process exclude each other as two processes do.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl

    AVAILABLE = True
except ImportError:  # Windows has no flock: the store runs without the gate there (SQLite's busy timeout only)
    AVAILABLE = False

log = logging.getLogger(__name__)

GATE_SUFFIX = "-writers"
ANNOUNCE_SUFFIX = "-urgent"


class _LockFile:
    """One advisory lock file, opened on first use (mode 0644, read-only: flock needs no write access). A file that
    cannot be opened or locked (a read-only directory, another account's file, a network file system without
    locks) is logged once and then ignored: writers queue on SQLite's lock alone, as without the gate."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._failed = False
        self._lock = threading.Lock()

    def _file(self) -> int | None:
        with self._lock:
            if self._fd is None and not self._failed:
                try:
                    self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
                except OSError as error:
                    self._failed = True
                    log.warning("Cannot open %s (%s): writers queue on SQLite's lock alone", self.path, error)
            return self._fd

    def flock(self, operation: int) -> None:
        """flock(2) on the file; BlockingIOError for a LOCK_NB that would wait; other errors are logged once."""
        fd = self._file()
        if fd is None:
            return
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            raise
        except OSError as error:
            with self._lock:
                if not self._failed:
                    self._failed = True
                    log.warning("Cannot lock %s (%s): writers queue on SQLite's lock alone", self.path, error)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class WriteGate:
    """The advisory locks beside a SQLite database at `database_path` (see the module). `background` says which
    side this process's writers take: a background writer per transaction (True), or urgent writers while they wait
    and write (False). RuntimeError where the platform has no flock (`AVAILABLE`)."""

    def __init__(self, database_path: str | Path, *, background: bool) -> None:
        if not AVAILABLE:
            raise RuntimeError("no flock on this platform: check write_gate.AVAILABLE first")
        base = Path(database_path).expanduser().resolve()
        self.path = Path(f"{base}{GATE_SUFFIX}")
        self._writers = _LockFile(self.path)
        self._announce = _LockFile(Path(f"{base}{ANNOUNCE_SUFFIX}"))
        self.background = background
        self._mutex = threading.Lock()  # guards the count of this process's urgent writers and its shared locks
        self._urgent = 0
        self._local = threading.local()  # re-entrant depth of a background writer's hold, per thread
        self.yields = 0  # background transactions that waited for urgent writers (`background_write`)
        self.yielded_seconds = 0.0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Hold the shared side for the block: the first urgent writer of the process announces itself and then
        waits at most for a background transaction under way; the last one out lets both go."""
        with self._mutex:
            self._urgent += 1  # counted while it waits too (`urgent_writers`)
            if self._urgent == 1:
                try:
                    self._announce.flock(fcntl.LOCK_SH)  # a background writer holds it for an instant at most
                    self._writers.flock(fcntl.LOCK_SH)  # blocks in the kernel, without the GIL
                except BaseException:
                    self._announce.flock(fcntl.LOCK_UN)
                    self._urgent -= 1
                    raise
        try:
            yield
        finally:
            with self._mutex:
                self._urgent -= 1
                if self._urgent == 0:
                    self._writers.flock(fcntl.LOCK_UN)
                    self._announce.flock(fcntl.LOCK_UN)

    @property
    def urgent_writers(self) -> int:
        """How many of this process's urgent writers wait or write now."""
        return self._urgent

    def _take(self, lock: _LockFile) -> float | None:
        """Take `lock` exclusive; the seconds waited when it was held by someone else, else None."""
        try:
            lock.flock(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            began = time.monotonic()
            lock.flock(fcntl.LOCK_EX)
            return time.monotonic() - began
        return None

    @contextmanager
    def background_write(self) -> Iterator[None]:
        """Hold the exclusive side for the block (re-entrant in one thread): first wait until no process has urgent
        writers waiting or writing, then hold the writers' lock. Each wait adds to `yields` and `yielded_seconds`."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            waits = [self._take(self._announce)]
            self._announce.flock(fcntl.LOCK_UN)  # only a look: urgent writers may announce themselves again
            waits.append(self._take(self._writers))
            waited = [seconds for seconds in waits if seconds is not None]
            if waited:  # one background thread at a time gets here (the process's WriterQueue)
                self.yields += 1
                self.yielded_seconds += sum(waited)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth -= 1
            if self._local.depth == 0:
                self._writers.flock(fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock files (their locks go with them)."""
        self._writers.close()
        self._announce.close()
