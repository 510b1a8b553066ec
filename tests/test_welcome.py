"""The welcome when Kaizen joins a channel (once, whatever Slack retries; nothing when someone else joins),
and its two forms: setting up the daily huddle (a leader's, checked as the command is) and adding leaders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.render.ids import ActionId
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL, eventually
from tests.flows import LEAD, SCHEDULE, WAIT
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, header, joined, start_kaizen, welcome, welcomes
from tests.flows_kaizen import open_welcome_form as open_form


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


# --- the welcome, and its two forms ------------------------------------------------------------------------


def test_kaizen_joining_a_channel_says_hello_once_with_two_buttons(kaizen: Kaizen):
    message = welcome(kaizen)
    assert "Add leaders" in payload(message)
    assert "/kaizen" in message["text"] and "huddle" in message["text"], "a fallback text that says what it offers"
    joined(kaizen, "UBOT", event_id=kaizen.slack.last_event_id, retry_num=1)  # Slack's retry of the same event
    kaizen.wait_settled()
    assert len(welcomes(kaizen)) == 1


def test_someone_else_joining_posts_nothing(kaizen: Kaizen):
    joined(kaizen, BOB)
    joined(kaizen, "UBOT", OTHER_CHANNEL)  # afterwards, so that waiting for it waits past BOB's too
    eventually(lambda: welcomes(kaizen, OTHER_CHANNEL), timeout=WAIT)
    kaizen.wait_settled()
    assert kaizen.double.messages(TEAM_CHANNEL) == []


def test_set_up_daily_huddle_opens_the_form_and_a_leaders_submit_sets_the_schedule(kaizen: Kaizen):
    kaizen.double.add_user(LEAD, "lead", tz="America/New_York")
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    assert form["callback_id"] == "huddle_setup"
    elements = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert elements["times"]["initial_value"] == "08:30"
    assert [o["value"] for o in elements["days"]["initial_options"]] == ["0", "1", "2", "3", "4"]
    assert elements["zone"]["initial_value"] == "America/New_York", "the leader's own time zone"
    reply = kaizen.slack.submit_view(form, {"times": "08:30,14:00"}, user_id=LEAD)
    assert reply.status == 200 and not reply.body, reply.text
    team = kaizen.team()
    assert team is not None
    assert (team.huddle_times, team.huddle_days, team.timezone) == (
        ["08:30", "14:00"],
        [0, 1, 2, 3, 4],
        "America/New_York",
    )
    kaizen.clock.set(datetime(2026, 11, 25, 13, 31, tzinfo=UTC))  # 08:31 in New York
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Morning huddle · Wednesday 25 November"


def test_set_up_daily_huddle_pressed_by_someone_who_is_not_a_leader_says_who_can_and_opens_no_form(kaizen: Kaizen):
    message = welcome(kaizen)
    opened = len(kaizen.double.calls("views.open"))
    reply = kaizen.slack.block_action(
        ActionId.WELCOME_HUDDLE, None, user_id=BOB, channel_id=TEAM_CHANNEL, message=message
    )
    assert reply.status == 200
    [told] = kaizen.double.wait_for_response(str(kaizen.slack.last_response_url))
    assert told.get("response_type") == "ephemeral" and told.get("replace_original") is False
    assert "Only this team's leaders can set up its daily huddle" in told["text"]
    assert f"<@{LEAD}>" in told["text"], "who can"
    kaizen.wait_settled()
    assert len(kaizen.double.calls("views.open")) == opened, "no form to fill in for nothing"


def test_the_huddle_form_submitted_by_someone_who_is_not_a_leader_is_still_refused(kaizen: Kaizen):
    # A form opened by a leader and submitted by someone else (forged, or passed on): refused as before.
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    reply = kaizen.slack.submit_view(form, {"times": "09:00"}, user_id=BOB)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors" and "leaders" in answer["errors"]["times"]
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_a_saved_schedule_is_confirmed_in_the_channel_with_when_the_first_is(kaizen: Kaizen):
    # 07:00 UTC on a Wednesday in November is 07:00 in London: 06:00 passed an hour ago, inside its two-hour
    # window, so the scheduler posts it at once, and the confirmation says so.
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    every_day = [str(day) for day in range(7)]
    values = {"times": "06:00", "days": every_day, "zone": "Europe/London"}
    reply = kaizen.slack.submit_view(form, values, user_id=LEAD)
    assert reply.status == 200 and not reply.body, reply.text
    confirmed = "Daily huddle set: every day at 06:00 (UK time); the first is going up now."
    eventually(lambda: confirmed in [m.get("text") for m in kaizen.double.messages(TEAM_CHANNEL)], timeout=WAIT)
    eventually(lambda: kaizen.huddles(), timeout=WAIT)  # and so it does

    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    values = {"times": "08:30,14:00", "days": ["0", "1", "2", "3", "4"], "zone": "Europe/London"}
    assert kaizen.slack.submit_view(form, values, user_id=LEAD).status == 200
    confirmed = "Daily huddle set: Monday to Friday at 08:30 and 14:00 (UK time); the first is today at 08:30."
    eventually(lambda: confirmed in [m.get("text") for m in kaizen.double.messages(TEAM_CHANNEL)], timeout=WAIT)


def test_a_schedule_set_by_command_is_confirmed_in_the_channel_too(kaizen: Kaizen):
    # 07:00 in London: 04:00 passed three hours ago, out of its two-hour window: the first is tomorrow's.
    kaizen.command("huddle at 04:00 daily Europe/London", user_id=LEAD)
    confirmed = "Daily huddle set: every day at 04:00 (UK time); the first is tomorrow."
    eventually(lambda: confirmed in [m.get("text") for m in kaizen.double.messages(TEAM_CHANNEL)], timeout=WAIT)
    kaizen.command("huddle at 07:00 daily Europe/London", user_id=BOB)  # not a leader: refused, nothing said
    kaizen.wait_settled()
    said = [m.get("text") for m in kaizen.double.messages(TEAM_CHANNEL)]
    assert [t for t in said if t and t.startswith("Daily huddle set")] == [confirmed]
    assert not kaizen.huddles(), "nothing posted today"


def test_a_slot_already_posted_today_is_not_announced_as_going_up_now(kaizen: Kaizen):
    kaizen.command("huddle at 06:30 daily Europe/London", user_id=LEAD)  # due at once: posted
    eventually(lambda: kaizen.huddles(), timeout=WAIT)
    kaizen.wait_settled()
    kaizen.command("huddle at 06:30 daily Etc/GMT", user_id=LEAD)  # the same slot, saved again
    confirmed = "Daily huddle set: every day at 06:30 (Etc/GMT); the first is tomorrow."
    eventually(lambda: confirmed in [m.get("text") for m in kaizen.double.messages(TEAM_CHANNEL)], timeout=WAIT)
    kaizen.wait_settled()
    assert len(kaizen.huddles()) == 1


def test_the_huddle_form_with_a_bad_time_or_zone_says_what_to_fix(kaizen: Kaizen):
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    answer = kaizen.slack.submit_view(form, {"times": "8.30"}, user_id=LEAD).json()
    assert answer["response_action"] == "errors" and "08:30" in answer["errors"]["times"]
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    answer = kaizen.slack.submit_view(form, {"zone": "Mars/Base"}, user_id=LEAD).json()
    assert answer["response_action"] == "errors" and "Europe/London" in answer["errors"]["zone"]
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_add_leaders_opens_the_form_and_its_submit_adds_them(kaizen: Kaizen):
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_LEADERS, ALICE)
    assert form["callback_id"] == "add_leaders"
    reply = kaizen.slack.submit_view(form, {"users": [BOB, CAROL]}, user_id=ALICE)
    assert reply.status == 200 and not reply.body, reply.text
    # BOB leads the team now: he may set its huddle.
    eventually(lambda: kaizen.command(SCHEDULE, user_id=BOB)["text"].startswith("Huddles at"), timeout=WAIT)
    kaizen.wait_settled()
    announced = [m for m in kaizen.double.messages(TEAM_CHANNEL) if f"<@{BOB}>" in payload(m)]
    assert len(announced) == 1, "the first leaders are announced in the channel"
    # Once a team has leaders, someone else may no longer add more.
    form = open_form(kaizen, message, ActionId.WELCOME_LEADERS, ALICE)
    answer = kaizen.slack.submit_view(form, {"users": [ALICE]}, user_id=ALICE).json()
    assert answer["response_action"] == "errors"
    assert kaizen.command(SCHEDULE, user_id=ALICE)["text"].startswith("Only this team's leaders")


def test_a_tampered_weekday_that_only_looks_like_a_digit_is_left_out_not_a_crash(kaizen: Kaizen):
    # "²" passes str.isdigit() but int() refuses it; a forged submit must never turn into a 5xx.
    message = welcome(kaizen)
    form = open_form(kaizen, message, ActionId.WELCOME_HUDDLE, LEAD)
    forged = {"text": {"type": "plain_text", "text": "Someday"}, "value": "\xb2"}
    reply = kaizen.slack.submit_view(form, {"times": "09:00", "days": [forged, "1"]}, user_id=LEAD)
    assert reply.status == 200 and not reply.body, reply.text
    team = kaizen.team()
    assert team is not None
    assert (team.huddle_times, team.huddle_days) == (["09:00"], [1])


@pytest.mark.parametrize(
    ("action", "field", "entry"),
    [(ActionId.WELCOME_HUDDLE, "times", "09:00"), (ActionId.WELCOME_LEADERS, "users", [BOB])],
)
def test_a_welcome_press_that_names_no_channel_opens_its_form_and_its_submit_says_start_again(
    kaizen: Kaizen, action: str, field: str, entry: Any
):
    message = welcome(kaizen)
    payload = kaizen.slack.block_actions(
        action, None, user_id=LEAD, channel_id=TEAM_CHANNEL, message=message, view=None, block_id=None
    )
    payload.pop("channel", None)
    payload["container"].pop("channel_id", None)
    opened = len(kaizen.double.calls("views.open"))
    assert kaizen.slack.send_interaction(payload).status == 200
    form = kaizen.double.opened_view(opened + 1)
    answer = kaizen.slack.submit_view(form, {field: entry}, user_id=LEAD).json()
    assert answer["response_action"] == "errors" and "lost track of its channel" in answer["errors"][field]
