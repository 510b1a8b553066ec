"""The process model: `kaizen-bot serve` answers Slack and starts `kaizen-bot worker` for the background work (the
huddle fan-out, the outbox and inbox sweeps). Real processes on the real clock, one SQLite file, the Slack double.

Each test starts with a team whose huddle was due a minute ago, so a worker's first huddle tick (at its start)
posts it: who posts it, and when, shows where the background work runs."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doubles.slack import SlackDouble
from storage import migrate, queries
from storage.db import Database
from tests.conftest import ALICE, TEAM_CHANNEL, WORKSPACE
from tests.flows import huddles, team_channel
from tests.processes import Bots

pytestmark = pytest.mark.slow

POSTED = "[worker] bot.huddles.daily: Posted huddle"


@pytest.fixture
def bots(double: SlackDouble, tmp_path: Path) -> Iterator[Bots]:
    double.clock = time.time  # the processes run on the real clock; so does Slack
    team_channel(double, (ALICE,))
    running = Bots(double, tmp_path)
    _huddle_due(running.url)
    yield running
    running.close()


def _huddle_due(url: str) -> None:
    """The team of TEAM_CHANNEL, its daily huddle due a minute ago (UTC)."""
    db = Database(url)
    migrate.upgrade(db)
    now = datetime.now(UTC)
    with db.write() as session:
        team = queries.ensure_team(session, WORKSPACE, TEAM_CHANNEL, "ward-7", now)
        team.timezone = "UTC"
        team.huddle_times = [(now - timedelta(minutes=1)).strftime("%H:%M")]
        team.huddle_days = list(range(7))
    db.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")


def _holds_shm_lock(pid: int, database: Path) -> bool:
    """Whether `pid` holds a POSIX lock on the database's -shm file (/proc/locks): SQLite's every connection in WAL
    mode holds one (its "dead man switch") while it has the file open."""
    shm = Path(f"{database}-shm").stat()
    device = f"{os.major(shm.st_dev):02x}:{os.minor(shm.st_dev):02x}:{shm.st_ino}"
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "POSIX" and fields[4] == str(pid) and fields[5] == device:
            return True
    return False


def _niceness(pid: int) -> int:
    """The process's Unix nice value (/proc/<pid>/stat, field 19)."""
    return int(Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[16])


def test_serve_starts_a_worker_that_posts_the_huddles_and_stops_with_it(bots: Bots, double: SlackDouble):
    serve = bots.start()
    [worker] = bots.wait(serve.workers, 10, "the worker process")
    bots.wait(lambda: huddles(double), 30, "the huddle, posted by the worker")
    # The worker's lines are marked: it posted, not the serving process (its line may come just after the post).
    bots.wait(lambda: POSTED in serve.stderr(), 10, "the worker's log line of the post")
    with bots.explained():
        # Forked from the serving process before it had threads: the two share the modules imported by then.
        assert f"Worker process started (pid {worker}), forked" in serve.stderr()
        # The worker leaves the CPU to the acks when both want it (a Monday's charts take minutes of CPU).
        assert _niceness(worker) == min(_niceness(serve.proc.pid) + 10, 19)
        # It was forked with no database connection open: SQLite's bookkeeping of its locks is per process, and a
        # worker that inherited it would take no lock of its own on the -shm file (another process opening the
        # database would think nobody uses it). Its own connections hold their lock; its output is not serve's.
        assert _holds_shm_lock(worker, bots.tmp_path / "kaizen.db")
        assert os.readlink(f"/proc/{worker}/fd/1") == os.devnull
        assert serve.terminate() == 0
        assert not _alive(worker), "the worker outlived serve"
        assert "Worker process stopped" in serve.stderr()
    assert len(huddles(double)) == 1


def test_with_no_worker_serve_leaves_the_background_work_to_a_worker_elsewhere(bots: Bots, double: SlackDouble):
    serve = bots.start("--no-worker")
    time.sleep(5)  # what a worker would have done by now (its first tick runs at its start)
    with bots.explained():
        assert serve.workers() == []
        assert huddles(double) == []
        assert "No worker process (--no-worker)" in serve.stderr()
    with bots.worker_elsewhere() as log_path:
        bots.wait(lambda: huddles(double), 30, "the huddle, posted by `kaizen-bot worker`")
    assert POSTED in log_path.read_text()
    assert serve.terminate() == 0


def test_the_old_no_scheduler_flag_still_means_no_worker(bots: Bots, double: SlackDouble):
    serve = bots.start("--no-scheduler")
    with bots.explained():
        assert serve.workers() == []
        assert "--no-scheduler is now called --no-worker" in serve.stderr()
        assert serve.terminate() == 0


def test_a_worker_that_dies_is_started_again(bots: Bots, double: SlackDouble):
    serve = bots.start()
    [first] = bots.wait(serve.workers, 10, "the worker process")
    bots.wait(lambda: huddles(double), 30, "the huddle, posted by the first worker")
    os.kill(first, signal.SIGKILL)
    [second] = bots.wait(lambda: [pid for pid in serve.workers() if pid != first], 15, "a new worker process")
    with bots.explained():
        assert second != first
        assert f"The worker process (pid {first}) exited with -9" in serve.stderr()
        # Started again from a process with threads, it is exec'd: forking then could inherit a held lock.
        assert f"Worker process started (pid {first}), forked" in serve.stderr()
        assert f"Worker process started (pid {second})\n" in serve.stderr()
        assert len(huddles(double)) == 1  # the new worker finds the slot posted
        assert serve.terminate() == 0
        assert not _alive(second)


def test_a_worker_whose_serving_process_is_killed_stops_by_itself(bots: Bots, double: SlackDouble):
    serve = bots.start()
    [worker] = bots.wait(serve.workers, 10, "the worker process")
    bots.wait(lambda: huddles(double), 30, "the huddle")
    serve.proc.kill()  # SIGKILL: serve cannot stop its worker
    serve.proc.wait(10)
    bots.wait(lambda: not _alive(worker), 10, "the orphaned worker stopping")
    assert "The serving process is gone: stopping" in serve.stderr()
