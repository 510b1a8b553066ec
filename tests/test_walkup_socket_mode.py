"""The walk-up form in Socket Mode: `kaizen-bot run --web-port 0` as a real process serves the form on a local port
(127.0.0.1 unless `--web-host` says otherwise) for an intranet kiosk, beside its Socket Mode link."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from doubles.slack import SlackDouble
from doubles.socket_mode import SocketModeDouble
from tests.conftest import BOT_TOKEN, TEAM_CHANNEL, eventually
from tests.flows import LEAD, team_channel

pytestmark = pytest.mark.slow

APP_TOKEN = "xapp-1-test"
_SERVING = re.compile(r"walk-up form on http://([0-9.]+):([0-9]+)")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def run_with_form(double: SlackDouble, socket_mode: SocketModeDouble, tmp_path: Path) -> Iterator[subprocess.Popen]:
    team_channel(double)
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp_path)),
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": double.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kaizen.db'}", "KAIZEN_LEADERS": LEAD,
        "KAIZEN_PUBLIC_URL": "http://kiosk.ward7.intranet",
    }  # fmt: skip
    with (tmp_path / "run.stdout").open("wb") as out, (tmp_path / "run.stderr").open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--no-worker", "--web-port", "0"], env=env,
                                cwd=tmp_path, stdout=out, stderr=err)  # fmt: skip
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def http(method: str, host: str, port: int, path: str, body: bytes | None = None) -> tuple[int, dict, str]:
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8")
    finally:
        connection.close()


def test_run_serves_the_walkup_form_on_a_local_port_and_its_card_reaches_the_channel(
    run_with_form: subprocess.Popen, socket_mode: SocketModeDouble, double: SlackDouble, tmp_path: Path
):
    out = tmp_path / "run.stdout"
    serving = eventually(lambda: _SERVING.search(out.read_text(encoding="utf-8", errors="replace")), timeout=30)
    host, port = serving.group(1), int(serving.group(2))
    assert host == "127.0.0.1", "bound to loopback unless --web-host says otherwise"
    socket_mode.wait_connected(timeout=30)
    response_url = double.new_response_url(channel_id=TEAM_CHANNEL)
    socket_mode.send_slash_command("form new", user_id=LEAD, channel_id=TEAM_CHANNEL, response_url=response_url,
                                   trigger_id=double.new_trigger_id(), channel_name="ward-7")  # fmt: skip
    [reply] = double.wait_for_response(response_url, timeout=15)
    said = json.dumps(reply.get("blocks", [])) + reply.get("text", "")
    path = re.search(r"/raise/[A-Za-z0-9_-]{16,64}", said)
    assert path and "http://kiosk.ward7.intranet/raise/" in said, said

    status, _headers, form = http("GET", host, port, path.group(0))
    assert status == 200 and "What&#39;s the problem?" in form
    token = _CSRF.search(form)
    assert token
    body = urlencode({"csrf": token.group(1), "problem": "The kiosk printer jams", "name": "Night porter"}).encode()
    status, headers, _ = http("POST", host, port, path.group(0), body)
    assert status == 303 and headers["Location"].endswith("/thanks")
    posted = eventually(
        lambda: [m for m in double.messages(TEAM_CHANNEL) if "kiosk printer jams" in json.dumps(m)], timeout=15
    )
    assert "Raised on the ward form by Night porter" in json.dumps(posted[0])
    assert http("GET", host, port, "/slack/events")[0] == 404, "only the form is served here"

    run_with_form.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    while run_with_form.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run_with_form.returncode == 0, (tmp_path / "run.stderr").read_text()
