"""Escalation through signed HTTP (issue 20, part 2): a ward leader sends an idea one tier up with a reason; the
department's channel gets its second card; the department's leader decides with the same emoji and buttons, sends it
back or escalates it further; a ward leader may take it back; every decision reaches both cards, the ward's thread and
the author; it stays one idea. On SQLite and, with KAIZEN_TEST_POSTGRES set, PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.render.ids import CardAction
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent
from storage.models_tiers import Escalation
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually, settled
from tests.flows import WAIT, card_buttons, card_menu, on_card, raise_idea, said, shown
from tests.homes import open_home, section_after, text_of

WARD, DEPT, EXEC = TEAM_CHANNEL, "C0DEPT", "C0EXEC"
GRACE, MO, EVE = "UGRACE", "UMO", "UEVE"  # lead the ward, the department, the executive team
APPROVE = "white_check_mark"


class Org:
    """A bot, a driver and the Slack double, with a ward → department → executive chain of tiers set up."""

    def __init__(self, running: RunningBot, double: SlackDouble) -> None:
        self.running, self.double = running, double
        self.slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)

    def said(self, text: str, user: str, channel: str) -> str:
        return said(self.slack, self.double, text, user_id=user, channel_id=channel)

    def idea(self, idea_id: int) -> Idea:
        with self.running.kaizen.db.read() as session:
            found = session.get(Idea, idea_id)
            assert found is not None
            return found

    def hops(self, idea: Idea) -> list[Escalation]:
        with self.running.kaizen.db.read() as session:
            return list(
                session.scalars(select(Escalation).where(Escalation.idea_id == idea.id).order_by(Escalation.id))
            )

    def settled(self) -> bool:
        return settled(self.running)

    def wait(self, idea: Idea, **expected: Any) -> Idea:
        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            return fresh if all(getattr(fresh, k) == v for k, v in expected.items()) and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def raise_(self, problem: str, *, anonymous: bool = False, user: str = ALICE) -> Idea:
        return raise_idea(self.running, self.slack, self.double, problem, anonymous=anonymous, user=user,
                          until=lambda idea: idea.card_ts and self.settled())  # fmt: skip

    def card(self, idea: Idea, channel: str = WARD) -> dict:
        """The idea's card in `channel` as Slack shows it now: its own card in the ward, else its upper card."""
        fresh = self.idea(idea.id)
        if channel == WARD:
            ts = fresh.card_ts
        else:
            [ts] = [hop.card_ts for hop in self.hops(fresh) if hop.card_ts and self._channel_of(hop) == channel]
        [found] = [m for m in self.double.messages(channel) if m["ts"] == ts]
        return found

    def _channel_of(self, hop: Escalation) -> str:
        return {team.id: team.channel_id for team in self.teams()}[hop.to_team_id]

    def teams(self) -> list[Any]:
        from storage.models import Team

        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(Team)))

    def press(self, action_id: str, idea: Idea, user: str, channel: str = WARD, card: dict | None = None) -> None:
        card = card or self.card(idea, channel)
        action, value = on_card(card, action_id)
        reply = self.slack.block_action(action, value, user_id=user, channel_id=channel, message=card)
        assert reply.status == 200

    def told(self, action_id: str, idea: Idea, user: str, channel: str = WARD, card: dict | None = None) -> str:
        self.press(action_id, idea, user, channel, card)
        [body] = self.double.wait_for_response(str(self.slack.last_response_url))
        return str(body.get("text"))

    def escalate(self, idea: Idea, user: str, reason: str, channel: str = WARD) -> dict:
        before = len(self.double.calls("views.open"))
        self.press(CardAction.ESCALATE, idea, user, channel)
        form = self.double.opened_view(before + 1)
        reply = self.slack.submit_view(form, {"escalate_reason": reason}, user_id=user)
        assert reply.status == 200
        return reply.json() or {}

    def send_back(self, idea: Idea, user: str, note: str, channel: str) -> dict:
        before = len(self.double.calls("views.open"))
        self.press(CardAction.SEND_BACK, idea, user, channel)
        form = self.double.opened_view(before + 1)
        reply = self.slack.submit_view(form, {"note": note}, user_id=user)
        assert reply.status == 200
        return reply.json() or {}

    def react(
        self, idea: Idea, user: str, channel: str, *, event_id: str | None = None, retry: int | None = None
    ) -> None:
        card = self.card(idea, channel)
        reply = self.slack.reaction_added(APPROVE, user_id=user, channel_id=channel, ts=card["ts"], event_id=event_id,
                                          retry_num=retry)  # fmt: skip
        assert reply.status == 200

    def thread(self, idea: Idea) -> list[dict]:
        ts = self.idea(idea.id).card_ts
        return [m for m in self.double.messages(WARD) if m.get("thread_ts") == ts]

    def status_events(self, idea: Idea) -> list[IdeaEvent]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id).order_by(IdeaEvent.id)))


def set_up_org(running: RunningBot, double: SlackDouble) -> Org:
    for user, name in ((GRACE, "grace"), (MO, "mo"), (EVE, "eve")):
        double.add_user(user, name)
    double.add_channel(WARD, "ward-7", members=[ALICE, "U_BOB", GRACE, "UBOT"])
    double.add_channel(DEPT, "surgery-dept", members=[MO, "UBOT"])
    double.add_channel(EXEC, "executive", members=[EVE, "UBOT"])
    org = Org(running, double)
    for channel, user in ((WARD, GRACE), (DEPT, MO), (EXEC, EVE)):
        assert "leads this team now" in org.said(f"leaders add <@{user}|x>", user, channel)
    assert "tier up now" in org.said(f"tier up <#{DEPT}|surgery-dept>", GRACE, WARD)
    return org


@pytest.fixture
def org(bot: RunningBot, double: SlackDouble) -> Org:
    return set_up_org(bot, double)


def test_a_ward_leader_escalates_the_department_approves_with_the_emoji_and_the_ward_hears_it(org):
    idea = org.raise_("Night staff cannot reach the pharmacy after 22:00")
    assert CardAction.ESCALATE in card_menu(org.card(idea)), "the ward's card offers Escalate… once it has a tier up"
    assert org.escalate(idea, GRACE, "Needs a pharmacy rota change across wards") == {}
    idea = org.wait(idea)
    upper = eventually(lambda: org.hops(idea)[0].card_ts and org.card(idea, DEPT))
    assert "Escalated from" in shown(upper) and f"<#{WARD}>" in shown(upper)
    assert "Needs a pharmacy rota change" in shown(upper) and "Night staff cannot reach" in shown(upper)
    own = org.card(idea)
    assert f"With <#{DEPT}>" in shown(own) and "grace" in shown(own), "who sent it: a plain name"
    assert f"<@{GRACE}>" not in shown(own)
    dm = eventually(lambda: org.double.messages(ALICE))
    assert f"is with <#{DEPT}> now" in dm[0]["text"] and "#1" in dm[0]["text"], "the author is told privately"

    # While the department holds it, the ward's leader is told where it is, and nothing changes.
    told = org.told(CardAction.APPROVE, idea, GRACE)
    assert f"with <#{DEPT}> now" in told and "Take back" in told
    assert org.idea(idea.id).status == "new"

    org.react(idea, MO, DEPT)
    idea = org.wait(idea, status="approved", decided_by=MO)
    assert "Approved by mo" in shown(org.card(idea)), "the ward's card shows the decision"
    assert "Approved by mo" in shown(org.card(idea, DEPT)), "so does the department's"
    thanks = [m for m in org.thread(idea) if f"<@{ALICE}>" in m["text"]]
    assert len(thanks) == 1, "the ward's thread thanks the author once"
    with org.running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 1, "one idea, one number"
    kinds = [event.kind for event in org.status_events(idea)]
    assert kinds.count("escalated") == 1 and kinds[-1] == "status"
    history = org.said("show 1", ALICE, WARD)
    assert "escalated one tier up by" in history and "Needs a pharmacy rota change" in history


def test_the_department_sends_it_back_with_a_note_and_the_ward_decides_again(org):
    idea = org.raise_("Hoist batteries run flat by the afternoon")
    org.escalate(idea, GRACE, "Needs a second charger bought")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    assert org.send_back(idea, MO, "Please buy it from the ward budget: we support it", DEPT) == {}
    idea = org.wait(idea)
    [hop] = org.hops(idea)
    assert hop.ended_how == "sent_back" and hop.ended_by == MO
    note = eventually(lambda: [m for m in org.thread(idea) if "Sent back by" in m["text"]])
    assert "ward budget" in note[0]["text"] and f"<#{DEPT}>" in note[0]["text"]
    dept_card = eventually(lambda: "Sent back to" in shown(org.card(idea, DEPT)) and org.card(idea, DEPT))
    assert not card_buttons(dept_card), "the department no longer decides it: no buttons on its card"
    assert f"With <#{DEPT}>" not in shown(org.card(idea))
    org.press(CardAction.APPROVE, idea, GRACE)
    org.wait(idea, status="approved", decided_by=GRACE)


def test_a_ward_leader_takes_it_back_and_the_department_can_no_longer_decide(org):
    idea = org.raise_("Linen cupboard is empty at weekends")
    org.escalate(idea, GRACE, "Linen contract is hospital-wide")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    org.press(CardAction.TAKE_BACK, idea, GRACE)
    eventually(lambda: org.hops(idea)[0].ended_how == "taken_back")
    assert org.hops(idea)[0].ended_by == GRACE
    eventually(lambda: [m for m in org.thread(idea) if "Taken back from" in m["text"]])
    eventually(lambda: "Taken back by" in shown(org.card(idea, DEPT)))
    org.react(idea, MO, DEPT)  # a reaction on the old department card: Mo no longer decides it
    org.running.kaizen.inbox.sweep()
    eventually(org.settled)
    assert org.idea(idea.id).status == "new"


def test_two_tiers_up_and_back_down(org):
    assert "tier up now" in org.said(f"tier up <#{EXEC}|executive>", MO, DEPT)
    idea = org.raise_("Agency staff wait a week for system logins")
    org.escalate(idea, GRACE, "IT access is decided by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    assert CardAction.ESCALATE in card_menu(org.card(idea, DEPT)), "the department may send it further up"
    org.escalate(idea, MO, "Needs the trust's IT policy changed", DEPT)
    idea = org.wait(idea)
    hops = eventually(lambda: len(org.hops(idea)) == 2 and org.hops(idea)[1].card_ts and org.hops(idea))
    assert [hop.ended_how for hop in hops] == ["passed_up", None]
    assert f"With <#{EXEC}>" in shown(org.card(idea)), "the ward sees who holds it now"
    assert "Escalated further up" in shown(org.card(idea, DEPT))
    assert not card_buttons(org.card(idea, DEPT)), "the department no longer decides it: no buttons on its card"
    assert "Only" in org.told(CardAction.APPROVE, idea, MO, DEPT, card=org.card(idea))  # from the ward's card
    assert org.idea(idea.id).status == "new"
    org.send_back(idea, EVE, "The department can grant this locally", EXEC)
    idea = org.wait(idea)
    hops = org.hops(idea)
    assert [hop.ended_how for hop in hops] == [None, "sent_back"], "back with the department"
    eventually(lambda: "Escalated from" in shown(org.card(idea, DEPT)) and card_buttons(org.card(idea, DEPT)))
    org.react(idea, MO, DEPT)
    idea = org.wait(idea, status="approved", decided_by=MO)
    assert "Approved by mo" in shown(org.card(idea))
    assert len(org.thread(idea)) >= 2  # sent back, then thanks


def test_a_ward_leader_who_does_not_lead_the_department_cannot_decide_there(org):
    idea = org.raise_("Drip stands are missing wheels")
    org.escalate(idea, GRACE, "Equipment budget sits with the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    refused = org.told(CardAction.APPROVE, idea, GRACE, DEPT)
    assert "Take back" in refused  # Grace leads the ward: she is told where it is and how to decide it at home
    org.react(idea, GRACE, DEPT)
    eventually(org.settled)
    assert org.idea(idea.id).status == "new"
    assert org.told(CardAction.APPROVE, idea, ALICE, DEPT).startswith("Only")


def test_a_retried_and_a_duplicated_approval_event_apply_once(org):
    idea = org.raise_("Bed sensors beep at night for no reason")
    org.escalate(idea, GRACE, "Sensor settings are set by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    org.react(idea, MO, DEPT, event_id="Ev0DUP1")
    org.react(idea, MO, DEPT, event_id="Ev0DUP1", retry=1)
    idea = org.wait(idea, status="approved")
    approvals = [e for e in org.status_events(idea) if e.to_status == "approved"]
    assert len(approvals) == 1
    assert len([m for m in org.thread(idea) if f"<@{ALICE}>" in m["text"]]) == 1


def test_an_anonymous_idea_stays_anonymous_at_every_tier(org):
    idea = org.raise_("I was shouted at during handover", anonymous=True)
    org.escalate(idea, GRACE, "A culture issue for the department")
    idea = org.wait(idea)
    upper = eventually(lambda: org.hops(idea)[0].card_ts and org.card(idea, DEPT))
    for card in (upper, org.card(idea)):
        assert "alice" not in shown(card) and ALICE not in shown(card)
    org.react(idea, MO, DEPT)
    idea = org.wait(idea, status="approved")
    for message in [*org.thread(idea), org.card(idea), org.card(idea, DEPT)]:
        assert ALICE not in shown(message) and "alice" not in shown(message)


def test_a_redaction_reaches_the_departments_card(org):
    idea = org.raise_("Patient in bed 4 fell - see notes")
    org.escalate(idea, GRACE, "Falls review for bed 4")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    before = len(org.double.calls("views.open"))
    org.press(CardAction.REDACT, idea, GRACE)
    form = org.double.opened_view(before + 1)
    assert org.slack.submit_view(form, {"note": "had a bed number"}, user_id=GRACE).status == 200
    org.wait(idea, redacted=True)
    eventually(lambda: "bed 4" not in shown(org.card(idea, DEPT)))
    assert "bed 4" not in shown(org.card(idea))


def test_escalating_needs_a_reason_and_a_tier_up(org):
    idea = org.raise_("Sluice room door sticks")
    answer = org.escalate(idea, GRACE, "   ")
    assert "reason" in answer["errors"]["escalate_reason"]
    assert org.hops(idea) == []
    old_card = org.card(idea)
    assert "no longer escalates" in org.said("tier off", GRACE, WARD)
    # A card drawn while the ward had a tier up still offers Escalate…: pressing it says why not.
    assert "no tier up" in org.told(CardAction.ESCALATE, idea, GRACE, card=old_card)
    assert org.hops(idea) == []


def test_two_instances_on_one_database_escalate_and_decide(bot_factory, double):
    first = bot_factory()
    org = set_up_org(first, double)
    second = bot_factory()
    other = Org(second, double)
    idea = org.raise_("Wheelchairs are never where they should be")
    other.escalate(idea, GRACE, "Porters are managed by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    org.react(idea, MO, DEPT)
    idea = other.wait(idea, status="approved", decided_by=MO)
    assert len(org.hops(idea)) == 1
    upper_posts = [m for m in double.messages(DEPT) if "Escalated from" in shown(m)]
    assert len(upper_posts) == 1, "one card in the department's channel"


def test_a_private_wards_idea_going_to_a_public_channel_is_warned_about(bot: RunningBot, double: SlackDouble):
    double.add_channel("G0PRIV", "icu-private", members=[ALICE, GRACE, "UBOT"], is_private=True)
    org = set_up_org(bot, double)
    assert "leads this team now" in org.said(f"leaders add <@{GRACE}|x>", GRACE, "G0PRIV")
    assert "tier up now" in org.said(f"tier up <#{DEPT}|surgery-dept>", GRACE, "G0PRIV")
    problem = "Private ward: the staff room is too small"
    idea = raise_idea(org.running, org.slack, double, problem, channel="G0PRIV",
                      until=lambda i: i.card_ts and org.settled())  # fmt: skip
    [card] = [m for m in double.messages("G0PRIV") if m["ts"] == idea.card_ts]
    action, value = on_card(card, CardAction.ESCALATE)
    before = len(double.calls("views.open"))
    org.slack.block_action(action, value, user_id=GRACE, channel_id="G0PRIV", message=card)
    form = double.opened_view(before + 1)
    assert "private channel" in shown(form)


def huddle_posted(org: Org, channel: str, user: str) -> dict:
    before = len([m for m in org.double.messages(channel) if "huddle" in (m.get("text") or "").lower()])
    reply, _url = org.slack.command("huddle", user_id=user, channel_id=channel)
    assert reply.status == 200
    posts = eventually(
        lambda: [m for m in org.double.messages(channel) if (m.get("text") or "").startswith("Huddle")][before:]
    )
    return posts[0]


def test_the_department_huddle_lists_it_as_escalated_to_us_and_the_ward_huddle_as_waiting_on_it(org):
    idea = org.raise_("Call bells are out of reach in bay 3")
    org.raise_("Hand gel dispensers are empty")
    org.escalate(idea, GRACE, "Bay furniture is ordered by the department")
    idea = org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    upper = huddle_posted(org, DEPT, MO)
    assert "Escalated to us (1)" in shown(upper) and f"from <#{WARD}>" in shown(upper)
    assert "Call bells are out of reach" in shown(upper)
    assert "1 escalated to us" in upper["text"]
    assert "Ready for a decision" not in shown(upper), "the department has none of its own"
    ward = huddle_posted(org, WARD, GRACE)
    assert f"Waiting on <#{DEPT}> (1)" in shown(ward) and "Ready for a decision (1)" in shown(ward)
    assert shown(ward).count("Call bells are out of reach") == 1, "listed once: waiting above, not to decide here"
    assert "1 waiting above" in ward["text"]


def test_app_home_shows_the_department_leader_what_waits_for_them_and_not_the_ward_leader(org):
    idea = org.raise_("Bladder scanner is always borrowed")
    org.escalate(idea, GRACE, "Equipment is bought by the department")
    org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    upper = open_home(org.slack, org.double, MO)
    assert upper is not None
    assert "Bladder scanner" in section_after(upper, "Waiting for your decision* (1)")
    ward = open_home(org.slack, org.double, GRACE)
    assert ward is not None
    assert "Waiting for your decision" not in text_of(ward), "it waits for the department, not for the ward"


def test_the_digest_counts_an_escalated_idea_for_the_team_that_decides_it(org, clock):
    from datetime import timedelta

    from storage.huddles import waiting_past

    idea = org.raise_("Porters take an hour to come at night")
    org.escalate(idea, GRACE, "Portering is run by the department")
    org.wait(idea)
    later = clock.now() + timedelta(days=5)
    teams = {team.channel_id: team.id for team in org.teams()}
    with org.running.kaizen.db.read() as session:
        ward = waiting_past(session, teams[WARD], later, 10)
        dept = waiting_past(session, teams[DEPT], later, 10)
    assert ward == ([], 0), "the ward's leaders are not nudged about what the department decides"
    assert [i.id for i in dept[0]] == [idea.id] and dept[1] == 1, "the department's are, for the whole wait"


def test_someone_who_leads_both_teams_decides_above_and_may_take_it_back(org):
    assert "leads this team now" in org.said(f"leaders add <@{MO}|mo>", GRACE, WARD)
    idea = org.raise_("Whiteboard markers have all dried out")
    org.escalate(idea, GRACE, "Stationery is ordered centrally")
    org.wait(idea)
    eventually(lambda: org.hops(idea)[0].card_ts)
    org.press(CardAction.TAKE_BACK, idea, MO)
    eventually(lambda: org.hops(idea)[0].ended_how == "taken_back")
    assert org.hops(idea)[0].ended_by == MO
