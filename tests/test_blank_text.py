"""Text that shows nothing is no text (issue #10, item 9): a required field made only of zero-width or other
invisible characters is refused like an empty one, with the same words, in every form (raise, edit, not now,
done); such text prefills nothing (`/kaizen <text>`, the message shortcut), is dropped from optional fields, and a
:bulb: on a reply that shows nothing captures nothing. The rule is `bot.text.is_blank`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from bot.render.ids import CardAction
from bot.text import is_blank
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent
from tests.conftest import ALICE, BOB, TEAM_CHANNEL
from tests.flows import LEAD
from tests.flows_kaizen import Kaizen, bulb, kaizen_on_request, private_notes, start_kaizen
from tests.flows_kaizen import Kaizen as HuddleKaizen

# Each shows nothing in Slack: zero-width space, word joiner, BOM, zero-width joiner, Hangul filler, and mixes
# with separators and control characters.
BLANKS = {
    "zero width space": "\u200b",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "zero width joiner": "\u200d",
    "hangul filler": "\u3164",
    "all of the issue's": "\u200b\u2060\ufeff\u200d\u3164",
    "hangul choseong and jungseong fillers": "\u115f\u1160",
    "halfwidth hangul filler": "\uffa0",
    "blank braille pattern": "\u2800",
    "with spaces and line breaks": " \u200b\u00a0\n\t\u3000\u200b ",
    "bidi and soft hyphen": "\u202e\u00ad\u2066\u2069",
    "line and paragraph separators": "\u2028\u2029",
}
BLANK = "\u200b\u2060\ufeff\u200d\u3164"
EMPTY_PROBLEM = "Please describe the problem: what happened, or what gets in the way?"


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return kaizen_on_request(bot_factory, double, clock)


def open_raise_form(kaizen: Kaizen, text: str = "") -> dict:
    before = len(kaizen.double.calls("views.open"))
    reply, _ = kaizen.slack.command(text, user_id=ALICE)
    assert reply.status == 200
    return kaizen.double.opened_view(before + 1)


def problem_prefill(form: dict) -> str | None:
    [block] = [b for b in form["blocks"] if b.get("block_id") == "problem"]
    return block["element"].get("initial_value")


def idea_count(kaizen: Kaizen) -> int:
    with kaizen.running.kaizen.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Idea)) or 0)


def edits_of(kaizen: Kaizen, idea: Idea) -> list[IdeaEvent]:
    with kaizen.running.kaizen.db.read() as session:
        return list(session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id, IdeaEvent.kind == "edited")))


# --- the rule ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*BLANKS.values(), "", None], ids=[*BLANKS, "empty", "none"])
def test_text_that_shows_nothing_is_blank(text: str | None):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bx\u200b", "-", "#", "😀", "\u3164ㄱ", "\u0301", "0"])
def test_text_that_shows_something_is_not_blank(text: str):
    assert not is_blank(text)


# --- the raise form ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", BLANKS.values(), ids=BLANKS.keys())
def test_a_problem_that_shows_nothing_is_refused_like_an_empty_one(kaizen: Kaizen, blank: str):
    form = open_raise_form(kaizen)

    refused = kaizen.submit(form, {"problem": blank}, ALICE)

    assert refused == {"response_action": "errors", "errors": {"problem": EMPTY_PROBLEM}}
    assert idea_count(kaizen) == 0
    assert kaizen.double.messages(TEAM_CHANNEL) == [], "no card"


def test_the_server_answers_an_empty_problem_with_the_same_words(kaizen: Kaizen):
    """What Slack's client would stop, sent anyway: the words are the ones a blank problem gets."""
    form = open_raise_form(kaizen)
    reply = kaizen.slack.submit_view(form, {"problem": ""}, user_id=ALICE, client_checks=False)
    assert reply.status == 200
    assert reply.json() == {"response_action": "errors", "errors": {"problem": EMPTY_PROBLEM}}


def test_optional_fields_that_show_nothing_are_left_empty(kaizen: Kaizen):
    form = open_raise_form(kaizen)
    assert kaizen.submit(form, {"problem": "Drip stands wobble", "idea": BLANK, "benefit": " \u2800 "}, ALICE) == {}

    with kaizen.running.kaizen.db.read() as session:
        [idea] = session.scalars(select(Idea))
    assert (idea.problem, idea.idea, idea.benefit) == ("Drip stands wobble", None, None)


def test_kaizen_with_text_that_shows_nothing_opens_an_empty_form(kaizen: Kaizen):
    form = open_raise_form(kaizen, f"{BLANK} \u2800")
    assert problem_prefill(form) is None
    assert problem_prefill(open_raise_form(kaizen, "Real text")) == "Real text"


def test_the_message_shortcut_on_a_message_that_shows_nothing_opens_an_empty_form(kaizen: Kaizen):
    ts = kaizen.double.add_message(TEAM_CHANNEL, BLANK, user=BOB)
    message = {"type": "message", "user": BOB, "ts": ts, "text": BLANK}
    before = len(kaizen.double.calls("views.open"))

    assert kaizen.slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL).status == 200

    assert problem_prefill(kaizen.double.opened_view(before + 1)) is None


# --- the card's forms --------------------------------------------------------------------------------------------


def test_an_edit_to_a_problem_that_shows_nothing_is_refused_and_changes_nothing(kaizen: Kaizen):
    idea = kaizen.raise_idea("Call bell in bay 2 is silent")
    form = kaizen.open_form(CardAction.EDIT, idea, ALICE)

    refused = kaizen.submit(form, {"problem": BLANK}, ALICE)

    assert refused == {"response_action": "errors", "errors": {"problem": "The problem can't be empty."}}
    assert kaizen.idea(idea.id).problem == "Call bell in bay 2 is silent"
    assert edits_of(kaizen, idea) == []
    assert kaizen.submit(form, {"problem": "Call bell in bay 2 is too quiet", "idea": BLANK}, ALICE) == {}
    edited = kaizen.wait_for(idea, problem="Call bell in bay 2 is too quiet")
    assert edited.idea is None


def test_a_not_now_reason_that_shows_nothing_is_refused(kaizen: Kaizen):
    idea = kaizen.raise_idea("Phones ring during the drug round")
    form = kaizen.open_form(CardAction.NOT_NOW, idea, LEAD)

    refused = kaizen.submit(form, {"reason": BLANK}, LEAD)

    assert refused["response_action"] == "errors"
    assert refused["errors"] == {"reason": "Please give a reason: it helps the person who raised it."}
    assert kaizen.idea(idea.id).status == "new"
    assert kaizen.dms(ALICE) == [], "the author is told nothing"


@pytest.mark.parametrize("blank_field", ["result", "learned"])
def test_done_with_a_required_answer_that_shows_nothing_is_refused(kaizen: Kaizen, blank_field: str):
    idea = kaizen.start(kaizen.approve(kaizen.raise_idea("Bladder scanner is on the other ward")), ALICE)
    form = kaizen.open_form(CardAction.DONE, idea, ALICE)
    values = {"outcome": "worked", "result": "A scanner of our own", "learned": "Ask the night shift"}

    refused = kaizen.submit(form, {**values, blank_field: BLANK}, ALICE)

    told = "Please say what changed and what we learned."
    assert refused == {"response_action": "errors", "errors": {"result": told}}
    assert kaizen.idea(idea.id).status == "in_progress"
    assert kaizen.submit(form, {**values, "effect": BLANK}, ALICE) == {}
    assert kaizen.wait_for(idea, status="done").effect is None


# --- :bulb: capture ----------------------------------------------------------------------------------------------


@pytest.fixture
def huddle_kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> HuddleKaizen:
    return start_kaizen(bot_factory, double, clock)


def test_a_bulb_on_a_reply_that_shows_nothing_captures_nothing(huddle_kaizen: HuddleKaizen):
    kaizen = huddle_kaizen
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    reply_ts = kaizen.double.add_message(TEAM_CHANNEL, f"{BLANK}\u2800", user=BOB, thread_ts=huddle["ts"])

    bulb(kaizen, reply_ts, ALICE)

    kaizen.wait_settled()
    assert kaizen.ideas() == []
    assert private_notes(kaizen, BOB) == []
