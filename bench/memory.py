"""The morning peak: `kaizen-bot serve` under combined load, its acks and its memory. `python -m bot.cli serve
--port 0` as a subprocess, as in production: it answers Slack and starts its worker process (`kaizen-bot worker`,
which does the huddle fan-out and the sweeps); SQLite in a temp dir, Slack's Web API played by the double in
another process.

The load, at once:
- the huddle fan-out: every team (1,000) has its huddle due a minute ago, so the worker's first huddle tick
  posts them all (the double does not rate-limit here: the posts come as fast as the bot makes them), each the
  week's first, with the weekly chart, as on a Monday morning;
- acks at concurrency 100: raise modal submissions first (their cards give the reactions something to land on),
  then a mix of `/kaizen help`, `/kaizen` (modal), submissions and :+1: reactions, with a `/kaizen stats` (charts:
  matplotlib) every 100th request.
The serving process's peak is VmHWM from /proc/<pid>/status, read once the fan-out is done and both processes are
idle again. "Together" is sampled every second during the run (`bench.pages`): each physical page of the two
processes counted once, as the machine has to hold them (the worker is forked from the serving process and
shares its imported modules); the sum of the two VmHWM, which counts every shared page twice and need not happen
at once, is shown beside it.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.acks import KINDS, Payloads
from bench.common import (
    BOT_TOKEN,
    MB,
    REPO,
    SIGNING_SECRET,
    VERDICT_COLUMNS,
    Child,
    LoadResult,
    Table,
    connection_limit_hits,
    huddles_posted,
    ms,
    percentile,
    proc_status,
    process_tree,
    run_load,
    temp_dir,
    verdict,
    wait_idle,
)
from bench.doubles import DoubleConfig, double_main
from bench.pages import Sampler, breakdown
from bench.seed import Plan, seed
from storage import migrate
from storage.db import Database

CONCURRENCY = 100
RSS_TARGET_MB = 150  # the serving process
BOTH_TARGET_MB = 222  # serving + worker: what one process peaked at before the worker process (issue 16)
ACK_DEADLINE = 1.5
FANOUT_WAIT = 120.0  # seconds the fan-out may take after the load before the peak is read anyway


def _serve(tmp: Path, api_url: str, database_url: str) -> tuple[subprocess.Popen[str], int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KAIZEN_")) and k != "DATABASE_URL"}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url,
        DATABASE_URL=database_url, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )  # fmt: skip
    log = (tmp / "serve.log").open("w")
    # cwd is the temp dir: no .env of the repo is read, and nothing is written into it.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0"],
        cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 120)
    line = process.stdout.readline() if ready else ""
    if "serving on" not in line:
        process.kill()
        raise RuntimeError(f"kaizen-bot serve did not start: {line!r}; see its log")
    threading.Thread(target=process.stdout.read, daemon=True).start()  # never let a full pipe block it
    return process, int(line.rsplit(":", 1)[1])


def _summary(kind: str, answers: list[tuple[float, int]]) -> str:
    """`kind n, p99 .. max .. ms (not 200: n x status)` for one kind of request."""
    seconds = [took for took, _status in answers]
    text = f"{kind} {len(answers)}, p99 {ms(percentile(seconds, 99))} max {ms(max(seconds))} ms"
    odd = Counter(status for _took, status in answers if status != 200)
    if odd:
        text += " (not 200: " + ", ".join(f"{n} x {status}" for status, n in sorted(odd.items())) + ")"
    return text


def run(quick: bool = False) -> list[Table]:
    teams = 200 if quick else 1_000
    requests = 600 if quick else 2_000
    table = Table(
        f"memory: kaizen-bot serve and its worker (subprocesses, SQLite) under {teams:,} huddles due + acks at "
        f"concurrency {CONCURRENCY}",
        VERDICT_COLUMNS,
    )
    with temp_dir("kaizen-bench-memory-") as tmp:
        db_path = tmp / "kaizen.db"
        url = f"sqlite:///{db_path}"
        now = datetime.now(UTC)
        slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = slot.date()
        # No huddle yet this week, whatever today is: every team's huddle is its week's first and carries the
        # weekly chart, as on a Monday morning (the peak's worst case; other days the worker draws none).
        earlier: list[date] = []
        db = Database(url)
        migrate.upgrade(db)
        seeded = seed(db, Plan(
            teams=teams, ideas=5 * teams, now=now, days=60, users_per_team=5, card_ts=False,
            huddle_times=(slot.strftime("%H:%M"),), huddle_days=tuple(range(7)), timezone="UTC",
            earlier_huddles=earlier,
        ))  # fmt: skip
        db.dispose()
        channels = [(c, f"team-{i}") for i, c in enumerate(seeded.channels, start=1)]
        double = Child(double_main, DoubleConfig(channels=channels, users=seeded.users, nice=10,
                                                 log_path=str(tmp / "double.log")), name="slack-double")  # fmt: skip
        process: subprocess.Popen[str] | None = None
        try:
            started = time.perf_counter()
            process, port = _serve(tmp, double.info["api_url"], url)
            pid = process.pid
            workers = process_tree(pid)[1:]
            at_start = proc_status(pid)
            together = Sampler(pid).start()
            payloads = Payloads(double.info["url"], seeded.channels, seeded.users[:200])
            phases: list[LoadResult] = [run_load(port, payloads.builder("submission"), requests // 4, CONCURRENCY)]
            payloads.cards = double.call("bot_messages_in", seeded.channels)
            makers = {kind: payloads.builder(kind) for kind in KINDS}

            def kind_of(i: int) -> str:
                return "stats" if i % 100 == 50 else KINDS[i % len(KINDS)]

            def mixed(i: int) -> tuple[bytes, str]:
                kind = kind_of(i)
                return payloads.command("stats") if kind == "stats" else makers[kind](i)

            phases.append(run_load(port, mixed, requests - requests // 4, CONCURRENCY))
            load_done = time.perf_counter()
            during_load = huddles_posted(db_path, day.isoformat())
            deadline = time.monotonic() + FANOUT_WAIT
            posted = huddles_posted(db_path, day.isoformat())
            while posted < teams and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.5)
                posted = huddles_posted(db_path, day.isoformat())
            now_workers = process_tree(pid)[1:]
            ended = f"serving {breakdown(pid)}; worker " + ", ".join(breakdown(worker) for worker in now_workers)
            # A worker that died and was started again is gone from /proc (the note counts restarts).
            wait_idle([p for p in (pid, *workers, double.pid) if Path(f"/proc/{p}").exists()], limit=30)
            together.stop()
            status = proc_status(pid)
            workers = process_tree(pid)[1:]  # now: one started again since is counted, one gone is not
            worker_status = [proc_status(worker) for worker in workers if Path(f"/proc/{worker}").exists()]
            elapsed = time.perf_counter() - started
        finally:
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            stats = double.stop() or {}
        log_text = (tmp / "serve.log").read_text(errors="replace")

    latencies = [x for phase in phases for x in phase.latencies]
    by_kind: dict[str, list[tuple[float, int]]] = {"submission": [(t, c) for _i, t, c in phases[0].samples]}
    for i, took, status_code in phases[1].samples:
        by_kind.setdefault(kind_of(i), []).append((took, status_code))
    worst = max(latencies, default=float("nan"))
    not_ok = sum(phase.not_ok for phase in phases)
    peak = status.get("VmHWM", 0) / 1024
    worker_peak = sum(w.get("VmHWM", 0) for w in worker_status) / 1024
    table.add("RSS right after start (serving)", f"{at_start.get('VmRSS', 0) / 1024:.0f} MB", "info", "-")
    table.add("peak RSS (VmHWM), serving", f"{peak:.0f} MB", f"< {RSS_TARGET_MB} MB", verdict(peak < RSS_TARGET_MB))
    both = together.peak / MB
    table.add(
        f"peak, serving + worker ({len(workers)}) together", f"{both:.0f} MB", f"< {BOTH_TARGET_MB} MB",
        verdict(len(workers) == 1 and 0 < both < BOTH_TARGET_MB),
    )  # fmt: skip
    table.add("peak RSS, serving + worker, summed (shared pages twice)", f"{peak + worker_peak:.0f} MB", "info", "-")
    table.add("RSS at the end (serving)", f"{status.get('VmRSS', 0) / 1024:.0f} MB", "info", "-")
    table.add(
        f"acks at concurrency {CONCURRENCY}", f"{len(latencies):,}, max {ms(worst)} ms, {not_ok} not 200",
        f"max < {ACK_DEADLINE:g} s, all 200", verdict(worst < ACK_DEADLINE and not_ok == 0),
    )  # fmt: skip
    gave_way = re.search(r"gave way to acks' writes (\d+) times, ([\d.]+) s", log_text)
    table.add(
        "worker's writes that gave way to acks' (SQLite)",
        f"{gave_way.group(1)} times, {gave_way.group(2)} s in all" if gave_way else "not logged", "info", "-",
    )  # fmt: skip
    table.add("huddles posted while the acks ran", f"{during_load:,} of {teams:,}", "info", "-")
    table.add("huddles posted (fan-out)", f"{posted:,} of {teams:,}", "all", verdict(posted == teams))
    table.note(
        f"load {load_done - started:.0f} s, whole run {elapsed:.0f} s; serve's log: {log_text.count(' ERROR ')} "
        f"ERROR, {log_text.count(' WARNING ')} WARNING lines (the worker's included); threads at the end: "
        f"{status.get('Threads', '?')} serving, {'/'.join(str(w.get('Threads', '?')) for w in worker_status)} worker; "
        f"waitress stopped accepting connections (connection_limit) {connection_limit_hits(log_text)}x"
    )
    table.note("by request: " + "; ".join(_summary(kind, answers) for kind, answers in sorted(by_kind.items())))
    outcomes = stats.get("outcomes", {})
    table.note(
        f"Slack double saw: {outcomes.get('chat.postMessage ok', 0):,} posts (huddles and cards), "
        f"{outcomes.get('views.open ok', 0):,} modals opened, {outcomes.get('chat.update ok', 0):,} card updates, "
        f"{outcomes.get('files.completeUploadExternal ok', 0)} charts uploaded; 1 MB = {MB:,} bytes"
    )
    table.note(
        f"together: {together.method}, sampled {together.samples} times, once a second; when the load ended: {ended}; "
        f"worker restarts: {log_text.count('The worker process (pid')}"
    )
    if quick:
        table.note(f"--quick: {teams} teams and {requests} requests instead of 1,000 and 2,000")
    return [table]
