"""What every benchmark shares: the machine, tables with verdicts, percentiles, signed requests, a closed-loop HTTP
load generator, waiting for a process to go idle, and child processes spoken to over a pipe."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import math
import multiprocessing
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bot.slack.signing import signature

REPO = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
WORKSPACE = "T0001"
EVENTS_PATH = "/slack/events"
MB = 1024 * 1024


# --- the machine --------------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def code_line() -> str:
    """Which code was measured: the commit, and whether the work tree had changes (others edit it meanwhile)."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    return f"code: {described or 'unknown (not a git work tree)'}"


CONNECTION_LIMIT_LINE = "no longer accepting new connections"


def connection_limit_hits(log_text: str) -> int:
    """How often waitress logged that it stopped accepting connections (its connection_limit, default 100,
    counts its own listening socket and wake-up pipe too)."""
    return log_text.count(CONNECTION_LIMIT_LINE)


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def machine_busy(seconds: float = 1.0) -> float:
    """The share of all CPUs busy over `seconds` (with nothing of ours running: other people's work)."""
    busy0, total0 = _cpu_times()
    time.sleep(seconds)
    busy1, total1 = _cpu_times()
    return (busy1 - busy0) / max(1, total1 - total0)


def load_line() -> str:
    one, five, _fifteen = os.getloadavg()
    busy = machine_busy()
    return f"before it: {busy:.0%} of the CPUs busy with other work, load average {one:.1f}/{five:.1f}"


def machine_line() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: nproc {cpus}, CPU {cpu_model()}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), SQLite {sqlite3.sqlite_version}, {platform.system()} "
        f"{platform.release()}"
    )


# --- tables ---------------------------------------------------------------------------------------------------------


VERDICT_COLUMNS = ["measure", "value", "target", "verdict"]  # a table of single measures, each with its verdict


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _numeric(cell: str) -> bool:
    text = cell.strip().rstrip("x%s").replace(",", "").replace("ms", "").replace("MB", "").strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_columns: int = 1  # how many leading cells name a row (in the summary of misses)
    # The cells that make a row's figure in the one summary table (`summary_rows`); default: the "value" column.
    value_columns: Sequence[str] = ()

    def add(self, *cells: object) -> None:
        assert len(cells) == len(self.columns), (cells, self.columns)
        self.rows.append([str(cell) for cell in cells])

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def misses(self) -> list[str]:
        return [" ".join(row[: self.key_columns]) for row in self.rows if "MISS" in row]

    def summary_rows(self) -> list[tuple[str, str, str, str]]:
        """(measure, figure, target, verdict) for each row judged PASS or MISS: what `python -m bench` gathers into
        its one table of every target."""
        if "verdict" not in self.columns or "target" not in self.columns:
            return []
        index = {name: i for i, name in enumerate(self.columns)}
        shown = [name for name in (self.value_columns or ("value",)) if name in index]
        found = []
        for row in self.rows:
            if (verdict_cell := row[index["verdict"]]) not in ("PASS", "MISS"):
                continue
            measure = row[0] + (f" at {' '.join(row[1 : self.key_columns])}" if self.key_columns > 1 else "")
            figure = ", ".join(row[index[name]] if name == "value" else f"{name} {row[index[name]]}" for name in shown)
            found.append((measure, figure, row[index["target"]], verdict_cell))
        return found

    def render(self) -> str:
        widths = [max(len(col), *(len(row[i]) for row in self.rows)) if self.rows else len(col)
                  for i, col in enumerate(self.columns)]  # fmt: skip
        right = [bool(self.rows) and all(_numeric(row[i]) or row[i] in ("-", "") for row in self.rows)
                 for i in range(len(self.columns))]  # fmt: skip

        def line(cells: Sequence[str]) -> str:
            parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)]
            return "  ".join(parts).rstrip()

        rule = "-" * len(line(["-" * w for w in widths]))
        out = [self.title, rule, line(self.columns), rule, *(line(row) for row in self.rows), rule]
        out += [f"  {note}" for note in self.notes]
        return "\n".join(out)


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


# --- statistics -------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of the values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


# --- signed requests and a closed-loop load generator ---------------------------------------------------------------


def signed_headers(body: bytes, content_type: str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """The headers Slack sends with `body`, signed now with `secret`."""
    timestamp = int(time.time())
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(secret, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }


# A request to send: (body, content type), built from its index in the run.
Builder = Callable[[int], tuple[bytes, str]]


@dataclass
class LoadResult:
    latencies: list[float]  # seconds until the HTTP response (the ack) was read, one per answered request
    statuses: Counter[int]
    failures: int  # requests that got no HTTP answer at all
    wall: float  # seconds from the first request sent to the last answer read
    samples: list[tuple[int, float, int]] = field(default_factory=list)  # (request index, seconds, HTTP status)

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall > 0 else math.nan

    @property
    def not_ok(self) -> int:
        return self.failures + sum(n for status, n in self.statuses.items() if status != 200)


def run_load(port: int, build: Builder, total: int, concurrency: int, *, timeout: float = 30.0) -> LoadResult:
    """`total` signed POSTs to the bot at `concurrency`: each of `concurrency` threads keeps one keep-alive
    connection and sends its next request as soon as the previous one is answered (a closed loop)."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    samples: list[tuple[int, float, int]] = []
    statuses: Counter[int] = Counter()
    failures = 0
    barrier = threading.Barrier(concurrency + 1)

    def connect() -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.connect()
        return connection

    def worker() -> None:
        nonlocal failures
        mine: list[float] = []
        kept: list[tuple[int, float, int]] = []
        seen: Counter[int] = Counter()
        failed = 0
        connection: http.client.HTTPConnection | None = connect()
        barrier.wait()
        while True:
            index = next(counter)
            if index >= total:
                break
            body, content_type = build(index)
            headers = signed_headers(body, content_type)
            if connection is None:
                connection = connect()
            started = time.perf_counter()
            try:
                connection.request("POST", EVENTS_PATH, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                took = time.perf_counter() - started
                mine.append(took)
                kept.append((index, took, response.status))
                seen[response.status] += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            samples.extend(kept)
            statuses.update(seen)
            failures += failed

    threads = [threading.Thread(target=worker, name=f"load-{i}", daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return LoadResult(latencies, statuses, failures, time.perf_counter() - started, samples)


# --- processes ------------------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pids: Sequence[int], *, window: float = 0.3, busy: float = 0.03, limit: float = 60.0) -> float:
    """Wait until none of the processes used more than `busy` CPU seconds in a `window`: work left over from a
    run (post-ack work, cards being posted) must not spill into the next one. Returns the seconds waited."""
    started = time.monotonic()
    last = [cpu_seconds(pid) for pid in pids]
    while time.monotonic() - started < limit:
        time.sleep(window)
        now = [cpu_seconds(pid) for pid in pids]
        if all(b - a < busy for a, b in zip(last, now, strict=True)):
            break
        last = now
    return time.monotonic() - started


def process_tree(pid: int) -> list[int]:
    """`pid` and its live descendants (from /proc/<pid>/task/*/children), e.g. `kaizen-bot serve` and its worker."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                queue += [int(child) for child in children.read_text().split()]
    return found


def proc_status(pid: int) -> dict[str, int]:
    """The numbers of /proc/<pid>/status: VmRSS, VmHWM, ... in kB; Threads."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if (len(parts) == 2 and parts[1] == "kB") or (len(parts) == 1 and parts[0].isdigit()):
            values[key] = int(parts[0])
    return values


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A temporary directory, removed afterwards unless BENCH_KEEP is set (then its path is printed)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"(kept {path})", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def huddles_posted(path: Path, day: str, *, slot: int | None = None) -> int:
    """Huddle posts the bot recorded as posted for `day` (ISO date) in the SQLite file `path` (opened read-only),
    in `slot` only when given."""
    query = "SELECT count(*) FROM huddle_posts WHERE local_date = ? AND posted_at IS NOT NULL"
    params: tuple[object, ...] = (day,)
    if slot is not None:
        query, params = query + " AND slot = ?", (day, slot)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return int(connection.execute(query, params).fetchone()[0])


def clean_environment() -> None:
    """Settings come from the benchmark alone, never from the machine's environment."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "KAIZEN_")) or name == "DATABASE_URL":
            del os.environ[name]


def redirect_output(log_path: str) -> None:
    """In a child: stdout and stderr (file descriptors too) go to a log file, not into the benchmark's table."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115


Commands = dict[str, Callable[..., Any]]


def serve_commands(conn: Connection, commands: Commands) -> None:
    """A child's loop: run (name, args) requests from the parent until "stop" (which is a command too)."""
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            name, args = "stop", ()
        try:
            result: Any = commands[name](*args)
        except Exception as error:
            result = RuntimeError(f"{name} failed in the child: {type(error).__name__}: {error}")
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return
        if name == "stop":
            return


class Child:
    """A spawned process (a fresh interpreter: no threads or state inherited) that sends a dict when ready and
    then runs commands from `serve_commands`."""

    def __init__(self, target: Callable[..., None], *args: object, name: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=target, args=(child_end, *args), name=name, daemon=True)
        self.process.start()
        child_end.close()
        if not self.conn.poll(120):
            self.process.kill()
            raise RuntimeError(f"{name} did not start within 120 s")
        self.info: dict[str, Any] = self.conn.recv()

    @property
    def pid(self) -> int:
        return int(self.process.pid or 0)

    def call(self, name: str, *args: object, timeout: float = 120) -> Any:
        self.conn.send((name, args))
        if not self.conn.poll(timeout):
            raise RuntimeError(f"{self.process.name}: no answer to {name} within {timeout} s")
        result = self.conn.recv()
        if isinstance(result, Exception):
            raise result
        return result

    def stop(self) -> Any:
        result = None
        if self.process.is_alive():
            with contextlib.suppress(RuntimeError, OSError, EOFError):
                result = self.call("stop", timeout=30)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()
        return result

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
