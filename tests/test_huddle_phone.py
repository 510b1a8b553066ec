"""The huddle for a five-minute stand-up read on a phone (issue 14), through the HTTP path: a ward with twelve ideas
in mixed states gets one screen (at most 16 lines of text) in the order done (one thanks line, plain names) →
today's question → ready for a decision (count and the oldest age once, the three oldest) → needs someone to take
it on (approved, not started) → in progress → "+N more"; every idea's line linked to its card, no number twice,
"needs an idea" a tag on its line, no per-idea ages or warnings in public; a greeting for the local hour; nobody
thanked twice when a scheduled huddle follows `/kaizen huddle`; and a fallback text that summarises it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.render.ids import CardAction
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, CAROL
from tests.flows import EARLY, JUST_AFTER, LEAD, LEAD2, SLOT, raise_idea
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, header, heading, lines_under, numbers, start_kaizen

LINK = re.compile(r"^• <https://[^|>\s]+\|#(\d+)> ")


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading;
    the ward's people by name."""
    kaizen = start_kaizen(bot_factory, double, clock)
    for user, name in ((ALICE, "Amira"), (BOB, "Dan"), (CAROL, "Mo"), (LEAD, "Grace")):
        double.add_user(user, name)
    return kaizen


def text_lines(huddle: dict) -> list[str]:
    """Every line of text a person reads in the huddle: the header, then each section's and context's lines."""
    lines: list[str] = []
    for block in huddle["blocks"]:
        if block["type"] == "header":
            lines.append(block["text"]["text"])
        elif block["type"] == "section":
            lines.extend(block["text"]["text"].split("\n"))
        elif block["type"] == "context":
            lines.extend(line for e in block["elements"] for line in e.get("text", "").split("\n"))
    return [line for line in lines if line.strip()]


def a_ward_with_twelve_ideas(kaizen: Kaizen) -> dict[str, Idea]:
    """Six waiting (15, 9, 6, 4, 2 and 1 days; three without an idea), one approved nobody started, two in
    progress, two done this morning (learned something), one not now."""
    ideas: dict[str, Idea] = {}
    waiting = (
        (15, "Drug fridge alarm is too quiet", None),
        (9, "Handover sheets go missing", "A tray by the desk"),
        (6, "The scanner is always elsewhere", None),
        (4, "Gloves run out on nights", "Top up at 22:00"),
        (2, "Call bells are too quiet", None),
        (1, "Linen trolley blocks the corridor", "Park it in bay 3"),
    )
    for days, problem, idea in waiting:
        kaizen.clock.set(SLOT - timedelta(days=days, hours=1))
        ideas[problem] = kaizen.raise_idea(problem, user_id=BOB, idea_text=idea)
    kaizen.clock.set(SLOT - timedelta(days=5))
    approved = kaizen.raise_idea("Pumps are stored behind the door", user_id=CAROL, idea_text="A wall rack")
    ideas["approved"] = kaizen.approve(approved)
    ideas["doing Amira"] = kaizen.start(kaizen.approve(kaizen.raise_idea("Sluice room door sticks", user_id=ALICE)))
    ideas["doing Mo"] = kaizen.start(kaizen.approve(kaizen.raise_idea("Bins overflow by noon", user_id=CAROL)))
    done_amira = kaizen.raise_idea("Nobody knows where the spare keys are", user_id=ALICE)
    done_dan = kaizen.raise_idea("Night staff skip breaks", user_id=BOB)
    not_now = kaizen.raise_idea("Paint the staff room", user_id=BOB)
    ideas["not now"] = kaizen.not_now(not_now, "Not this quarter")
    kaizen.clock.set(EARLY)
    ideas["done Amira"] = kaizen.finish(kaizen.start(kaizen.approve(done_amira)), learned="A hook by the door works")
    ideas["done Dan"] = kaizen.finish(kaizen.start(kaizen.approve(done_dan)), learned="A rota of breaks helps")
    assert len(kaizen.ideas()) == 12
    return ideas


def test_a_ward_with_twelve_ideas_gets_one_phone_screen_in_the_stand_up_order(kaizen: Kaizen):
    ideas = a_ward_with_twelve_ideas(kaizen)
    kaizen.clock.set(EARLY + timedelta(minutes=30))
    kaizen.set_huddle()
    permalinks = len(kaizen.double.calls("chat.getPermalink"))
    kaizen.clock.set(JUST_AFTER)
    [huddle] = kaizen.wait_huddles(1)
    lines = text_lines(huddle)
    assert len(lines) <= 16, "\n".join(lines)
    kaizen.wait_settled()
    assert len(kaizen.double.calls("chat.getPermalink")) - permalinks <= 2, (
        "one for the huddle's links, one for the digest's"
    )

    order = ["*Done since the last huddle", "*Today's question:*", "*Ready for a decision",
             "*Needs someone to take it on", "*In progress", "+"]  # fmt: skip
    at = [next(i for i, line in enumerate(lines) if not line.startswith("• ") and marker in line[:60])
          for marker in order]  # fmt: skip
    assert at == sorted(at), "\n".join(lines)

    item_lines = [line for line in lines if line.startswith("• ")]
    assert item_lines and all(LINK.match(line) for line in item_lines), item_lines
    shown = [int(n) for line in lines for n in re.findall(r"#(\d+)\b", line)]
    assert len(shown) == len(set(shown)), f"a number twice: {shown}"
    assert ideas["not now"].number not in shown

    done = lines_under(huddle, "Done since the last huddle")
    assert numbers(done) == [ideas["done Amira"].number, ideas["done Dan"].number]
    assert "A hook by the door works" in done[0] and "A rota of breaks helps" in done[1]
    assert heading(huddle, "Done since the last huddle").endswith("thank you Amira and Dan! :tada:")
    assert sum(line.count("thank you") for line in lines) == 1

    question = next(line for line in lines if "Today's question" in line)
    assert "reply in this thread" in question and question.startswith(":speech_balloon: Good morning!")

    assert heading(huddle, "Ready for a decision") == "*Ready for a decision (6)* — the oldest has waited 15 days"
    waiting = lines_under(huddle, "Ready for a decision")
    oldest = ["Drug fridge alarm is too quiet", "Handover sheets go missing", "The scanner is always elsewhere"]
    assert numbers(waiting) == [ideas[p].number for p in oldest]
    assert ["needs\u00a0an\u00a0idea" in line for line in waiting] == [True, False, True]

    assert heading(huddle, "Needs someone to take it on") == "*Needs someone to take it on (1)* — who'll take it?"
    assert numbers(lines_under(huddle, "Needs someone to take it on")) == [ideas["approved"].number]
    doing = lines_under(huddle, "In progress")
    assert heading(huddle, "In progress") == "*In progress (2)* — any blockers?"
    assert doing[0].endswith("Sluice room door sticks — Amira") and doing[1].endswith("Bins overflow by noon — Mo")
    assert lines[-1] == "+3 more not shown — `/kaizen list`", "the three waiting ideas not shown"

    whole = payload(huddle)
    assert ":warning:" not in whole and "⚠" not in whole, "no warnings in public"
    assert not re.search(r"\b\d+ days?\b", whole.replace("waited 15 days", "")), "no per-idea ages in public"
    assert "<@" not in whole, "plain names, nobody pinged"
    assert huddle["text"].startswith(
        "Huddle: 6 to decide, 1 needs someone, 2 in progress, 2 done — thank you Amira and Dan. Today's question: "
    ), huddle["text"]
    assert len(huddle["text"]) <= 300


def test_the_greeting_follows_the_local_hour_of_the_teams_zone(kaizen: Kaizen):
    kaizen.command("huddle at 12:00 sat America/New_York", user_id=LEAD)  # the team's zone; never due here
    seen = []
    local_times = ((4, 59), (5, 0), (11, 59), (12, 0), (16, 59), (17, 0), (21, 59), (22, 0), (1, 54))
    for hour, minute in local_times:  # New York is UTC−5 in November
        kaizen.clock.set(datetime(2026, 11, 25, hour, minute, tzinfo=UTC) + timedelta(hours=5))
        kaizen.huddle_now(user_id=LEAD)
        huddle = kaizen.huddles()[-1]
        question = next(t for t in text_lines(huddle) if "Today's question" in t)
        seen.append((header(huddle).split(" · ")[0], question.split("!")[0].removeprefix(":speech_balloon: ")))
    night, morning = ("Night huddle", "Hello, night team"), ("Morning huddle", "Good morning")
    afternoon, evening = ("Afternoon huddle", "Good afternoon"), ("Evening huddle", "Good evening")
    assert seen == [night, morning, morning, afternoon, afternoon, evening, evening, night, night]


def test_many_people_thanked_are_named_up_to_three_and_the_question_stays_in_the_notification(kaizen: Kaizen):
    kaizen.double.add_user(CAROL, "Mo " + "with a very long display name " * 4)
    kaizen.clock.set(SLOT - timedelta(days=1))
    people = (ALICE, BOB, CAROL, LEAD2)
    raised = [kaizen.raise_idea(f"Problem {n} on the ward", user_id=user) for n, user in enumerate(people)]
    kaizen.clock.set(EARLY)
    for idea in raised:
        kaizen.finish(kaizen.start(kaizen.approve(idea), LEAD), LEAD)
    kaizen.huddle_now(user_id=LEAD)
    [huddle] = kaizen.huddles()
    thanks = heading(huddle, "Done since the last huddle")
    assert "thank you Amira, Dan, Mo with a very long" in thanks and thanks.endswith("… and others! :tada:"), thanks
    assert "Today's question: " in huddle["text"] and huddle["text"].endswith("?"), huddle["text"]
    assert "thank you Amira, Dan, Mo with a very long" in huddle["text"]
    assert len(huddle["text"]) <= 300


def test_a_scheduled_huddle_just_after_kaizen_huddle_thanks_nobody_twice(kaizen: Kaizen):
    kaizen.clock.set(SLOT - timedelta(days=1))
    done = kaizen.raise_idea("Pumps are stored behind the door", user_id=ALICE)
    kaizen.clock.set(EARLY)
    kaizen.finish(kaizen.start(kaizen.approve(done)))
    kaizen.set_huddle()
    kaizen.clock.set(SLOT - timedelta(minutes=2))
    kaizen.huddle_now()
    [asked] = kaizen.huddles()
    assert numbers(lines_under(asked, "Done since the last huddle")) == [done.number]
    assert "thank you Amira" in asked["text"]
    kaizen.clock.set(JUST_AFTER)
    _, scheduled = kaizen.wait_huddles(2)
    assert "thank you" not in payload(scheduled), "thanked in the huddle a few minutes ago"
    assert "Done since" not in payload(scheduled)
    assert scheduled["text"].startswith("Huddle: nothing waiting. Today's question: ")


def test_an_empty_ward_gets_the_question_and_nothing_else(kaizen: Kaizen):
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    lines = text_lines(huddle)
    assert lines[0] == "Morning huddle · Wednesday 25 November"
    assert len(lines) == 2 and "Today's question" in lines[1], lines


def test_a_redacted_idea_shows_in_the_huddle_without_a_tag_or_what_was_learned(kaizen: Kaizen):
    def redact(idea: Idea) -> Idea:
        form = kaizen.open_form(CardAction.REDACT, idea, LEAD)
        assert kaizen.submit(form, {"note": "A patient's name"}, LEAD) == {}
        return kaizen.wait_for(idea, redacted=True)

    kaizen.clock.set(SLOT - timedelta(days=1))
    waiting = redact(kaizen.raise_idea("Jo Example in bed 4 waits for her pump", user_id=BOB))
    done = kaizen.finish(kaizen.start(kaizen.raise_idea("Bed 5 call bell", user_id=ALICE), ALICE), LEAD,
                         learned="Mr Example needed a night light")  # fmt: skip
    kaizen.clock.set(EARLY)
    done = redact(done)
    kaizen.huddle_now(user_id=LEAD)
    [huddle] = kaizen.huddles()
    [waiting_line] = lines_under(huddle, "Ready for a decision")
    [done_line] = [line for line in lines_under(huddle, "Done since the last huddle") if line.startswith("• ")]
    assert f"|#{waiting.number}>" in waiting_line and "[removed by a leader]" in waiting_line, waiting_line
    assert "needs" not in waiting_line, "its text is gone, not missing"
    assert "learned" not in done_line and "Example" not in payload(huddle), done_line


def test_an_idea_done_anonymously_is_celebrated_without_naming_anyone(kaizen: Kaizen):
    kaizen.clock.set(SLOT - timedelta(hours=2))
    raise_idea(
        kaizen.running, kaizen.slack, kaizen.double, "The hoist battery is always flat", user=BOB, anonymous=True,
        values={"already_done": ["done"]}, until=lambda idea: idea.status == "done" and kaizen.settled(),
    )  # fmt: skip
    kaizen.huddle_now(user_id=LEAD)
    [huddle] = kaizen.huddles()
    assert heading(huddle, "Done since the last huddle") == "*Done since the last huddle (1)* :tada:"
    assert "Dan" not in payload(huddle) and "thank you" not in payload(huddle)
    assert huddle["text"].startswith("Huddle: 1 done. Today's question: "), huddle["text"]
