"""The daily huddle's schedule, end to end: `/kaizen huddle …` through the HTTP endpoint (who may set it, what
they are told, days, zones, skipped dates and holidays), and huddles posted by the scheduler on the settable
clock (its jobs run on real time, with short intervals): just after the slot, each slot once, across changes of
the clocks, after the bot was down, by two bots on one database, after a crash that left Slack holding the
post, and on demand."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.huddles.daily import QUESTIONS
from doubles.slack import SlackDouble
from storage.models import HuddlePost
from tests.conftest import BOB, OUTSIDE_CHANNEL, TEAM_CHANNEL, eventually
from tests.flows import EARLY, HUDDLE_TEXT, JUST_AFTER, LEAD, SCHEDULE, SLOT, WAIT, is_huddle_post, posts_of
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, header, start_kaizen

WEDNESDAY = date(2026, 11, 25)  # London is on GMT in November: local time is UTC


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


# --- setting the schedule ----------------------------------------------------------------------------------


def test_a_leader_sets_the_huddle_and_is_told_what_was_set(kaizen: Kaizen):
    text = kaizen.set_huddle("huddle at 08:30 mon-fri Europe/London")
    assert "08:30" in text and "Europe/London" in text and "mon,tue,wed,thu,fri" in text
    team = kaizen.team()
    assert team is not None
    assert (team.huddle_times, team.huddle_days, team.timezone) == (["08:30"], [0, 1, 2, 3, 4], "Europe/London")


def test_without_days_or_zone_the_huddle_takes_the_default_days_and_the_leaders_own_zone(kaizen: Kaizen):
    kaizen.double.add_user(LEAD, "lead", tz="America/New_York")
    text = kaizen.set_huddle("huddle at 09:15")
    assert "09:15" in text and "America/New_York" in text and "mon,tue,wed,thu,fri" in text, text
    kaizen.clock.set(datetime(2026, 11, 25, 14, 16, tzinfo=UTC))  # 09:16 in New York
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Morning huddle · Wednesday 25 November"


def test_someone_who_is_not_a_leader_cannot_set_the_huddle(kaizen: Kaizen):
    text = kaizen.command(SCHEDULE, user_id=BOB)["text"]
    assert "Only this team's leaders" in text
    team = kaizen.team()
    assert team is None or not team.huddle_times
    kaizen.clock.set(JUST_AFTER)
    kaizen.let_ticks_run()
    assert kaizen.huddles() == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("huddle at 8.30", "/kaizen huddle at HH:MM"),
        ("huddle at 08:30 weekends", "/kaizen huddle at HH:MM"),
        ("huddle at 25:00 mon-fri", "/kaizen huddle at HH:MM"),
    ],
)
def test_a_bad_time_or_days_get_the_usage_with_an_example(kaizen: Kaizen, command: str, expected: str):
    body = kaizen.command(command, user_id=LEAD)
    said = body["blocks"][0]["text"]["text"]  # the message itself, not the "raise this instead" button's value
    assert expected in said, said
    assert re.search(r"/kaizen huddle at \d\d:\d\d", said), (
        f"no example to copy, like `/kaizen huddle at 08:30`: {said!r}"
    )
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_an_unknown_time_zone_is_named_with_an_example(kaizen: Kaizen):
    text = kaizen.command("huddle at 08:30 Mars/Base", user_id=LEAD)["text"]
    assert "Mars/Base" in text and "Europe/London" in text, text
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_an_unknown_holiday_country_is_named_with_an_example(kaizen: Kaizen):
    kaizen.set_huddle()
    text = kaizen.command("huddle holidays XX", user_id=LEAD)["text"]
    assert "XX" in text and "GB" in text, text
    team = kaizen.team()
    assert team is not None and team.huddle_holidays is None


def test_huddle_off_stops_the_huddles_and_at_turns_them_on_again(kaizen: Kaizen):
    kaizen.set_huddle()
    text = kaizen.command("huddle off", user_id=LEAD)["text"]
    assert "off" in text
    kaizen.clock.set(JUST_AFTER)
    kaizen.let_ticks_run()
    assert kaizen.huddles() == []
    assert kaizen.command("huddle off", user_id=BOB)["text"].startswith("Only this team's leaders")
    kaizen.set_huddle()
    kaizen.wait_huddles(1)


def test_a_skipped_date_has_no_huddle(kaizen: Kaizen):
    kaizen.clock.set(datetime(2026, 12, 23, 7, 0, tzinfo=UTC))
    kaizen.set_huddle()
    assert kaizen.command("huddle skip 2026-12-24", user_id=LEAD)["text"] == "No huddle on 2026-12-24."
    kaizen.clock.set(datetime(2026, 12, 23, 8, 31, tzinfo=UTC))
    [before] = kaizen.wait_huddles(1)
    assert header(before) == "Morning huddle · Wednesday 23 December"
    kaizen.clock.set(datetime(2026, 12, 24, 8, 31, tzinfo=UTC))
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1


def test_no_huddle_on_a_public_holiday_of_the_teams_country(kaizen: Kaizen):
    kaizen.clock.set(datetime(2026, 12, 24, 7, 0, tzinfo=UTC))
    kaizen.set_huddle()
    assert kaizen.command("huddle holidays GB", user_id=LEAD)["text"] == "No huddles on GB public holidays."
    assert "GB public holidays" in kaizen.set_huddle()  # the schedule now says so
    kaizen.clock.set(datetime(2026, 12, 24, 8, 31, tzinfo=UTC))  # Christmas Eve: a working day
    kaizen.wait_huddles(1)
    kaizen.clock.set(datetime(2026, 12, 25, 8, 31, tzinfo=UTC))  # Christmas Day, a Friday
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1
    assert kaizen.command("huddle holidays off", user_id=LEAD)["text"] == "Huddles on public holidays too."
    kaizen.clock.set(datetime(2026, 12, 28, 8, 31, tzinfo=UTC))  # Boxing Day observed: a huddle now
    kaizen.wait_huddles(2)


def test_huddle_commands_where_kaizen_is_not_a_member_say_to_invite_it(kaizen: Kaizen):
    text = kaizen.command(SCHEDULE, user_id=LEAD, channel_id=OUTSIDE_CHANNEL)["text"]
    assert "/invite @Kaizen" in text
    assert kaizen.team(OUTSIDE_CHANNEL) is None


# --- posting on schedule -----------------------------------------------------------------------------------


def test_one_huddle_is_posted_just_after_the_slot_and_not_again_that_day(kaizen: Kaizen):
    kaizen.set_huddle()
    kaizen.let_ticks_run()
    assert kaizen.huddles() == [], "not before its time"
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Morning huddle · Wednesday 25 November"
    shown = payload(huddle)
    assert "Today's question" in shown
    assert sum(q in shown for q in QUESTIONS) == 1, "one question of the day"
    assert "reply in this thread" in shown and ":bulb:" in shown, "how to take part"
    assert huddle["metadata"]["event_type"] == "kaizen_huddle"
    kaizen.let_ticks_run()
    kaizen.clock.set(SLOT + timedelta(hours=1, minutes=30))  # still inside the grace window
    kaizen.let_ticks_run()
    kaizen.clock.set(SLOT + timedelta(hours=6))
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1
    [row] = kaizen.huddle_rows()
    assert (row.slot, row.local_date, row.message_ts) == (0, WEDNESDAY, huddle["ts"])


def test_a_second_slot_posts_a_huddle_of_its_own(kaizen: Kaizen):
    text = kaizen.set_huddle("huddle at 08:30,14:00 mon-fri Europe/London")
    assert "08:30, 14:00" in text
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    kaizen.clock.set(datetime(2026, 11, 25, 14, 0, 30, tzinfo=UTC))
    first, second = kaizen.wait_huddles(2)
    assert header(first).startswith("Morning huddle")
    assert header(second) == "Afternoon huddle · Wednesday 25 November"  # 14:00: by the local hour
    assert "Today's question" in payload(second)
    kaizen.clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 2
    assert sorted((r.slot, r.local_date) for r in kaizen.huddle_rows()) == [(0, WEDNESDAY), (1, WEDNESDAY)]


def test_the_next_working_day_has_its_own_huddle_and_the_weekend_none(kaizen: Kaizen):
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    kaizen.wait_huddles(1)
    for day in (26, 27):  # Thursday, Friday
        kaizen.clock.set(datetime(2026, 11, day, 8, 31, tzinfo=UTC))
        kaizen.wait_huddles(day - 24)
    kaizen.clock.set(datetime(2026, 11, 28, 8, 31, tzinfo=UTC))  # Saturday
    kaizen.let_ticks_run()
    assert [header(h) for h in kaizen.huddles()] == [
        "Morning huddle · Wednesday 25 November",
        "Morning huddle · Thursday 26 November",
        "Morning huddle · Friday 27 November",
    ]


def test_a_slot_in_the_hour_that_happens_twice_is_posted_once(kaizen: Kaizen):
    kaizen.clock.set(datetime(2026, 10, 31, 12, 0, tzinfo=UTC))
    kaizen.set_huddle("huddle at 01:30 daily America/New_York")
    kaizen.clock.set(datetime(2026, 11, 1, 5, 31, tzinfo=UTC))  # 01:31 EDT
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Night huddle · Sunday 1 November"  # 01:31: by the local hour
    kaizen.clock.set(datetime(2026, 11, 1, 6, 31, tzinfo=UTC))  # 01:31 again, now EST
    kaizen.let_ticks_run()
    kaizen.clock.set(datetime(2026, 11, 1, 7, 29, tzinfo=UTC))
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1
    [row] = kaizen.huddle_rows()
    assert (row.local_date, row.slot) == (date(2026, 11, 1), 0)


def test_a_slot_in_the_spring_forward_gap_is_posted_once_just_after_it(kaizen: Kaizen):
    kaizen.clock.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    kaizen.set_huddle("huddle at 02:30 daily America/New_York")
    kaizen.clock.set(datetime(2026, 3, 8, 7, 29, tzinfo=UTC))  # 02:29 EST: the clocks jump at 02:00... to 03:29
    kaizen.let_ticks_run()
    assert kaizen.huddles() == []
    kaizen.clock.set(datetime(2026, 3, 8, 7, 31, tzinfo=UTC))  # 03:31 EDT
    [huddle] = kaizen.wait_huddles(1)
    assert header(huddle) == "Night huddle · Sunday 8 March"  # 03:31: by the local hour
    kaizen.clock.set(datetime(2026, 3, 8, 9, 0, tzinfo=UTC))
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1


def test_a_bot_started_an_hour_after_the_slot_posts_it(bot_factory: Any, double: SlackDouble, clock: SettableClock):
    setup = start_kaizen(bot_factory, double, clock, scheduler=False)
    setup.set_huddle()
    clock.set(SLOT + timedelta(hours=1))  # the bot was down at 08:30
    later = start_kaizen(bot_factory, double, clock, at=SLOT + timedelta(hours=1))
    [huddle] = later.wait_huddles(1)
    assert header(huddle).startswith("Morning huddle · Wednesday 25 November")
    later.let_ticks_run()
    assert len(later.huddles()) == 1


def test_a_bot_started_three_hours_after_the_slot_skips_it(bot_factory: Any, double: SlackDouble, clock: SettableClock):
    setup = start_kaizen(bot_factory, double, clock, scheduler=False)
    setup.set_huddle()
    later = start_kaizen(bot_factory, double, clock, at=SLOT + timedelta(hours=3))
    later.let_ticks_run()
    assert later.huddles() == []
    assert later.huddle_rows() == []


# --- each slot once ----------------------------------------------------------------------------------------


def test_two_bots_on_one_database_post_the_slot_once(bot_factory: Any, double: SlackDouble, clock: SettableClock):
    first = start_kaizen(bot_factory, double, clock)
    second = start_kaizen(bot_factory, double, clock)
    first.set_huddle()
    clock.set(JUST_AFTER)
    first.wait_huddles(1)
    first.let_ticks_run()
    second.let_ticks_run()
    clock.set(SLOT + timedelta(minutes=5))  # past any claim's lease
    first.let_ticks_run()
    second.let_ticks_run()
    assert len(first.huddles()) == 1
    huddle_posts = [c for c in double.calls("chat.postMessage") if HUDDLE_TEXT.match(str(c.args.get("text") or ""))]
    assert len(huddle_posts) == 1
    assert len(first.huddle_rows()) == 1


def test_a_post_slack_took_but_never_answered_is_found_and_recorded_not_posted_again(kaizen: Kaizen):
    kaizen.set_huddle()
    kaizen.double.fail_http("chat.postMessage", 500, times=1, take_effect=True)
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1, recorded=False)  # Slack has it; the bot got a 500
    kaizen.let_ticks_run()
    [row] = kaizen.huddle_rows()
    assert row.posted_at is None, "not recorded: the answer was lost"
    assert posts_of(kaizen.double, is_huddle_post) == 1, "and no second try while the claim's lease runs"
    kaizen.clock.set(JUST_AFTER + timedelta(minutes=3))  # the 2-minute lease has run out

    def recorded() -> HuddlePost | None:
        [row] = kaizen.huddle_rows()
        return row if row.posted_at is not None else None

    row = eventually(recorded, timeout=WAIT)
    assert row.message_ts == huddle["ts"]
    history = kaizen.double.calls("conversations.history")
    assert history and history[-1].args.get("channel") == TEAM_CHANNEL
    kaizen.let_ticks_run()
    assert len(kaizen.huddles()) == 1
    assert posts_of(kaizen.double, is_huddle_post) == 1


def test_a_huddle_on_demand_does_not_use_up_the_scheduled_slot(kaizen: Kaizen):
    kaizen.set_huddle()
    kaizen.clock.set(EARLY + timedelta(minutes=30))
    kaizen.huddle_now(user_id=BOB)  # anyone may
    [now] = kaizen.huddles()
    assert header(now).startswith("Morning huddle · Wednesday 25 November")
    kaizen.clock.set(JUST_AFTER)
    now_again, scheduled = kaizen.wait_huddles(2)
    assert now_again["ts"] == now["ts"]
    assert scheduled["metadata"]["event_type"] == "kaizen_huddle"
    rows = kaizen.huddle_rows()
    assert sorted((r.slot is None, r.message_ts) for r in rows) == [(False, scheduled["ts"]), (True, now["ts"])]


def test_a_huddle_on_demand_where_kaizen_is_not_a_member_says_to_invite_it(kaizen: Kaizen):
    text = kaizen.command("huddle", channel_id=OUTSIDE_CHANNEL)["text"]
    assert "/invite @Kaizen" in text
    assert kaizen.huddles(OUTSIDE_CHANNEL) == []
