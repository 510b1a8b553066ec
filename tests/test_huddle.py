"""The daily huddle, end to end: `/kaizen huddle …` through the HTTP endpoint, huddles posted by the scheduler on
the settable clock (its jobs run on real time, with short intervals), what a huddle shows, posting each slot once
(two bots on one database, a crash after Slack took the post), the leaders' digest, :bulb: capture with Undo and
Make anonymous, the welcome when Kaizen joins a channel with its two forms, and `kaizen-bot huddle`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from bot.huddles.daily import QUESTIONS
from bot.ideas.workflow import NewIdea, raise_idea
from bot.render import (
    BULB_ANONYMOUS_ACTION,
    BULB_UNDO_ACTION,
    WELCOME_HUDDLE_ACTION,
    WELCOME_LEADERS_ACTION,
    CardAction,
)
from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from storage.models import HuddlePost, Idea, InboxEvent, Team
from tests.conftest import (
    ALICE,
    BOB,
    BOT_TOKEN,
    CAROL,
    OTHER_CHANNEL,
    OUTSIDE_CHANNEL,
    SIGNING_SECRET,
    TEAM_CHANNEL,
    WORKSPACE,
    RunningBot,
    eventually,
    settled,
)

LEAD, LEAD2 = "ULEAD", "ULEAD2"  # leaders must look like real Slack user IDs (KAIZEN_LEADERS checks)
FAST = {"huddle_seconds": 0.1, "inbox_seconds": 0.1}
WEDNESDAY = date(2026, 11, 25)  # London is on GMT in November: local time is UTC
EARLY = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # before the 08:30 slot
SLOT = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
JUST_AFTER = SLOT + timedelta(minutes=1)
SCHEDULE = "huddle at 08:30 mon-fri Europe/London"
HUDDLE_TEXT = re.compile(r"^(Morning huddle|Huddle) · ")
WAIT = 10.0


# --- the bot, and what people do ---------------------------------------------------------------------------


@dataclass
class Kaizen:
    running: RunningBot
    slack: SlackDriver
    double: SlackDouble
    clock: SettableClock

    # --- reading the state -------------------------------------------------------------------------------

    def settled(self) -> bool:
        return settled(self.running, due_only=True)

    def wait_settled(self) -> None:
        eventually(self.settled, timeout=WAIT)

    def idea(self, idea_id: int) -> Idea | None:
        with self.running.kaizen.db.read() as session:
            return session.get(Idea, idea_id)

    def ideas(self) -> list[Idea]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(Idea).order_by(Idea.id)))

    def team(self, channel: str = TEAM_CHANNEL) -> Team | None:
        with self.running.kaizen.db.read() as session:
            return session.scalars(select(Team).where(Team.channel_id == channel)).one_or_none()

    def huddle_rows(self) -> list[HuddlePost]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(HuddlePost).order_by(HuddlePost.id)))

    def huddles(self, channel: str = TEAM_CHANNEL) -> list[dict]:
        """The huddle thread starters in the channel, oldest first."""
        return [
            m
            for m in self.double.messages(channel)
            if not m.get("thread_ts") and HUDDLE_TEXT.match(m.get("text") or "")
        ]

    def wait_huddles(self, count: int, channel: str = TEAM_CHANNEL, recorded: bool = True) -> list[dict]:
        """The first `count` huddles in the channel, once Slack has them and (unless `recorded` is False) the bot
        has recorded each of them: the record is written after Slack answers, and tests read it or move the clock."""

        def ready() -> bool:
            found = self.huddles(channel)
            if len(found) < count:
                return False
            with self.running.kaizen.db.read() as session:
                kept = set(session.scalars(select(HuddlePost.message_ts).where(HuddlePost.posted_at.is_not(None))))
            return not recorded or all(m["ts"] in kept for m in found)

        eventually(ready, timeout=WAIT)
        found = self.huddles(channel)
        assert len(found) == count, [m["text"] for m in found]
        return found

    def let_ticks_run(self, runs: int = 3) -> None:
        """Let the scheduler's huddle job run a few more times on the clock as it is now, then tick once more
        here (the scheduler is real time, so this makes "nothing more was posted" a fact, not a hope)."""
        scheduler = self.running.scheduler
        if scheduler is not None:
            seen = [scheduler.get_job("huddle-tick").next_run_time]

            def moved() -> bool:
                current = scheduler.get_job("huddle-tick").next_run_time
                if current != seen[-1]:
                    seen.append(current)
                return len(seen) > runs

            eventually(moved, timeout=WAIT)
        self.running.kaizen.huddles.tick()

    def card(self, idea: Idea) -> dict:
        [found] = [m for m in self.double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]
        return found

    def dms(self, user: str) -> list[dict]:
        return self.double.messages(user)

    def opened_modal(self, before: int) -> dict:
        """The modal opened by views.open call number `before` + 1 (App Home views are not modals)."""
        return self.double.opened_view(before + 1)

    # --- doing ---------------------------------------------------------------------------------------------

    def command(self, text: str, user_id: str = ALICE, channel_id: str = TEAM_CHANNEL) -> dict:
        """`/kaizen text`; returns the one reply the person got (the body posted to the response URL)."""
        reply, response_url = self.slack.command(text, user_id=user_id, channel_id=channel_id)
        assert reply.status == 200, reply.text
        [body] = self.double.wait_for_response(response_url)
        return body

    def set_huddle(self, spec: str = SCHEDULE, user_id: str = LEAD) -> str:
        text = str(self.command(spec, user_id=user_id)["text"])
        assert text.startswith("Huddles at"), text
        return text

    def huddle_now(self, user_id: str = ALICE) -> None:
        before = len(self.huddles())
        reply, _ = self.slack.command("huddle", user_id=user_id)
        assert reply.status == 200
        self.wait_huddles(before + 1)

    def raise_idea(
        self, problem: str, *, user_id: str = ALICE, anonymous: bool = False, idea_text: str | None = None
    ) -> Idea:
        """Raised with /kaizen and the modal; returned once its card is up in the team channel."""
        before = len(self.double.calls("views.open"))
        reply, _ = self.slack.command(problem, user_id=user_id)
        assert reply.status == 200
        form = self.opened_modal(before)
        values: dict[str, Any] = {"problem": problem}
        if anonymous:
            values["anonymous"] = ["anonymous"]
        if idea_text:
            values["idea"] = idea_text
        assert self.slack.submit_view(form, values, user_id=user_id).status == 200

        def posted() -> Idea | None:
            with self.running.kaizen.db.read() as session:
                idea = session.scalars(select(Idea).where(Idea.problem == problem)).one_or_none()
            return idea if idea is not None and idea.card_ts and self.settled() else None

        return eventually(posted, timeout=WAIT)

    def press(self, action_id: str, idea: Idea, user_id: str) -> None:
        fresh = self.idea(idea.id)
        assert fresh is not None
        reply = self.slack.block_action(action_id, user_id=user_id, channel_id=TEAM_CHANNEL, message=self.card(fresh))
        assert reply.status == 200

    def wait_status(self, idea: Idea, status: str) -> Idea:
        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            return fresh if fresh is not None and fresh.status == status and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def start(self, idea: Idea, user_id: str = LEAD) -> Idea:
        self.press(CardAction.START, idea, user_id)
        return self.wait_status(idea, "in_progress")

    def finish(self, idea: Idea, user_id: str = LEAD) -> Idea:
        before = len(self.double.calls("views.open"))
        self.press(CardAction.DONE, idea, user_id)
        form = self.opened_modal(before)
        values = {"outcome": "worked", "result": "A second scanner in bay 2", "learned": "Ask the night shift"}
        reply = self.slack.submit_view(form, values, user_id=user_id)
        assert reply.status == 200 and not reply.body, reply.text
        return self.wait_status(idea, "done")


def start_kaizen(
    bot_factory: Any, double: SlackDouble, clock: SettableClock, *, at: datetime = EARLY, scheduler: bool = True,
    **settings: Any,
) -> Kaizen:  # fmt: skip
    """A bot with LEAD as a leader everywhere (KAIZEN_LEADERS); the clock set first, then the bot started."""
    clock.set(at)
    for user in (LEAD, LEAD2):
        if double.user(user) is None:
            double.add_user(user, user.lower())
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, CAROL, LEAD, LEAD2, "UBOT"])
    settings.setdefault("kaizen_leaders", (LEAD,))
    running: RunningBot = bot_factory(scheduler=scheduler, schedule=FAST, **settings)
    return Kaizen(running, SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE), double, clock)


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return start_kaizen(bot_factory, double, clock)


# --- reading a huddle --------------------------------------------------------------------------------------


def payload(message: dict) -> str:
    return json.dumps(message.get("blocks") or []) + (message.get("text") or "")


def header(huddle: dict) -> str:
    [block] = [b for b in huddle["blocks"] if b["type"] == "header"]
    return str(block["text"]["text"])


def texts(huddle: dict) -> list[str]:
    out: list[str] = []
    for block in huddle["blocks"]:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e.get("text", "") for e in block["elements"])
    return out


def heading(huddle: dict, name: str) -> str:
    [found] = [t for t in texts(huddle) if t.startswith(f"*{name}")]
    return found


def lines_under(huddle: dict, name: str) -> list[str]:
    """The list lines under a heading such as "Waiting for a decision", in order."""
    lines: list[str] = []
    inside = False
    for block in huddle["blocks"]:
        if block["type"] != "section":
            if inside:
                break
            continue
        text = block["text"]["text"]
        if re.fullmatch(r"\*[^*\n]+\*", text):
            if inside:
                break
            inside = text.startswith(f"*{name}")
            continue
        if inside:
            lines.extend(text.split("\n"))
    assert inside or lines, f"no list {name!r} in {texts(huddle)}"
    return lines


def numbers(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines if (m := re.match(r"`#(\d+)`", line))]


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
    assert "23 December" in before["text"]
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
    assert "Question of the day" in shown
    assert sum(q in shown for q in QUESTIONS) == 1, "one question of the day"
    assert "Reply in this thread" in shown and ":bulb:" in shown, "how to take part"
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
    assert header(second) == "Huddle · Wednesday 25 November"
    assert "Question of the day" in payload(second)
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
    assert header(huddle) == "Morning huddle · Sunday 1 November"
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
    assert header(huddle) == "Morning huddle · Sunday 8 March"
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


# --- what a huddle shows -----------------------------------------------------------------------------------


def test_waiting_ideas_oldest_first_with_their_age_and_a_warning_past_the_nudge_days(kaizen: Kaizen):
    for days, problem in ((1, "Gloves run out on nights"), (5, "The scanner is always elsewhere"),
                          (3, "Handover sheets go missing"), (0, "Call bells are too quiet")):  # fmt: skip
        kaizen.clock.set(SLOT - timedelta(days=days))
        kaizen.raise_idea(problem)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    assert heading(huddle, "Waiting for a decision") == "*Waiting for a decision (4)*"
    lines = lines_under(huddle, "Waiting for a decision")
    assert [line.split("` ", 1)[1] for line in lines] == [
        "The scanner is always elsewhere — 5 days :warning:",
        "Handover sheets go missing — 3 days :warning:",
        "Gloves run out on nights — 1 day",
        "Call bells are too quiet — today",
    ]
    assert numbers(lines) == [2, 3, 1, 4]


def test_the_warning_follows_kaizen_nudge_days(bot_factory: Any, double: SlackDouble, clock: SettableClock):
    kaizen = start_kaizen(bot_factory, double, clock, kaizen_nudge_days=4)
    for days, problem in ((5, "Five days waiting"), (3, "Three days waiting")):
        kaizen.clock.set(SLOT - timedelta(days=days))
        kaizen.raise_idea(problem)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    lines = lines_under(huddle, "Waiting for a decision")
    assert [line.endswith(":warning:") for line in lines] == [True, False], lines


def test_in_progress_ideas_show_the_owners_name_without_a_mention(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "Alice Ward")
    kaizen.double.add_user(BOB, "Bob Okafor")
    kaizen.clock.set(SLOT - timedelta(days=1))
    mine = kaizen.start(kaizen.raise_idea("Drug fridge alarm is too quiet", user_id=ALICE))
    bobs = kaizen.start(kaizen.raise_idea("Linen trolley blocks the corridor", user_id=BOB))
    assert (mine.owner_id, bobs.owner_id) == (ALICE, BOB)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    assert heading(huddle, "In progress") == "*In progress (2)*"
    lines = lines_under(huddle, "In progress")
    assert lines[0].endswith("Drug fridge alarm is too quiet — Alice Ward"), lines
    assert lines[1].endswith("Linen trolley blocks the corridor — Bob Okafor"), lines
    shown = payload(huddle)
    assert "<@" not in shown and "<!" not in shown, "names shown without notifying anyone"
    looked_up = {c.args.get("user") for c in kaizen.double.calls("users.info")}
    assert {ALICE, BOB} <= looked_up


def test_done_since_the_last_scheduled_huddle_thanks_people_by_mention(kaizen: Kaizen):
    kaizen.clock.set(SLOT - timedelta(days=2))
    earlier = kaizen.raise_idea("Pumps are stored behind the door", user_id=ALICE)
    later = kaizen.raise_idea("Nobody knows where the spare keys are", user_id=BOB)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(EARLY + timedelta(minutes=10))
    kaizen.finish(kaizen.start(earlier))  # before Wednesday's huddle
    kaizen.clock.set(JUST_AFTER)
    [wednesday] = kaizen.wait_huddles(1)
    lines = lines_under(wednesday, "Done since the last huddle")
    assert numbers(lines) == [earlier.number]
    assert f"thank you <@{ALICE}>! :tada:" in lines[0]
    kaizen.clock.set(SLOT + timedelta(hours=2))
    kaizen.finish(kaizen.start(later))  # after it
    kaizen.clock.set(SLOT + timedelta(hours=3))
    kaizen.huddle_now()  # a huddle on demand does not move "since the last scheduled huddle"
    kaizen.clock.set(JUST_AFTER + timedelta(days=1))
    thursday = kaizen.wait_huddles(3)[-1]
    assert header(thursday).startswith("Morning huddle · Thursday")
    lines = lines_under(thursday, "Done since the last huddle")
    assert numbers(lines) == [later.number], lines
    assert f"thank you <@{BOB}>! :tada:" in lines[0]


def test_an_anonymous_author_is_never_named_in_a_huddle(kaizen: Kaizen):
    kaizen.double.add_user(CAROL, "Carol Secret")
    kaizen.clock.set(SLOT - timedelta(days=3))
    kaizen.raise_idea("Nobody checks the crash trolley", user_id=CAROL, anonymous=True)
    doing = kaizen.start(kaizen.raise_idea("Night staff skip breaks", user_id=CAROL, anonymous=True), LEAD)
    done = kaizen.raise_idea("The rota is published too late", user_id=CAROL, anonymous=True)
    named = kaizen.raise_idea("Bins overflow by noon", user_id=ALICE)
    kaizen.clock.set(EARLY)
    kaizen.finish(kaizen.start(done, LEAD), LEAD)
    kaizen.finish(kaizen.start(named, LEAD), LEAD)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    whole = json.dumps(huddle)
    assert CAROL not in whole and "Carol" not in whole and "carol" not in whole.lower()
    assert lines_under(huddle, "In progress") == [f"`#{doing.number}` Night staff skip breaks — ulead"]
    done_lines = lines_under(huddle, "Done since the last huddle")
    assert any(f"`#{done.number}`" in line and f"<@{LEAD}>" in line for line in done_lines), done_lines
    assert any(f"`#{named.number}`" in line and f"<@{ALICE}>" in line for line in done_lines), done_lines
    assert "Nobody checks the crash trolley" in whole


def test_five_hundred_open_ideas_fit_slacks_limits(kaizen: Kaizen):
    wired = kaizen.running.kaizen
    kaizen.clock.set(JUST_AFTER)
    for n in range(1, 501):
        kaizen.clock.advance(timedelta(milliseconds=1))  # oldest first needs distinct times
        raise_idea(
            wired.db, wired.clock,
            NewIdea(
                workspace_id=WORKSPACE, channel_id=TEAM_CHANNEL, channel_name="ward-7", author_id=ALICE,
                problem=f"Problem {n}: <!channel> & the " + "very long story " * 40,
                idea="Try something" if n % 2 == 0 else None,
            ),
        )  # fmt: skip
    kaizen.set_huddle()  # 08:30 has passed a minute ago: the slot is due at once
    [huddle] = kaizen.wait_huddles(1)
    assert not kaizen.double.rejections
    assert len(huddle["blocks"]) <= 50
    assert heading(huddle, "Waiting for a decision") == "*Waiting for a decision (500)*"
    waiting = lines_under(huddle, "Waiting for a decision")
    shown = numbers(waiting)
    assert shown == list(range(1, len(shown) + 1)), "oldest first"
    assert waiting[-1].startswith(f"+{500 - len(shown)} more") and "/kaizen list" in waiting[-1], waiting[-1]
    assert heading(huddle, "Problems that still need an idea") == "*Problems that still need an idea (250)*"
    need = lines_under(huddle, "Problems that still need an idea")
    assert need[-1].startswith(f"+{250 - len(numbers(need))} more"), need[-1]
    assert all(n % 2 == 1 for n in numbers(need))
    assert "<!channel>" not in json.dumps(huddle)
    assert all(len(text) <= 3000 for text in texts(huddle))


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
    assert len(kaizen.double.calls("chat.postMessage")) == 1, "and no second try while the claim's lease runs"
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
    assert len(kaizen.double.calls("chat.postMessage")) == 1


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


# --- the leaders' digest -----------------------------------------------------------------------------------


def digests(kaizen: Kaizen, user: str) -> list[dict]:
    return [m for m in kaizen.dms(user) if "waited more than" in (m.get("text") or "")]


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


# --- :bulb: capture --------------------------------------------------------------------------------------------


@dataclass
class Capture:
    huddle_ts: str
    reply_ts: str
    idea: Idea
    note: dict  # the writer's private note, as Slack holds it


def bulb(kaizen: Kaizen, ts: str, user: str, item_user: str = BOB) -> None:
    reply = kaizen.slack.reaction_added("bulb", user_id=user, channel_id=TEAM_CHANNEL, ts=ts, item_user=item_user)
    assert reply.status == 200


def private_notes(kaizen: Kaizen, user: str) -> list[dict]:
    return [e for e in kaizen.double.ephemerals(TEAM_CHANNEL, user) if BULB_UNDO_ACTION in json.dumps(e["blocks"])]


def thread_of(kaizen: Kaizen, ts: str) -> list[dict]:
    return [m for m in kaizen.double.messages(TEAM_CHANNEL) if m.get("thread_ts") == ts]


def capture(kaizen: Kaizen, text: str, *, scheduled: bool = False) -> Capture:
    """A huddle, BOB's reply in its thread, and three people's :bulb: on it; returns once all is done."""
    if scheduled:
        kaizen.set_huddle()
        kaizen.clock.set(JUST_AFTER)
        [huddle] = kaizen.wait_huddles(1)
    else:
        kaizen.huddle_now()
        [huddle] = kaizen.huddles()
    reply_ts = kaizen.double.add_message(TEAM_CHANNEL, text, user=BOB, thread_ts=huddle["ts"])
    for user in (ALICE, CAROL, LEAD):
        bulb(kaizen, reply_ts, user)

    def captured() -> Idea | None:
        found = [i for i in kaizen.ideas() if i.source_ts == reply_ts]
        return found[0] if found and found[0].card_ts and kaizen.settled() and private_notes(kaizen, BOB) else None

    idea = eventually(captured, timeout=WAIT)
    kaizen.wait_settled()
    [note] = private_notes(kaizen, BOB)
    return Capture(huddle["ts"], reply_ts, idea, {"type": "message", **note})


def press_note(kaizen: Kaizen, got: Capture, action_id: str, user: str) -> dict:
    """A press on the private note's button; returns what the presser was told."""
    reply: Reply = kaizen.slack.block_action(action_id, user_id=user, channel_id=TEAM_CHANNEL, message=got.note)
    assert reply.status == 200
    [told] = kaizen.double.wait_for_response(str(kaizen.slack.last_response_url))
    return told


def test_a_bulb_on_a_reply_in_a_huddle_thread_makes_it_one_idea_confirmed_once(kaizen: Kaizen):
    got = capture(kaizen, "Bins are full by 10 <!channel> &amp; nobody empties them", scheduled=True)
    [idea] = kaizen.ideas()
    assert (idea.author_id, idea.owner_id, idea.anonymous) == (BOB, BOB, False)
    assert idea.problem == "Bins are full by 10 @channel & nobody empties them"
    assert (idea.source_channel, idea.source_ts) == (TEAM_CHANNEL, got.reply_ts)
    card = kaizen.card(idea)
    assert "<!channel>" not in json.dumps(card), "never a live @channel on the card"
    assert "@channel" in payload(card)
    [confirmation] = [m for m in thread_of(kaizen, got.huddle_ts)]
    assert f"idea #{idea.number}" in confirmation["text"] and f"<@{BOB}>" in confirmation["text"]
    [note] = private_notes(kaizen, BOB)
    assert "Undo" in json.dumps(note["blocks"]) and "Make anonymous" in json.dumps(note["blocks"])
    assert private_notes(kaizen, ALICE) == [] and private_notes(kaizen, CAROL) == []
    # A fourth :bulb:, later, changes nothing either.
    bulb(kaizen, got.reply_ts, BOB)
    kaizen.wait_settled()
    assert len(kaizen.ideas()) == 1 and len(thread_of(kaizen, got.huddle_ts)) == 1
    assert len(private_notes(kaizen, BOB)) == 1


def test_make_anonymous_takes_the_writers_name_off_the_card_and_the_confirmation(kaizen: Kaizen):
    kaizen.double.add_user(BOB, "Bob Okafor")
    got = capture(kaizen, "The sluice room door sticks")
    assert f"<@{BOB}>" in payload(kaizen.card(got.idea))
    told = press_note(kaizen, got, BULB_ANONYMOUS_ACTION, BOB)
    assert told.get("replace_original") is True and "name is off" in told["text"]

    def anonymous() -> Idea | None:
        idea = kaizen.idea(got.idea.id)
        return idea if idea is not None and idea.anonymous and kaizen.settled() else None

    idea = eventually(anonymous, timeout=WAIT)
    assert idea.owner_id is None
    card = kaizen.card(idea)
    [confirmation] = thread_of(kaizen, got.huddle_ts)
    for message in (card, confirmation):
        assert BOB not in payload(message) and "Bob" not in payload(message), payload(message)
    assert f"idea #{idea.number}" in confirmation["text"]


def test_undo_removes_the_idea_its_card_and_the_confirmation(kaizen: Kaizen):
    got = capture(kaizen, "Visitors can't find the day room")
    card_ts = got.idea.card_ts
    told = press_note(kaizen, got, BULB_UNDO_ACTION, BOB)
    assert told.get("replace_original") is True and "Undone" in told["text"]
    eventually(lambda: kaizen.idea(got.idea.id) is None, timeout=WAIT)
    eventually(lambda: thread_of(kaizen, got.huddle_ts) == [], timeout=WAIT)
    assert [m for m in kaizen.double.messages(TEAM_CHANNEL) if m["ts"] == card_ts] == []
    assert kaizen.ideas() == []
    [huddle] = kaizen.huddles()
    assert huddle["ts"] == got.huddle_ts, "the huddle itself stays"


@pytest.mark.parametrize("action_id", [BULB_UNDO_ACTION, BULB_ANONYMOUS_ACTION])
def test_someone_else_pressing_undo_or_make_anonymous_is_refused(kaizen: Kaizen, action_id: str):
    got = capture(kaizen, "Blood gas machine queue at 7am")
    for someone in (ALICE, LEAD):
        told = press_note(kaizen, got, action_id, someone)
        assert told.get("response_type") == "ephemeral" and told.get("replace_original") is False
        assert "Only the person who wrote the reply" in told["text"]
    kaizen.wait_settled()
    idea = kaizen.idea(got.idea.id)
    assert idea is not None and not idea.anonymous and idea.owner_id == BOB
    assert f"<@{BOB}>" in payload(kaizen.card(idea))
    [confirmation] = thread_of(kaizen, got.huddle_ts)
    assert f"<@{BOB}>" in confirmation["text"]


def test_a_bulb_on_a_message_outside_a_huddle_thread_does_nothing(kaizen: Kaizen):
    card_idea = kaizen.raise_idea("The printer jams every morning")
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    top_level = kaizen.double.add_message(TEAM_CHANNEL, "Top-level chatter", user=BOB)
    other_thread = kaizen.double.add_message(TEAM_CHANNEL, "A reply elsewhere", user=BOB, thread_ts=top_level)
    in_card_thread = kaizen.double.add_message(TEAM_CHANNEL, "A reply to a card", user=BOB, thread_ts=card_idea.card_ts)

    def bot_posts() -> list[tuple[str, str]]:
        return [(m["ts"], payload(m)) for m in kaizen.double.messages(TEAM_CHANNEL)]

    before = bot_posts()
    for ts, writer in ((top_level, BOB), (other_thread, BOB), (in_card_thread, BOB), (huddle["ts"], "UBOT")):
        bulb(kaizen, ts, ALICE, item_user=writer)
    kaizen.wait_settled()
    with kaizen.running.kaizen.db.read() as session:
        applied = session.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.done_at.is_not(None)))
    assert applied == 4, "each :bulb: was looked at"
    assert [i.id for i in kaizen.ideas()] == [card_idea.id]
    assert bot_posts() == before
    assert private_notes(kaizen, BOB) == []


# --- the welcome, and its two forms ------------------------------------------------------------------------


def joined(kaizen: Kaizen, user: str, channel: str = TEAM_CHANNEL, **kwargs: Any) -> Reply:
    event = {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": WORKSPACE}
    reply = kaizen.slack.event(event, **kwargs)
    assert reply.status == 200
    return reply


def welcomes(kaizen: Kaizen, channel: str = TEAM_CHANNEL) -> list[dict]:
    return [m for m in kaizen.double.messages(channel) if "Set up daily huddle" in payload(m)]


def welcome(kaizen: Kaizen) -> dict:
    joined(kaizen, "UBOT")
    [message] = eventually(lambda: welcomes(kaizen), timeout=WAIT)
    kaizen.wait_settled()
    return message


def test_kaizen_joining_a_channel_says_hello_once_with_two_buttons(kaizen: Kaizen):
    message = welcome(kaizen)
    assert "Add leaders" in payload(message)
    joined(kaizen, "UBOT", event_id=kaizen.slack.last_event_id, retry_num=1)  # Slack's retry of the same event
    kaizen.wait_settled()
    assert len(welcomes(kaizen)) == 1


def test_someone_else_joining_posts_nothing(kaizen: Kaizen):
    joined(kaizen, BOB)
    joined(kaizen, "UBOT", OTHER_CHANNEL)  # afterwards, so that waiting for it waits past BOB's too
    eventually(lambda: welcomes(kaizen, OTHER_CHANNEL), timeout=WAIT)
    kaizen.wait_settled()
    assert kaizen.double.messages(TEAM_CHANNEL) == []


def open_form(kaizen: Kaizen, message: dict, action_id: str, user: str) -> dict:
    before = len(kaizen.double.calls("views.open"))
    reply = kaizen.slack.block_action(action_id, user_id=user, channel_id=TEAM_CHANNEL, message=message)
    assert reply.status == 200
    return kaizen.opened_modal(before)


def test_set_up_daily_huddle_opens_the_form_and_a_leaders_submit_sets_the_schedule(kaizen: Kaizen):
    kaizen.double.add_user(LEAD, "lead", tz="America/New_York")
    message = welcome(kaizen)
    form = open_form(kaizen, message, WELCOME_HUDDLE_ACTION, LEAD)
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


def test_the_huddle_form_from_someone_who_is_not_a_leader_is_refused(kaizen: Kaizen):
    message = welcome(kaizen)
    form = open_form(kaizen, message, WELCOME_HUDDLE_ACTION, BOB)
    reply = kaizen.slack.submit_view(form, {"times": "09:00"}, user_id=BOB)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors" and "leaders" in answer["errors"]["times"]
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_the_huddle_form_with_a_bad_time_or_zone_says_what_to_fix(kaizen: Kaizen):
    message = welcome(kaizen)
    form = open_form(kaizen, message, WELCOME_HUDDLE_ACTION, LEAD)
    answer = kaizen.slack.submit_view(form, {"times": "8.30"}, user_id=LEAD).json()
    assert answer["response_action"] == "errors" and "08:30" in answer["errors"]["times"]
    form = open_form(kaizen, message, WELCOME_HUDDLE_ACTION, LEAD)
    answer = kaizen.slack.submit_view(form, {"zone": "Mars/Base"}, user_id=LEAD).json()
    assert answer["response_action"] == "errors" and "Europe/London" in answer["errors"]["zone"]
    team = kaizen.team()
    assert team is None or not team.huddle_times


def test_add_leaders_opens_the_form_and_its_submit_adds_them(kaizen: Kaizen):
    message = welcome(kaizen)
    form = open_form(kaizen, message, WELCOME_LEADERS_ACTION, ALICE)
    assert form["callback_id"] == "add_leaders"
    reply = kaizen.slack.submit_view(form, {"users": [BOB, CAROL]}, user_id=ALICE)
    assert reply.status == 200 and not reply.body, reply.text
    # BOB leads the team now: he may set its huddle.
    eventually(lambda: kaizen.command(SCHEDULE, user_id=BOB)["text"].startswith("Huddles at"), timeout=WAIT)
    kaizen.wait_settled()
    announced = [m for m in kaizen.double.messages(TEAM_CHANNEL) if f"<@{BOB}>" in payload(m)]
    assert len(announced) == 1, "the first leaders are announced in the channel"
    # Once a team has leaders, someone else may no longer add more.
    form = open_form(kaizen, message, WELCOME_LEADERS_ACTION, ALICE)
    answer = kaizen.slack.submit_view(form, {"users": [ALICE]}, user_id=ALICE).json()
    assert answer["response_action"] == "errors"
    assert kaizen.command(SCHEDULE, user_id=ALICE)["text"].startswith("Only this team's leaders")


# --- `kaizen-bot huddle --channel` -------------------------------------------------------------------------


def cli_env(double: SlackDouble, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": double.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }


def run_huddle(double: SlackDouble, tmp_path: Path, channel: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "kaizen-bot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run(
        [*command, "huddle", "--channel", channel],
        env=cli_env(double, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_kaizen_bot_huddle_posts_one_huddle_and_exits_0(double: SlackDouble, tmp_path: Path):
    started = time.monotonic()
    result = run_huddle(double, tmp_path, TEAM_CHANNEL)
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert TEAM_CHANNEL in result.stdout
    huddles = [m for m in double.messages(TEAM_CHANNEL) if HUDDLE_TEXT.match(m.get("text") or "")]
    assert len(huddles) == 1
    assert "Question of the day" in payload(huddles[0])
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
