"""The leaders' digest: with the first huddle of the day, each leader (KAIZEN_LEADERS and the members of
KAIZEN_LEADER_GROUP) gets one DM listing the ideas that waited past the nudge days, never understating how many
wait; none when nothing waits that long."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, raise_idea
from doubles.slack import SlackDouble
from tests.conftest import ALICE, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import EARLY, JUST_AFTER, LEAD, LEAD2, SLOT, WAIT
from tests.flows import digests as digests_in
from tests.flows_kaizen import Kaizen, start_kaizen


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


# --- the leaders' digest -----------------------------------------------------------------------------------


def digests(kaizen: Kaizen, user: str) -> list[dict]:
    return digests_in(kaizen.double, user)


def test_each_leader_gets_one_digest_a_day_with_the_first_huddle(kaizen: Kaizen):
    assert "lead" in kaizen.command(f"leaders add <@{LEAD2}|lead2>", user_id=ALICE)["text"]
    ideas = {}
    for days, problem in ((4, "Oldest waiting idea"), (3, "Next oldest waiting idea"), (1, "A fresh idea")):
        kaizen.clock.set(SLOT - timedelta(days=days))
        ideas[days] = kaizen.raise_idea(problem)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle("huddle at 08:30,14:00 mon-fri Europe/London")
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    for leader in (LEAD, LEAD2):
        [digest] = eventually(lambda leader=leader: digests(kaizen, leader), timeout=WAIT)
        text = digest["text"]
        assert f"#{ideas[4].number}" in text and f"#{ideas[3].number}" in text
        assert f"#{ideas[1].number}" not in text and "A fresh idea" not in text
        assert text.index("Oldest waiting idea") < text.index("Next oldest waiting idea")
        assert "4 days" in text and "3 days" in text
    assert digests(kaizen, ALICE) == [] and kaizen.dms(ALICE) == []
    kaizen.clock.set(datetime(2026, 11, 25, 14, 1, tzinfo=UTC))
    kaizen.wait_huddles(2)
    kaizen.let_ticks_run()
    kaizen.wait_settled()
    assert len(digests(kaizen, LEAD)) == 1 and len(digests(kaizen, LEAD2)) == 1, "one digest a day"
    kaizen.clock.set(JUST_AFTER + timedelta(days=1))
    kaizen.wait_huddles(3)
    eventually(lambda: len(digests(kaizen, LEAD)) == 2 and len(digests(kaizen, LEAD2)) == 2, timeout=WAIT)


def test_members_of_the_leader_user_group_get_the_digest_too(
    bot_factory: Any, double: SlackDouble, clock: SettableClock
):
    group_lead = "UGLEAD"
    double.add_user(group_lead, "glead")
    double.set_usergroup("S0LEADS", [group_lead])
    kaizen = start_kaizen(bot_factory, double, clock, kaizen_leader_group="S0LEADS")
    kaizen.clock.set(SLOT - timedelta(days=3))
    waiting = kaizen.raise_idea("Waiting for three days")
    kaizen.clock.set(EARLY)
    assert kaizen.running.kaizen.leaders.is_leader(WORKSPACE, kaizen.team(), group_lead), "a leader of the team"
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    eventually(lambda: digests(kaizen, LEAD), timeout=WAIT)
    kaizen.let_ticks_run()
    kaizen.wait_settled()
    got = digests(kaizen, group_lead)
    assert len(got) == 1, (
        f"{group_lead} leads the team through KAIZEN_LEADER_GROUP but got {len(got)} digest(s); "
        f"{LEAD} (KAIZEN_LEADERS) got {len(digests(kaizen, LEAD))}"
    )
    assert f"#{waiting.number}" in got[0]["text"]


def test_the_digest_never_understates_how_many_ideas_wait(kaizen: Kaizen):
    wired = kaizen.running.kaizen
    kaizen.clock.set(SLOT - timedelta(days=3))
    for n in range(1, 13):
        kaizen.clock.advance(timedelta(seconds=1))
        raise_idea(
            wired.db, wired.clock,
            NewIdea(workspace_id=WORKSPACE, channel_id=TEAM_CHANNEL, channel_name="ward-7", author_id=ALICE,
                    problem=f"Old idea number {n}"),
        )  # fmt: skip
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    [digest] = eventually(lambda: digests(kaizen, LEAD), timeout=WAIT)
    text = digest["text"]
    listed = len(re.findall(r"Old idea number \d+", text))
    assert listed == 12 or f"+{12 - listed} more" in text, f"12 ideas wait; the digest says:\n{text}"


def test_no_digest_when_nothing_waits_past_the_threshold(kaizen: Kaizen):
    kaizen.clock.set(SLOT - timedelta(days=1))
    kaizen.raise_idea("Only a day old")
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    kaizen.let_ticks_run()
    kaizen.wait_settled()
    assert kaizen.dms(LEAD) == []
