"""The process model: the serving process answers Slack; a worker process does the background work.

`kaizen-bot run` and `kaizen-bot serve` answer Slack (Socket Mode or HTTP) and, unless `--no-worker`, start
`kaizen-bot worker` as a child (`WorkerProcess`): the huddle fan-out, the outbox and inbox sweeps and the approval
reconciler run there, so a thousand huddles posting at 08:30 never take the serving process's CPU from its acks.
The first worker is forked from the serving process before it starts any thread (`bot.forked`), so the two share
the pages of every module imported by then; a worker started again after it died is a fresh `python -m bot.cli
worker`. The child is restarted when it dies, stopped with its parent, and stops by itself when its parent is gone
(the pipe it watches closes). Several workers are safe: the database decides who does what (claims with leases).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Protocol

from bot.forked import ForkedChild, can_fork, fork_child

log = logging.getLogger(__name__)

# A stopping worker gives its running jobs JOBS_STOP_SECONDS to finish (`bot.cli.cmd_worker`); the serving process
# waits a little longer before it kills it. A supervisor should allow `run` 5 s more (the Socket Mode close).
WORKER_STOP_SECONDS = 8.0
JOBS_STOP_SECONDS = 5.0
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0
STABLE_SECONDS = 60.0  # a worker that ran this long and then died is restarted at once again


# What a forked worker waits to read before it begins (`WorkerProcess.release`); end-of-file instead: not to begin.
GO_AHEAD = b"g"

# Unix niceness of a worker started by its serving process: at 10 the kernel gives it about a tenth of the CPU
# time the serving process gets whenever both want the same core (Linux CFS weights 110 vs 1024).
WORKER_NICENESS = 10


def on_stop_signal(action: Callable[[], None]) -> None:
    """SIGTERM and SIGINT run `action` (installed before anything starts, so an early signal still stops cleanly)."""

    def handle(_signum: int, _frame: FrameType | None) -> None:
        action()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def give_way_to_serving(niceness: int = WORKER_NICENESS) -> None:
    """Lower this process's CPU priority by `niceness` (Unix nice): a worker beside its serving process on the same
    cores (drawing a Monday's weekly charts takes minutes of CPU) leaves the CPU to the acks Slack waits for, and
    still has every cycle they leave. Where the system refuses, it is logged and the worker runs as it is."""
    try:
        os.nice(niceness)
    except OSError:
        log.info("Could not lower the worker's CPU priority; it runs at the serving process's", exc_info=True)


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas for this long-running, many-threaded process, unless MALLOC_ARENA_MAX says.

    glibc gives up to 8 arenas per core to threads that contend; with ~100 threads idle arenas hold tens of MB.
    Python's own allocator does most small allocations, so fewer arenas cost no measurable speed (`bench memory`)."""
    import ctypes

    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return
    try:
        # The C library the interpreter itself links: ctypes.util.find_library would run ldconfig in a subprocess.
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return
    m_arena_max = -8  # from glibc's malloc.h
    if mallopt(m_arena_max, arenas) != 1:
        log.debug("mallopt(M_ARENA_MAX) was refused")


def stop_when_parent_goes(stop: Callable[[], None], fd: int = 0) -> None:
    """In a worker started by `WorkerProcess`: call `stop` when `fd` (standard input, or the pipe of a forked worker)
    reads end-of-file, which happens when the parent exits in any way (even SIGKILL), so no worker outlives the
    process that started it."""

    def watch() -> None:
        # Raw reads of fd 0: sys.stdin.buffer.read() would hold the reader's lock, and the interpreter aborts at
        # exit on a lock a daemon thread holds (Fatal Python error: _enter_buffered_busy).
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        log.info("The serving process is gone: stopping")
        stop()

    threading.Thread(target=watch, name="kaizen-parent-watch", daemon=True).start()


class WorkerProcess:
    """`kaizen-bot worker` as a child of the serving process: `start` spawns it (same interpreter, environment and
    working directory, so the same settings); a watcher restarts it with a growing pause (RESTART_FIRST_SECONDS
    doubling up to RESTART_MAX_SECONDS) when it exits on its own; `stop` sends SIGTERM and kills it after
    WORKER_STOP_SECONDS. Its log lines go to this process's stderr.

    `forked`, when given, is the worker's main function for a forked child (`bot.forked.fork_child`: it gets the
    file descriptor that reads end-of-file once this process is gone, and returns the exit code): the first worker
    is forked when this process has no other thread yet. Otherwise, and when starting it again, it is exec'd."""

    def __init__(self, *, verbose: bool = False, forked: Callable[[int], int] | None = None) -> None:
        self._forked = forked
        self._command = [
            sys.executable,
            "-m",
            "bot.cli",
            *(["--verbose"] if verbose else []),
            "worker",
            "--with-parent",
        ]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | ForkedChild | None = None
        self._watcher: threading.Thread | None = None
        self._released = False
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        """The running worker's process id (None before `start` and after `stop`)."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def _spawn(self) -> subprocess.Popen[bytes] | ForkedChild:
        forked, self._forked = self._forked, None  # only the first worker: later this process has threads
        if forked is not None and can_fork():
            try:
                child = fork_child(forked)
            except OSError:
                log.warning("Could not fork the worker process; starting it anew", exc_info=True)
            else:
                log.info("Worker process started (pid %s), forked: it shares the modules this process imported",
                         child.pid)  # fmt: skip
                return child
        # stdin is a pipe only the parent holds open: its end closing tells the child to stop.
        # A process group of its own: a terminal's Ctrl-C reaches the serving process only, which stops the worker
        # in turn (instead of both stopping at once while the parent may restart it).
        process = subprocess.Popen(  # noqa: S603 - our own command
            self._command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, close_fds=True, process_group=0
        )
        log.info("Worker process started (pid %s)", process.pid)
        return process

    def start(self, *, hold: bool = False) -> None:
        """Start the worker and watch it; raises OSError when it cannot be started. With `hold`, the worker does
        nothing until `release`: a forked one is forked now (before this process starts threads) and waits; an
        exec'd one is started then."""
        if self._forked is not None and can_fork():
            with self._lock:
                self._process = self._spawn()
        self._forked = None  # forked now or never: later, this process has threads, or holds its listening port
        if not hold:
            self.release()

    def release(self) -> None:
        """Let the worker begin (starting it now if it is exec'd) and start watching it; once."""
        with self._lock:
            if self._released or self._stopping.is_set():
                return
            self._released = True
            if self._process is None:
                self._process = self._spawn()
            elif isinstance(self._process, ForkedChild) and self._process.stdin is not None:
                with contextlib.suppress(OSError):  # it died meanwhile: the watcher starts another
                    self._process.stdin.write(GO_AHEAD)
        self._watcher = threading.Thread(target=self._watch, name="kaizen-worker-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        pause = RESTART_FIRST_SECONDS
        while not self._stopping.is_set():
            with self._lock:
                process = self._process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if process.stdin is not None:
                process.stdin.close()
            if time.monotonic() - started >= STABLE_SECONDS:
                pause = RESTART_FIRST_SECONDS
            log.error("The worker process (pid %s) exited with %s; starting it again in %.0f s", process.pid, code,
                      pause)  # fmt: skip
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, RESTART_MAX_SECONDS)
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self._process = self._spawn()
                except OSError:
                    log.exception("Could not start the worker process; trying again")
                    continue
                self.restarts += 1

    def stopping(self) -> None:
        """Say that the serving process is stopping: a worker that exits from now on is not started again (safe to
        call from a signal handler)."""
        self._stopping.set()

    def stop(self) -> None:
        """Stop the worker (SIGTERM, then SIGKILL after WORKER_STOP_SECONDS) and its watcher; idempotent."""
        self._stopping.set()
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning("The worker process did not stop within %.0f s; killing it", WORKER_STOP_SECONDS)
                process.kill()
                process.wait()
        if process.stdin is not None:
            process.stdin.close()
        log.info("Worker process stopped")


class Jobs(Protocol):
    """What runs the periodic jobs in a process: APScheduler's BackgroundScheduler."""

    def shutdown(self, wait: bool = True) -> None: ...


class Background:
    """Where a serving process's background work runs: its worker process, this process (a SQLite database in
    memory cannot be shared with another process), or elsewhere (`--no-worker`)."""

    def __init__(self, worker: WorkerProcess | None = None, jobs: Jobs | None = None) -> None:
        self.worker = worker
        self._jobs = jobs

    @property
    def elsewhere(self) -> bool:
        """Whether the background work runs in another process (this process's worker, or one elsewhere)."""
        return self._jobs is None

    def stopping(self) -> None:
        """The serving process is stopping: a worker that exits now is not started again (signal-handler safe)."""
        if self.worker is not None:
            self.worker.stopping()

    def release(self) -> None:
        """Let a worker started held (`start_background(hold=True)`) begin."""
        if self.worker is not None:
            self.worker.release()

    def stop(self) -> None:
        """Stop the worker, or this process's jobs (without waiting for a running one)."""
        if self.worker is not None:
            self.worker.stop()
        if self._jobs is not None:
            self._jobs.shutdown(wait=False)


def start_background(
    *, worker_on: bool, shareable: bool, in_process: Callable[[], Jobs], verbose: bool = False,
    forked: Callable[[int], int] | None = None, hold: bool = False,
) -> Background:  # fmt: skip
    """Start a serving process's background work: a worker process (forked with `forked` when it can be, see
    `WorkerProcess`; with `hold`, doing nothing until `Background.release`); none when `worker_on` is false (a
    `kaizen-bot worker` runs elsewhere); `in_process()` when the database is not `shareable` between processes.
    Raises OSError when the worker cannot be started."""
    if not shareable:
        log.warning(
            "The database is in memory, which another process cannot share: the background work runs in this "
            "process, and everything is lost when it stops. Set DATABASE_URL to a file for real use."
        )
        return Background(jobs=in_process())
    if not worker_on:
        log.info("No worker process (--no-worker): huddles and sweeps are left to a `kaizen-bot worker` elsewhere")
        return Background()
    worker = WorkerProcess(verbose=verbose, forked=forked)
    worker.start(hold=hold)
    return Background(worker=worker)


def finish_jobs(jobs: Jobs, seconds: float = JOBS_STOP_SECONDS) -> bool:
    """Stop the jobs, waiting up to `seconds` for running ones (a huddle tick checks between teams whether to stop,
    `bot.huddles`); False when one is still running then. Whatever it held is claimed with a lease, so another
    worker takes it over later."""
    stopper = threading.Thread(target=jobs.shutdown, kwargs={"wait": True}, name="kaizen-jobs-stop", daemon=True)
    stopper.start()
    stopper.join(seconds)
    return not stopper.is_alive()


def exit_now(code: int = 0) -> None:
    """Leave at once, past threads that would hold the interpreter's exit (a job still running): logs flushed."""
    logging.shutdown()
    os._exit(code)
