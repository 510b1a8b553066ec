"""A child process forked from this one, without exec: it starts with this process's imported modules (about
75 MB of SQLAlchemy, slack_sdk, Bolt, pydantic and our own code) in pages the two share until either writes to
them. Started as its own `python -m bot.cli worker`, the worker paid for all of it again (`python -m bench memory`).

Forking is only safe while this process has a single thread: a lock another thread held at the fork stays held
forever in the child. `can_fork` says whether it is safe now; `bot.processes.WorkerProcess` forks the first worker
(before the serving process starts any thread) and starts the worker again with exec should it ever die.
"""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO

log = logging.getLogger(__name__)


def can_fork() -> bool:
    """Whether forking a child that goes on running Python is safe here: a platform with fork and a working
    pidfd_open (Linux 5.3+, and no seccomp profile refusing it), and this process has no thread but the main one."""
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open") or threading.active_count() != 1:
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class ForkedChild:
    """A forked child, with the part of `subprocess.Popen`'s interface the worker's keeper uses: `pid`, `stdin`
    (the parent's end of the pipe whose closing tells the child its parent is gone), `poll`, `wait`,
    `send_signal`, `kill` and `returncode` (negative: the signal that ended it). Safe to wait on from several
    threads: the child is reaped once, under a lock."""

    def __init__(self, pid: int, parent_end: int, exited: int) -> None:
        """`exited`: a pidfd of the child (readable once it has exited, without reaping it: each waiting thread can
        select on it). Kept open for the object's life, as a thread may still be selecting on it."""
        self.pid = pid
        self.stdin: IO[bytes] | None = os.fdopen(parent_end, "wb", buffering=0)
        self.returncode: int | None = None
        self._exited = exited
        self._lock = threading.Lock()

    def poll(self) -> int | None:
        """The exit code once the child has exited (reaping it), else None."""
        with self._lock:
            if self.returncode is None:
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, waiting up to `timeout` seconds (None: as long as it takes); raises
        subprocess.TimeoutExpired when the child is still running then."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise subprocess.TimeoutExpired(f"forked child {self.pid}", timeout or 0.0)
            select.select([self._exited], [], [], remaining)
        return code

    def send_signal(self, signum: int) -> None:
        """Send `signum` to the child unless it was reaped already (its pid may be another process's by then)."""
        with self._lock:
            if self.returncode is None:
                os.kill(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the child."""
        self.send_signal(signal.SIGKILL)

    def close(self) -> None:
        """Close the pipe to the child and its pidfd, once it has been reaped and nobody waits on it any more."""
        if self.stdin is not None:
            self.stdin.close()
        os.close(self._exited)


def fork_child(run: Callable[[int], int], *, freeze: bool = True) -> ForkedChild:
    """Fork a child that calls `run(parent_fd)` and exits with what it returns (1 when it raises), never coming
    back into the caller's code. `parent_fd` reads end-of-file once this process is gone, however it ends. The
    child has a process group of its own, so a terminal's Ctrl-C reaches the parent only. `freeze`: keep the
    objects made so far out of the collector's way for good (a long-lived child that should share them). Call
    only when `can_fork()`, with no database connection open (the child would share it; SQLite keeps its locks'
    bookkeeping per process); raises OSError when the system cannot fork."""
    child_end, parent_end = os.pipe()
    sys.stdout.flush()  # what this process printed before is not printed again by the child
    sys.stderr.flush()
    if freeze:
        # The objects created so far are left alone by the collector from now on (in both processes): collecting
        # writes to every object it looks at, which would copy each shared page into the process that did it.
        gc.freeze()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(parent_end)
            os.setpgid(0, 0)
            # Standard input and output are the parent's (a terminal, a supervisor's pipe): whoever reads the
            # parent's output to its end must not wait for the child too. Its log goes to the shared stderr.
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.close(devnull)
            # Stopped before `run` installs its own handlers, the child ends as an exec'd one would, not through
            # the handlers the parent installed (which set the parent's flags, in this copy of its memory).
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = run(child_end)
        except BaseException:  # noqa: BLE001 - whatever happens, the child must never return into the parent's code
            traceback.print_exc()
        finally:
            logging.shutdown()
            sys.stderr.flush()
            os._exit(code)
    os.close(child_end)
    try:
        exited = os.pidfd_open(pid)
    except OSError:  # refused after all (can_fork checked it): the child is ended and reaped (a worker waits to be
        # told to begin; an upgrade stops as it would in a crash, and the caller then runs it itself)
        os.close(parent_end)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    return ForkedChild(pid, parent_end, exited)


def run_apart(run: Callable[[], int]) -> int | None:
    """`run()` in a forked child, waited for: its exit code (1 when it raised, its traceback on stderr); None,
    running nothing, when forking is not safe here (`can_fork`). For work whose imports this process should not
    keep (a database upgrade loads Alembic)."""
    if not can_fork():
        return None
    try:
        child = fork_child(lambda _parent_fd: run(), freeze=False)
    except OSError:  # no room for another process (RLIMIT_NPROC, memory): the caller does it itself
        log.warning("Could not fork a child process; doing the work in this one", exc_info=True)
        return None
    try:
        return child.wait()
    finally:
        child.close()
