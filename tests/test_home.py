"""The App Home tab through the HTTP endpoint: `app_home_opened` (tab "home") goes through the inbox and publishes
the person's Home tab with views.publish: their own ideas, the ideas waiting for their decision (leaders) and the
boards of the teams whose channels they are in, never of others. A change to one of their ideas publishes it
again; the Messages tab publishes nothing."""

from __future__ import annotations

from typing import Any

from bot.ideas.workflow import NewIdea, raise_idea
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import APPROVE, LEAD
from tests.flows import raise_idea as raise_in_slack
from tests.flows import start as start_bot_and_driver
from tests.homes import VIEW_BLOCK_LIMIT, checked_home, open_home, publishes_for, section_after, text_of

# --- helpers ---------------------------------------------------------------------------------------------------


def start(bot_factory: Any, double: SlackDouble) -> tuple[RunningBot, SlackDriver]:
    """A bot whose leader is in the team channel (ward-7) but not in the other one (pharmacy); Carol is in neither."""
    return start_bot_and_driver(bot_factory, double, members=(ALICE, BOB, LEAD))


def raise_through_slack(
    running: RunningBot, slack: SlackDriver, double: SlackDouble, problem: str, *, user: str, channel: str
) -> Idea:
    """`/kaizen <problem>` and the modal submitted; returns the idea once its card is posted."""
    return raise_in_slack(running, slack, double, problem, user=user, channel=channel)


# --- opening the tab -------------------------------------------------------------------------------------------


def test_opening_the_home_tab_publishes_my_own_ideas_and_my_teams_board(bot_factory, double):
    running, slack = start(bot_factory, double)
    mine = [
        raise_through_slack(running, slack, double, "The bladder scanner lives on the other ward", user=ALICE,
                            channel=TEAM_CHANNEL),
        raise_through_slack(running, slack, double, "Drug fridge thermometer is unreadable", user=ALICE,
                            channel=TEAM_CHANNEL),
    ]  # fmt: skip
    bobs = raise_through_slack(running, slack, double, "Handover sheet is two pages", user=BOB, channel=TEAM_CHANNEL)

    home = open_home(slack, double, ALICE)

    assert home is not None
    shown = text_of(home)
    your_ideas = section_after(home, "Your ideas")
    assert "Your ideas* (2)" in shown
    for idea in mine:
        assert f"#{idea.number}" in your_ideas and idea.problem in your_ideas
    assert "waiting since today" in your_ideas
    assert bobs.problem not in shown, "someone else's idea is not among mine"
    assert f"<#{TEAM_CHANNEL}>" in shown, "the board of a team I am in"
    assert "3 waiting for a decision" in shown
    assert "Waiting for your decision" not in shown, "not a leader"
    assert double.rejections == []


def test_a_leader_sees_the_teams_new_ideas_waiting_for_their_decision(bot_factory, double):
    running, slack = start(bot_factory, double)
    first = raise_through_slack(running, slack, double, "Call bells out of reach", user=ALICE, channel=TEAM_CHANNEL)
    second = raise_through_slack(running, slack, double, "No spare commode", user=BOB, channel=TEAM_CHANNEL)
    decided = raise_through_slack(running, slack, double, "Linen cupboard locked", user=ALICE, channel=TEAM_CHANNEL)
    assert decided.card_ts is not None
    assert slack.reaction_added(APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=decided.card_ts).status == 200
    eventually(lambda: running.kaizen.lifecycle.load(decided.id).status == "approved")

    home = open_home(slack, double, LEAD)

    assert home is not None
    waiting = section_after(home, "Waiting for your decision")
    assert "Waiting for your decision* (2)" in text_of(home)
    for idea in (first, second):
        assert f"#{idea.number}" in waiting and idea.problem in waiting
    assert decided.problem not in waiting, "an approved idea waits for nobody"
    assert f"<#{TEAM_CHANNEL}>" in waiting
    assert "Your ideas* (0)" in text_of(home)


def test_a_team_whose_channel_i_am_not_in_stays_off_my_home_tab(bot_factory, double):
    running, slack = start(bot_factory, double)
    ward = raise_through_slack(running, slack, double, "Sharps bin too high", user=ALICE, channel=TEAM_CHANNEL)
    pharmacy = raise_through_slack(
        running, slack, double, "Controlled drugs book is full", user=BOB, channel=OTHER_CHANNEL
    )

    # The leader is in ward-7, not in pharmacy: pharmacy's new idea does not wait for them, its board is not shown.
    lead_home = open_home(slack, double, LEAD)
    assert lead_home is not None
    assert ward.problem in text_of(lead_home)
    assert pharmacy.problem not in text_of(lead_home)
    assert f"<#{OTHER_CHANNEL}>" not in text_of(lead_home)

    # Alice is not in pharmacy either.
    alice_home = open_home(slack, double, ALICE)
    assert alice_home is not None
    assert pharmacy.problem not in text_of(alice_home) and f"<#{OTHER_CHANNEL}>" not in text_of(alice_home)
    assert f"<#{TEAM_CHANNEL}>" in text_of(alice_home)

    # Carol is in neither team's channel: no boards, no ideas, no figures.
    carol_home = open_home(slack, double, CAROL)
    assert carol_home is not None
    shown = text_of(carol_home)
    for absent in (ward.problem, pharmacy.problem, f"<#{TEAM_CHANNEL}>", f"<#{OTHER_CHANNEL}>", "Last 52 weeks"):
        assert absent not in shown
    assert "Your ideas* (0)" in shown

    # Bob, in both, sees both boards.
    bob_home = open_home(slack, double, BOB)
    assert bob_home is not None
    assert f"<#{TEAM_CHANNEL}>" in text_of(bob_home) and f"<#{OTHER_CHANNEL}>" in text_of(bob_home)


def test_after_my_idea_is_approved_my_home_tab_is_published_again_with_its_new_status(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_through_slack(running, slack, double, "Tympanic probe covers run out", user=ALICE,
                               channel=TEAM_CHANNEL)  # fmt: skip
    before = open_home(slack, double, ALICE)
    assert before is not None
    assert "waiting since today" in section_after(before, "Your ideas")
    published = len(publishes_for(double, ALICE))

    assert idea.card_ts is not None
    assert slack.reaction_added(APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts).status == 200

    eventually(lambda: len(publishes_for(double, ALICE)) > published, timeout=10)
    after = checked_home(double, ALICE)
    line = section_after(after, "Your ideas")
    assert idea.problem in line
    assert "approved today" in line and "waiting" not in line


def test_the_messages_tab_publishes_nothing(bot_factory, double):
    running, slack = start(bot_factory, double)
    raise_through_slack(running, slack, double, "Obs machine battery flat", user=ALICE, channel=TEAM_CHANNEL)

    assert open_home(slack, double, ALICE, tab="messages") is None
    # Bob then opens his Home tab: once that is published, Alice's event has long been dealt with.
    assert open_home(slack, double, BOB) is not None

    assert publishes_for(double, ALICE) == []
    assert double.home_view(ALICE) is None


def test_a_long_history_fits_in_one_home_tab(bot_factory, double):
    running, slack = start(bot_factory, double)
    channels = [f"C_WARD{n}" for n in range(8)]
    for n, channel in enumerate(channels):
        double.add_channel(channel, f"ward-{n}", members=[ALICE, LEAD, "UBOT"])
    clock = running.kaizen.clock
    for n in range(40):
        long_problem = f"Problem {n}: " + "the trolley blocks the corridor again " * 12
        new = NewIdea(
            workspace_id=WORKSPACE, channel_id=channels[n % len(channels)], channel_name=f"ward-{n % len(channels)}",
            author_id=ALICE, problem=long_problem.strip(),
        )  # fmt: skip
        raise_idea(running.kaizen.db, clock, new)

    for user in (ALICE, LEAD):
        home = open_home(slack, double, user)
        assert home is not None
        assert len(home["blocks"]) <= VIEW_BLOCK_LIMIT
    assert "Your ideas* (40)" in text_of(double.home_view(ALICE) or {})
    assert "older" in text_of(double.home_view(ALICE) or {}), "the rest are pointed to, not listed"
    assert double.rejections == []
