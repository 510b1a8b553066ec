"""Ack latency and throughput of the served bot against a bare Bolt app and the minimal equivalent app
(`bench.servers.minimal_app`: only the I/O our promises require), each served the same way, in the same run.

Requests, signed as Slack signs them, each kind on its own:
- help:       `/kaizen help` (acks, then answers on the response_url);
- modal:      `/kaizen` (acks, then opens the raise modal with views.open);
- submission: the raise modal's view_submission (commits the idea before the ack, then posts its card); as in
              Slack, each person opened the form before (the modal runs), so the bot knows their name;
- reaction:   a reaction_added event, :+1: on a card posted during the submission runs (stored in the inbox
              before the ack, applied by a worker: a supporter, then chat.update of the card).
At concurrency 1 (target: kaizen's p99 at most 1.5x the bare app's), 10 and 50 (target: kaizen's p99 and its CPU
per request at most 1.5x the minimal app's; the ratio to the bare app is shown too), then 100 (target: no ack over
3 s). A closed loop: each of `concurrency` client threads keeps a keep-alive connection and sends its next request
when the last one is answered; the latency is the time until the HTTP response (the ack) is read.

Processes: the load generator (this one), the kaizen, bare and minimal servers, and the Slack double (at a lower
CPU priority: Slack's own work happens elsewhere). Acks are measured without the double delaying anything.
Between runs the benchmark waits until the servers and the double are idle, so post-ack work of one run (cards,
modals, replies) does not land in the next.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    WORKSPACE,
    Builder,
    Child,
    LoadResult,
    Table,
    connection_limit_hits,
    cpu_seconds,
    ms,
    run_load,
    temp_dir,
    verdict,
    wait_idle,
)
from bench.doubles import DoubleConfig, double_main
from bench.seed import Plan, seed
from bench.servers import BARE, KAIZEN, MINIMAL, MINIMAL_CHANNEL, ServerConfig, server_main
from bot.render.ids import CallbackId
from bot.render.metadata import RaiseContext
from bot.render.raise_form import raise_modal
from doubles.view_state import build_view_state
from storage import migrate
from storage.db import Database
from storage.models import Source

KINDS = ("help", "modal", "submission", "reaction")
LEVELS = (1, 10, 50)
STRESS = 100
RATIO_TARGET = 1.5
ACK_DEADLINE = 3.0
TEAMS, SEEDED_IDEAS, USERS = 50, 2_000, 200
FORM = "application/x-www-form-urlencoded"
REQUESTS = {1: 200, 10: 400, 50: 600, 100: 600}
QUICK_REQUESTS = {1: 100, 10: 200, 50: 300, 100: 300}
WARM_UP = 30


class Payloads:
    """What Slack sends, built fresh for every request (unique trigger_ids, response URLs and event_ids)."""

    def __init__(self, double_url: str, channels: Sequence[str], users: Sequence[str]) -> None:
        self.double_url = double_url
        self.channels = list(channels)
        self.users = list(users)
        self.cards: list[tuple[str, str]] = []
        self._ids = itertools.count(1)
        context = RaiseContext(channel_id=None, response_url=None, source=Source.COMMAND)
        self.view = raise_modal(prefill="", context=context, pick_team=False, anonymous_allowed=True).to_dict()
        self.state = build_view_state(
            self.view,
            {"problem": "x", "idea": "Keep a second scanner in bay 2", "benefit": "Less walking", "category": "flow"},
        )

    def _who(self) -> tuple[int, str, str]:
        n = next(self._ids)
        return n, self.channels[n % len(self.channels)], self.users[(n * 7) % len(self.users)]

    def command(self, text: str) -> tuple[bytes, str]:
        n, channel, user = self._who()
        fields = {
            "token": "legacy-verification-token", "team_id": WORKSPACE, "team_domain": "example",
            "channel_id": channel, "channel_name": "team", "user_id": user, "user_name": user.lower(),
            "command": "/kaizen", "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": f"{self.double_url}/response/bench-{n}",
            "trigger_id": f"{n}.{int(time.time())}.{secrets.token_hex(16)}",
        }  # fmt: skip
        return urllib.parse.urlencode(fields).encode(), FORM

    def submission(self) -> tuple[bytes, str]:
        n, channel, user = self._who()
        problem = f"The bladder scanner is on the other ward again (bench {n})"
        values = dict(self.state)
        values["problem"] = {"problem": {**self.state["problem"]["problem"], "value": problem}}
        context = RaiseContext(channel_id=channel, response_url=f"{self.double_url}/response/bench-{n}",
                               source=Source.COMMAND)  # fmt: skip
        view_id = f"VB{n:09d}"
        view = {
            "id": view_id, "team_id": WORKSPACE, "type": "modal", "blocks": self.view["blocks"],
            "private_metadata": context.encode(), "callback_id": CallbackId.RAISE, "state": {"values": values},
            "hash": f"{int(time.time())}.{n:08x}", "title": self.view["title"], "clear_on_close": False,
            "notify_on_close": False, "close": self.view.get("close"), "submit": self.view.get("submit"),
            "previous_view_id": None, "root_view_id": view_id, "app_id": "A0001", "external_id": "",
            "app_installed_team_id": WORKSPACE, "bot_id": "BBOT",
        }  # fmt: skip
        payload = {
            "type": "view_submission", "team": {"id": WORKSPACE, "domain": "example"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": WORKSPACE},
            "api_app_id": "A0001", "token": "legacy-verification-token",
            "trigger_id": f"{n}.{int(time.time())}.{secrets.token_hex(16)}", "view": view, "response_urls": [],
            "is_enterprise_install": False, "enterprise": None,
        }  # fmt: skip
        return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), FORM

    def reaction(self) -> tuple[bytes, str]:
        n, channel, user = self._who()
        if self.cards:
            channel, ts = self.cards[n % len(self.cards)]
        else:
            ts = f"{int(time.time())}.{n:06d}"  # no card to react to: stored, then found to match no idea
        event_id = f"EvBENCH{n:010d}"
        envelope = {
            "token": "legacy-verification-token", "team_id": WORKSPACE, "context_team_id": WORKSPACE,
            "context_enterprise_id": None, "api_app_id": "A0001",
            "event": {"type": "reaction_added", "user": user, "reaction": "+1",
                      "item": {"type": "message", "channel": channel, "ts": ts}, "item_user": "UBOT",
                      "event_ts": f"{time.time():.6f}"},
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": WORKSPACE, "user_id": "UBOT", "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": f"4-{event_id}",
        }  # fmt: skip
        return json.dumps(envelope).encode(), "application/json"

    def builder(self, kind: str) -> Builder:
        makers: dict[str, Callable[[], tuple[bytes, str]]] = {
            "help": lambda: self.command("help"),
            "modal": lambda: self.command(""),
            "submission": self.submission,
            "reaction": self.reaction,
        }
        if kind == "mixed":
            return lambda i: makers[KINDS[i % len(KINDS)]]()
        return lambda _i: makers[kind]()


COUNTS = {
    "ideas": "SELECT count(*) FROM ideas",
    "cards": "SELECT count(*) FROM ideas WHERE card_ts IS NOT NULL",
    "supporters": "SELECT count(*) FROM idea_supporters",
    "inbox": "SELECT count(*) FROM inbox_events",
    "inbox_done": "SELECT count(*) FROM inbox_events WHERE done_at IS NOT NULL",
}


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        return {name: connection.execute(query).fetchone()[0] for name, query in COUNTS.items()}


def _log_levels(path: Path) -> dict[str, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    counts = {level: text.count(f" {level} ") for level in ("WARNING", "ERROR")}
    counts["connection_limit"] = connection_limit_hits(text)
    return counts


def run(quick: bool = False) -> list[Table]:
    sizes = QUICK_REQUESTS if quick else REQUESTS
    table = Table(
        "acks: kaizen vs a bare Bolt app and the minimal equivalent app, waitress, SQLite; latency in ms until the "
        "HTTP response (n requests per row, closed loop)",
        ["request", "conc", "n", "kaizen p50", "p95", "p99", "bare p99", "minimal p99", "kaizen/s",
         "p99 /bare", "p99 /minimal", "kaizen max", "CPU ms/req", "CPU /minimal", "non-200", "target", "verdict"],
        key_columns=2,
        value_columns=("p99", "p99 /bare", "p99 /minimal", "CPU /minimal"),
    )  # fmt: skip
    with temp_dir("kaizen-bench-acks-") as tmp:
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
        children: list[Child] = []
        try:
            config = DoubleConfig(channels=channels, users=users, nice=10, log_path=str(tmp / "double.log"))
            double = Child(double_main, config, name="slack-double")
            children.append(double)
            api_url = double.info["api_url"]
            servers: dict[str, Child] = {}
            for kind in (KAIZEN, BARE, MINIMAL):
                store = minimal_url if kind == MINIMAL else url
                servers[kind] = Child(server_main, ServerConfig(kind, store, api_url, str(tmp / f"{kind}.log")),
                                      name=f"{kind}-server")  # fmt: skip
                children.append(servers[kind])
            pids = [child.pid for child in children]
            payloads = Payloads(double.info["url"], seeded.channels, users)
            results: dict[tuple[str, int, str], LoadResult] = {}
            cpu_per_request: dict[tuple[str, int, str], float] = {}
            before = _counts(db_path)
            for kind in KINDS:
                if kind == "reaction":
                    payloads.cards = double.call("bot_messages_in", seeded.channels)
                build = payloads.builder(kind)
                for server in servers.values():
                    run_load(server.info["port"], build, WARM_UP, 5)
                wait_idle(pids)
                for concurrency in (*LEVELS, STRESS):
                    for name, server in servers.items():
                        cpu_before = cpu_seconds(server.pid)
                        results[(kind, concurrency, name)] = run_load(
                            server.info["port"], build, sizes[concurrency], concurrency
                        )
                        wait_idle(pids)  # post-ack work included: the CPU a request costs the server in all
                        spent = cpu_seconds(server.pid) - cpu_before
                        cpu_per_request[(kind, concurrency, name)] = spent / sizes[concurrency]
            after = _counts(db_path)
            stats = double.call("stats")
        finally:
            for child in reversed(children):
                child.stop()
        for kind in KINDS:
            for concurrency in (*LEVELS, STRESS):
                ours, bare, floor = (results[(kind, concurrency, name)] for name in (KAIZEN, BARE, MINIMAL))
                ratio, to_floor = ours.p(99) / bare.p(99), ours.p(99) / floor.p(99)
                cpu = {name: cpu_per_request[(kind, concurrency, name)] for name in (KAIZEN, BARE, MINIMAL)}
                cpu_ratio = cpu[KAIZEN] / cpu[MINIMAL] if cpu[MINIMAL] > 0 else float("nan")
                worst = max(ours.latencies, default=float("nan"))
                if concurrency == STRESS:
                    target = f"max < {ACK_DEADLINE:.0f} s"
                    ok = worst < ACK_DEADLINE and ours.not_ok == 0
                elif concurrency == 1:
                    target = f"p99 <= {RATIO_TARGET}x bare"
                    ok = ratio <= RATIO_TARGET and ours.not_ok == 0
                else:
                    target = f"p99, CPU <= {RATIO_TARGET}x minimal"
                    ok = to_floor <= RATIO_TARGET and cpu_ratio <= RATIO_TARGET and ours.not_ok == 0
                if concurrency != STRESS and (bare.not_ok or floor.not_ok):
                    ok = False  # a ratio to an app that failed some of its requests says nothing
                table.add(
                    kind, concurrency, len(ours.latencies), ms(ours.p(50)), ms(ours.p(95)), ms(ours.p(99)),
                    ms(bare.p(99)), ms(floor.p(99)), f"{ours.throughput:.0f}", f"{ratio:.2f}x", f"{to_floor:.2f}x",
                    ms(worst), "/".join(f"{cpu[name] * 1000:.1f}" for name in (KAIZEN, BARE, MINIMAL)),
                    f"{cpu_ratio:.2f}x", "/".join(str(one.not_ok) for one in (ours, bare, floor)), target, verdict(ok),
                )  # fmt: skip
        outcomes = stats["outcomes"]

        def outcome(key: str) -> int:
            return int(outcomes.get(key, 0))

        logs = _log_levels(tmp / "kaizen.log")
        bare_logs = _log_levels(tmp / "bare.log")
        minimal_logs = _log_levels(tmp / "minimal.log")
        table.note(
            f"post-ack work done by kaizen in this run: {after['ideas'] - before['ideas']} ideas raised (of "
            f"{WARM_UP + sum(sizes.values())} submissions sent), {after['cards'] - before['cards']} cards posted, "
            f"{after['inbox'] - before['inbox']} events stored ({after['inbox_done'] - before['inbox_done']} "
            f"applied), {after['supporters'] - before['supporters']} supporters; the Slack double saw, from kaizen "
            f"and the minimal app together, {outcome('views.open ok')} modals opened, {outcome('response_url ok')} "
            f"response_url replies and {outcome('chat.update ok')} card updates"
        )
        errors = {k: v for k, v in outcomes.items() if not k.endswith(" ok")}
        table.note(
            f"Slack double: {stats['rejection_count']} payloads rejected, other errors {errors or 'none'}; "
            f"kaizen's log: {logs['ERROR']} ERROR, {logs['WARNING']} WARNING lines; the minimal app's: "
            f"{minimal_logs['ERROR']} ERROR, {minimal_logs['WARNING']} WARNING lines"
        )
        odd = {
            f"{kind} {concurrency} {name}": dict(sorted(result.statuses.items()))
            | ({"no answer": result.failures} if result.failures else {})
            for (kind, concurrency, name), result in results.items()
            if result.not_ok
        }
        if odd:
            table.note("answers other than 200 (status: count): " + "; ".join(f"{k} {v}" for k, v in odd.items()))
        table.note(
            f"waitress stopped accepting connections (its connection_limit, 100, counts its listener and wake-up "
            f"pipe): kaizen {logs['connection_limit']}x, bare {bare_logs['connection_limit']}x, minimal "
            f"{minimal_logs['connection_limit']}x; at concurrency 100 "
            "a keep-alive connection not accepted waits until others close, i.e. to the end of the run"
        )
        table.note(
            f"the store held {TEAMS} teams and {SEEDED_IDEAS:,} seeded ideas; {USERS} users; CPU ms/req = the "
            "server process's CPU time (all threads, post-ack work included) per request, kaizen/bare/minimal; "
            "non-200 = kaizen/bare/minimal answers other than HTTP 200 (or none); the minimal app does per request "
            "only the I/O our promises require (bench/servers.py: minimal_app)"
        )
        if quick:
            table.note("--quick: fewer requests per row; p99 of a few hundred samples is indicative only")
    return [table]
