"""`kaizen-bot` as real processes against the Slack double: the environment they read, `kaizen-bot serve` started
and stopped (`ServeProcess`), the serve processes of one test on one SQLite file (`Bots`), and failures that show
what the processes logged."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.db import Database
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, WORKSPACE, eventually
from tests.flows import rows

START_TIMEOUT = 30.0  # seconds for `serve` to say it is serving
STOP_TIMEOUT = 5.0  # seconds for `serve` to exit after SIGTERM
SERVING = re.compile(r"kaizen-bot serving on (http://127\.0\.0\.1:(\d+))")
T = TypeVar("T")


def bot_env(
    double: SlackDouble, tmp_path: Path, *, token: str = BOT_TOKEN, database_url: str | None = None
) -> dict[str, str]:
    """The environment of a `kaizen-bot` process: the double's API, and a SQLite file in `tmp_path` unless given.
    PYTHONPATH is passed on, so that tests run from another checkout (a git worktree) start that checkout's code."""
    passed_on = {name: os.environ[name] for name in ("PYTHONPATH",) if name in os.environ}
    return {
        **passed_on,
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": double.api_url,
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'kaizen.db'}",
    }


def kaizen_bot() -> list[str]:
    """The command line that runs `kaizen-bot`: the installed script, else the module."""
    script = Path(sys.executable).with_name("kaizen-bot")
    if script.exists():
        return [str(script)]
    found = shutil.which("kaizen-bot")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def run_cli(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` run to its end (60 s at most) in `cwd`, its output captured as text."""
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


class ServeProcess:
    """`python -m bot.cli serve --port 0`: started, its port read from stdout, stopped by SIGTERM."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str, *, args: tuple[str, ...] = ()) -> None:
        self.stderr_path = cwd / f"{name}.stderr"
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise AssertionError(f"no 'serving on' line within {START_TIMEOUT}s; stderr:\n{self.stderr()}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise AssertionError(f"serve exited with {self.proc.returncode} before serving:\n{self.stderr()}")
            match = SERVING.search(line)
            if match:
                assert int(match.group(2)) > 0
                return match.group(1)

    def workers(self) -> list[int]:
        """The process ids of the worker processes `serve` started (its children)."""
        return children(self.proc.pid)

    @property
    def endpoint(self) -> str:
        return self.url + "/slack/events"

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"serve did not exit within {STOP_TIMEOUT}s of SIGTERM:\n{self.stderr()}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()


def children(pid: int) -> list[int]:
    """The live child processes of `pid`, read from /proc (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def logs(processes: list[ServeProcess]) -> str:
    """What each process wrote to stderr, under its name."""
    return "".join(f"\n--- {p.stderr_path.name} ---\n{p.stderr()}" for p in processes)


@contextlib.contextmanager
def explained(*processes: ServeProcess) -> Iterator[None]:
    """A failed expectation shows what the bot processes logged."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{error}{logs(list(processes))}") from None


class Bots:
    """The `kaizen-bot serve` processes of one test, all on one SQLite file, and that file read directly."""

    def __init__(self, double: SlackDouble, tmp_path: Path) -> None:
        self.double = double
        self.tmp_path = tmp_path
        self.url = f"sqlite:///{tmp_path / 'kaizen.db'}"
        self.started: list[ServeProcess] = []
        self._db: Database | None = None

    def start(self, *args: str, **env: str) -> ServeProcess:
        """`kaizen-bot serve` with these command-line `args`, its environment plus `env`."""
        name = f"serve-{len(self.started)}"
        process = ServeProcess(bot_env(self.double, self.tmp_path) | env, self.tmp_path, name, args=args)
        self.started.append(process)
        return process

    def driver(self, process: ServeProcess) -> SlackDriver:
        return SlackDriver(process.endpoint, SIGNING_SECRET, self.double, team_id=WORKSPACE)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database(self.url)
        return self._db

    def rows(self, model: type, *where: Any) -> list[Any]:
        return rows(self.db, model, *where)

    def logs(self) -> str:
        return logs(self.started)

    def wait(self, check: Callable[[], T], timeout: float, what: str) -> T:
        """Poll `check` until it is truthy; on time-out, say what did not happen and show the processes' logs."""
        try:
            return eventually(check, timeout=timeout, interval=0.2)
        except AssertionError as error:
            raise AssertionError(f"{what}: {error}{self.logs()}") from None

    def explained(self) -> contextlib.AbstractContextManager[None]:
        return explained(*self.started)

    @contextlib.contextmanager
    def worker_elsewhere(self) -> Iterator[Path]:
        """`kaizen-bot worker` started on its own, as a deployment with `--no-worker` runs it: yields the path of
        its stderr; on leaving it is sent SIGTERM, which it must answer by exiting 0 within 10 s."""
        log_path = self.tmp_path / "worker.stderr"
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker"], env=bot_env(self.double, self.tmp_path),
                cwd=self.tmp_path, stderr=log,
            )  # fmt: skip
            try:
                yield log_path
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(10) == 0, log_path.read_text()
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()

    def close(self) -> None:
        for process in self.started:
            process.close()
        if self._db is not None:
            self._db.dispose()
