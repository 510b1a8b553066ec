"""Slack Connect: a channel shared with another organisation is one team, filed under the installation that set it
up. People of the partner organisation act on it with their own workspace's team_id in every payload (and events
carry it at the top, with ours only in `authorizations`); their ideas, emoji and buttons land in that team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, Team
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import APPROVE, load, raise_idea, start, wait_settled

PARTNER = "T0PARTNER"
PARTNER_USER = "UPARTNER"  # a leader of the team who works for the partner organisation
PARTNER_LEAD = "UPLEAD"


def partner_driver(running: RunningBot, double: SlackDouble) -> SlackDriver:
    for user in (PARTNER_USER, PARTNER_LEAD):
        if double.user(user) is None:
            double.add_user(user, user.lower())
    return SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=PARTNER, installed_team_id=WORKSPACE)


def teams(running: RunningBot) -> list[tuple[str, str]]:
    with running.kaizen.db.read() as session:
        return [(t.workspace_id, t.channel_id) for t in session.scalars(select(Team).order_by(Team.id))]


def raise_as(running: RunningBot, driver: SlackDriver, double: SlackDouble, user: str, problem: str) -> Idea:
    return raise_idea(running, driver, double, problem, user=user)


def test_an_idea_raised_by_the_partner_organisation_is_filed_under_the_channels_workspace(
    bot_factory: Any, double: SlackDouble
) -> None:
    running, home = start(bot_factory, double)
    first = raise_idea(running, home, double, "Sharps bin is always full")
    partner = partner_driver(running, double)

    idea = raise_as(running, partner, double, PARTNER_USER, "The payload label on the pump is unreadable")

    assert (idea.workspace_id, idea.team_id, idea.number) == (WORKSPACE, first.team_id, 2)
    assert teams(running) == [(WORKSPACE, TEAM_CHANNEL)]
    _reply, response_url = home.command("list", user_id=ALICE, channel_id=TEAM_CHANNEL)
    [board] = double.wait_for_response(response_url)
    assert "The payload label on the pump is unreadable" in str(board) and "Sharps bin" in str(board)


def test_the_partner_setting_up_a_channel_first_files_it_under_our_installation(
    bot_factory: Any, double: SlackDouble
) -> None:
    running, _home = start(bot_factory, double)
    partner = partner_driver(running, double)

    idea = raise_as(running, partner, double, PARTNER_USER, "Handover sheet is missing a field")

    assert idea.workspace_id == WORKSPACE and idea.number == 1
    assert teams(running) == [(WORKSPACE, TEAM_CHANNEL)]


def test_a_partner_leaders_emoji_delivered_with_their_team_id_approves_at_once(
    bot_factory: Any, double: SlackDouble
) -> None:
    running, home = start(bot_factory, double, kaizen_leaders=(PARTNER_LEAD,))
    partner = partner_driver(running, double)
    idea = raise_idea(running, home, double, "Bed alarm volume is too low")
    assert idea.card_ts is not None

    # No scheduler runs here: nothing but the event itself can approve the idea.
    reply = partner.reaction_added(APPROVE, user_id=PARTNER_LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts)

    assert reply.status == 200
    eventually(lambda: load(running, idea.id).status == "approved")
    wait_settled(running)
    assert load(running, idea.id).decided_by == PARTNER_LEAD


def test_a_partner_pressing_a_card_button_acts_on_the_channels_idea(bot_factory: Any, double: SlackDouble) -> None:
    running, home = start(bot_factory, double, kaizen_leaders=(PARTNER_LEAD,))
    partner = partner_driver(running, double)
    idea = raise_idea(running, home, double, "Discharge letters wait for a signature")
    [card] = [m for m in double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]

    reply = partner.block_action("idea_approve", message=card, user_id=PARTNER_LEAD, channel_id=TEAM_CHANNEL)

    assert reply.status == 200
    eventually(lambda: load(running, idea.id).status == "approved")
    wait_settled(running)


def test_a_partners_show_command_finds_the_channels_idea_by_its_number(bot_factory: Any, double: SlackDouble) -> None:
    running, home = start(bot_factory, double)
    partner = partner_driver(running, double)
    double.add_channel(
        TEAM_CHANNEL, "ward-7", members=[ALICE, PARTNER_USER, "UBOT"]
    )  # the partner is in the shared channel
    raise_idea(running, home, double, "Spare batteries for the ECG are never charged")

    _reply, response_url = partner.command("show 1", user_id=PARTNER_USER, channel_id=TEAM_CHANNEL)

    [shown] = double.wait_for_response(response_url)
    assert "Spare batteries" in str(shown)
