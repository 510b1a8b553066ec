"""What a huddle shows: the ideas waiting for a decision oldest first with their age (a warning past
KAIZEN_NUDGE_DAYS), ideas in progress with their owner's name, ideas done since the last scheduled huddle with
thanks, never an anonymous author's name, and five hundred open ideas inside Slack's limits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, raise_idea
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE
from tests.flows import EARLY, JUST_AFTER, LEAD, SLOT
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, header, heading, lines_under, numbers, start_kaizen, texts


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


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
