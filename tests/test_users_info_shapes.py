"""users.info as Slack answers it for a deactivated account (`deleted: true`, no zone, no admin flags) and for a
person whose profile has no time zone (no `tz`, `tz_label`, `tz_offset`): the bot handles both. A leader without
a zone gets the team's default zone (KAIZEN_TIMEZONE) for the huddle; a deactivated owner is still named; the
participation figures count neither deactivated accounts nor bots among the channel's people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.clock import SettableClock
from bot.delivery.names import NAME_TTL
from bot.render.ids import ActionId
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, RunningBot
from tests.flows import LEAD, a_little_history, ask, summary_lines
from tests.flows import shown as shown_reply
from tests.flows_kaizen import Kaizen, header, lines_under, open_welcome_form, start_kaizen, welcome

DEFAULT_ZONE = "Asia/Tokyo"  # the team's default here, far from the double's Europe/London


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock, kaizen_timezone=DEFAULT_ZONE)


def test_users_info_answers_for_a_deactivated_user_and_one_without_a_zone(double: SlackDouble):
    double.add_user("UGONE", "gone", deleted=True)
    double.add_user("UNOZONE", "nozone", tz=None)
    client = WebClient(token=double.bot_token, base_url=double.api_url)

    gone = client.users_info(user="UGONE")["user"]
    assert gone["deleted"] is True and gone["is_bot"] is False
    assert not {"tz", "tz_label", "tz_offset", "is_admin", "is_owner"} & set(gone)
    assert gone["profile"]["display_name"] == "gone"

    no_zone = client.users_info(user="UNOZONE")["user"]
    assert no_zone["deleted"] is False and no_zone["is_admin"] is False
    assert not {"tz", "tz_label", "tz_offset"} & set(no_zone)

    with_zone = client.users_info(user=ALICE)["user"]
    assert (with_zone["tz"], with_zone["deleted"]) == ("Europe/London", False) and "tz_offset" in with_zone


# --- no time zone ------------------------------------------------------------------------------------------------


def test_a_leader_without_a_time_zone_sets_the_huddle_in_the_default_zone(kaizen: Kaizen):
    kaizen.double.add_user(LEAD, "lead", tz=None)

    text = kaizen.set_huddle("huddle at 09:15")

    assert DEFAULT_ZONE in text, text
    team = kaizen.team()
    assert team is not None and team.timezone == DEFAULT_ZONE
    kaizen.clock.set(datetime(2026, 11, 26, 0, 16, tzinfo=UTC))  # 09:16 on Thursday in Tokyo
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Morning huddle · Thursday 26 November"


def test_set_up_daily_huddle_offers_the_default_zone_to_a_leader_without_one(kaizen: Kaizen):
    kaizen.double.add_user(LEAD, "lead", tz=None)
    message = welcome(kaizen)

    form = open_welcome_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)

    zone = next(b["element"] for b in form["blocks"] if b.get("block_id") == "zone")
    assert zone["initial_value"] == DEFAULT_ZONE


# --- deactivated -------------------------------------------------------------------------------------------------


def test_a_deactivated_owner_is_still_named_in_the_huddle_without_a_ping(kaizen: Kaizen):
    idea = kaizen.start(kaizen.raise_idea("Sluice room door sticks", user_id=ALICE))
    assert idea.owner_id == ALICE
    kaizen.double.add_user(ALICE, "Alice Ward", deleted=True)  # she left after starting it
    kaizen.clock.set(kaizen.clock.now() + NAME_TTL + timedelta(minutes=1))  # her name is looked up afresh

    kaizen.huddle_now(user_id=BOB)

    [huddle] = kaizen.huddles()
    [line] = lines_under(huddle, "In progress")
    assert line.endswith("Sluice room door sticks — Alice Ward"), line
    kaizen.wait_settled()


def test_participation_counts_only_active_people_in_the_channel(bot: RunningBot, slack, double: SlackDouble):
    double.add_user(CAROL, "carol", deleted=True)
    double.add_user("UAPPBOT1", "standup-bot", is_bot=True)
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, CAROL, "UAPPBOT1", "USLACKBOT", "UBOT"])
    a_little_history(bot)  # Alice and Bob each raised an idea last week

    body = ask(slack, double, "stats", user_id=ALICE, channel_id=TEAM_CHANNEL)

    assert "Sent you the charts" in shown_reply(body)
    [upload] = double.uploaded_files()
    [figures] = [line for line in summary_lines(upload) if line.startswith("Last 52 weeks")]
    assert "2 of 2 people took part (100%, per channel members)" in figures, "not Carol (deactivated), nor the bots"
