"""`kaizen-bot serve` and `kaizen-bot check` as real processes, against the Slack double."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE
from tests.flows import shown
from tests.processes import SERVING, STOP_TIMEOUT, ServeProcess, bot_env, explained, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture
def serve(double: SlackDouble, tmp_path: Path, database_url: str) -> Iterator[object]:
    started: list[ServeProcess] = []

    def start() -> ServeProcess:
        env = bot_env(double, tmp_path, database_url=database_url)
        process = ServeProcess(env, tmp_path, f"serve-{len(started) + 1}")
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()


def test_an_idea_raised_through_serve_survives_a_restart(serve, double: SlackDouble):
    problem = "Drug fridge thermometer keeps resetting"
    first: ServeProcess = serve()
    slack = SlackDriver(first.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)

    with explained(first):
        reply, _ = slack.command("")
        assert reply.status == 200, reply.text
        [opened] = double.wait_for("views.open", timeout=10)
        view = opened.args["view"] | {"id": double.last_view()["id"]}
        reply = slack.submit_view(view, {"problem": problem})
        assert reply.status == 200, reply.text
        double.wait_for("chat.postMessage", timeout=10)
        [card] = double.messages(TEAM_CHANNEL)
        assert "Kaizen #1" in shown(card) and problem in shown(card)
    assert first.terminate() == 0, first.stderr()

    second: ServeProcess = serve()
    slack = SlackDriver(second.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    with explained(second):
        reply, response_url = slack.command("list")
        assert reply.status == 200, reply.text
        [board] = double.wait_for_response(response_url, timeout=10)
        assert problem in shown(board) and "#1" in shown(board), shown(board)
    assert second.terminate() == 0, second.stderr()


def test_serve_answers_health_checks_and_exits_0_on_sigterm(serve):
    import urllib.request

    process: ServeProcess = serve()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(process.url + "/healthz", timeout=10) as response:
        assert response.status == 200
    assert process.terminate() == 0, process.stderr()


def run_check(double: SlackDouble, tmp_path: Path, token: str) -> subprocess.CompletedProcess[str]:
    return run_cli([sys.executable, "-m", "bot.cli", "check"], bot_env(double, tmp_path, token=token), tmp_path)


def test_check_reaches_the_workspace(double: SlackDouble, tmp_path: Path):
    result = run_check(double, tmp_path, BOT_TOKEN)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert WORKSPACE in result.stdout and "workspace" in result.stdout.lower(), result.stdout
    assert double.calls("auth.test"), "check must call auth.test"
    assert BOT_TOKEN not in result.stdout + result.stderr


def test_check_with_a_rejected_token_names_the_error_and_the_setting_but_not_the_token(
    double: SlackDouble, tmp_path: Path
):
    wrong = "xoxb-wrong"
    result = run_check(double, tmp_path, wrong)
    assert result.returncode == 1, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    output = result.stdout + result.stderr
    assert any("invalid_auth" in line and "SLACK_BOT_TOKEN" in line for line in output.splitlines()), output
    assert wrong not in output


def test_serve_exits_0_on_sigterm_sent_as_soon_as_it_says_it_is_serving(double: SlackDouble, tmp_path: Path):
    """Supervisors read the "serving on" line to know the server is up; a SIGTERM sent right after it must
    still be a clean shutdown (exit 0), not death by the signal's default action. The window is short, so the
    line is read unbuffered and the signal sent at once, several times over."""
    env = bot_env(double, tmp_path)
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"]
    for attempt in range(15):
        stderr_path = tmp_path / f"early-{attempt}.stderr"
        with stderr_path.open("wb") as err:
            proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=err, bufsize=0)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().decode()  # the first line is the "serving on" line
            assert SERVING.search(line), f"attempt {attempt}: {line!r}; stderr:\n{stderr_path.read_text()}"
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"attempt {attempt}: no exit within {STOP_TIMEOUT}s of SIGTERM") from None
            assert code == 0, (
                f"attempt {attempt}: exit code {code} (negative: killed by that signal) for a SIGTERM sent "
                f"just after the 'serving on' line; stderr:\n{stderr_path.read_text()}"
            )
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
