"""The Socket Mode benchmark's parts: the stand-in for Slack's Socket Mode server (bench/socket_standin.py), what it
measures, the bare and minimal Socket Mode apps it compares kaizen with (bench/servers.py), and how the benchmark
stops the app's processes and judges its rows (bench/socket_acks.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket

from bench.acks import KINDS, Payloads
from bench.common import BOT_TOKEN, WORKSPACE, Child
from bench.servers import BARE, MINIMAL, MINIMAL_CHANNEL, SocketAppConfig, socket_app_main
from bench.socket_acks import Envelopes, group_members, judge, measure, process_tree, stop_kaizen
from bench.socket_standin import AckRun, SocketModeStandIn, StandInDouble

pytestmark = pytest.mark.slow  # starts a process

CHANNEL, USER = "C000001", "U000001"
APP_TOKEN = "xapp-1-A0001-test-bare"
MINIMAL_TOKEN = "xapp-1-A0001-test-minimal"


@pytest.fixture
def standin() -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn() as server:
        yield server


@pytest.fixture
def web_api(standin: SocketModeStandIn) -> Iterator[StandInDouble]:
    urls = {APP_TOKEN: standin.url(BARE), MINIMAL_TOKEN: standin.url(MINIMAL)}
    double = StandInDouble(app_urls=urls, bot_token=BOT_TOKEN, team_id=WORKSPACE)
    double.start()
    double.add_user(USER, "user")
    double.add_channel(CHANNEL, "ward-7", members=[USER, double.bot_user_id])
    double.add_channel(MINIMAL_CHANNEL, "minimal-cards", members=[double.bot_user_id])
    yield double
    double.stop()


def envelopes(web_api: StandInDouble) -> Envelopes:
    return Envelopes(Payloads(web_api.url, [CHANNEL], [USER]))


def test_every_kind_of_envelope_is_acked_by_the_bare_socket_mode_app_and_timed(
    standin: SocketModeStandIn, web_api: StandInDouble, tmp_path: Path
) -> None:
    with Child(socket_app_main, SocketAppConfig(BARE, web_api.api_url, APP_TOKEN, str(tmp_path / "bare.log")),
               name="bare-socket-app") as bare:  # fmt: skip
        standin.wait_connected("bare", 60, alive=bare.process.is_alive)
        assert {call.token for call in web_api.calls("apps.connections.open")} == {APP_TOKEN}
        for kind in KINDS:
            result, cpu = measure(standin, "bare", bare.pid, lambda: [bare.pid], envelopes(web_api).builder(kind),
                                  30, 10)  # fmt: skip
            assert (result.sent, result.unacked, len(result.latencies)) == (30, 0, 30), kind
            assert all(0 < took < 30 for took in result.latencies), kind
            assert result.with_payload == 0, f"a no-op ack carries no payload ({kind})"
            assert cpu >= 0
        assert standin.late_acks("bare") == 0


def _rows(db_path: Path, table: str) -> int:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_the_minimal_socket_mode_app_acks_every_kind_after_its_writes_then_does_its_slack_call(
    standin: SocketModeStandIn, web_api: StandInDouble, tmp_path: Path
) -> None:
    db_path = tmp_path / "minimal.db"
    config = SocketAppConfig(MINIMAL, web_api.api_url, MINIMAL_TOKEN, str(tmp_path / "minimal.log"),
                             f"sqlite:///{db_path}")  # fmt: skip
    sent = envelopes(web_api)
    with Child(socket_app_main, config, name="minimal-socket-app") as minimal:
        standin.wait_connected(MINIMAL, 60, alive=minimal.process.is_alive)
        assert {call.token for call in web_api.calls("apps.connections.open")} == {MINIMAL_TOKEN}
        for kind in KINDS:
            if kind == "reaction":
                sent.payloads.cards = web_api.bot_messages_in([MINIMAL_CHANNEL])
                assert len(sent.payloads.cards) == 30, "each submission posted its card"
            result, _cpu = measure(standin, MINIMAL, minimal.pid, lambda: [minimal.pid], sent.builder(kind), 30, 10)
            assert (result.sent, result.unacked, len(result.latencies)) == (30, 0, 30), kind
            assert result.with_payload == 0, f"the minimal app's acks carry no payload ({kind})"
            if kind == "submission":  # committed before each ack
                assert _rows(db_path, "minimal_ideas") == 30
            if kind == "reaction":  # stored in the inbox before each ack
                assert _rows(db_path, "minimal_inbox") == 30
        assert standin.late_acks(MINIMAL) == 0
    outcomes = web_api.stats()["outcomes"]
    assert outcomes.get("response_url ok") == 30  # help: one reply each
    assert outcomes.get("views.open ok") == 30  # modal: one form each
    assert outcomes.get("chat.postMessage ok") == 30  # submission: one card each
    assert outcomes.get("chat.update ok") == 30  # reaction: one update of the card reacted to each
    assert {k: v for k, v in outcomes.items() if not k.endswith(" ok")} == {}


def _run(latency: float, *, unacked: int = 0, n: int = 100) -> AckRun:
    return AckRun(n, n + unacked, [latency] * n, 0, 1.0)


def test_rows_are_judged_against_the_bare_app_at_one_and_the_minimal_app_above() -> None:
    bare, floor = _run(0.010), _run(0.012)
    assert judge(1, _run(0.014), 0.004, bare, floor, 0.003) == ("p99 <= 1.5x bare, max < 3 s", True)
    assert judge(1, _run(0.016), 0.001, bare, floor, 0.003)[1] is False
    # Where the promise itself costs more than the margin, concurrency 1 is judged against the minimal app.
    slow_floor = _run(0.020)
    assert judge(1, _run(0.029), 0.004, bare, slow_floor, 0.003) == ("p99 <= 1.5x minimal*, max < 3 s", True)
    assert judge(1, _run(0.031), 0.004, bare, slow_floor, 0.003)[1] is False
    target = "p99, CPU <= 1.5x minimal, max < 3 s"
    assert judge(10, _run(0.017), 0.0044, bare, floor, 0.003) == (target, True)
    assert judge(10, _run(0.019), 0.0044, bare, floor, 0.003) == (target, False)  # p99 over
    assert judge(50, _run(0.017), 0.0046, bare, floor, 0.003) == (target, False)  # CPU over
    assert judge(100, _run(2.9), 1.0, bare, floor, 0.003) == ("max < 3 s", True)
    assert judge(100, _run(3.0), 0.0, bare, floor, 0.003)[1] is False
    # None may go unacked, by kaizen or (else its ratio says nothing) by a baseline.
    assert judge(100, _run(0.01, unacked=1), 0.0, bare, floor, 0.003)[1] is False
    assert judge(10, _run(0.01), 0.001, bare, _run(0.012, unacked=1), 0.003)[1] is False
    assert judge(1, _run(0.01), 0.001, _run(0.010, unacked=1), floor, 0.003)[1] is False


def test_envelopes_go_out_as_slack_sends_them_and_one_not_acked_counts_as_unacked(
    standin: SocketModeStandIn, web_api: StandInDouble
) -> None:
    app = websocket.create_connection(standin.url("silent"), timeout=10)
    try:
        hello = json.loads(app.recv())
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0001"}
        standin.wait_connected("silent", 10)
        # An app that reads but never acks: two envelopes go out (the concurrency), then the run gives up.
        result = standin.run("silent", envelopes(web_api).builder("help"), 5, 2, timeout=0.5)
        assert (result.sent, result.unacked, result.latencies) == (2, 5, [])
        first = json.loads(app.recv())
        assert first["type"] == "slash_commands" and first["accepts_response_payload"] is True
        assert first["payload"]["command"] == "/kaizen" and first["payload"]["text"] == "help"
        assert first["payload"]["team_id"] == WORKSPACE and first["payload"]["trigger_id"]
        app.send(json.dumps({"envelope_id": first["envelope_id"]}))
        deadline = time.monotonic() + 5
        while standin.late_acks("silent") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert standin.late_acks("silent") == 1, "an ack after the run gave up is late, not counted"
        app.recv()  # the second envelope of the run that gave up
    finally:
        app.close()


def test_an_app_that_acks_with_a_payload_is_counted_and_events_carry_their_retry_fields(
    standin: SocketModeStandIn, web_api: StandInDouble
) -> None:
    app = websocket.create_connection(standin.url("echo"), timeout=10)
    seen: list[dict[str, object]] = []

    def ack_each() -> None:
        app.recv()  # hello
        for _ in range(3):
            envelope = json.loads(app.recv())
            seen.append(envelope)
            app.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"response_action": "clear"}}))

    acker = threading.Thread(target=ack_each, daemon=True)
    acker.start()
    try:
        standin.wait_connected("echo", 10)
        result = standin.run("echo", envelopes(web_api).builder("reaction"), 3, 1, timeout=5)
        acker.join(5)
        assert (result.sent, result.unacked, result.with_payload) == (3, 0, 3)
        assert result.payloads[0] == {"response_action": "clear"}
        assert [e["type"] for e in seen] == ["events_api"] * 3
        assert all(e["accepts_response_payload"] is False and e["retry_attempt"] == 0 for e in seen)
        assert len({e["envelope_id"] for e in seen}) == 3, "every envelope has an id of its own"
    finally:
        app.close()


def test_stopping_the_app_ends_the_processes_it_started_too() -> None:
    # The main process exits on SIGTERM; the one it started in the background would not go by itself.
    process = subprocess.Popen(["sh", "-c", "sleep 60 & exec sleep 61"], start_new_session=True)
    deadline = time.monotonic() + 5
    while len(process_tree(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(process_tree(process.pid)) == 2
    assert stop_kaizen(process) == "exited -15 on SIGTERM; processes it left behind ended on SIGTERM"
    assert group_members(process.pid) == []
