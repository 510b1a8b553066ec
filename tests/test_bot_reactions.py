"""Only people count (issue #10, item 8): another app's bot reacting on a card — with an ordinary U… id, as
Slack sends it — supports nothing, approves nothing (even when listed as a leader), is told nothing, and its
:bulb: captures nothing; a bot's reply in a huddle thread is never turned into an idea. Who is a bot is what
users.info says (`is_bot`), and Slackbot."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import SettableClock
from doubles.slack import SlackDouble
from storage.models import Idea, Supporter
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, eventually
from tests.flows import (
    APPROVE,
    LEAD,
    WAIT,
    card,
    card_updates,
    ephemerals_to,
    load,
    raise_idea,
    react,
    shown,
    start,
    status_events,
    thread_replies,
    wait_settled,
)
from tests.flows_kaizen import Kaizen, bulb, private_notes, start_kaizen

APP_BOT = "UAPPBOT1"  # another app's bot user: its events carry this ordinary-looking user id
SLACKBOT = "USLACKBOT"


def with_app_bot(double: SlackDouble) -> None:
    double.add_user(APP_BOT, "standup-bot", is_bot=True)


def dms_to(double: SlackDouble, user: str) -> list[dict]:
    return [c.args for c in double.calls("chat.postMessage") if c.args.get("channel") == user]


def supporters(running: Any, idea: Idea) -> list[str]:
    with running.kaizen.db.read() as session:
        return list(session.scalars(select(Supporter.user_id).where(Supporter.idea_id == idea.id)))


# --- support -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reactor", [APP_BOT, SLACKBOT])
def test_a_bots_thumbs_up_is_not_support(bot_factory, double, reactor):
    with_app_bot(double)
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Pump stands block the fire exit")
    updates = len(card_updates(double, idea))

    react(slack, running, idea, "+1", reactor)

    assert "support" not in shown(card(double, idea))
    assert len(card_updates(double, idea)) == updates, "the card did not change"
    assert supporters(running, idea) == []
    assert ephemerals_to(double, reactor) == [] and dms_to(double, reactor) == []

    react(slack, running, idea, "+1", BOB)  # a person's support still counts, and only theirs
    assert "1 person supports this" in shown(card(double, idea))
    assert supporters(running, idea) == [BOB]


def test_a_person_is_looked_up_once_not_at_every_reaction(bot_factory, double):
    with_app_bot(double)
    running, slack = start(bot_factory, double)
    first = raise_idea(running, slack, double, "Bed 4's call bell is broken")
    second = raise_idea(running, slack, double, "Nobody restocks the gloves")

    for idea in (first, second):
        react(slack, running, idea, "+1", APP_BOT)
        react(slack, running, idea, "+1", BOB)

    looked_up = [c.args.get("user") for c in double.calls("users.info")]
    assert looked_up.count(APP_BOT) == 1 and looked_up.count(BOB) == 1, looked_up
    assert supporters(running, first) == [BOB] and supporters(running, second) == [BOB]


# --- approval ----------------------------------------------------------------------------------------------------


def test_a_bots_approve_emoji_approves_nothing_and_the_bot_is_told_nothing(bot_factory, double):
    with_app_bot(double)
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Drug round is interrupted by the phone")

    react(slack, running, idea, APPROVE, APP_BOT)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("new", None)
    assert status_events(running, idea) == []
    assert thread_replies(double, idea) == [], "no thanks"
    assert ephemerals_to(double, APP_BOT) == [], "not told who can approve: it is not a person"
    assert dms_to(double, APP_BOT) == []


def test_a_bot_listed_as_a_leader_still_cannot_approve(bot_factory, double):
    with_app_bot(double)
    running, slack = start(bot_factory, double, kaizen_leaders=(LEAD, APP_BOT))
    idea = raise_idea(running, slack, double, "Handover sheet is out of date")

    react(slack, running, idea, APPROVE, APP_BOT)

    assert load(running, idea.id).status == "new"
    assert thread_replies(double, idea) == []
    react(slack, running, idea, APPROVE, LEAD)
    assert (load(running, idea.id).status, load(running, idea.id).decided_by) == ("approved", LEAD)


def test_a_bots_approve_emoji_found_on_a_card_after_a_restart_approves_nothing(bot_factory, double):
    with_app_bot(double)
    first, slack = start(bot_factory, double, kaizen_leaders=(LEAD, APP_BOT))
    by_bot = raise_idea(first, slack, double, "Linen trolley is always empty")
    by_leader = raise_idea(first, slack, double, "Sharps bin lids jam")
    first.kaizen.close()  # stopped: the approvals below are found on the cards when it starts again

    double.add_reaction(TEAM_CHANNEL, by_bot.card_ts, APPROVE, APP_BOT)
    double.add_reaction(TEAM_CHANNEL, by_leader.card_ts, APPROVE, LEAD)
    second, _ = start(bot_factory, double, kaizen_leaders=(LEAD, APP_BOT), scheduler=True)

    # Ideas are checked oldest first: once the leader's is approved, the bot's card has been looked at too.
    eventually(lambda: load(second, by_leader.id).status == "approved", timeout=10)
    wait_settled(second)
    assert {c.args.get("timestamp") for c in double.calls("reactions.get")} >= {by_bot.card_ts, by_leader.card_ts}
    assert load(second, by_bot.id).status == "new"
    assert thread_replies(double, by_bot) == []


def test_a_bots_approve_emoji_does_not_keep_an_idea_approved_once_the_leaders_is_off(bot_factory, double):
    with_app_bot(double)
    running, slack = start(bot_factory, double, kaizen_leaders=(LEAD, APP_BOT))
    idea = raise_idea(running, slack, double, "Visitors' chairs are broken")
    react(slack, running, idea, APPROVE, LEAD)
    react(slack, running, idea, APPROVE, APP_BOT)

    react(slack, running, idea, APPROVE, LEAD, removed=True)  # the bot's emoji remains: it does not hold it

    assert load(running, idea.id).status == "new"


# --- :bulb: capture ----------------------------------------------------------------------------------------------


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    with_app_bot(double)
    return start_kaizen(bot_factory, double, clock)


def test_a_bots_bulb_on_a_huddle_reply_captures_nothing(kaizen: Kaizen):
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    reply_ts = kaizen.double.add_message(TEAM_CHANNEL, "The scales need calibrating", user=BOB, thread_ts=huddle["ts"])

    bulb(kaizen, reply_ts, APP_BOT)
    kaizen.wait_settled()
    assert kaizen.ideas() == []
    assert private_notes(kaizen, BOB) == []

    bulb(kaizen, reply_ts, ALICE)  # a person's :bulb: on the same reply does capture it
    eventually(lambda: [i.problem for i in kaizen.ideas()] == ["The scales need calibrating"], timeout=WAIT)


def test_a_bots_reply_in_a_huddle_thread_is_never_captured(kaizen: Kaizen):
    kaizen.huddle_now()
    [huddle] = kaizen.huddles()
    # Another app's bot wrote it with its user id (no bot_id on the message, as apps posting as a user do).
    reply_ts = kaizen.double.add_message(TEAM_CHANNEL, "Reminder: fire drill at 3", user=APP_BOT,
                                         thread_ts=huddle["ts"])  # fmt: skip

    bulb(kaizen, reply_ts, ALICE, item_user=APP_BOT)

    kaizen.wait_settled()
    assert kaizen.ideas() == []
    assert private_notes(kaizen, APP_BOT) == []
    assert len(kaizen.double.messages(TEAM_CHANNEL)) == 1, "nothing posted but the huddle"
    with kaizen.running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 0
