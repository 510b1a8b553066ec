"""Capturing an idea with :bulb: on a reply in a huddle thread: one idea however many :bulb:, a confirmation in
the thread, a private note to the writer with Undo and Make anonymous (theirs alone to press), and nothing for a
:bulb: anywhere else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from bot.render.ids import ActionId, CardAction
from doubles.driver import Reply
from doubles.slack import SlackDouble
from storage.models import Idea, InboxEvent
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, eventually
from tests.flows import JUST_AFTER, LEAD, WAIT, card_menu, on_card
from tests.flows import shown as payload
from tests.flows_kaizen import Kaizen, bulb, private_notes, start_kaizen, thread_of


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    """A bot on the settable clock at 07:00 on a Wednesday, its scheduler's jobs on fast real time, LEAD leading."""
    return start_kaizen(bot_factory, double, clock)


# --- :bulb: capture --------------------------------------------------------------------------------------------


@dataclass
class Capture:
    huddle_ts: str
    reply_ts: str
    idea: Idea
    note: dict  # the writer's private note, as Slack holds it


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
    assert f"idea #{idea.number}" in confirmation["text"] and "Thank you bob!" in confirmation["text"]
    assert f"<@{BOB}>" not in confirmation["text"], "a plain name: Bob is told privately (the note below)"
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
    assert "Raised by Bob Okafor" in payload(kaizen.card(got.idea)), "a plain name on the card, not a mention"
    told = press_note(kaizen, got, ActionId.BULB_ANONYMOUS, BOB)
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
    told = press_note(kaizen, got, ActionId.BULB_UNDO, BOB)
    assert told.get("replace_original") is True and "Undone" in told["text"]
    eventually(lambda: kaizen.idea(got.idea.id) is None, timeout=WAIT)
    eventually(lambda: thread_of(kaizen, got.huddle_ts) == [], timeout=WAIT)
    assert [m for m in kaizen.double.messages(TEAM_CHANNEL) if m["ts"] == card_ts] == []
    assert kaizen.ideas() == []
    [huddle] = kaizen.huddles()
    assert huddle["ts"] == got.huddle_ts, "the huddle itself stays"


@pytest.mark.parametrize("action_id", [ActionId.BULB_UNDO, ActionId.BULB_ANONYMOUS])
def test_someone_else_pressing_undo_or_make_anonymous_is_refused(kaizen: Kaizen, action_id: str):
    got = capture(kaizen, "Blood gas machine queue at 7am")
    for someone in (ALICE, LEAD):
        told = press_note(kaizen, got, action_id, someone)
        assert told.get("response_type") == "ephemeral" and told.get("replace_original") is False
        assert "Only the person who wrote the reply" in told["text"]
    kaizen.wait_settled()
    idea = kaizen.idea(got.idea.id)
    assert idea is not None and not idea.anonymous and idea.owner_id == BOB
    assert f"Raised by {kaizen.double.user(BOB)['name']}" in payload(kaizen.card(idea))  # type: ignore[index]
    [confirmation] = thread_of(kaizen, got.huddle_ts)
    assert "Thank you bob!" in confirmation["text"], "still named: the refused press changed nothing"


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


def test_undo_of_a_captured_idea_a_leader_escalated_is_refused_and_the_idea_stays(kaizen: Kaizen):
    """Escalated, it has moved on (a leader acted on it, and its card is in another channel): Undo is refused
    like that of an idea decided, and nothing is half-deleted."""
    got = capture(kaizen, "The drug fridge alarm beeps all night")
    kaizen.double.add_channel("C0DEPT", "surgery-dept", members=[LEAD, "UBOT"])
    reply, response_url = kaizen.slack.command("tier up <#C0DEPT|surgery-dept>", user_id=LEAD, channel_id=TEAM_CHANNEL)
    assert reply.status == 200 and "tier up now" in payload(kaizen.double.wait_for_response(response_url)[0])

    # Its card, drawn before the link, is drawn again with Escalate… in its menu.
    def escalatable() -> dict | None:
        card = kaizen.card(kaizen.idea(got.idea.id))
        return card if CardAction.ESCALATE in card_menu(card) else None

    card = eventually(escalatable, timeout=WAIT)
    action, value = on_card(card, CardAction.ESCALATE)
    before = len(kaizen.double.calls("views.open"))
    assert kaizen.slack.block_action(action, value, user_id=LEAD, channel_id=TEAM_CHANNEL, message=card).status == 200
    form = kaizen.double.opened_view(before + 1)
    assert kaizen.slack.submit_view(form, {"escalate_reason": "Estates fix alarms"}, user_id=LEAD).status == 200
    eventually(lambda: (idea := kaizen.idea(got.idea.id)) is not None and idea.escalated_at and kaizen.settled())

    told = press_note(kaizen, got, ActionId.BULB_UNDO, BOB)

    assert "moved on already" in told["text"]
    kaizen.wait_settled()
    idea = kaizen.idea(got.idea.id)
    assert idea is not None and idea.escalated_at is not None, "the idea, its history and its hop stay"
    assert [m for m in kaizen.double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts], "its card stays"
