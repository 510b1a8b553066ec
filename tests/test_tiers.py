"""Tiers through signed HTTP (issue 20, part 1): a ward's leader names the department one tier up, the department's
channel is told and its leaders can Refuse, cycles and self-links are refused, Kaizen must be in the upper channel,
`/kaizen tier` shows the chain and the teams below, `/kaizen tier off` takes the link away. On SQLite and, with
KAIZEN_TEST_POSTGRES set, PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from bot.render.ids import ActionId
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage.db import Database
from storage.models import Team
from tests.conftest import ALICE, CAROL, OUTSIDE_CHANNEL, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, eventually
from tests.flows import said, shown

DEPT, EXEC = "C0DEPT", "C0EXEC"
WARD = TEAM_CHANNEL
GRACE, MO = "UGRACE", "UMO"  # the ward's leader; the department's leader


@pytest.fixture
def org(double: SlackDouble) -> SlackDouble:
    """A ward (Alice, Bob, Grace), a department (Mo, Carol) and an executive channel, Kaizen in all three."""
    double.add_user(GRACE, "grace")
    double.add_user(MO, "mo")
    double.add_channel(DEPT, "surgery-dept", members=[MO, CAROL, "UBOT"])
    double.add_channel(EXEC, "executive", members=[MO, "UBOT"])
    return double


def lead(slack: SlackDriver, double: SlackDouble, channel: str, user: str) -> None:
    """`user` becomes the first leader of `channel`'s team (anyone may name a team's first leaders)."""
    assert "leads this team now" in said(slack, double, f"leaders add <@{user}|x>", user_id=user, channel_id=channel)


def top_posts(double: SlackDouble, channel: str) -> list[dict]:
    return [m for m in double.messages(channel) if not m.get("thread_ts")]


def upper_of(db: Database, channel: str) -> str | None:
    with db.read() as session:
        team = session.query(Team).filter_by(channel_id=channel).one()
        if team.upper_team_id is None:
            return None
        return session.get(Team, team.upper_team_id).channel_id  # type: ignore[union-attr]


@pytest.fixture
def ward_led(bot, slack: SlackDriver, org: SlackDouble) -> SlackDriver:
    lead(slack, org, WARD, GRACE)
    lead(slack, org, DEPT, MO)
    return slack


def test_a_ward_leader_links_the_department_and_its_channel_is_told_with_refuse(ward_led, org, db):
    answer = said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    assert "tier up now" in answer and f"<#{DEPT}>" in answer
    assert upper_of(db, WARD) == DEPT
    note = eventually(lambda: [m for m in top_posts(org, DEPT) if "now escalates to this team" in m["text"]])[0]
    assert f"<#{WARD}>" in note["text"] and "grace" in note["text"], "set by a plain name"
    assert f"<@{GRACE}>" not in shown(note), "nobody is pinged about a link"
    assert ActionId.TIER_REFUSE in shown(note)
    chain = said(ward_led, org, "tier", user_id=ALICE)  # anyone may look
    assert f"<#{WARD}> → <#{DEPT}>" in chain
    below = said(ward_led, org, "tier", user_id=MO, channel_id=DEPT)
    assert "top tier" in below and f"Teams below: <#{WARD}>" in below


def test_a_department_leader_refuses_and_the_ward_is_told(ward_led, org, db):
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    note = eventually(lambda: [m for m in top_posts(org, DEPT) if "now escalates" in m["text"]])[0]
    # Carol is in the department's channel but does not lead it: told privately, nothing changes.
    reply = ward_led.block_action(ActionId.TIER_REFUSE, user_id=CAROL, channel_id=DEPT, message=note)
    assert reply.status == 200
    # The private answer goes to the response_url after the ack: waited for, not assumed already there.
    eventually(lambda: any("Only this team's leaders" in shown(r) for r in org.responses()))
    assert upper_of(db, WARD) == DEPT
    reply = ward_led.block_action(ActionId.TIER_REFUSE, user_id=MO, channel_id=DEPT, message=note)
    assert reply.status == 200
    eventually(lambda: upper_of(db, WARD) is None)
    told = eventually(lambda: [m for m in top_posts(org, WARD) if "refused the link" in m["text"]])
    assert f"<#{DEPT}>" in told[0]["text"]
    replaced = eventually(lambda: [m for m in top_posts(org, DEPT) if "A leader here refused" in m["text"]])
    assert ActionId.TIER_REFUSE not in shown(replaced[0]), "the note no longer offers Refuse"
    # A second press (a copy of the old note) changes nothing and says so.
    ward_led.block_action(ActionId.TIER_REFUSE, user_id=MO, channel_id=DEPT, message=note)
    eventually(lambda: any("gone already" in shown(r) for r in org.responses()))
    assert len([m for m in top_posts(org, WARD) if "refused the link" in m["text"]]) == 1


def test_a_refusal_acts_on_the_link_it_was_posted_for_only(ward_led, org, db):
    lead(ward_led, org, EXEC, MO)
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    note = eventually(lambda: [m for m in top_posts(org, DEPT) if "now escalates" in m["text"]])[0]
    assert "no longer escalates to" in said(ward_led, org, f"tier up <#{EXEC}|executive>", user_id=GRACE)
    eventually(lambda: [m for m in top_posts(org, DEPT) if "no longer escalates to this team" in m["text"]])
    ward_led.block_action(ActionId.TIER_REFUSE, user_id=MO, channel_id=DEPT, message=note)
    eventually(lambda: any("gone already" in shown(r) for r in org.responses()))
    assert upper_of(db, WARD) == EXEC


def test_tiers_nest_and_a_cycle_is_refused_at_any_depth(ward_led, org, db):
    lead(ward_led, org, EXEC, MO)
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    said(ward_led, org, f"tier up <#{EXEC}|executive>", user_id=MO, channel_id=DEPT)
    assert f"<#{WARD}> → <#{DEPT}> → <#{EXEC}>" in said(ward_led, org, "tier", user_id=ALICE)
    top = said(ward_led, org, "tier", user_id=MO, channel_id=EXEC)
    assert f"Teams below: <#{DEPT}>" in top and "1 more team below them" in top
    refused = said(ward_led, org, f"tier up <#{WARD}|ward-7>", user_id=MO, channel_id=EXEC)
    assert "already below this team" in refused
    assert upper_of(db, EXEC) is None
    assert "own tier up" in said(ward_led, org, f"tier up <#{WARD}|ward-7>", user_id=GRACE)
    assert upper_of(db, WARD) == DEPT


def test_only_the_teams_leaders_change_its_tier_and_kaizen_must_be_in_the_upper_channel(ward_led, org, db):
    assert "Only this team's leaders" in said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=ALICE)
    assert upper_of(db, WARD) is None
    invite = said(ward_led, org, f"tier up <#{OUTSIDE_CHANNEL}|random>", user_id=GRACE)
    assert "Invite @Kaizen to" in invite and f"<#{OUTSIDE_CHANNEL}>" in invite
    assert upper_of(db, WARD) is None
    usage = said(ward_led, org, "tier up #surgery-dept", user_id=GRACE)  # not picked from Slack's list
    assert "/kaizen tier up #channel" in usage
    assert "Tiers link team channels" in said(ward_led, org, "tier off", user_id=GRACE, channel_id=OUTSIDE_CHANNEL)


def test_tier_off_takes_the_link_away_and_tells_the_upper_channel(ward_led, org, db):
    assert "has no tier up" in said(ward_led, org, "tier off", user_id=GRACE)
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    assert "already escalates" in said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    assert len([m for m in top_posts(org, DEPT) if "now escalates" in m["text"]]) == 1, "told once"
    assert "no longer escalates to" in said(ward_led, org, "tier off", user_id=GRACE)
    assert upper_of(db, WARD) is None
    eventually(lambda: [m for m in top_posts(org, DEPT) if "no longer escalates to this team" in m["text"]])
    assert "top tier" in said(ward_led, org, "tier", user_id=ALICE)


def test_a_department_named_in_another_language_is_told_in_its_own(ward_led, org):
    said(ward_led, org, "team language de", user_id=MO, channel_id=DEPT)
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    note = eventually(lambda: [m for m in top_posts(org, DEPT) if f"<#{WARD}>" in m["text"]])[0]
    assert "now escalates" not in note["text"], "the department's channel reads German"


def test_two_leaders_linking_two_teams_to_each_other_at_once_make_no_cycle(bot, double, org, db):
    slack = SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)
    lead(slack, org, WARD, GRACE)
    lead(slack, org, DEPT, MO)
    barrier = threading.Barrier(2)
    answers: dict[str, str] = {}

    def link(user: str, here: str, there: str) -> None:
        barrier.wait(timeout=10)
        answers[user] = said(slack, org, f"tier up <#{there}|x>", user_id=user, channel_id=here)

    threads = [
        threading.Thread(target=link, args=(GRACE, WARD, DEPT)),
        threading.Thread(target=link, args=(MO, DEPT, WARD)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    links = [upper_of(db, WARD), upper_of(db, DEPT)]
    assert links.count(None) == 1, f"exactly one link was made: {links}"
    assert sorted("already below" in a for a in answers.values()) == [False, True], answers


def test_cards_raised_before_the_link_offer_escalate_once_linked_and_not_once_it_goes(bot, ward_led, org):
    from bot.render.ids import CardAction
    from tests.flows import WAIT, card_menu, raise_idea

    idea = raise_idea(bot, ward_led, org, "Hand gel dispensers are empty by noon", user=ALICE)
    assert CardAction.ESCALATE not in card_menu(card_of(org, idea.card_ts)), "no tier up: nothing to escalate to"

    # The worker's outbox sweep (every few seconds in production) draws the cards a link made out of date.
    said(ward_led, org, f"tier up <#{DEPT}|surgery-dept>", user_id=GRACE)
    bot.kaizen.outbox.sweep()
    eventually(lambda: CardAction.ESCALATE in card_menu(card_of(org, idea.card_ts)), timeout=WAIT)

    said(ward_led, org, "tier off", user_id=GRACE)
    bot.kaizen.outbox.sweep()
    eventually(lambda: CardAction.ESCALATE not in card_menu(card_of(org, idea.card_ts)), timeout=WAIT)


def card_of(double: SlackDouble, ts: str | None) -> dict:
    [card] = [m for m in double.messages(WARD) if m["ts"] == ts]
    return card
