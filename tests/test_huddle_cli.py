"""`kaizen-bot huddle --channel C` as a real process against the Slack double: one huddle posted and exit 0, or
exit 1 with one clear line for a channel that does not exist or that Kaizen is not in."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from doubles.slack import SlackDouble
from tests.conftest import OUTSIDE_CHANNEL, TEAM_CHANNEL
from tests.flows import HUDDLE_TEXT
from tests.flows import shown as payload
from tests.processes import bot_env, kaizen_bot, run_cli


def run_huddle(double: SlackDouble, tmp_path: Path, channel: str) -> subprocess.CompletedProcess[str]:
    env = bot_env(double, tmp_path, database_url=f"sqlite:///{tmp_path / 'cli.db'}")
    return run_cli([*kaizen_bot(), "huddle", "--channel", channel], env, tmp_path)


@pytest.mark.slow
def test_kaizen_bot_huddle_posts_one_huddle_and_exits_0(double: SlackDouble, tmp_path: Path):
    started = time.monotonic()
    result = run_huddle(double, tmp_path, TEAM_CHANNEL)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert TEAM_CHANNEL in result.stdout
    huddles = [m for m in double.messages(TEAM_CHANNEL) if HUDDLE_TEXT.match(m.get("text") or "")]
    assert len(huddles) == 1
    assert "Today's question" in payload(huddles[0])
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_kaizen_bot_huddle_for_a_channel_that_does_not_exist_exits_1_with_a_clear_line(
    double: SlackDouble, tmp_path: Path
):
    result = run_huddle(double, tmp_path, "C_NOPE")
    assert result.returncode == 1, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["kaizen-bot: Slack said channel_not_found for channel C_NOPE."]
    assert not double.calls("chat.postMessage")


@pytest.mark.slow
def test_kaizen_bot_huddle_for_a_channel_kaizen_is_not_in_exits_1_with_a_clear_line(
    double: SlackDouble, tmp_path: Path
):
    result = run_huddle(double, tmp_path, OUTSIDE_CHANNEL)
    assert result.returncode == 1, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"kaizen-bot: Kaizen is not a member of {OUTSIDE_CHANNEL}: invite it with /invite @Kaizen."]
    assert double.messages(OUTSIDE_CHANNEL) == []
    assert not double.calls("chat.postMessage")
