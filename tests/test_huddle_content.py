"""What a huddle shows: the three oldest ideas waiting for a decision with the count and the oldest age once (no
per-idea ages or warnings in public: those are the leaders' digest), ideas in progress with their owner's name,
ideas done since the last huddle of any kind with thanks by name (nobody twice), never an anonymous author's name,
and five hundred open ideas inside Slack's limits and one phone screen."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.ideas.workflow import NewIdea, raise_idea
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import EARLY, JUST_AFTER, LEAD, SLOT, WAIT, digests
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, header, heading, lines_under, numbers, start_kaizen, texts


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


# --- what a huddle shows -----------------------------------------------------------------------------------


def test_the_three_oldest_waiting_ideas_with_the_count_and_the_oldest_age_once(kaizen: Kaizen):
    for days, problem in ((1, "Gloves run out on nights"), (5, "The scanner is always elsewhere"),
                          (3, "Handover sheets go missing"), (0, "Call bells are too quiet")):  # fmt: skip
        kaizen.clock.set(SLOT - timedelta(days=days))
        kaizen.raise_idea(problem)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    assert heading(huddle, "Ready for a decision") == "*Ready for a decision (4)* — the oldest has waited 5 days"
    lines = lines_under(huddle, "Ready for a decision")
    assert [line.split("> ", 1)[1] for line in lines] == [
        "The scanner is always elsewhere · _needs\u00a0an\u00a0idea_",
        "Handover sheets go missing · _needs\u00a0an\u00a0idea_",
        "Gloves run out on nights · _needs\u00a0an\u00a0idea_",
    ]
    assert numbers(lines) == [2, 3, 1]
    assert texts(huddle)[-1] == "+1 more not shown — `/kaizen list`"


def test_no_ages_or_warnings_in_public_past_the_nudge_days_only_in_the_leaders_digest(
    bot_factory: Any, double: SlackDouble, clock: SettableClock
):
    kaizen = start_kaizen(bot_factory, double, clock, kaizen_nudge_days=4)
    for days, problem in ((5, "Five days waiting"), (3, "Three days waiting")):
        kaizen.clock.set(SLOT - timedelta(days=days))
        kaizen.raise_idea(problem)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    lines = lines_under(huddle, "Ready for a decision")
    assert len(lines) == 2 and not any(re.search(r"— \d+ days?|:warning:", line) for line in lines), lines
    [digest] = eventually(lambda: digests(double, LEAD), timeout=WAIT)
    assert "Five days waiting — 5 days" in digest["text"] and "Three days waiting" not in digest["text"]


def test_in_progress_ideas_show_the_owners_name_without_a_mention(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "Alice Ward")
    kaizen.double.add_user(BOB, "Bob Okafor")
    kaizen.clock.set(SLOT - timedelta(days=1))
    mine = kaizen.start(kaizen.approve(kaizen.raise_idea("Drug fridge alarm is too quiet", user_id=ALICE)))
    bobs = kaizen.start(kaizen.approve(kaizen.raise_idea("Linen trolley blocks the corridor", user_id=BOB)))
    assert (mine.owner_id, bobs.owner_id) == (ALICE, BOB)
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    assert heading(huddle, "In progress") == "*In progress (2)* — any blockers?"
    lines = lines_under(huddle, "In progress")
    assert lines[0].endswith("Drug fridge alarm is too quiet — Alice Ward"), lines
    assert lines[1].endswith("Linen trolley blocks the corridor — Bob Okafor"), lines
    shown = payload(huddle)
    assert "<@" not in shown and "<!" not in shown, "names shown without notifying anyone"
    looked_up = {c.args.get("user") for c in kaizen.double.calls("users.info")}
    assert {ALICE, BOB} <= looked_up


def test_done_since_the_last_huddle_of_any_kind_thanks_people_by_name_once(kaizen: Kaizen):
    kaizen.double.add_user(ALICE, "Alice Ward")
    kaizen.double.add_user(BOB, "Bob Okafor")
    kaizen.clock.set(SLOT - timedelta(days=2))
    earlier = kaizen.approve(kaizen.raise_idea("Pumps are stored behind the door", user_id=ALICE))
    later = kaizen.approve(kaizen.raise_idea("Nobody knows where the spare keys are", user_id=BOB))
    kaizen.clock.set(EARLY)
    kaizen.set_huddle()
    kaizen.clock.set(EARLY + timedelta(minutes=10))
    kaizen.finish(kaizen.start(earlier))  # before Wednesday's huddle
    kaizen.clock.set(JUST_AFTER)
    [wednesday] = kaizen.wait_huddles(1)
    assert numbers(lines_under(wednesday, "Done since the last huddle")) == [earlier.number]
    assert heading(wednesday, "Done since the last huddle").endswith("thank you Alice Ward! :tada:")
    kaizen.clock.set(SLOT + timedelta(hours=2))
    kaizen.finish(kaizen.start(later))  # after it
    kaizen.clock.set(SLOT + timedelta(hours=3))
    kaizen.huddle_now()  # a huddle on demand thanks Bob ...
    asked = kaizen.huddles()[-1]
    assert numbers(lines_under(asked, "Done since the last huddle")) == [later.number]
    assert heading(asked, "Done since the last huddle").endswith("thank you Bob Okafor! :tada:")
    kaizen.clock.set(JUST_AFTER + timedelta(days=1))
    thursday = kaizen.wait_huddles(3)[-1]  # ... so Thursday's does not thank him again
    assert header(thursday).startswith("Morning huddle · Thursday")
    assert "Done since" not in payload(thursday) and "thank you" not in payload(thursday)
    assert "<@" not in payload(wednesday) + payload(asked), "thanks by name, without a ping"


def test_an_anonymous_author_is_never_named_in_a_huddle(kaizen: Kaizen):
    kaizen.double.add_user(CAROL, "Carol Secret")
    kaizen.double.add_user(ALICE, "Alice Ward")
    kaizen.double.add_user(LEAD, "Grace")
    kaizen.clock.set(SLOT - timedelta(days=3))
    kaizen.raise_idea("Nobody checks the crash trolley", user_id=CAROL, anonymous=True)
    doing = kaizen.start(kaizen.approve(kaizen.raise_idea("Night staff skip breaks", user_id=CAROL, anonymous=True)))
    done = kaizen.approve(kaizen.raise_idea("The rota is published too late", user_id=CAROL, anonymous=True))
    named = kaizen.approve(kaizen.raise_idea("Bins overflow by noon", user_id=ALICE))
    kaizen.clock.set(EARLY)
    kaizen.finish(kaizen.start(done, LEAD), LEAD)
    kaizen.finish(kaizen.start(named, LEAD), LEAD)
    kaizen.set_huddle()
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    whole = json.dumps(huddle)
    assert CAROL not in whole and "Carol" not in whole and "carol" not in whole.lower()
    [line] = lines_under(huddle, "In progress")
    assert numbers([line]) == [doing.number] and line.endswith("Night staff skip breaks — Grace"), line
    assert numbers(lines_under(huddle, "Done since the last huddle")) == [done.number, named.number]
    thanks = heading(huddle, "Done since the last huddle")
    assert "Grace" in thanks and "Alice Ward" in thanks and thanks.count("Grace") == 1, thanks
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
    assert heading(huddle, "Ready for a decision") == "*Ready for a decision (500)* — all raised today"
    waiting = lines_under(huddle, "Ready for a decision")
    assert numbers(waiting) == [1, 2, 3], "the three oldest"
    assert ["needs\u00a0an\u00a0idea" in line for line in waiting] == [True, False, True]
    assert texts(huddle)[-1] == "+497 more not shown — `/kaizen list`"
    assert "<!channel>" not in json.dumps(huddle)
    assert all(len(text) <= 3000 for text in texts(huddle))
    assert len([line for text in texts(huddle) for line in text.split("\n")]) + 1 <= 16, "one phone screen"
