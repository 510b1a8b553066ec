"""`kaizen-bot run` as a real process, connected to a Socket Mode double and the Web API double."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, TEAM_CHANNEL
from tests.slack_double import SlackDouble
from tests.socket_double import SocketModeDouble

pytestmark = pytest.mark.slow

APP_TOKEN = "xapp-1-test"
CONNECT_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0  # the Socket Mode close is bounded at 5 s (bot/cli.py); the rest is room for a loaded machine


@pytest.fixture
def socket_mode(double: SlackDouble) -> Iterator[SocketModeDouble]:
    sm = SocketModeDouble(team_id=double.team_id, app_id=double.app_id).start()
    double.socket_mode_url = sm.url
    yield sm
    sm.stop()


@pytest.fixture
def run_process(double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path) -> Iterator[subprocess.Popen]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": double.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kaizen.db'}",
        "PYTHONFAULTHANDLER": "1",  # SIGABRT then prints every thread's stack: see `stacks_of_hung`
    }
    with (tmp_path / "run.stdout").open("wb") as out, (tmp_path / "run.stderr").open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=out, stderr=err)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def stacks_of_hung(proc: subprocess.Popen, tmp_path: Path) -> str:
    """A process that did not exit: abort it so that faulthandler writes where each thread is stuck."""
    proc.send_signal(signal.SIGABRT)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    return output_of(tmp_path)


def output_of(tmp_path: Path) -> str:
    return "\n".join(
        (tmp_path / name).read_text(encoding="utf-8", errors="replace") for name in ("run.stdout", "run.stderr")
    )


def wait_connected(sm: SocketModeDouble, proc: subprocess.Popen, tmp_path: Path) -> None:
    try:
        sm.wait_connected(timeout=CONNECT_TIMEOUT)
    except AssertionError:
        raise AssertionError(
            f"`kaizen-bot run` did not connect (exit code {proc.poll()}); output:\n{output_of(tmp_path)}"
        ) from None


def test_run_answers_a_slash_command_over_socket_mode_and_exits_0_on_sigterm(
    run_process: subprocess.Popen, socket_mode: SocketModeDouble, double: SlackDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    assert double.calls("apps.connections.open"), "the client asks Slack for the WebSocket URL"

    response_url = double.new_response_url(channel_id=TEAM_CHANNEL)
    ack = socket_mode.send_slash_command("help", response_url=response_url, trigger_id=double.new_trigger_id())
    assert ack.get("envelope_id")

    [body] = double.wait_for_response(response_url, timeout=10)
    text = json.dumps(body.get("blocks", [])) + body.get("text", "")
    assert "/kaizen list" in text and "/kaizen help" in text
    assert body.get("response_type", "ephemeral") == "ephemeral"

    run_process.send_signal(signal.SIGTERM)
    try:
        code = run_process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"`kaizen-bot run` did not exit within {STOP_TIMEOUT}s of SIGTERM; output:\n"
            + stacks_of_hung(run_process, tmp_path)
        ) from None
    assert code == 0, output_of(tmp_path)
    output = output_of(tmp_path)
    assert BOT_TOKEN not in output and APP_TOKEN not in output


def test_run_exits_0_on_sigterm_once_slack_sees_it_connected(
    run_process: subprocess.Popen, socket_mode: SocketModeDouble, tmp_path: Path
):
    """Once the WebSocket is open, Slack routes events to this process: a SIGTERM from then on must shut it
    down cleanly (close the connection, the scheduler, the database), not kill it by the default action."""
    wait_connected(socket_mode, run_process, tmp_path)
    run_process.send_signal(signal.SIGTERM)
    try:
        code = run_process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"no exit within {STOP_TIMEOUT}s of SIGTERM; output:\n" + stacks_of_hung(run_process, tmp_path)
        ) from None
    assert code == 0, f"exit code {code} (negative: killed by that signal); output:\n{output_of(tmp_path)}"
    assert "INFO kaizen: Stopped" in output_of(tmp_path), "the connection, scheduler and database were closed"
