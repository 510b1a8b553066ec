"""A leader raises an idea on someone's behalf from the raise form (issue 19): for a Slack user, who is then its
author (credited, mentioned when someone else approves it, thanked in the huddle), or for someone not on Slack by
the name typed (credited as plain text, counted once as a participant). Only leaders may; the history keeps who
recorded it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import credit
from storage.measures import Scope, participants_since
from storage.models import EventKind, Idea, IdeaEvent
from tests.conftest import ALICE, BOB, WORKSPACE, eventually
from tests.flows import LEAD, open_raise_form, rows, shown
from tests.flows_kaizen import Kaizen, kaizen_on_request


def ideas(k: Kaizen) -> list[Idea]:
    with k.running.kaizen.db.read() as session:
        return list(session.scalars(select(Idea).order_by(Idea.id)))


def raise_for(k: Kaizen, user: str, values: dict) -> dict:
    """`user` opens the raise form in the team channel and submits `values`; the ack's body ({} when it closed)."""
    k.raise_idea("A first idea, so the channel is a team", user_id=BOB)  # the team exists, with its leaders
    form, _ = open_raise_form(k.slack, k.double, user=user)
    return k.submit(form, values, user)


def test_a_leader_raises_an_idea_for_a_slack_user_who_is_its_author(bot_factory, double, clock):
    k = kaizen_on_request(bot_factory, double, clock)

    ack = raise_for(k, LEAD, {"problem": "The hoist sling sizes are unclear", "for_person": ALICE})

    assert ack == {}
    idea = eventually(lambda: next((i for i in ideas(k) if "hoist sling" in i.problem and i.card_ts), None))
    assert (idea.author_id, idea.owner_id, idea.credited_name) == (ALICE, ALICE, None)
    events = rows(k.running.kaizen.db, IdeaEvent)
    [created] = [e for e in events if e.idea_id == idea.id and e.kind == EventKind.CREATED]
    assert created.actor_id == LEAD, "the history keeps who recorded it"
    k.wait_settled()
    assert "Raised by alice ·" in shown(k.card(idea)), "credited to her, by her plain name"


def test_a_leader_raises_an_idea_for_someone_not_on_slack_by_name(bot_factory, double, clock):
    k = kaizen_on_request(bot_factory, double, clock)
    since = clock.now() - timedelta(minutes=1)

    ack = raise_for(k, LEAD, {"problem": "Porters wait for lifts at 14:00", "for_name": "  Kofi   <!here> "})

    assert ack == {}
    idea = eventually(lambda: next((i for i in ideas(k) if "Porters" in i.problem and i.card_ts), None))
    assert idea.author_id == credit.named_author(WORKSPACE, "kofi <!here>") and idea.owner_id is None
    assert idea.credited_name == "Kofi <!here>"
    k.wait_settled()
    card = shown(k.card(idea))
    assert "Raised by Kofi &lt;!here&gt;" in card and "<!here>" not in card and "ward form" not in card
    done = k.finish(k.start(k.approve(idea)))
    thread = " ".join(shown(m) for m in k.thread(done))
    assert "Kofi" in thread and "<@named_" not in thread and "<!here>" not in thread
    assert not [c for c in double.calls("chat.postMessage") if str(c.args.get("channel", "")).startswith("named_")]
    k.huddle_now()
    assert "Kofi" in shown(k.huddles()[-1])
    with k.running.kaizen.db.read() as session:
        people = participants_since(session, Scope(WORKSPACE, idea.team_id), since)
    assert people == 3, "Bob, Kofi (raised) and the lead (finished, as owner)"


def test_only_a_leader_may_and_one_person_at_a_time(bot_factory, double, clock):
    k = kaizen_on_request(bot_factory, double, clock)

    refused = raise_for(k, ALICE, {"problem": "Someone else's idea", "for_person": BOB})
    assert refused["response_action"] == "errors" and "Only this team's leaders" in refused["errors"]["for_person"]
    form, _ = open_raise_form(k.slack, k.double, user=LEAD)
    both = k.submit(form, {"problem": "Both", "for_person": ALICE, "for_name": "Kofi"}, LEAD)
    assert "not both" in both["errors"]["for_name"]
    form, _ = open_raise_form(k.slack, k.double, user=LEAD)
    hidden = k.submit(form, {"problem": "Anonymous", "for_name": "Kofi", "anonymous": ["anonymous"]}, LEAD)
    assert "carries their name" in hidden["errors"]["anonymous"]
    assert [i.problem for i in ideas(k)] == ["A first idea, so the channel is a team"]
