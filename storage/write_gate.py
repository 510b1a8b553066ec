"""Priority for urgent writers across processes sharing one SQLite file.

`storage.db.WriterQueue` orders the writers of one process. When the background work runs in a process of its
own (`kaizen-bot worker`), its writes would meet the serving process's only in SQLite's busy handler, which polls
with sleeps of up to 100 ms and favours nobody: an ack could wait behind a run of huddle claims. So processes
agree through an advisory lock on a file beside the database (`<database>-writers`, like SQLite's own `-wal` and
`-shm`):

- while a writer that Slack's answer waits on (`urgent`) waits or writes, its process holds the lock shared;
- a background process takes the lock exclusive for each of its write transactions, so it starts none while an
  urgent writer anywhere waits, and an urgent writer waits at most for the one transaction under way.

Linux gives a waiting exclusive lock no preference over new shared ones, which is what is wanted here: the
background work yields for as long as acks keep coming, and catches up in the gaps. `flock` locks belong to an
open file, so two `WriteGate`s in one process exclude each other just as two processes do.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GATE_SUFFIX = "-writers"


class WriteGate:
    """The advisory lock file beside a SQLite database at `database_path`; opened on first use (created with
    mode 0600). `background` says which side this process's writers take: exclusive per transaction (True) or
    shared while any urgent writer waits or writes (False). Raises OSError when the file cannot be opened."""

    def __init__(self, database_path: str | Path, *, background: bool) -> None:
        self.path = Path(f"{Path(database_path).expanduser().resolve()}{GATE_SUFFIX}")
        self.background = background
        self._fd: int | None = None
        self._open_lock = threading.Lock()
        self._mutex = threading.Lock()  # guards the count of this process's urgent writers and the shared lock
        self._urgent = 0
        self._local = threading.local()  # re-entrant depth of a background writer's hold, per thread
        self.yields = 0  # background transactions that waited for urgent writers (`background_write`)
        self.yielded_seconds = 0.0

    def _file(self) -> int:
        with self._open_lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            return self._fd

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Hold the shared side for the block: the first urgent writer of the process takes it (waiting at most for
        a background transaction under way), the last one out lets it go."""
        with self._mutex:
            self._urgent += 1  # counted while it waits too (`urgent_writers`)
            if self._urgent == 1:
                try:
                    fcntl.flock(self._file(), fcntl.LOCK_SH)  # blocks in the kernel, without the GIL
                except BaseException:
                    self._urgent -= 1
                    raise
        try:
            yield
        finally:
            with self._mutex:
                self._urgent -= 1
                if self._urgent == 0:
                    fcntl.flock(self._file(), fcntl.LOCK_UN)

    @property
    def urgent_writers(self) -> int:
        """How many of this process's urgent writers wait or write now."""
        return self._urgent

    @contextmanager
    def background_write(self) -> Iterator[None]:
        """Hold the exclusive side for the block (re-entrant in one thread): waits while any process has urgent
        writers waiting or writing. Each wait adds to `yields` and `yielded_seconds`."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # an urgent writer waits or writes somewhere: give way, and count it
                began = time.monotonic()
                fcntl.flock(self._file(), fcntl.LOCK_EX)
                self.yields += 1  # one background thread at a time gets here (the process's WriterQueue)
                self.yielded_seconds += time.monotonic() - began
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth -= 1
            if self._local.depth == 0:
                fcntl.flock(self._file(), fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (its locks go with it)."""
        with self._open_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
