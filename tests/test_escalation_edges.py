"""Escalation's edges, found by a newcomer probing it through the real path (signed HTTP, the Slack double, a real
database): the approvals catch-up and emoji removal read the card of the team that decides; forms opened before the
idea moved are stale; a decision above reaches the ward's thread; the team above may `/kaizen show` it; escalating and
taking back are about a decision still to make; a redaction reaches what quoted the reasons."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.render.ids import CardAction
from doubles.slack import SlackDouble
from storage.models import OutboxMessage
from tests.conftest import ALICE, RunningBot, eventually
from tests.flows import card_menu, shown
from tests.test_escalation import APPROVE, DEPT, EXEC, GRACE, MO, WARD, Org, huddle_posted, set_up_org


@pytest.fixture
def org(bot: RunningBot, double: SlackDouble) -> Org:
    return set_up_org(bot, double)


def escalated(org: Org, problem: str, reason: str = "Needs the department", **kw):
    idea = org.raise_(problem, **kw)
    org.escalate(idea, GRACE, reason)
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[-1].card_ts)
    eventually(org.settled)
    return org.idea(idea.id)


def test_reconciler_does_not_approve_an_escalated_idea_by_the_ward_leaders_emoji(org):
    """A ward leader's emoji on the ward card while the department holds the idea must never approve it."""
    idea = escalated(org, "Oxygen cylinders stored in the corridor")
    org.react(idea, GRACE, WARD)
    eventually(org.settled)
    assert org.idea(idea.id).status == "new"
    org.running.kaizen.reconciler.run()
    eventually(org.settled)
    assert org.idea(idea.id).status == "new", "approved by the ward leader's old emoji although the department decides"


def test_reconciler_finds_a_department_approval_made_while_the_bot_was_away(org):
    """A department leader's approve emoji on the upper card, its event lost, is found like any card's."""
    idea = escalated(org, "Blood gas machine is always out of cartridges")
    upper = org.card(idea, DEPT)
    org.double.add_reaction(DEPT, upper["ts"], APPROVE, MO)  # no event reached the bot
    org.running.kaizen.reconciler.run()
    eventually(org.settled)
    assert org.idea(idea.id).status == "approved"


def test_removing_one_dept_leaders_emoji_keeps_anothers_approval(org):
    """Two department leaders approved on the upper card; one takes their emoji off: the other's still stands."""
    org.double.add_user("UDAN", "dan")
    org.double.add_channel(DEPT, "surgery-dept", members=[MO, "UDAN", "UBOT"])
    assert "leads this team now" in org.said("leaders add <@UDAN|dan>", MO, DEPT)
    idea = escalated(org, "Theatre lists overrun every Friday")
    org.react(idea, MO, DEPT)
    idea = org.wait(idea, status="approved")
    org.react(idea, "UDAN", DEPT)
    eventually(org.settled)
    card = org.card(idea, DEPT)
    assert org.slack.reaction_added(APPROVE, user_id=MO, channel_id=DEPT, ts=card["ts"], removed=True).status == 200
    org.running.kaizen.inbox.sweep()
    eventually(org.settled)
    assert org.idea(idea.id).status == "approved", "dan's approval still stands on the department's card"


def test_a_stale_escalate_form_does_not_send_it_two_tiers_up(org):
    """A ward leader's Escalate form (to #dept) submitted after another already escalated it must not pass it on."""
    assert "tier up now" in org.said(f"tier up <#{EXEC}|executive>", MO, DEPT)
    assert "leads this team now" in org.said(f"leaders add <@{GRACE}|grace>", MO, DEPT)
    org.double.add_user("UHAL", "hal")
    org.double.add_channel(WARD, "ward-7", members=[ALICE, "U_BOB", GRACE, "UHAL", "UBOT"])
    assert "leads this team now" in org.said("leaders add <@UHAL|hal>", GRACE, WARD)
    idea = org.raise_("The ward's bladder scanner broke")
    before = len(org.double.calls("views.open"))
    org.press(CardAction.ESCALATE, idea, GRACE)
    grace_form = org.double.opened_view(before + 1)
    assert f"<#{DEPT}>" in shown(grace_form)
    org.escalate(idea, "UHAL", "Equipment budget is the department's")
    org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    org.slack.submit_view(grace_form, {"escalate_reason": "Needs a new scanner"}, user_id=GRACE)
    eventually(org.settled)
    assert len(org.hops(idea)) == 1, "Grace's form said #surgery-dept; it went on to #executive"


def test_dept_not_now_on_upper_card_reaches_ward(org):
    """Not now… by the department: both cards show it, the ward's thread hears it, the author gets the reason."""
    idea = escalated(org, "Patients' property goes missing on transfer")
    before = len(org.double.calls("views.open"))
    org.press(CardAction.NOT_NOW, idea, MO, DEPT)
    form = org.double.opened_view(before + 1)
    assert (
        org.slack.submit_view(
            form, {"reason": "Not this quarter: the property policy is under review"}, user_id=MO
        ).status
        == 200
    )
    idea = org.wait(idea, status="not_now")
    eventually(lambda: "under review" in json_of(org.double.messages(ALICE)))
    eventually(lambda: "Not now" in shown(org.card(idea)) or "not now" in shown(org.card(idea)).lower())
    assert "not now" in shown(org.card(idea, DEPT)).lower()
    told = eventually(lambda: [m for m in org.thread(idea) if "Not now" in m["text"]])
    assert f"<#{DEPT}>" in told[0]["text"] and "under review" not in told[0]["text"], "said without the reason"


def json_of(messages: object) -> str:
    return json.dumps(messages)


def test_show_for_a_department_member(org):
    """`/kaizen show 1` in the department's channel by its leader shows the idea escalated to them."""
    idea = escalated(org, "Transfers wait for porters")
    history = org.said(f"show {idea.number}", MO, DEPT)
    assert "Transfers wait for porters" in history, history


def last_dept_card(org: Org, idea: object) -> dict:
    ts = org.hops(idea)[-1].card_ts
    [found] = [m for m in org.double.messages(DEPT) if m["ts"] == ts]
    return found


def test_once_the_department_decided_there_is_nothing_to_take_back(org):
    """Once the department approved it, Take back is not offered, and a press on a copy of the card from before
    changes nothing."""
    idea = escalated(org, "Syringe drivers are locked in the wrong room")
    before = org.card(idea)
    assert CardAction.TAKE_BACK in card_menu(before)
    org.react(idea, MO, DEPT)
    idea = org.wait(idea, status="approved")
    eventually(lambda: "Approved by mo" in shown(org.card(idea)))
    assert CardAction.TAKE_BACK not in card_menu(org.card(idea))
    told = org.told(CardAction.TAKE_BACK, idea, GRACE, card=before)
    assert "approved" in told.lower()
    assert org.hops(idea)[0].ended_at is None
    assert not [m for m in org.thread(idea) if "decided here again" in m["text"]]


def test_a_decided_idea_is_not_escalated(org):
    """Escalation asks the team above for a decision: an approved idea's card offers no Escalate…, and a press on a
    copy from before says where it stands (so nothing sits escalated that no huddle lists)."""
    idea = org.raise_("Agency nurses have no badge access")
    before = org.card(idea)
    org.press(CardAction.APPROVE, idea, GRACE)
    idea = org.wait(idea, status="approved")
    eventually(lambda: CardAction.ESCALATE not in card_menu(org.card(idea)))
    assert "approved" in org.told(CardAction.ESCALATE, idea, GRACE, card=before).lower()
    assert org.hops(idea) == []
    assert "Agency nurses" not in shown(huddle_posted(org, DEPT, MO))


def test_a_stale_send_back_form_does_not_end_a_later_escalation(org):
    """A Send back form opened before a take back and re-escalation does not send back the new hop."""
    idea = escalated(org, "Ward phone rings out at night")
    before = len(org.double.calls("views.open"))
    org.press(CardAction.SEND_BACK, idea, MO, DEPT)
    form = org.double.opened_view(before + 1)
    org.press(CardAction.TAKE_BACK, idea, GRACE)
    eventually(lambda: org.hops(idea)[0].ended_how == "taken_back")
    eventually(org.settled)
    org.escalate(idea, GRACE, "Now with the switchboard quote attached")
    eventually(lambda: len(org.hops(idea)) == 2 and org.hops(idea)[1].card_ts)
    eventually(org.settled)
    reply = org.slack.submit_view(form, {"note": "Decide it yourselves"}, user_id=MO)
    eventually(org.settled)
    assert reply.status == 200
    assert org.hops(idea)[1].ended_how is None, "the old form's note sent back the new escalation"


def test_redact_from_the_upper_card(org):
    """A redaction removes the text from the escalation DM to the author and the sent-back note in the thread."""
    idea = escalated(org, "Patient Smith in bed 9 fell", reason="Bed 9 Smith needs a falls review")
    before = len(org.double.calls("views.open"))
    org.press(CardAction.REDACT, idea, MO, DEPT)
    form = org.double.opened_view(before + 1)
    org.send_back(idea, MO, "Smith's family complained too", DEPT)
    eventually(org.settled)
    org.escalate(idea, GRACE, "Again: Smith")
    eventually(lambda: len(org.hops(idea)) == 2 and org.hops(idea)[1].card_ts)
    eventually(org.settled)
    assert org.slack.submit_view(form, {"note": "had a name"}, user_id=MO).status == 200
    org.wait(idea, redacted=True)
    eventually(lambda: "Smith" not in shown(last_dept_card(org, idea)) and "Smith" not in shown(org.card(idea)))
    eventually(lambda: "Smith" not in json_of(org.thread(idea)))  # the sent-back note in the ward's thread
    # The author's DM quoting the reason: gone from the store (a DM's channel is not kept, as for not-now reasons).
    with org.running.kaizen.db.read() as session:
        texts = session.scalars(select(OutboxMessage.text).where(OutboxMessage.idea_id == idea.id)).all()
    assert not [text for text in texts if "Smith" in (text or "")]
