"""`/kaizen stats` under the process model: the serving process queues the drawing, the worker draws the charts,
uploads them and answers through the command's response_url, so the serving process never loads matplotlib.
Real processes on the real clock, one SQLite file, the Slack double."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from doubles.slack import SlackDouble
from tests.conftest import ALICE, TEAM_CHANNEL
from tests.flows import assert_real_png, team_channel
from tests.processes import Bots

pytestmark = pytest.mark.slow

SENT = "Sent you the charts in a direct message."


@pytest.fixture
def bots(double: SlackDouble, tmp_path: Path) -> Iterator[Bots]:
    double.clock = time.time  # the processes run on the real clock; so does Slack
    team_channel(double, (ALICE,))
    running = Bots(double, tmp_path)
    yield running
    running.close()


def loads_matplotlib(pid: int) -> bool:
    """Whether the process has matplotlib's compiled modules mapped (it imported matplotlib)."""
    return "/matplotlib/" in Path(f"/proc/{pid}/maps").read_text()


def test_the_worker_draws_the_charts_and_the_serving_process_never_loads_matplotlib(bots: Bots, double: SlackDouble):
    serve = bots.start()
    [worker] = bots.wait(serve.workers, 10, "the worker process")

    reply, response_url = bots.driver(serve).command("stats", user_id=ALICE, channel_id=TEAM_CHANNEL)

    assert reply.status == 200
    [answer] = bots.wait(lambda: double.responses(response_url), 30, "the answer, after the charts went out")
    [upload] = double.uploaded_files()
    with bots.explained():
        assert SENT in answer["text"]
        assert answer.get("response_type", "ephemeral") == "ephemeral"
        dm = double.channel(upload["channel_id"])
        assert dm is not None and dm["is_im"] and dm["user"] == ALICE
        assert_real_png(upload["bytes"])
        assert loads_matplotlib(worker), "the worker drew them"
        assert not loads_matplotlib(serve.proc.pid), "the serving process stays small"
        assert serve.terminate() == 0


def test_with_no_worker_the_charts_wait_for_a_worker_elsewhere(bots: Bots, double: SlackDouble):
    serve = bots.start("--no-worker")
    reply, response_url = bots.driver(serve).command("stats", user_id=ALICE, channel_id=TEAM_CHANNEL)
    assert reply.status == 200
    time.sleep(3)  # what the serving process would have drawn by now, were it drawing
    with bots.explained():
        assert double.uploaded_files() == []
        assert double.responses(response_url) == []
        assert not loads_matplotlib(serve.proc.pid)
    with bots.worker_elsewhere():
        [answer] = bots.wait(lambda: double.responses(response_url), 30, "the charts, from `kaizen-bot worker`")
    assert SENT in answer["text"]
    assert len(double.uploaded_files()) == 1, "drawn and sent once"
    assert serve.terminate() == 0
