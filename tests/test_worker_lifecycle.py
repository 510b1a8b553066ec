"""How `kaizen-bot worker` stops, how `run`/`serve` and their worker stop together, and the databases and
platforms the write gate must cope with (issue 16 item 2). Real processes, the Slack doubles on loopback, a SQLite
file in the test's temp dir."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doubles.slack import SlackDouble
from doubles.socket_mode import SocketModeDouble
from storage import migrate
from storage.db import Database
from tests.conftest import BOT_TOKEN, eventually
from tests.processes import bot_env, children

pytestmark = pytest.mark.slow

APP_TOKEN = "xapp-1-review"
STARTED = "Scheduler started"  # the worker's line once its jobs run
FATAL = "Fatal Python error"


def _upgraded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kaizen.db'}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    return url


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def worker_env(double: SlackDouble, tmp_path: Path) -> dict[str, str]:
    return bot_env(double, tmp_path, database_url=_upgraded(tmp_path))


def _start_worker(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """`kaizen-bot worker --with-parent` as `WorkerProcess` starts it: stdin a pipe this test holds open."""
    err = tmp_path / "worker.stderr"
    with err.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--with-parent"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    eventually(lambda: STARTED in _read(err), timeout=30, interval=0.1)
    return proc, err


def _reap(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_a_worker_its_parent_stops_with_sigterm_exits_0_without_a_fatal_error(
    worker_env: dict[str, str], tmp_path: Path
):
    """WorkerProcess.stop sends SIGTERM. The worker's parent-watch thread sits in sys.stdin.buffer.read(), holding
    the BufferedReader's lock, and the interpreter's shutdown then aborts on that lock (SIGABRT, a core dump where
    cores are kept) instead of exiting 0."""
    proc, err = _start_worker(worker_env, tmp_path)
    try:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
    finally:
        _reap(proc)
    log = _read(err)
    assert FATAL not in log, log
    assert code == 0, log


def test_a_worker_whose_parent_is_gone_exits_0(worker_env: dict[str, str], tmp_path: Path):
    proc, err = _start_worker(worker_env, tmp_path)
    try:
        assert proc.stdin is not None
        proc.stdin.close()  # the parent is gone
        code = proc.wait(20)
    finally:
        _reap(proc)
    log = _read(err)
    assert "The serving process is gone: stopping" in log
    assert FATAL not in log, log
    assert code == 0, log


def test_ctrl_c_stops_run_and_its_worker_without_starting_the_worker_again(
    double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    """Ctrl-C in a terminal (and `make run`) sends SIGINT to the whole foreground process group, and systemd's
    default KillMode sends SIGTERM to every process of the unit: the worker gets the signal too and exits at once,
    while `run` is still closing its Socket Mode connection (up to 5 s). The watcher must not take that for a
    crash: no "starting it again" error, no second worker spawned during shutdown."""
    env = bot_env(double, tmp_path) | {"SLACK_APP_TOKEN": APP_TOKEN}
    err = tmp_path / "run.stderr"
    with err.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # a process group of its own, as a terminal's foreground job has
        )
    try:
        eventually(lambda: "Connected to Slack through Socket Mode" in _read(err), timeout=30, interval=0.1)
        eventually(lambda: f"[worker] bot.jobs: {STARTED}" in _read(err), timeout=30, interval=0.1)
        # A connection whose close is slow, as Slack's often is (1-3 s, bot/cli.py bounds it at 5 s).
        socket_mode.go_silent()
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        code = proc.wait(30)
    finally:
        _reap(proc)
        with contextlib.suppress(ProcessLookupError):  # a worker started again during the stop, if any
            os.killpg(proc.pid, signal.SIGKILL)
    log = _read(err)
    assert code == 0, log
    assert "starting it again" not in log, log
    assert len(re.findall(r"Worker process started \(pid \d+\)", log)) == 1, log


def test_serve_on_an_in_memory_database_does_its_background_work_on_that_database(double: SlackDouble, tmp_path: Path):
    """`sqlite://` (or `sqlite:///:memory:`) is one database per process: a worker process gets an empty database
    of its own, never upgraded (it is started with upgrade_db=False), so every job fails with "no such table" and
    no huddle or sweep ever touches the serving process's data. Before the worker process this worked (the
    scheduler ran in the serving process)."""
    env = bot_env(double, tmp_path, database_url="sqlite://")
    err = tmp_path / "serve.stderr"
    with err.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        assert proc.stdout is not None
        assert b"kaizen-bot serving on" in proc.stdout.readline()
        time.sleep(8)  # the jobs' first ticks run at start, the inbox sweep every 5 s
        log = _read(err)
        assert "no such table" not in log, log
        assert not re.search(r"ERROR \[worker\]", log), log
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        _reap(proc)


def test_the_store_imports_and_writes_on_a_platform_without_fcntl(tmp_path: Path):
    """Windows has no fcntl. storage.db imports storage.write_gate, which imports fcntl at its top, so before this
    change the bot ran there (and anywhere on PostgreSQL); now even `import storage.db` fails. Without flock the
    gate can only be left out."""
    script = f"""
import sys
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
from datetime import UTC, datetime
from storage import migrate
from storage.db import Database
from storage.models import Workspace
db = Database("sqlite:///{tmp_path / "kaizen.db"}")
migrate.upgrade(db)
with db.write(urgent=True) as session:
    session.add(Workspace(id="T1", created_at=datetime.now(UTC)))
print("wrote")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout


def test_serve_stopped_during_its_start_leaves_no_worker_behind(double: SlackDouble, tmp_path: Path):
    """SIGTERM while `serve` starts (after its handlers are installed): it exits 0 and no worker outlives it."""
    env = bot_env(double, tmp_path, database_url=_upgraded(tmp_path)) | {"SLACK_BOT_TOKEN": BOT_TOKEN}
    err = tmp_path / "serve.stderr"
    with err.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        eventually(lambda: "Worker process started" in _read(err), timeout=30, interval=0.01)
        spawned = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    finally:
        _reap(proc)
    for pid in spawned:
        eventually(lambda pid=pid: not Path(f"/proc/{pid}").exists(), timeout=15, interval=0.1)
    assert code == 0, _read(err)


def test_in_oauth_mode_the_worker_posts_huddles_with_the_installed_token(double: SlackDouble, tmp_path: Path):
    """OAuth (SLACK_CLIENT_ID and secret, no SLACK_BOT_TOKEN): the worker finds each workspace's token in the
    installation store, as the in-process scheduler did."""
    from datetime import UTC, datetime, timedelta

    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from storage import queries
    from tests.conftest import ALICE, TEAM_CHANNEL, WORKSPACE
    from tests.flows import huddles, team_channel

    double.clock = time.time  # real processes, the real clock
    team_channel(double, (ALICE,))
    url = _upgraded(tmp_path)
    db = Database(url)
    SQLAlchemyInstallationStore(client_id="1.2", engine=db.engine).save(
        Installation(
            app_id=double.app_id,
            team_id=WORKSPACE,
            user_id=ALICE,
            bot_token=BOT_TOKEN,
            bot_id="B1",
            bot_user_id="UBOT",
            bot_scopes=["chat:write"],
        )
    )
    now = datetime.now(UTC)
    with db.write() as session:
        team = queries.ensure_team(session, WORKSPACE, TEAM_CHANNEL, "ward-7", now)
        team.timezone = "UTC"
        team.huddle_times = [(now - timedelta(minutes=1)).strftime("%H:%M")]
        team.huddle_days = list(range(7))
    db.dispose()
    env = {k: v for k, v in bot_env(double, tmp_path, database_url=url).items() if k != "SLACK_BOT_TOKEN"}
    env |= {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "client-secret"}
    err = tmp_path / "serve.stderr"
    with err.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    try:
        try:
            eventually(lambda: huddles(double), timeout=40, interval=0.2)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{_read(err)}") from None
        # Who posted it: the worker's lines are marked (the line may follow the post by a moment).
        eventually(lambda: "[worker] bot.huddles.daily: Posted huddle" in _read(err), timeout=10, interval=0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        _reap(proc)


def _status(pid: int) -> str:
    """The process's state line from /proc (e.g. "State: Z (zombie)"), or "" once it is gone."""
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
    except (FileNotFoundError, StopIteration):
        return ""


def test_serve_that_cannot_listen_leaves_no_worker_and_no_work_done(double: SlackDouble, tmp_path: Path):
    """The port is taken: `serve` fails (make_server raises). Its worker was forked before (waitress starts threads,
    after which forking is unsafe) but held: it is stopped without having done anything. It once ran on
    unsupervised until it noticed its parent was gone."""
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    env = bot_env(double, tmp_path, database_url=_upgraded(tmp_path))
    err = tmp_path / "serve.stderr"
    try:
        with err.open("wb") as log:
            result = subprocess.run(
                [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port",
                 str(taken.getsockname()[1])],
                env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log, timeout=60, check=False,
            )  # fmt: skip
    finally:
        taken.close()
    log_text = _read(err)
    assert result.returncode != 0, log_text
    started = re.search(r"Worker process started \(pid (\d+)\)", log_text)
    if started is not None:
        assert "Worker process stopped" in log_text, log_text
        assert not Path(f"/proc/{started.group(1)}").exists() or "zombie" in _status(int(started.group(1)))
    assert "[worker]" not in log_text, "the held worker did nothing"
