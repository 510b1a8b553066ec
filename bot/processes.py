"""The process model: the serving process answers Slack; a worker process does the background work.

`kaizen-bot run` and `kaizen-bot serve` answer Slack (Socket Mode or HTTP) and, unless `--no-worker`, start
`kaizen-bot worker` as a child (`WorkerProcess`): the huddle fan-out, the outbox and inbox sweeps and the approval
reconciler run there, so a thousand huddles posting at 08:30 never take the serving process's CPU from its acks.
The child is restarted when it dies, stopped with its parent, and stops by itself when its parent is gone (its
standard input closes). Several workers are safe: the database decides who does what (claims with leases).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

WORKER_STOP_SECONDS = 10.0  # a worker finishing a Slack call and a transaction; then it is killed
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0
STABLE_SECONDS = 60.0  # a worker that ran this long and then died is restarted at once again


def on_stop_signal(action: Callable[[], None]) -> None:
    """SIGTERM and SIGINT run `action` (installed before anything starts, so an early signal still stops cleanly)."""

    def handle(_signum: int, _frame: FrameType | None) -> None:
        action()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas for this long-running, many-threaded process, unless MALLOC_ARENA_MAX says.

    glibc gives up to 8 arenas per core to threads that contend; with ~100 threads idle arenas hold tens of MB.
    Python's own allocator does most small allocations, so fewer arenas cost no measurable speed (`bench memory`)."""
    import ctypes
    import ctypes.util

    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return
    m_arena_max = -8  # from glibc's malloc.h
    if mallopt(m_arena_max, arenas) != 1:
        log.debug("mallopt(M_ARENA_MAX) was refused")


def stop_when_parent_goes(stop: Callable[[], None]) -> None:
    """In a worker started by `WorkerProcess`: call `stop` when standard input closes, which happens when the
    parent exits in any way (even SIGKILL), so no worker outlives the process that started it."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        log.info("The serving process is gone: stopping")
        stop()

    threading.Thread(target=watch, name="kaizen-parent-watch", daemon=True).start()


class WorkerProcess:
    """`kaizen-bot worker` as a child of the serving process: `start` spawns it (same interpreter, environment and
    working directory, so the same settings); a watcher restarts it with a growing pause (RESTART_FIRST_SECONDS
    doubling up to RESTART_MAX_SECONDS) when it exits on its own; `stop` sends SIGTERM and kills it after
    WORKER_STOP_SECONDS. Its log lines go to this process's stderr."""

    def __init__(self, *, verbose: bool = False) -> None:
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
        self._process: subprocess.Popen[bytes] | None = None
        self._watcher: threading.Thread | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        """The running worker's process id (None before `start` and after `stop`)."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def _spawn(self) -> subprocess.Popen[bytes]:
        # stdin is a pipe only the parent holds open: its end closing tells the child to stop.
        process = subprocess.Popen(  # noqa: S603 - our own command
            self._command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, close_fds=True
        )
        log.info("Worker process started (pid %s)", process.pid)
        return process

    def start(self) -> None:
        """Spawn the worker and watch it; raises OSError when it cannot be spawned."""
        with self._lock:
            self._process = self._spawn()
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


def start_worker(worker_on: bool, *, verbose: bool = False) -> WorkerProcess | None:
    """The worker process a serving process starts, already running (None when `worker_on` is false: a
    `kaizen-bot worker` runs elsewhere); raises OSError when it cannot be spawned."""
    if not worker_on:
        log.info("No worker process (--no-worker): huddles and sweeps are left to a `kaizen-bot worker` elsewhere")
        return None
    worker = WorkerProcess(verbose=verbose)
    worker.start()
    return worker
