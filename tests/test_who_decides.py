"""Only leaders decide, through the real HTTP server, whatever a forged button or form names: someone who is not
a leader changes nothing, a leader of one team cannot decide for another, and another workspace never reaches an
idea by its id."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.render.ids import CardAction
from doubles.slack import SlackDouble
from tests.conftest import ALICE, BOB, CAROL, OTHER_CHANNEL, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import install
from tests.security import LEAD, LEAD2, OTHER_WORKSPACE, OTHER_WORKSPACE_CHANNEL, WAIT, Kaizen, start
from tests.security import kaizen as kaizen  # the fixture: a bot with LEAD leading every team

# --- only leaders decide ---------------------------------------------------------------------------------------


EVERY_BUTTON = (
    CardAction.APPROVE, CardAction.NOT_NOW, CardAction.START, CardAction.DONE, CardAction.REOPEN, CardAction.EDIT,
    CardAction.REDACT,
)  # fmt: skip


def forged_card(card: dict, idea_id: int) -> dict:
    """The card as a forger sends it back: every button there is, each naming `idea_id`."""
    buttons = [
        {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": action}, "value": str(idea_id)}
        for action in EVERY_BUTTON
    ]
    return {**card, "blocks": [*card.get("blocks", [])[:-1], {"type": "actions", "block_id": "f", "elements": buttons}]}


def test_someone_who_is_not_a_leader_cannot_decide_with_a_forged_button_naming_another_idea(kaizen: Kaizen):
    shown_card_of = kaizen.raise_idea("Gloves run out on nights")
    target = kaizen.raise_idea("Paint the corridor")
    forged = forged_card(kaizen.card(shown_card_of), target.id)
    for action in (CardAction.APPROVE, CardAction.NOT_NOW, CardAction.START, CardAction.REDACT):
        told = kaizen.refused(action, shown_card_of, BOB, card=forged)
        assert "leader" in told, (action, told)
    for action in (CardAction.EDIT, CardAction.DONE, CardAction.REOPEN):
        kaizen.refused(action, shown_card_of, BOB, card=forged)
    time.sleep(0.3)
    for idea in (shown_card_of, target):
        fresh = kaizen.idea(idea.id)
        assert (fresh.status, fresh.problem, fresh.redacted) == ("new", idea.problem, False)
        assert kaizen.events_of(idea) == 1, "only its creation in the history"
    assert [v for v in kaizen.double.views() if v["type"] == "modal" and v["callback_id"] != "raise_idea"] == []


def test_a_forged_form_submission_from_someone_who_is_not_a_leader_changes_nothing(kaizen: Kaizen):
    decoy = kaizen.raise_idea("Label the drawers")
    target = kaizen.raise_idea("Buy a coffee machine")
    forms = {
        "reason": kaizen.open_form(CardAction.NOT_NOW, decoy, LEAD),
        "note": kaizen.open_form(CardAction.REDACT, decoy, LEAD),
    }
    for field, form in forms.items():
        forged = {**form, "private_metadata": json.dumps({"i": target.id, "c": TEAM_CHANNEL})}
        answer = kaizen.submit(forged, {field: "No"} if field == "reason" else {}, BOB)
        assert answer.get("response_action") == "errors" and "leader" in json.dumps(answer), answer
    time.sleep(0.3)
    for idea in (decoy, target):
        fresh = kaizen.idea(idea.id)
        assert (fresh.status, fresh.redacted) == ("new", False)
    assert kaizen.double.messages(ALICE) == [], "no not-now note went to the author"


def test_a_leader_of_one_team_cannot_decide_for_another_team(bot_factory, double):
    kaizen = start(bot_factory, double)  # no leaders everywhere: each team names its own
    kaizen.ask(f"leaders add <@{LEAD}|lead>", user_id=ALICE, channel_id=TEAM_CHANNEL)
    kaizen.ask(f"leaders add <@{LEAD2}|lead2>", user_id=CAROL, channel_id=OTHER_CHANNEL)
    ward = kaizen.raise_idea("Ward: the sluice door sticks", user_id=ALICE, channel_id=TEAM_CHANNEL)
    pharmacy = kaizen.raise_idea("Pharmacy: labels smudge", user_id=CAROL, channel_id=OTHER_CHANNEL)
    # The pharmacy's leader presses Approve on a pharmacy card whose value names the ward's idea, and on the ward's
    # own card (as a forged payload: they are not in that channel).
    assert "leader" in kaizen.refused(CardAction.APPROVE, pharmacy, LEAD2, value=str(ward.id))
    assert "leader" in kaizen.refused(CardAction.APPROVE, ward, LEAD2)
    assert "leader" in kaizen.refused(CardAction.APPROVE, ward, LEAD2, channel_id=OTHER_CHANNEL)
    form = kaizen.open_form(CardAction.NOT_NOW, pharmacy, LEAD2)
    forged = {**form, "private_metadata": json.dumps({"i": ward.id, "c": OTHER_CHANNEL})}
    assert kaizen.submit(forged, {"reason": "Not ours"}, LEAD2).get("response_action") == "errors"
    # Their approve emoji on the ward's card changes nothing either.
    reply = kaizen.slack.reaction_added(
        "white_check_mark", user_id=LEAD2, channel_id=TEAM_CHANNEL, ts=str(ward.card_ts)
    )
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)
    time.sleep(0.3)
    assert kaizen.idea(ward.id).status == "new" and kaizen.idea(pharmacy.id).status == "new"
    # The ward's own leader may (the same press works for the right person).
    kaizen.press(CardAction.APPROVE, ward, LEAD)
    kaizen.wait_status(ward, "approved")


def test_another_workspace_cannot_touch_an_idea_by_its_id(bot_factory: Any, double: SlackDouble):
    """Kaizen installed in two workspaces (OAuth). Workspace T0002 presses Approve (and every other button, and
    submits the forms, and reacts) in its own channel with the id or the card of T0001's idea, as a person who is a
    leader by KAIZEN_LEADERS: nothing changes, and nothing is told about the idea. (In T0001's channel itself a
    person of T0002 acts on that channel's ideas: a channel is one team, and they can only be in it through Slack
    Connect; see test_slack_connect.py.)"""
    kaizen = start(bot_factory, double, kaizen_leaders=(LEAD,), slack_bot_token=None, slack_client_id="111.222",
                   slack_client_secret="client-secret")  # fmt: skip
    double.add_channel(OTHER_WORKSPACE_CHANNEL, "ward-9", members=[ALICE, LEAD, "UBOT"])
    install(kaizen.running, double, code="code-1", team_id=WORKSPACE, token=double.bot_token)
    install(kaizen.running, double, code="code-2", team_id=OTHER_WORKSPACE, token="xoxb-other-workspace")
    idea = kaizen.raise_idea("Home secret: the pump in bay 2 leaks")
    updates = len(kaizen.double.calls("chat.update"))
    forged = forged_card(kaizen.card(idea), idea.id)
    elsewhere = {"team_id": OTHER_WORKSPACE, "card": forged, "channel_id": OTHER_WORKSPACE_CHANNEL}
    for action in EVERY_BUTTON:
        told = kaizen.refused(action, idea, LEAD, **elsewhere)
        assert "Home secret" not in told and "bay 2" not in told, told
    for action, values in ((CardAction.NOT_NOW, {"reason": "From elsewhere"}), (CardAction.REDACT, {"note": "x"})):
        form = kaizen.open_form(action, idea, LEAD)
        # The same form as the other workspace's installation would have it: Slack names who opened it.
        answer = kaizen.submit(
            {**form, "app_installed_team_id": OTHER_WORKSPACE}, values, LEAD, team_id=OTHER_WORKSPACE
        )
        assert answer.get("response_action") == "errors", answer
    reply = kaizen.driver(OTHER_WORKSPACE).reaction_added(
        "white_check_mark", user_id=LEAD, channel_id=OTHER_WORKSPACE_CHANNEL, ts=str(idea.card_ts)
    )
    assert reply.status == 200
    eventually(kaizen.settled, timeout=WAIT)
    time.sleep(0.3)
    fresh = kaizen.idea(idea.id)
    assert (fresh.status, fresh.problem, fresh.redacted, fresh.decided_by) == ("new", idea.problem, False, None)
    assert kaizen.events_of(idea) == 1
    assert len(kaizen.double.calls("chat.update")) == updates, "the card was not touched"
    for text in (f"show {idea.number}", "list all", "mine"):
        told = kaizen.ask(text, user_id=ALICE, channel_id=OTHER_WORKSPACE_CHANNEL, team_id=OTHER_WORKSPACE)
        assert "Home secret" not in told, (text, told)
