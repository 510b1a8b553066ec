"""Two `kaizen-bot serve` processes on one SQLite file, each with its own scheduler, and a huddle set a minute
ahead with `/kaizen huddle at`: the huddle is posted once. Real processes on the real clock, so this test waits
for the slot (about a minute and a half)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE
from tests.flows import HUDDLE_TEXT
from tests.processes import ServeProcess, bot_env

pytestmark = pytest.mark.slow

LEADER = "ULEAD"


def huddles_posted(double: SlackDouble) -> list[dict]:
    return [m for m in double.messages(TEAM_CHANNEL) if HUDDLE_TEXT.match(m.get("text", ""))]


def test_two_processes_on_one_database_post_a_huddle_once(double: SlackDouble, tmp_path: Path, database_url: str):
    double.clock = time.time  # the processes run on the real clock; so does Slack
    double.add_user(LEADER, "lead")
    double.add_channel(TEAM_CHANNEL, "ward-7", members=["U_ALICE", LEADER, "UBOT"])
    env = bot_env(double, tmp_path, database_url=database_url) | {"KAIZEN_LEADERS": LEADER}
    first = ServeProcess(env, tmp_path, "serve-1")
    second = ServeProcess(env, tmp_path, "serve-2")
    try:
        slot = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%H:%M")
        reply, response_url = SlackDriver(first.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE).command(
            f"huddle at {slot} daily UTC", user_id=LEADER
        )
        assert reply.status == 200
        [answer] = double.wait_for_response(response_url)
        assert slot in answer["text"], answer
        deadline = time.monotonic() + 150
        while not huddles_posted(double) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert huddles_posted(double), f"no huddle posted\n{first.stderr()}\n{second.stderr()}"
        time.sleep(25)  # more ticks of both processes: neither may post the slot again
        assert len(huddles_posted(double)) == 1
        assert first.terminate() == 0 and second.terminate() == 0
    finally:
        first.close()
        second.close()
