"""Several `kaizen-bot serve` processes on one database, as behind a load balancer: cards are posted once and
an approval delivered to both (a retry that lands on the other instance, or a duplicate) applies once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import cards
from tests.processes import ServeProcess, bot_env

pytestmark = pytest.mark.slow

LEADER = "ULEAD"


def test_two_instances_post_each_card_once_and_apply_an_approval_once(
    double: SlackDouble, tmp_path: Path, database_url: str
):
    double.clock = time.time  # the processes run on the real clock
    double.add_user(LEADER, "lead")
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, LEADER, "UBOT"])
    env = bot_env(double, tmp_path, database_url=database_url) | {"KAIZEN_LEADERS": LEADER}
    first, second = ServeProcess(env, tmp_path, "serve-1"), ServeProcess(env, tmp_path, "serve-2")
    try:
        drivers = [SlackDriver(p.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE) for p in (first, second)]
        for n in range(6):  # the load balancer alternates
            slack = drivers[n % 2]
            before = len(double.calls("views.open"))
            slack.command(f"Problem {n}")
            view = double.opened_view(before + 1)
            assert slack.submit_view(view, {"problem": f"Problem {n}"}).status == 200
        eventually(lambda: len(cards(double)) == 6, timeout=20)
        card = cards(double)[0]
        double.add_reaction(TEAM_CHANNEL, card["ts"], "white_check_mark", LEADER)

        def deliver(args: tuple[SlackDriver, str]) -> int:
            slack, event_id = args
            return slack.reaction_added(
                "white_check_mark", user_id=LEADER, channel_id=TEAM_CHANNEL, ts=card["ts"], event_id=event_id
            ).status

        # The same delivery to both instances at once, and a duplicate with another event_id.
        deliveries = [(drivers[0], "EvSAME"), (drivers[1], "EvSAME"), (drivers[1], "EvOTHER")]
        with ThreadPoolExecutor(max_workers=3) as pool:
            assert list(pool.map(deliver, deliveries)) == [200, 200, 200]

        def thanks() -> list[dict]:
            return [m for m in double.messages(TEAM_CHANNEL) if m.get("thread_ts") == card["ts"]]

        eventually(lambda: thanks(), timeout=20)
        time.sleep(3)  # both instances' inbox sweeps run meanwhile; neither may thank twice
        assert len(thanks()) == 1
        assert len(cards(double)) == 6, "no card was posted twice"
        assert "Approved" in str(double.messages(TEAM_CHANNEL)[0]["blocks"])
        assert first.terminate() == 0 and second.terminate() == 0
    finally:
        first.close()
        second.close()
