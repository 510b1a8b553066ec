"""`kaizen-bot run` as a real process, connected to a Socket Mode double and the Web API double."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import Popen

import pytest

from doubles.slack import SlackDouble
from doubles.socket_mode import SocketModeDouble
from tests.conftest import BOT_TOKEN, TEAM_CHANNEL

pytestmark = pytest.mark.slow

APP_TOKEN = "xapp-1-test"
CONNECT_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0  # the Socket Mode close is bounded at 5 s (bot/cli.py); the rest is room for a loaded machine


@pytest.fixture
def start_run(double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path) -> Iterator[Callable[..., Popen]]:
    """Starts `kaizen-bot run` (once per test; `app_token` replaces SLACK_APP_TOKEN), killed at the end if alive."""
    started: list[Popen] = []

    def start(*, app_token: str = APP_TOKEN) -> Popen:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(tmp_path)),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": app_token,
            "SLACK_API_URL": double.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kaizen.db'}",
            "PYTHONFAULTHANDLER": "1",  # SIGABRT then prints every thread's stack: see `stacks_of_hung`
        }
        with (tmp_path / "run.stdout").open("wb") as out, (tmp_path / "run.stderr").open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=out, stderr=err
            )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def run_process(start_run: Callable[..., Popen]) -> Popen:
    return start_run()


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
    assert "/kaizen list" in text and "For leaders" in text, "the help came back"
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


# --- start-up faults (issue 10, item 11) ---------------------------------------------------------------------------

RETRY_LINE = "trying again in"
REFUSED_TIMEOUT = 30.0  # a refusal ends the process in 1-2 s; the rest is room for a loaded machine
RECONNECT_TIMEOUT = 25.0  # a lost link is noticed within 10 s and re-opened in about 1 s (it took about a minute)


def wait_exit(proc: Popen, tmp_path: Path, timeout: float) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"`kaizen-bot run` still running after {timeout}s; output:\n" + stacks_of_hung(proc, tmp_path)
        ) from None


def stop_with_sigterm(proc: Popen, tmp_path: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    code = wait_exit(proc, tmp_path, STOP_TIMEOUT)
    assert code == 0, f"exit code {code}; output:\n{output_of(tmp_path)}"


def stderr_lines(tmp_path: Path) -> list[str]:
    text = (tmp_path / "run.stderr").read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip()]


def assert_quiet(tmp_path: Path) -> None:
    """Faults of the network or of Slack are told in WARNING lines of our own: no traceback, no ERROR line."""
    output = output_of(tmp_path)
    assert "Traceback" not in output, output
    assert not [line for line in stderr_lines(tmp_path) if " ERROR " in line], output
    assert "Broken pipe" not in output, output


def answers_help(sm: SocketModeDouble, double: SlackDouble) -> None:
    response_url = double.new_response_url(channel_id=TEAM_CHANNEL)
    sm.send_slash_command("help", response_url=response_url, trigger_id=double.new_trigger_id())
    [body] = double.wait_for_response(response_url, timeout=10)
    assert "For leaders" in json.dumps(body.get("blocks", [])) + body.get("text", ""), "the help came back"


@pytest.mark.parametrize("error", ["invalid_auth", "not_authed", "token_revoked", "not_allowed_token_type"])
def test_a_refused_app_token_ends_run_with_one_line_naming_slack_app_token(
    error: str, start_run: Callable[..., Popen], double: SlackDouble, tmp_path: Path
):
    double.fail("apps.connections.open", error, times=50)
    proc = start_run()

    code = wait_exit(proc, tmp_path, REFUSED_TIMEOUT)

    assert code == 2, output_of(tmp_path)
    last = stderr_lines(tmp_path)[-1]
    assert last.startswith(f"kaizen-bot: Slack refused SLACK_APP_TOKEN ({error}): "), output_of(tmp_path)
    assert "connections:write" in last and "App-Level Tokens" in last
    assert "Traceback" not in output_of(tmp_path)
    assert len(double.calls("apps.connections.open")) == 1, "a refusal is not retried"
    assert APP_TOKEN not in output_of(tmp_path)


def test_a_bot_token_given_as_slack_app_token_is_refused_before_calling_slack(
    start_run: Callable[..., Popen], double: SlackDouble, tmp_path: Path
):
    proc = start_run(app_token=BOT_TOKEN)

    code = wait_exit(proc, tmp_path, REFUSED_TIMEOUT)

    assert code == 2, output_of(tmp_path)
    [line] = stderr_lines(tmp_path)
    assert line.startswith("kaizen-bot: ") and "SLACK_APP_TOKEN" in line and "xapp-" in line
    assert not double.calls("apps.connections.open")
    assert BOT_TOKEN not in output_of(tmp_path)


def test_temporary_failures_of_apps_connections_open_are_retried_quietly_until_connected(
    start_run: Callable[..., Popen], double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    double.fail_http("apps.connections.open", 503)
    double.rate_limit("apps.connections.open", retry_after=1)
    double.fail("apps.connections.open", "internal_error")
    proc = start_run()

    wait_connected(socket_mode, proc, tmp_path)
    answers_help(socket_mode, double)

    assert len(double.calls("apps.connections.open")) == 4
    retries = [line for line in stderr_lines(tmp_path) if RETRY_LINE in line]
    assert len(retries) == 3, output_of(tmp_path)
    assert all(" WARNING " in line for line in retries)
    assert_quiet(tmp_path)
    stop_with_sigterm(proc, tmp_path)


def test_refused_websocket_connections_are_retried_until_one_opens(
    start_run: Callable[..., Popen], double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    socket_mode.refuse_connections(2)
    proc = start_run()

    wait_connected(socket_mode, proc, tmp_path)
    answers_help(socket_mode, double)

    assert len([line for line in stderr_lines(tmp_path) if RETRY_LINE in line]) == 2, output_of(tmp_path)
    assert len(double.calls("apps.connections.open")) == 3, "each attempt asks Slack for a fresh URL"
    assert_quiet(tmp_path)
    stop_with_sigterm(proc, tmp_path)


def test_sigterm_while_waiting_to_retry_exits_promptly_with_0(
    start_run: Callable[..., Popen], double: SlackDouble, tmp_path: Path
):
    double.fail_http("apps.connections.open", 503, times=1000)
    proc = start_run()
    double.wait_for("apps.connections.open", count=3, timeout=CONNECT_TIMEOUT)  # backing off by now

    stop_with_sigterm(proc, tmp_path)

    assert "INFO kaizen: Stopped" in output_of(tmp_path)
    assert_quiet(tmp_path)


# --- lost links (issue 10, item 12) --------------------------------------------------------------------------------


def test_a_link_cut_without_a_close_frame_is_reopened_quickly_and_quietly(
    run_process: Popen, double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    answers_help(socket_mode, double)  # the bot has the link (the double counts it once it sent "hello")

    socket_mode.cut()

    socket_mode.wait_connections(2, timeout=RECONNECT_TIMEOUT)
    answers_help(socket_mode, double)
    lost = [line for line in stderr_lines(tmp_path) if RETRY_LINE in line]
    assert len(lost) == 1 and "lost" in lost[0], output_of(tmp_path)
    assert_quiet(tmp_path)
    stop_with_sigterm(run_process, tmp_path)


def test_a_link_that_stops_answering_pings_is_noticed_and_reopened(
    run_process: Popen, double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    answers_help(socket_mode, double)

    socket_mode.go_silent()

    socket_mode.wait_connections(2, timeout=RECONNECT_TIMEOUT)
    answers_help(socket_mode, double)
    lost = [line for line in stderr_lines(tmp_path) if RETRY_LINE in line]
    assert len(lost) == 1 and "ping" in lost[0], output_of(tmp_path)
    assert_quiet(tmp_path)
    stop_with_sigterm(run_process, tmp_path)


def test_a_lost_link_is_reopened_with_backoff_while_slack_answers_503(
    run_process: Popen, double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    answers_help(socket_mode, double)
    double.fail_http("apps.connections.open", 503, times=2)

    socket_mode.cut()

    socket_mode.wait_connections(2, timeout=RECONNECT_TIMEOUT)
    answers_help(socket_mode, double)
    assert len([line for line in stderr_lines(tmp_path) if RETRY_LINE in line]) == 3, output_of(tmp_path)
    assert len(double.calls("apps.connections.open")) == 4
    assert_quiet(tmp_path)
    stop_with_sigterm(run_process, tmp_path)


def test_an_app_token_revoked_while_running_ends_run_with_the_one_line(
    run_process: Popen, double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    answers_help(socket_mode, double)
    double.fail("apps.connections.open", "token_revoked", times=50)

    socket_mode.cut()

    code = wait_exit(run_process, tmp_path, RECONNECT_TIMEOUT)
    assert code == 2, output_of(tmp_path)
    assert stderr_lines(tmp_path)[-1].startswith("kaizen-bot: Slack refused SLACK_APP_TOKEN (token_revoked): ")
    assert "Traceback" not in output_of(tmp_path)


def test_slacks_disconnect_message_moves_to_a_new_connection_without_a_warning(
    run_process: Popen, double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path
):
    wait_connected(socket_mode, run_process, tmp_path)
    answers_help(socket_mode, double)

    socket_mode.send_disconnect("refresh_requested")

    socket_mode.wait_connections(2, timeout=RECONNECT_TIMEOUT)
    answers_help(socket_mode, double)
    assert len(double.calls("apps.connections.open")) == 2
    assert not [line for line in stderr_lines(tmp_path) if RETRY_LINE in line], output_of(tmp_path)
    assert_quiet(tmp_path)
    stop_with_sigterm(run_process, tmp_path)
