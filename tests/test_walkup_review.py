"""`/kaizen form review on` (issue 19): what visitors send waits for a leader's Accept, sent privately to each of
the team's leaders; no card goes up before it. Accepted, it is a normal walk-up idea; declined, nothing is kept;
the first leader to decide decides; someone who does not lead the team cannot."""

from __future__ import annotations

from sqlalchemy import select

from bot.render.ids import ActionId
from storage.models import EventKind, Idea, IdeaEvent
from storage.models_walkup import WalkUpSubmission
from tests.conftest import ALICE, TEAM_CHANNEL, eventually
from tests.flows import LEAD, LEAD2, rows, shown
from tests.flows_kaizen import Kaizen
from tests.walkup import new_address, submit, walkup_kaizen

HELD = "The night light in bay 4 flickers"


def ideas(k: Kaizen) -> list[Idea]:
    with k.running.kaizen.db.read() as session:
        return list(session.scalars(select(Idea).order_by(Idea.id)))


def held(bot_factory, double, clock) -> tuple[Kaizen, str]:
    """A form whose review is on, LEAD and LEAD2 leading, and one visitor's idea waiting; its path."""
    k = walkup_kaizen(bot_factory, double, clock, kaizen_leaders=(LEAD, LEAD2))
    path = new_address(k)
    assert "waits for a leader's Accept" in shown(k.command("form review on", user_id=LEAD))
    assert submit(k, path, problem=HELD + " <!channel>", name="Ana").status == 303
    eventually(lambda: all(note(k, leader) for leader in (LEAD, LEAD2)))
    return k, path


def note(k: Kaizen, leader: str) -> dict | None:
    """The leader's private note of the waiting idea."""
    return next((m for m in k.dms(leader) if HELD in shown(m)), None)


def press(k: Kaizen, leader: str, action_id: str, message: dict) -> dict:
    """`leader` presses a button of `message` (a note in their DM); what they were told."""
    reply = k.slack.block_action(action_id, user_id=leader, channel_id=f"D{leader}", message=message)
    assert reply.status == 200
    [told] = k.double.wait_for_response(str(k.slack.last_response_url))
    return told


def test_a_held_idea_goes_up_only_when_a_leader_accepts_it(bot_factory, double, clock):
    k, _path = held(bot_factory, double, clock)
    assert ideas(k) == [] and not [m for m in double.messages(TEAM_CHANNEL) if HELD in shown(m)], "no card yet"
    said = shown(note(k, LEAD))
    assert "From Ana, on the ward form" in said and "&lt;!channel&gt;" in said and "<!channel>" not in said

    told = press(k, LEAD, ActionId.WALKUP_ACCEPT, note(k, LEAD))

    assert told["replace_original"] is True and "Accepted: it is idea #1" in shown(told)
    [idea] = ideas(k)
    assert idea.credited_name == "Ana" and idea.problem == HELD + " <!channel>"
    eventually(lambda: [m for m in double.messages(TEAM_CHANNEL) if HELD in shown(m)])
    [created] = [e for e in rows(k.running.kaizen.db, IdeaEvent) if e.kind == EventKind.CREATED]
    assert created.actor_id == LEAD, "the history keeps who accepted it"
    assert rows(k.running.kaizen.db, WalkUpSubmission) == []
    late = press(k, LEAD2, ActionId.WALKUP_ACCEPT, note(k, LEAD2))
    assert "already decided" in shown(late) and len(ideas(k)) == 1


def test_a_declined_idea_leaves_nothing_behind(bot_factory, double, clock):
    k, _path = held(bot_factory, double, clock)

    told = press(k, LEAD2, ActionId.WALKUP_DECLINE, note(k, LEAD2))

    assert "Declined" in shown(told)
    assert ideas(k) == [] and rows(k.running.kaizen.db, WalkUpSubmission) == []
    assert "already decided" in shown(press(k, LEAD, ActionId.WALKUP_ACCEPT, note(k, LEAD)))


def test_only_the_teams_leaders_decide(bot_factory, double, clock):
    k, _path = held(bot_factory, double, clock)

    told = press(k, ALICE, ActionId.WALKUP_ACCEPT, note(k, LEAD))

    assert "Only this team's leaders" in shown(told) and told.get("replace_original") is False
    assert ideas(k) == [] and len(rows(k.running.kaizen.db, WalkUpSubmission)) == 1


def test_review_survives_a_new_address_and_off_posts_straight_away(bot_factory, double, clock):
    k, _path = held(bot_factory, double, clock)
    path = new_address(k)
    assert submit(k, path, problem="Second, still held").status == 303
    assert ideas(k) == [] and len(rows(k.running.kaizen.db, WalkUpSubmission)) == 2

    assert "straight away" in shown(k.command("form review off", user_id=LEAD))
    assert submit(k, path, problem="Third, straight up").status == 303
    assert [i.problem for i in ideas(k)] == ["Third, straight up"]
    assert "Only this team's leaders" in shown(k.command("form review on", user_id=ALICE))
