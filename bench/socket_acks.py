"""Ack latency over Socket Mode (the default): `kaizen-bot run` against a bare Bolt Socket Mode app and the minimal
equivalent app (bench.servers.minimal_app: only the I/O our promises require) over Socket Mode, all three connected
to a local stand-in for Slack's Socket Mode server (bench/socket_standin.py), in the same run.

Envelopes, as Slack sends them (envelope_id, type, payload, accepts_response_payload), each kind on its own; the
payloads are the HTTP benchmark's (bench/acks.py: Payloads):
- help:       a slash_commands envelope, `/kaizen help` (acks, then answers on the response_url);
- modal:      a slash_commands envelope, `/kaizen` (acks, then opens the raise modal with views.open);
- submission: an interactive envelope, the raise modal's view_submission (commits the idea before the ack, then
              posts its card);
- reaction:   an events_api envelope, reaction_added (:+1: on a card posted by the submission runs; stored in the
              inbox before the ack, applied afterwards).
Targets, as the HTTP benchmark's (bench/acks.py), and at every level every ack under 3 s and none unacked:
- concurrency 1: kaizen's p99 at most 1.5x the bare app's; but where the minimal app's own p99 is over 1.5x the
  bare app's (the I/O the promise needs before the ack costs more than the margin: e.g. the reaction, whose inbox
  INSERT comes before the ack while bare Bolt acks an event before any listener runs), at most 1.5x the minimal
  app's, and a note says so;
- concurrency 10 and 50: kaizen's p99 and its CPU per envelope at most 1.5x the minimal app's;
- concurrency 100: only the 3 s and unacked targets.
A row whose bare or minimal app left an envelope unacked is a MISS (a ratio to it says nothing).
`concurrency` envelopes are in flight at once on the app's one connection, the next sent as soon as an ack comes
back (a closed loop), as Slack multiplexes one connection. The latency is the stand-in's time from writing an
envelope to reading its ack; an envelope is "200-equivalent" when acked (none may go unacked):
slack_bolt's Socket Mode adapter sends no ack for an answer other than 200 (e.g. kaizen's 503 when its inbox
cannot be written), so that Slack delivers the envelope again.

Processes: the stand-in (this one), `python -m bot.cli run` (the product as deployed, with the background work
it starts; SQLite in a temp dir; a child process it starts, e.g. a worker, is counted with it and stopped with
it), the bare and the minimal app (bench.servers.socket_app_main: slack_bolt's SocketModeHandler on
websocket-client, the library kaizen's link uses; the bare app's listeners only ack, the minimal app has a SQLite
store of its own with kaizen's settings and posts its cards into a channel of its own), and the Slack Web API
double (at a lower CPU priority). Between runs the benchmark waits until all are idle, so post-ack work of one
run does not land in the next; CPU per envelope includes that post-ack work.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.acks import KINDS, Payloads
from bench.common import (
    BOT_TOKEN,
    REPO,
    Child,
    Table,
    cpu_seconds,
    ms,
    process_tree,
    temp_dir,
    verdict,
    wait_idle,
)
from bench.doubles import DoubleConfig
from bench.seed import Plan, seed
from bench.servers import BARE, KAIZEN, MINIMAL, MINIMAL_CHANNEL, SocketAppConfig, socket_app_main
from bench.socket_standin import AckRun, EnvelopeBuilder, SocketModeStandIn, web_api_main
from storage import migrate
from storage.db import Database

APPS = (KAIZEN, BARE, MINIMAL)
TOKENS = {app: f"xapp-1-A0001-bench-{app}" for app in APPS}  # each app's own connection
LEVELS = (1, 10, 50, 100)
STRESS = 100  # judged on the 3 s deadline and unacked envelopes only
RATIO_TARGET = 1.5
ACK_DEADLINE = 3.0
TEAMS, SEEDED_IDEAS, USERS = 50, 2_000, 200
ENVELOPES = {1: 200, 10: 400, 50: 600, 100: 600}
QUICK_ENVELOPES = {1: 40, 10: 80, 50: 100, 100: 100}
WARM_UP = 20
CONNECT_SECONDS = 120.0
CARDS_SECONDS = 60.0  # how long the reactions wait for the submissions' cards to be posted
STOP_SECONDS = 30.0  # `kaizen-bot run` bounds its Socket Mode close at 5 s; the rest is room for a loaded machine


class Envelopes:
    """The payloads of bench.acks.Payloads (unique trigger_ids, response URLs, event_ids) as Socket Mode
    envelopes: a slash command's form fields become the payload object, an interactive payload's JSON too, and an
    Events API body is the payload as is (with retry_attempt 0 and retry_reason "")."""

    def __init__(self, payloads: Payloads) -> None:
        self.payloads = payloads

    @staticmethod
    def _fields(body: bytes) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))

    def help(self, _index: int) -> tuple[str, dict[str, object], dict[str, object]]:
        return "slash_commands", dict(self._fields(self.payloads.command("help")[0])), {}

    def modal(self, _index: int) -> tuple[str, dict[str, object], dict[str, object]]:
        return "slash_commands", dict(self._fields(self.payloads.command("")[0])), {}

    def submission(self, _index: int) -> tuple[str, dict[str, object], dict[str, object]]:
        return "interactive", json.loads(self._fields(self.payloads.submission()[0])["payload"]), {}

    def reaction(self, _index: int) -> tuple[str, dict[str, object], dict[str, object]]:
        body = json.loads(self.payloads.reaction()[0])
        return "events_api", body, {"retry_attempt": 0, "retry_reason": ""}

    def builder(self, kind: str) -> EnvelopeBuilder:
        """The envelope builder for `kind` (one of bench.acks.KINDS)."""
        builders: dict[str, EnvelopeBuilder] = {
            "help": self.help, "modal": self.modal, "submission": self.submission, "reaction": self.reaction,
        }  # fmt: skip
        return builders[kind]


# --- the kaizen process -------------------------------------------------------------------------------------------


def start_kaizen(tmp: Path, api_url: str, database_url: str) -> subprocess.Popen[bytes]:
    """`python -m bot.cli run` in a session of its own (so that any process it starts can be ended with it), with
    a clean environment, cwd `tmp` (no .env of the repository is read), output to tmp/kaizen.log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KAIZEN_")) and k != "DATABASE_URL"}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=TOKENS[KAIZEN], SLACK_API_URL=api_url, DATABASE_URL=database_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )  # fmt: skip
    with (tmp / "kaizen.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def group_members(pgid: int) -> list[int]:
    """The live processes (zombies left out) of process group `pgid`."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(stat.parent.name))
    return members


def stop_kaizen(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM, as a supervisor stops it; SIGKILL after STOP_SECONDS. Then whatever is left of its process group
    (e.g. a worker it started) gets SIGTERM, and SIGKILL 10 s later. Returns how it went, for the table's notes."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(STOP_SECONDS)
        how = f"exited {code} on SIGTERM"
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        how = f"killed: still running {STOP_SECONDS:.0f} s after SIGTERM"
    if not group_members(process.pid):  # its session's process group id is its pid
        return how
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if not group_members(process.pid):
            return how + "; processes it left behind ended on SIGTERM"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return how + "; processes it left behind killed"


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of `pid` and of each live descendant."""
    spent = {}
    for one in process_tree(pid):
        with contextlib.suppress(OSError):
            spent[one] = cpu_seconds(one)
    return spent


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds a process tree spent between two `tree_cpu` readings (a process new since counts in full)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- the benchmark ------------------------------------------------------------------------------------------------


COUNTS = {
    "ideas": "SELECT count(*) FROM ideas",
    "cards": "SELECT count(*) FROM ideas WHERE card_ts IS NOT NULL",
    "inbox": "SELECT count(*) FROM inbox_events",
    "inbox_done": "SELECT count(*) FROM inbox_events WHERE done_at IS NOT NULL",
}


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        return {name: connection.execute(query).fetchone()[0] for name, query in COUNTS.items()}


def _minimal_counts(db_path: Path) -> dict[str, int]:
    """Rows the minimal app stored: {"ideas", "inbox"}."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        return {
            "ideas": connection.execute("SELECT count(*) FROM minimal_ideas").fetchone()[0],
            "inbox": connection.execute("SELECT count(*) FROM minimal_inbox").fetchone()[0],
        }


def _wait_for_cards(db_path: Path, ideas_before: int, limit: float) -> float:
    """Waits until every idea raised since the run began has its card posted (at most `limit` seconds: a worker
    process may post them on its own schedule), so that the reactions land on cards. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        counts = _counts(db_path)
        if counts["cards"] >= counts["ideas"] - ideas_before:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def _log_lines(path: Path) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return f"{text.count(' ERROR ')} ERROR, {text.count(' WARNING ')} WARNING lines"


def measure(standin: SocketModeStandIn, ticket: str, root: int, everyone: Callable[[], list[int]],
            build: EnvelopeBuilder, total: int, concurrency: int) -> tuple[AckRun, float]:  # fmt: skip
    """One run of `total` envelopes at `concurrency` to the app `ticket`, whose processes are `root` and its
    descendants: (the run, CPU seconds per envelope those processes spent on it, post-ack work included: it waits
    until all of `everyone()` are idle)."""
    before = tree_cpu(root)
    result = standin.run(ticket, build, total, concurrency)
    wait_idle(everyone())
    return result, cpu_between(before, tree_cpu(root)) / total


def judge(
    concurrency: int, ours: AckRun, cpu: float, bare: AckRun, floor: AckRun, floor_cpu: float
) -> tuple[str, bool]:
    """(the target, met) of kaizen's row at `concurrency`: `ours`, `bare` and `floor` (the minimal app) are the
    runs, `cpu` and `floor_cpu` CPU seconds per envelope. See the module's docstring for the targets."""
    acked = ours.unacked == 0 and ours.worst < ACK_DEADLINE
    deadline = f"max < {ACK_DEADLINE:.0f} s"
    if concurrency == STRESS:
        return deadline, acked
    baselines_acked = not bare.unacked and not floor.unacked  # a ratio to an app that left some unacked says nothing
    if concurrency == 1:
        if floor.p(99) > RATIO_TARGET * bare.p(99):
            return f"p99 <= {RATIO_TARGET}x minimal*, {deadline}", (
                acked and baselines_acked and ours.p(99) <= RATIO_TARGET * floor.p(99)
            )
        return f"p99 <= {RATIO_TARGET}x bare, {deadline}", (
            acked and baselines_acked and ours.p(99) <= RATIO_TARGET * bare.p(99)
        )
    within = ours.p(99) <= RATIO_TARGET * floor.p(99) and floor_cpu > 0 and cpu <= RATIO_TARGET * floor_cpu
    return f"p99, CPU <= {RATIO_TARGET}x minimal, {deadline}", acked and baselines_acked and within


def run(quick: bool = False) -> list[Table]:
    sizes = QUICK_ENVELOPES if quick else ENVELOPES
    table = Table(
        "socket: acks over Socket Mode, kaizen-bot run vs a bare Bolt app and the minimal equivalent app, each a "
        "slack_bolt Socket Mode app, SQLite; latency in ms from sending an envelope to reading its ack (n envelopes "
        "per row, closed loop on one connection)",
        ["envelope", "conc", "n", "kaizen p50", "p99", "max", "bare p99", "minimal p99", "p99 /bare",
         "p99 /minimal", "kaizen/s", "CPU ms/env", "CPU /minimal", "unacked", "target", "verdict"],
        key_columns=2,
        value_columns=("p99", "p99 /bare", "p99 /minimal", "CPU /minimal"),
    )  # fmt: skip
    results: dict[tuple[str, int, str], tuple[AckRun, float]] = {}
    with temp_dir("kaizen-bench-socket-") as tmp, SocketModeStandIn() as standin:
        db_path = tmp / "kaizen.db"
        url = f"sqlite:///{db_path}"
        db = Database(url)
        migrate.upgrade(db)
        seeded = seed(db, Plan(teams=TEAMS, ideas=SEEDED_IDEAS, now=datetime.now(UTC), card_ts=False))
        db.dispose()
        minimal_url = f"sqlite:///{tmp / 'minimal.db'}"  # its own store: the same SQLite settings, its own lock
        users = seeded.users[:USERS]
        channels = [(channel, f"team-{i}") for i, channel in enumerate(seeded.channels, start=1)]
        channels.append((MINIMAL_CHANNEL, "minimal-cards"))
        config = DoubleConfig(channels=channels, users=users, nice=10, log_path=str(tmp / "double.log"))
        app_urls = {token: standin.url(ticket) for ticket, token in TOKENS.items()}
        children: list[Child] = []
        kaizen: subprocess.Popen[bytes] | None = None
        stopped = "not started"
        try:
            double = Child(web_api_main, config, app_urls, name="slack-double")
            children.append(double)
            api_url = double.info["api_url"]
            kaizen = start_kaizen(tmp, api_url, url)
            bolt_apps = {
                name: Child(socket_app_main, SocketAppConfig(name, api_url, TOKENS[name], str(tmp / f"{name}.log"),
                                                             minimal_url if name == MINIMAL else ""),
                            name=f"{name}-socket-app")
                for name in (BARE, MINIMAL)
            }  # fmt: skip
            children += bolt_apps.values()
            running = kaizen
            standin.wait_connected(KAIZEN, CONNECT_SECONDS, alive=lambda: running.poll() is None)
            for name, child in bolt_apps.items():
                standin.wait_connected(name, CONNECT_SECONDS, alive=child.process.is_alive)
            apps = {KAIZEN: running.pid, **{name: child.pid for name, child in bolt_apps.items()}}

            def everyone() -> list[int]:
                return [*process_tree(running.pid), *(child.pid for child in bolt_apps.values()), double.pid]

            envelopes = Envelopes(Payloads(double.info["url"], seeded.channels, users))
            before = _counts(db_path)
            waited_for_cards = 0.0
            for kind in KINDS:
                if kind == "reaction":
                    waited_for_cards = _wait_for_cards(db_path, before["ideas"], CARDS_SECONDS)
                    envelopes.payloads.cards = double.call("bot_messages_in", seeded.channels)
                build = envelopes.builder(kind)
                for ticket in apps:
                    standin.run(ticket, build, WARM_UP, 5)
                wait_idle(everyone())
                for concurrency in LEVELS:
                    for ticket, root in apps.items():
                        results[(kind, concurrency, ticket)] = measure(
                            standin, ticket, root, everyone, build, sizes[concurrency], concurrency
                        )
            after = _counts(db_path)
            minimal_rows = _minimal_counts(tmp / "minimal.db")
            late = {ticket: standin.late_acks(ticket) for ticket in apps}
            connections = {ticket: standin.connections(ticket) for ticket in apps}
            stats = double.call("stats")
        finally:
            if kaizen is not None:
                stopped = stop_kaizen(kaizen)
            for child in reversed(children):
                child.stop()
        over_bare: list[str] = []  # kinds whose c=1 row is judged against the minimal app
        for kind in KINDS:
            for concurrency in LEVELS:
                (ours, cpu), (bare, bare_cpu), (floor, floor_cpu) = (
                    results[(kind, concurrency, name)] for name in APPS
                )
                target, ok = judge(concurrency, ours, cpu, bare, floor, floor_cpu)
                if concurrency == 1 and floor.p(99) > RATIO_TARGET * bare.p(99):
                    over_bare.append(f"{kind} (minimal {floor.p(99) / bare.p(99):.2f}x bare)")
                table.add(
                    kind, concurrency, len(ours.latencies), ms(ours.p(50)), ms(ours.p(99)), ms(ours.worst),
                    ms(bare.p(99)), ms(floor.p(99)), f"{ours.p(99) / bare.p(99):.2f}x",
                    f"{ours.p(99) / floor.p(99):.2f}x", f"{ours.throughput:.0f}",
                    "/".join(f"{one * 1000:.1f}" for one in (cpu, bare_cpu, floor_cpu)),
                    f"{cpu / floor_cpu:.2f}x" if floor_cpu > 0 else "-",
                    "/".join(str(one.unacked) for one in (ours, bare, floor)), target, verdict(ok),
                )  # fmt: skip
        outcomes = stats["outcomes"]
        errors = {k: v for k, v in outcomes.items() if not k.endswith(" ok")}
        carried = {
            f"{kind} {concurrency} {name}": run_.payloads[0]
            for (kind, concurrency, name), (run_, _cpu) in results.items()
            if run_.with_payload
        }
        if over_bare:
            table.note(
                f"* at concurrency 1 the minimal app's own p99 is over {RATIO_TARGET}x the bare app's for "
                f"{', '.join(over_bare)}: the I/O the promise needs before the ack (a submission's INSERT and "
                f"COMMIT; an event's inbox INSERT, where bare Bolt acks an event before any listener runs) cost more "
                f"than the margin, or the run was noisy; so kaizen is judged against the minimal app there"
            )
        table.note(
            f"post-ack work done by kaizen in this run: {after['ideas'] - before['ideas']} ideas raised (of "
            f"{WARM_UP + sum(sizes.values())} submissions sent), {after['cards'] - before['cards']} cards posted, "
            f"{after['inbox'] - before['inbox']} events stored ({after['inbox_done'] - before['inbox_done']} "
            f"applied; {len(envelopes.payloads.cards)} cards to react to, after waiting {waited_for_cards:.0f} s for "
            f"them); the minimal app stored {minimal_rows['ideas']} ideas and {minimal_rows['inbox']} events; the "
            f"Slack double saw, from kaizen and the minimal app together, {outcomes.get('views.open ok', 0)} modals "
            f"opened, {outcomes.get('response_url ok', 0)} response_url replies and "
            f"{outcomes.get('chat.update ok', 0)} card updates"
        )
        table.note(
            f"Slack double: {stats['rejection_count']} payloads rejected, other errors {errors or 'none'}; kaizen's "
            f"log: {_log_lines(tmp / 'kaizen.log')}; the bare app's: {_log_lines(tmp / 'bare.log')}; the minimal "
            f"app's: {_log_lines(tmp / 'minimal.log')}; kaizen-bot run {stopped}; acks after a run gave up: "
            f"{', '.join(f'{name} {late[name]}' for name in APPS)}; connections opened: "
            f"{', '.join(f'{name} {connections[name]}' for name in APPS)} (a reconnect adds one)"
        )
        if carried:
            table.note("acks that carried a payload (first of each row): " + "; ".join(
                f"{row} {json.dumps(payload)[:120]}" for row, payload in carried.items()
            ))  # fmt: skip
        table.note(
            f"the store held {TEAMS} teams and {SEEDED_IDEAS:,} seeded ideas; {USERS} users; CPU ms/env = CPU time of "
            "the app's processes (all threads, kaizen's children too, post-ack work included) per envelope, "
            "kaizen/bare/minimal; unacked = kaizen/bare/minimal envelopes with no ack (none may be); the stand-in is "
            "bench/socket_standin.py, the bare and minimal apps bench/servers.py: socket_app_main (the minimal app "
            "does per envelope only the I/O our promises require: minimal_app)"
        )
        if quick:
            table.note("--quick: fewer envelopes per row; p99 of a few dozen samples is indicative only")
    return [table]
