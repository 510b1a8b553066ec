"""Spreading what works through signed HTTP (issue 21, part 1): a done idea is offered to other teams on its Done form;
each gets a suggestion with Try it here and Not for us; a try is a new idea in that team, linked both ways; any done
card offers Try it in my team; `/kaizen show` lists the copies and where they stand; the original's author is thanked
when a copy is done; edits and redactions reach the suggestions and the copies still quoting the idea. On SQLite and,
with KAIZEN_TEST_POSTGRES set, PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.ideas.lifecycle import NotAllowed
from bot.render.ids import ActionId, CardAction
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent
from storage.models_spread import Spread
from tests.conftest import ALICE, BOB, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually, settled
from tests.flows import WAIT, card_buttons, on_card, raise_idea, said, shown

WARD, WARD_B, WARD_C, NO_BOT = TEAM_CHANNEL, "C0WARDB", "C0WARDC", "C0NOBOT"
GRACE, MO, EVE, SAM = "UGRACE", "UMO", "UEVE", "USAM"  # lead ward 7, ward B, ward C; Sam works on ward B
DONE = {"outcome": "worked", "result": "A second scanner in bay 2", "learned": "Two scanners halve the queue"}


class Wards:
    """A bot, a driver and the Slack double, with three wards, each with its leader."""

    def __init__(self, running: RunningBot, double: SlackDouble) -> None:
        self.running, self.double = running, double
        self.slack = SlackDriver(running.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)

    def said(self, text: str, user: str, channel: str = WARD) -> str:
        return said(self.slack, self.double, text, user_id=user, channel_id=channel)

    def idea(self, idea_id: int) -> Idea:
        with self.running.kaizen.db.read() as session:
            found = session.get(Idea, idea_id)
            assert found is not None
            return found

    def ideas(self) -> list[Idea]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(Idea).order_by(Idea.id)))

    def offers(self, idea: Idea) -> list[Spread]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(Spread).where(Spread.idea_id == idea.id).order_by(Spread.id)))

    def events(self, idea: Idea) -> list[IdeaEvent]:
        with self.running.kaizen.db.read() as session:
            return list(session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea.id).order_by(IdeaEvent.id)))

    def settled(self) -> bool:
        return settled(self.running)

    def wait(self, idea: Idea, **expected: Any) -> Idea:
        def ready() -> Idea | None:
            fresh = self.idea(idea.id)
            return fresh if all(getattr(fresh, k) == v for k, v in expected.items()) and self.settled() else None

        return eventually(ready, timeout=WAIT)

    def raise_(self, problem: str, *, channel: str = WARD, user: str = ALICE, anonymous: bool = False) -> Idea:
        return raise_idea(self.running, self.slack, self.double, problem, channel=channel, user=user,
                          anonymous=anonymous, until=lambda idea: idea.card_ts and self.settled())  # fmt: skip

    def card(self, idea: Idea) -> dict:
        fresh = self.idea(idea.id)
        [found] = [m for m in self.double.messages(fresh.team.channel_id) if m["ts"] == fresh.card_ts]
        return found

    def press(self, action_id: str, idea: Idea, user: str) -> None:
        card = self.card(idea)
        action, value = on_card(card, action_id)
        reply = self.slack.block_action(action, value, user_id=user, channel_id=self.idea(idea.id).team.channel_id,
                                        message=card)  # fmt: skip
        assert reply.status == 200

    def form(self, action_id: str, idea: Idea, user: str) -> dict:
        before = len(self.double.calls("views.open"))
        self.press(action_id, idea, user)
        return self.double.opened_view(before + 1)

    def submit(self, form: dict, values: dict[str, Any], user: str) -> dict:
        reply = self.slack.submit_view(form, values, user_id=user)
        assert reply.status == 200
        return reply.json() or {}

    def done(self, idea: Idea, user: str = GRACE, spread_to: list[str] | None = None) -> dict:
        """Approve, start and finish `idea` as its ward's leader; the Done form's ack."""
        self.press(CardAction.APPROVE, idea, user)
        self.wait(idea, status="approved")
        self.press(CardAction.START, idea, user)
        self.wait(idea, status="in_progress")
        form = self.form(CardAction.DONE, idea, user)
        return self.submit(form, {**DONE, **({"spread_to": spread_to} if spread_to else {})}, user)

    def suggestion(self, channel: str) -> dict:
        """The one suggestion posted in `channel` (waiting for it), as Slack shows it now."""

        def posted() -> list[dict]:
            return [m for m in self.double.messages(channel) if "Could this help here too?" in shown(m)]

        found = eventually(posted, timeout=WAIT)
        assert len(found) == 1, found
        return found[0]

    def on_suggestion(self, channel: str, action_id: str, user: str) -> dict:
        """Press Try it here or Not for us on `channel`'s suggestion; what the presser alone was told, if anything."""
        message = self.suggestion(channel)
        [value] = [e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == action_id]  # fmt: skip
        reply = self.slack.block_action(action_id, value, user_id=user, channel_id=channel, message=message)
        assert reply.status == 200
        return reply


def set_up_wards(running: RunningBot, double: SlackDouble) -> Wards:
    for user, name in ((GRACE, "grace"), (MO, "mo"), (EVE, "eve"), (SAM, "sam")):
        double.add_user(user, name)
    double.add_channel(WARD, "ward-7", members=[ALICE, BOB, GRACE, "UBOT"])
    double.add_channel(WARD_B, "ward-b", members=[MO, SAM, "UBOT"])
    double.add_channel(WARD_C, "ward-c", members=[EVE, "UBOT"])
    double.add_channel(NO_BOT, "ward-d", members=[EVE], is_member=False)
    wards = Wards(running, double)
    for channel, user in ((WARD, GRACE), (WARD_B, MO), (WARD_C, EVE)):
        assert "leads this team now" in wards.said(f"leaders add <@{user}|x>", user, channel)
    return wards


@pytest.fixture
def wards(bot: RunningBot, double: SlackDouble) -> Wards:
    return set_up_wards(bot, double)


def test_a_done_idea_spreads_to_two_wards_one_tries_it_the_other_says_not_for_us_and_both_links_show(wards):
    idea = wards.raise_("Patients wait at the one scanner in bay 2")
    assert wards.done(idea, spread_to=[WARD_B, WARD_C]) == {}
    idea = wards.wait(idea, status="done")
    for channel in (WARD_B, WARD_C):
        suggestion = eventually(lambda channel=channel: wards.suggestion(channel), timeout=WAIT)
        text = shown(suggestion)
        assert f"<#{WARD}>" in text and "Kaizen #1" in text and "Two scanners halve the queue" in text
        assert "Offered by grace" in text and f"<@{GRACE}>" not in text, "a plain name: no one pinged elsewhere"
        assert f"/archives/{WARD}/p" in text and "|Open its card>" in text, "linked to the idea's own card"
        assert [e["action_id"] for b in suggestion["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
            ActionId.TRY_HERE, ActionId.NOT_FOR_US]  # fmt: skip

    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    copy = wards.wait(copy)
    assert copy.team.channel_id == WARD_B and copy.author_id == SAM and copy.owner_id == SAM
    assert copy.status == "new" and copy.problem == idea.problem and copy.number == 2
    told = wards.double.wait_for_response(str(wards.slack.last_response_url))
    assert "#2" in told[0]["text"] and f"<#{WARD_B}>" in told[0]["text"] and "#1" in told[0]["text"]
    assert "Tried from #1" in shown(wards.card(copy)) and f"<#{WARD}>" in shown(wards.card(copy))
    eventually(lambda: f"Also tried in <#{WARD_B}> as #2" in shown(wards.card(idea)), timeout=WAIT)
    eventually(lambda: "Tried here as #2, by sam" in shown(wards.suggestion(WARD_B)), timeout=WAIT)
    assert ActionId.TRY_HERE not in shown(wards.suggestion(WARD_B)), "answered: no buttons left"

    refusal = wards.on_suggestion(WARD_C, ActionId.NOT_FOR_US, EVE)
    assert refusal.status == 200
    eventually(lambda: "Not for us, for now (eve)" in shown(wards.suggestion(WARD_C)), timeout=WAIT)
    [b_offer, c_offer] = wards.offers(idea)
    assert (b_offer.answer, b_offer.copy_id, c_offer.answer, c_offer.copy_id) == ("tried", copy.id, "not_for_us", None)

    shown_idea = wards.said("show 1", ALICE)
    assert f"<#{WARD_B}>: tried as #2 · Waiting for a decision" in shown_idea
    assert f"<#{WARD_C}>: not for them, for now" in shown_idea
    assert f"offered to <#{WARD_B}> by" in shown_idea and "tried in another team as #2" in shown_idea
    assert "tried here from #1" in wards.said("show 2", MO, WARD_B)

    # Ward B finishes its copy: the original's author is thanked in the original's thread, once.
    assert wards.done(copy, MO) == {}
    wards.wait(copy, status="done")
    thanks = eventually(lambda: [m for m in wards.double.messages(WARD) if "tried this as #2" in m.get("text", "")])
    assert len(thanks) == 1 and f"<@{ALICE}>" in thanks[0]["text"] and thanks[0]["thread_ts"] == idea.card_ts
    with wards.running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 2, "one copy, no more"


def test_only_a_leader_of_the_ward_says_not_for_us_and_a_second_try_is_told_where_it_went(wards):
    idea = wards.raise_("Drug fridge temperatures written on paper")
    wards.done(idea, spread_to=[WARD_B])
    eventually(lambda: wards.suggestion(WARD_B), timeout=WAIT)
    wards.on_suggestion(WARD_B, ActionId.NOT_FOR_US, SAM)
    [told] = wards.double.wait_for_response(str(wards.slack.last_response_url))
    assert "Only a leader of" in told["text"] and told["response_type"] == "ephemeral"
    assert wards.offers(idea)[0].answer is None, "nothing recorded"

    first = wards.suggestion(WARD_B)
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    eventually(lambda: any(i.copied_from_id == idea.id for i in wards.ideas()))
    wards.wait(idea)
    value = str(wards.offers(idea)[0].id)
    reply = wards.slack.block_action(ActionId.TRY_HERE, value, user_id=MO, channel_id=WARD_B, message=first)
    assert reply.status == 200  # pressed on the suggestion as Mo had it open, before it changed
    [told] = wards.double.wait_for_response(str(wards.slack.last_response_url))
    assert "is trying this already, as #2" in told["text"]
    assert len([i for i in wards.ideas() if i.copied_from_id == idea.id]) == 1


def test_two_people_pressing_try_it_here_at_once_make_one_copy(wards):
    idea = wards.raise_("Call bells are out of reach at night")
    wards.done(idea, spread_to=[WARD_B])
    message = eventually(lambda: wards.suggestion(WARD_B), timeout=WAIT)
    value = str(wards.offers(idea)[0].id)
    replies: list[int] = []

    def press(user: str) -> None:
        replies.append(wards.slack.block_action(ActionId.TRY_HERE, value, user_id=user, channel_id=WARD_B,
                                                message=message).status)  # fmt: skip

    pressers = [threading.Thread(target=press, args=(user,)) for user in (SAM, MO)]
    for presser in pressers:
        presser.start()
    for presser in pressers:
        presser.join()
    assert replies == [200, 200]
    eventually(lambda: any(i.copied_from_id == idea.id and i.card_ts for i in wards.ideas()))
    wards.wait(idea)
    copies = [i for i in wards.ideas() if i.copied_from_id == idea.id]
    assert len(copies) == 1 and copies[0].author_id in (SAM, MO)
    assert [e.kind for e in wards.events(idea)].count("tried") == 1


def test_try_it_in_my_team_from_a_done_card_and_a_channel_without_kaizen_refused(wards):
    idea = wards.raise_("Handover sheets get lost between shifts")
    wards.done(idea)
    idea = wards.wait(idea, status="done")
    assert CardAction.TRY_IN_TEAM in card_buttons(wards.card(idea))
    form = wards.form(CardAction.TRY_IN_TEAM, idea, EVE)
    refused = wards.submit(form, {"try_team": NO_BOT}, EVE)
    assert refused["response_action"] == "errors" and "isn't in that channel" in refused["errors"]["try_team"]
    own = wards.submit(form, {"try_team": WARD}, EVE)
    assert "from <#" in own["errors"]["try_team"], "its own ward is no other team"
    assert wards.submit(form, {"try_team": WARD_C}, EVE) == {}
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    assert copy.team.channel_id == WARD_C and copy.author_id == EVE
    [offer] = wards.offers(idea)
    assert offer.suggested is False and offer.card_ts is None, "no suggestion posted for a try from the card"
    assert wards.submit(form, {"try_team": WARD_C}, EVE)["errors"]["try_team"].endswith("already, as #2.")
    eventually(lambda: f"Also tried in <#{WARD_C}> as #2" in shown(wards.card(idea)), timeout=WAIT)


def test_the_done_form_refuses_a_channel_kaizen_is_not_in_and_nothing_is_half_written(wards):
    idea = wards.raise_("Wheelchairs are never where they should be")
    reply = wards.done(idea, spread_to=[WARD_B, NO_BOT])
    assert reply["response_action"] == "errors" and f"<#{NO_BOT}>" in reply["errors"]["spread_to"]
    assert wards.idea(idea.id).status == "in_progress", "the form stays open, the idea not done"
    assert wards.offers(idea) == [] and wards.idea(idea.id).spread_at is None


def test_an_anonymous_idea_spreads_without_its_author_and_a_redaction_reaches_every_copy_and_suggestion(wards):
    wards.double.add_user(ALICE, "alice", real_name="Alice Secret")
    idea = wards.raise_("Bed 4 buzzer rings in the wrong bay", anonymous=True)
    wards.done(idea, spread_to=[WARD_B, WARD_C])
    idea = wards.wait(idea, status="done")
    eventually(lambda: wards.suggestion(WARD_B) and wards.suggestion(WARD_C), timeout=WAIT)
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    copy = wards.wait(copy)
    for message in (wards.suggestion(WARD_B), wards.suggestion(WARD_C), wards.card(copy)):
        assert "alice" not in shown(message).lower() and ALICE not in shown(message)

    form = wards.form(CardAction.REDACT, idea, GRACE)
    assert wards.submit(form, {"note": "a patient's bed named"}, GRACE) == {}
    wards.wait(idea, redacted=True)
    copy = wards.wait(copy, redacted=True)
    for channel in (WARD_B, WARD_C):
        eventually(lambda channel=channel: "Bed 4 buzzer" not in shown(wards.suggestion(channel)), timeout=WAIT)
    eventually(lambda: "Bed 4 buzzer" not in shown(wards.card(copy)), timeout=WAIT)
    assert "Bed 4 buzzer" not in copy.problem
    assert "as the idea it was tried from" in wards.said("show 2", MO, WARD_B)


def test_an_edit_reaches_the_suggestions_and_a_copy_its_ward_has_not_reworded(wards):
    idea = wards.raise_("Pumps alarm for 10 minutes before anyone hears")
    wards.done(idea, spread_to=[WARD_B, WARD_C])
    idea = wards.wait(idea, status="done")
    eventually(lambda: wards.suggestion(WARD_B) and wards.suggestion(WARD_C), timeout=WAIT)
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    reworded = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    reworded = wards.wait(reworded)
    form = wards.form(CardAction.EDIT, reworded, SAM)
    assert wards.submit(form, {"problem": "Our pumps alarm unheard in the side rooms"}, SAM) == {}
    wards.wait(reworded)

    form = wards.form(CardAction.EDIT, idea, GRACE)
    assert wards.submit(form, {"problem": "Infusion pumps alarm unheard for minutes"}, GRACE) == {}
    wards.wait(idea, problem="Infusion pumps alarm unheard for minutes")
    eventually(lambda: "Infusion pumps alarm unheard" in shown(wards.suggestion(WARD_C)), timeout=WAIT)
    assert wards.idea(reworded.id).problem == "Our pumps alarm unheard in the side rooms", "its ward's own words"


def test_try_it_here_answers_a_retried_press_once(wards):
    idea = wards.raise_("Sluice room door sticks")
    wards.done(idea, spread_to=[WARD_B])
    message = eventually(lambda: wards.suggestion(WARD_B), timeout=WAIT)
    value = str(wards.offers(idea)[0].id)
    for _ in range(2):  # the same person's double click: two block_actions
        assert wards.slack.block_action(ActionId.TRY_HERE, value, user_id=SAM, channel_id=WARD_B,
                                        message=message).status == 200  # fmt: skip
    eventually(lambda: any(i.copied_from_id == idea.id and i.card_ts for i in wards.ideas()))
    wards.wait(idea)
    assert len([i for i in wards.ideas() if i.copied_from_id == idea.id]) == 1
    assert BOB not in {i.author_id for i in wards.ideas()}


# --- what a reviewer found (each failed before its fix) ------------------------------------------------------------


def test_an_anonymous_author_trying_their_own_idea_elsewhere_is_not_tied_to_it(wards):
    wards.double.add_channel(WARD_B, "ward-b", members=[MO, SAM, ALICE, "UBOT"])
    idea = wards.raise_("Sharps bins fill up by lunchtime", anonymous=True)
    wards.done(idea, spread_to=[WARD_B])
    idea = wards.wait(idea, status="done")
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, ALICE)
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    wards.wait(idea)
    answered = eventually(lambda: "Tried here as #2" in shown(wards.suggestion(WARD_B)) and wards.suggestion(WARD_B))
    assert "person who raised it" not in shown(answered) and "alice" not in shown(answered).lower()
    assert "Raised by alice" in shown(wards.card(copy)), "the copy is hers, by name: so nothing may say she wrote #1"
    history = wards.said("show 1", GRACE)
    assert "tried in another team as #2" in history and "#2, by the author" not in history


def test_an_anonymous_authors_edit_is_kaizens_doing_in_the_copys_history(wards):
    idea = wards.raise_("Blood gas machine queue at 7am", anonymous=True)
    wards.done(idea, spread_to=[WARD_B])
    idea = wards.wait(idea, status="done")
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    wards.wait(copy)
    form = wards.form(CardAction.EDIT, idea, ALICE)  # the anonymous author edits their own done idea
    assert wards.submit(form, {"problem": "Blood gas machine queue at 07:00"}, ALICE) == {}
    wards.wait(copy, problem="Blood gas machine queue at 07:00")
    history = wards.said("show 2", MO, WARD_B)
    assert "edited by Kaizen: as the idea it was tried from" in history and ALICE not in history


def test_a_redaction_or_a_reopen_made_after_the_offer_was_read_stops_the_copy(wards):
    idea = wards.raise_("Patient name on the whiteboard in bay 3")
    wards.done(idea, spread_to=[WARD_B])
    idea = wards.wait(idea, status="done")
    spreading = wards.running.kaizen.spreading
    _offer, read, team = spreading.offer_of(WORKSPACE, wards.offers(idea)[0].id)  # as a press reads it
    form = wards.form(CardAction.REDACT, idea, GRACE)
    assert wards.submit(form, {"note": "a name"}, GRACE) == {}
    wards.wait(idea, redacted=True)
    with pytest.raises(NotAllowed, match="text was removed"):
        spreading.try_in(read, team, SAM)  # the idea as it was read, before the redaction
    assert [i.id for i in wards.ideas()] == [idea.id] and wards.offers(idea)[0].copy_id is None, "nothing written"


def test_an_edit_made_after_the_offer_was_read_is_what_the_copy_says(wards):
    idea = wards.raise_("Fridge log is on paper")
    wards.done(idea, spread_to=[WARD_B])
    idea = wards.wait(idea, status="done")
    spreading = wards.running.kaizen.spreading
    _offer, read, team = spreading.offer_of(WORKSPACE, wards.offers(idea)[0].id)
    form = wards.form(CardAction.EDIT, idea, GRACE)
    assert wards.submit(form, {"problem": "Drug fridge log is kept on paper"}, GRACE) == {}
    wards.wait(idea, problem="Drug fridge log is kept on paper")
    tried = spreading.try_in(read, team, SAM)
    assert tried.copy.idea.problem == "Fridge log is on paper"  # as inserted, then brought up to date …
    assert wards.idea(tried.copy.idea.id).problem == "Drug fridge log is kept on paper"  # … in the same commit


def test_a_redaction_keeps_the_spreading_lines_of_the_history(wards):
    idea = wards.raise_("Agency staff cannot find the crash trolley")
    wards.done(idea, spread_to=[WARD_B, WARD_C])
    idea = wards.wait(idea, status="done")
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, SAM)
    eventually(lambda: any(i.copied_from_id == idea.id for i in wards.ideas()))
    wards.on_suggestion(WARD_C, ActionId.NOT_FOR_US, EVE)
    eventually(lambda: wards.offers(idea)[1].answer == "not_for_us")
    form = wards.form(CardAction.REDACT, idea, GRACE)
    assert wards.submit(form, {}, GRACE) == {}
    wards.wait(idea, redacted=True)
    history = wards.said("show 1", GRACE)
    assert f"offered to <#{WARD_B}> by" in history and "tried in another team as #2, by" in history
    assert f"not for <#{WARD_C}> for now" in history and "not_for_us" not in history
    assert "tried here from #1" in wards.said("show 2", MO, WARD_B)
    assert ActionId.TRY_HERE not in shown(wards.suggestion(WARD_C)) and CardAction.TRY_IN_TEAM not in card_buttons(
        wards.card(idea)
    ), "nothing left to try: no button offers it"


def test_the_done_form_looks_channels_up_at_once_and_sets_none_up_when_it_refuses(wards):
    for channel in ("C0NEW1", "C0NEW2", "C0NEW3", "C0NEW4"):
        wards.double.add_channel(channel, channel.lower(), members=["UBOT"])
    idea = wards.raise_("Slow lookups must not refuse a channel Kaizen is in")
    wards.double.delay("conversations.info", 0.9, times=3)
    assert wards.done(idea, spread_to=["C0NEW1", "C0NEW2", "C0NEW3"]) == {}, "three lookups of 0.9 s, side by side"
    wards.wait(idea, status="done")
    assert len(wards.offers(idea)) == 3

    other = wards.raise_("A refused form sets no team up")
    reply = wards.done(other, spread_to=["C0NEW4", NO_BOT])
    assert f"<#{NO_BOT}>" in reply["errors"]["spread_to"]
    assert wards.running.kaizen.team_channels.find("C0NEW4") is None


def test_a_copy_raised_by_the_originals_author_thanks_them_once(wards):
    wards.double.add_channel(WARD_B, "ward-b", members=[MO, SAM, ALICE, "UBOT"])
    idea = wards.raise_("Hand gel dispensers empty on nights")
    wards.done(idea, spread_to=[WARD_B])
    idea = wards.wait(idea, status="done")
    wards.on_suggestion(WARD_B, ActionId.TRY_HERE, ALICE)
    copy = eventually(lambda: next((i for i in wards.ideas() if i.copied_from_id == idea.id and i.card_ts), None))
    copy = wards.wait(copy)
    assert wards.done(copy, MO) == {}
    wards.wait(copy, status="done")

    def pings(channel: str) -> int:
        return len([m for m in wards.double.messages(channel) if f"Done! Thank you <@{ALICE}>" in m.get("text", "")])

    assert (pings(WARD), pings(WARD_B)) == (1, 1), "thanked when #1 was done, and when her copy was: once each"
    assert not [m for m in wards.double.messages(WARD) if "tried this as #2" in m.get("text", "")]
