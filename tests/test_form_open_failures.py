"""Every entry point that opens a form tells the person when Slack would not open it (issue #10, item 10):
`/kaizen`, the message shortcut, "Raise this as an idea instead", the card's Not now…, Done…, Edit and Redact,
and the welcome's two buttons. Through the request's response_url when it has one, else privately in the
channel or by DM (a button outside a message, in the App Home say, comes with no response_url)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.render.ids import ActionId, CardAction
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, WORKSPACE
from tests.flows import LEAD
from tests.flows_kaizen import Kaizen, kaizen_on_request

# What Slack answers views.open with when the form cannot open: a trigger too old or used already, a limit.
FAULTS = ["expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id", "ratelimited"]


@pytest.fixture
def kaizen(bot_factory: Any, double: SlackDouble, clock: SettableClock) -> Kaizen:
    return kaizen_on_request(bot_factory, double, clock)


def told_privately(kaizen: Kaizen, response_url: str | None = None) -> dict:
    """The one reply that went to the request's response URL (the last one sent, unless named)."""
    [body] = kaizen.double.wait_for_response(response_url or str(kaizen.slack.last_response_url))
    assert body.get("response_type") == "ephemeral" and body.get("replace_original") is False, body
    return body


def says_try_again(body: dict, again: str) -> None:
    shown = json.dumps(body.get("blocks") or []) + body.get("text", "")
    assert "didn't let me open the form" in body["text"], body
    assert again in body["text"], body
    assert again in shown


# --- /kaizen and the message shortcut ----------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
def test_the_message_shortcut_tells_the_person_when_the_form_cannot_open(kaizen: Kaizen, fault: str):
    ts = kaizen.double.add_message(TEAM_CHANNEL, "The drip stand in bay 3 wobbles", user=BOB)
    kaizen.double.fail("views.open", fault)
    message = {"type": "message", "user": BOB, "ts": ts, "text": "The drip stand in bay 3 wobbles"}

    reply = kaizen.slack.message_shortcut("raise_from_message", message, user_id=ALICE, channel_id=TEAM_CHANNEL)

    assert reply.status == 200
    says_try_again(told_privately(kaizen), "“Raise as Kaizen idea”")
    assert kaizen.double.calls("chat.postMessage") == [], "not in the channel, and no DM: once is enough"


def test_the_message_shortcut_tells_the_person_when_slack_does_not_answer_in_time(kaizen: Kaizen):
    ts = kaizen.double.add_message(TEAM_CHANNEL, "Gloves run out on nights", user=BOB)
    kaizen.double.delay("views.open", 3)  # longer than the quick client waits: the trigger would be dead anyway
    message = {"type": "message", "user": BOB, "ts": ts, "text": "Gloves run out on nights"}

    assert kaizen.slack.message_shortcut("raise_from_message", message, channel_id=TEAM_CHANNEL).status == 200

    says_try_again(told_privately(kaizen), "“Raise as Kaizen idea”")


def test_the_message_shortcut_in_a_channel_without_kaizen_still_tells_the_person(kaizen: Kaizen):
    kaizen.double.add_channel("C_RANDOM", "random", members=[ALICE, BOB], is_member=False)
    kaizen.double.fail("views.open", "expired_trigger_id")
    message = {"type": "message", "user": BOB, "ts": "1764061200.000100", "text": "Bins are full by 10"}

    assert kaizen.slack.message_shortcut("raise_from_message", message, channel_id="C_RANDOM").status == 200

    says_try_again(told_privately(kaizen), "“Raise as Kaizen idea”")


@pytest.mark.parametrize("fault", FAULTS)
def test_kaizen_tells_the_person_when_the_form_cannot_open(kaizen: Kaizen, fault: str):
    kaizen.double.fail("views.open", fault)

    reply, response_url = kaizen.slack.command("Linen cupboard is empty by noon", user_id=ALICE)

    assert reply.status == 200
    says_try_again(told_privately(kaizen, response_url), "try `/kaizen` again")


def test_raise_this_instead_tells_the_person_when_the_form_cannot_open(kaizen: Kaizen):
    kaizen.double.fail("views.open", "expired_trigger_id")

    reply = kaizen.slack.block_action(ActionId.RAISE_INSTEAD, "list of spare keys", user_id=ALICE)

    assert reply.status == 200
    says_try_again(told_privately(kaizen), "press the button again")


# --- buttons -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "presser"),
    [(CardAction.NOT_NOW, LEAD), (CardAction.DONE, LEAD), (CardAction.EDIT, ALICE), (CardAction.REDACT, LEAD)],
)
def test_a_card_button_tells_the_presser_when_its_form_cannot_open(kaizen: Kaizen, action: str, presser: str):
    idea = kaizen.raise_idea("Phones ring during the drug round")
    if action == CardAction.DONE:
        idea = kaizen.approve(idea)
    kaizen.double.fail("views.open", "expired_trigger_id")

    kaizen.press(action, idea, presser)

    says_try_again(told_privately(kaizen), "press the button again")
    assert kaizen.idea(idea.id).status == idea.status


@pytest.mark.parametrize("action", [ActionId.WELCOME_HUDDLE, ActionId.WELCOME_LEADERS])
def test_a_welcome_button_tells_the_presser_when_its_form_cannot_open(kaizen: Kaizen, action: str):
    kaizen.double.fail("views.open", "expired_trigger_id")

    assert kaizen.slack.block_action(action, user_id=LEAD, channel_id=TEAM_CHANNEL).status == 200

    says_try_again(told_privately(kaizen), "press the button again")


def home_with_not_now_button(idea: Idea) -> dict:
    """A leader's App Home holding a waiting idea's Not now… button, as Slack sends it back in a block_actions
    payload (a view: no response_url)."""
    button = {"type": "button", "action_id": CardAction.NOT_NOW, "value": str(idea.id),
              "text": {"type": "plain_text", "text": "Not now…"}}  # fmt: skip
    return {"id": "VHOME0001", "type": "home", "team_id": WORKSPACE, "callback_id": "", "private_metadata": "",
            "blocks": [{"type": "actions", "block_id": f"home_{idea.id}", "elements": [button]}]}  # fmt: skip


def test_a_button_without_a_response_url_tells_the_presser_by_dm(kaizen: Kaizen):
    idea = kaizen.raise_idea("Visitors can't find the day room")
    kaizen.double.fail("views.open", "expired_trigger_id")
    posted = len(kaizen.double.calls("chat.postMessage"))

    reply = kaizen.slack.block_action(CardAction.NOT_NOW, user_id=LEAD, view=home_with_not_now_button(idea))

    assert reply.status == 200
    [dm] = [c.args for c in kaizen.double.wait_for("chat.postMessage", count=posted + 1)[posted:]]
    assert dm["channel"] == LEAD
    assert "didn't let me open the form" in dm["text"] and "press the button again" in dm["text"]
