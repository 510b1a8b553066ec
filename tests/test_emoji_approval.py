"""Approving with an emoji, through the HTTP endpoint: a leader's approve emoji on a card approves it, others'
change nothing (and are told once who can approve), :+1: counts support, taking the last leader's emoji off
returns the idea to "new" silently, and approvals made while the bot was down are picked up when it starts."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import Supporter
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, eventually
from tests.flows import (
    APPROVE,
    GROUP,
    GROUP_LEAD,
    LEAD,
    LEAD2,
    card,
    card_updates,
    ephemerals_to,
    inbox_rows,
    load,
    raise_idea,
    react,
    shown,
    start,
    status_events,
    thread_replies,
    wait_settled,
)

# --- a leader approves -----------------------------------------------------------------------------------------


def test_a_leaders_approve_emoji_approves_updates_the_card_and_thanks_the_author_once(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Drug fridge key keeps going missing")
    assert "New" in shown(card(double, idea))

    reply = slack.reaction_added(APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id="EvAPPROVE1")
    assert reply.status == 200
    eventually(lambda: load(running, idea.id).status == "approved")
    wait_settled(running)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    assert stored.decided_at is not None
    [event] = status_events(running, idea)
    assert (event.from_status, event.to_status, event.actor_id, event.source, event.slack_event_id) == (
        "new", "approved", LEAD, "emoji", "EvAPPROVE1",
    )  # fmt: skip

    # The card is updated in place, not posted again.
    updates = card_updates(double, idea)
    assert updates, "the card is updated with chat.update on its own ts"
    assert all(u["channel"] == TEAM_CHANNEL for u in updates)
    lead_name = double.user(LEAD)["name"]  # type: ignore[index]
    assert f"Approved by {lead_name}" in json.dumps(updates[-1]["blocks"])
    now_shown = shown(card(double, idea))
    assert f"Approved by {lead_name}" in now_shown and f"<@{LEAD}>" not in now_shown, "a plain name, no ping"
    assert len([m for m in double.messages(TEAM_CHANNEL) if not m.get("thread_ts")]) == 1, "no second card"

    [thanks] = thread_replies(double, idea)
    assert f"<@{ALICE}>" in shown(thanks), "the author is thanked by mention"
    assert [c.args.get("thread_ts") for c in double.calls("chat.postMessage") if c.args.get("thread_ts")] == [
        idea.card_ts
    ]


def test_approving_an_anonymous_idea_never_names_its_author(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Handover is rushed on nights", anonymous=True)
    assert load(running, idea.id).anonymous
    calls_before = len(double.calls())

    react(slack, running, idea, APPROVE, LEAD)

    assert load(running, idea.id).status == "approved"
    [thanks] = thread_replies(double, idea)
    assert ALICE not in shown(thanks)
    assert f"Approved by {double.user(LEAD)['name']}" in shown(thanks) and f"<@{LEAD}>" not in shown(thanks)
    for message in double.messages(TEAM_CHANNEL):
        assert ALICE not in json.dumps(message), f"the author is named in {message}"
    for ephemeral in double.ephemerals():
        assert ALICE not in json.dumps({k: v for k, v in ephemeral.items() if k != "user"})
    for call in double.calls()[calls_before:]:
        if call.method == "views.publish" and call.args.get("user_id") == ALICE:
            continue  # the author's own Home tab, which only they see, lists their own idea
        assert ALICE not in json.dumps(call.args), f"{call.method} names the anonymous author: {call.args}"
    for call in double.calls():
        if call.method.startswith("chat."):
            assert ALICE not in json.dumps(call.args), f"{call.method} names the anonymous author: {call.args}"


def test_a_skin_tone_variant_of_the_approve_emoji_approves(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Bed rails squeak")

    react(slack, running, idea, f"{APPROVE}::skin-tone-3", LEAD)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    assert len(thread_replies(double, idea)) == 1


# --- others' approve emojis ------------------------------------------------------------------------------------


def test_a_non_leaders_approve_emoji_changes_nothing_and_tells_them_once_who_can_approve(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Call bells are hard to reach")
    updates_before = len(card_updates(double, idea))

    react(slack, running, idea, APPROVE, BOB)
    react(slack, running, idea, APPROVE, BOB, removed=True)
    react(slack, running, idea, APPROVE, BOB)  # reacting again: still told only once

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("new", None)
    assert status_events(running, idea) == []
    assert thread_replies(double, idea) == []
    assert len(card_updates(double, idea)) == updates_before, "the card did not change"
    [told] = ephemerals_to(double, BOB)
    assert told["channel"] == TEAM_CHANNEL
    assert f"<@{LEAD}>" in told["text"], "the message names who can approve"
    assert ephemerals_to(double, ALICE) == [] and ephemerals_to(double, LEAD) == []


def test_a_member_of_the_leader_user_group_approves(bot_factory, double):
    double.set_usergroup(GROUP, [GROUP_LEAD])
    running, slack = start(bot_factory, double, kaizen_leaders=(), kaizen_leader_group=GROUP)
    idea = raise_idea(running, slack, double, "Wristband printer jams")

    react(slack, running, idea, APPROVE, GROUP_LEAD)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", GROUP_LEAD)
    assert len(thread_replies(double, idea)) == 1
    assert ephemerals_to(double, GROUP_LEAD) == []


def test_a_leader_group_slack_will_not_read_approves_nothing_and_does_not_crash(bot_factory, double):
    double.set_usergroup(GROUP, [GROUP_LEAD])
    double.fail("usergroups.users.list", "plan_upgrade_required", times=20)
    running, slack = start(bot_factory, double, kaizen_leaders=(LEAD,), kaizen_leader_group=GROUP)
    idea = raise_idea(running, slack, double, "Linen arrives after the morning wash")

    react(slack, running, idea, APPROVE, GROUP_LEAD)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("new", None)
    assert thread_replies(double, idea) == []
    assert double.calls("usergroups.users.list"), "the group was asked for"
    [row] = inbox_rows(running)
    assert row.done_at is not None and row.attempts == 1, "applied once, without a crash"
    [told] = ephemerals_to(double, GROUP_LEAD)
    assert f"<@{LEAD}>" in told["text"]

    # The bot keeps working: a listed leader still approves.
    react(slack, running, idea, APPROVE, LEAD)
    assert (load(running, idea.id).status, load(running, idea.id).decided_by) == ("approved", LEAD)
    assert len(thread_replies(double, idea)) == 1


# --- other emojis ----------------------------------------------------------------------------------------------


def test_other_emojis_change_nothing(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Nobody knows where the hoist charger is")
    updates_before = len(card_updates(double, idea))
    posts_before = len(double.calls("chat.postMessage"))

    for reaction, user in (("heart", LEAD), ("eyes", BOB), ("x", LEAD), ("heavy_check_mark", LEAD)):
        react(slack, running, idea, reaction, user)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("new", None)
    assert status_events(running, idea) == []
    assert inbox_rows(running) == [], "reactions that cannot matter are not even stored"
    assert len(card_updates(double, idea)) == updates_before
    assert len(double.calls("chat.postMessage")) == posts_before
    assert double.calls("chat.postEphemeral") == []


def test_thumbs_up_counts_support_and_removing_it_uncounts(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Glove boxes are empty on Sundays")
    assert "support" not in shown(card(double, idea))

    react(slack, running, idea, "+1", BOB)

    assert "1 person supports this" in shown(card(double, idea))
    assert "1 person supports this" in json.dumps(card_updates(double, idea)[-1]["blocks"])
    with running.kaizen.db.read() as session:
        assert list(session.scalars(select(Supporter.user_id).where(Supporter.idea_id == idea.id))) == [BOB]

    react(slack, running, idea, "+1::skin-tone-2", LEAD)  # a leader's support is support too, any skin tone
    assert "2 people support this" in shown(card(double, idea))
    assert load(running, idea.id).status == "new", "support is not approval"

    react(slack, running, idea, "+1::skin-tone-2", LEAD, removed=True)
    react(slack, running, idea, "+1", BOB, removed=True)

    assert "support" not in shown(card(double, idea))
    with running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).where(Supporter.idea_id == idea.id)) == 0
    assert thread_replies(double, idea) == []


# --- taking the approve emoji off ------------------------------------------------------------------------------


def test_removing_the_last_leaders_approve_emoji_returns_the_idea_to_new_silently(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Discharge letters wait for a signature")
    react(slack, running, idea, APPROVE, LEAD)
    assert load(running, idea.id).status == "approved"
    posts_before = len(double.calls("chat.postMessage"))

    react(slack, running, idea, APPROVE, LEAD, removed=True)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by, stored.decided_at) == ("new", None, None)
    assert [(e.from_status, e.to_status, e.actor_id) for e in status_events(running, idea)] == [
        ("new", "approved", LEAD),
        ("approved", "new", LEAD),
    ]
    assert len(double.calls("chat.postMessage")) == posts_before, "nothing is posted"
    assert len(thread_replies(double, idea)) == 1, "only the thanks from the approval"
    assert double.calls("chat.postEphemeral") == []
    now_shown = shown(card(double, idea))
    assert "New" in now_shown and "Approved" not in now_shown


def test_the_idea_stays_approved_while_another_leaders_approve_emoji_remains(bot_factory, double):
    running, slack = start(bot_factory, double, kaizen_leaders=(LEAD, LEAD2))
    idea = raise_idea(running, slack, double, "Two pumps for one patient")
    react(slack, running, idea, APPROVE, LEAD)
    react(slack, running, idea, f"{APPROVE}::skin-tone-5", LEAD2)

    react(slack, running, idea, APPROVE, LEAD, removed=True)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    assert len(status_events(running, idea)) == 1
    assert len(thread_replies(double, idea)) == 1

    # Once the last leader's emoji comes off too, it is back to new.
    react(slack, running, idea, f"{APPROVE}::skin-tone-5", LEAD2, removed=True)
    assert load(running, idea.id).status == "new"
    assert len(thread_replies(double, idea)) == 1


def test_a_removal_by_a_non_leader_changes_nothing(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Whiteboard markers dry out")
    react(slack, running, idea, APPROVE, LEAD)
    react(slack, running, idea, APPROVE, BOB)  # on an approved idea: nothing to tell Bob
    updates_before = len(card_updates(double, idea))

    react(slack, running, idea, APPROVE, BOB, removed=True)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    assert len(status_events(running, idea)) == 1
    assert len(card_updates(double, idea)) == updates_before
    assert len(thread_replies(double, idea)) == 1
    assert ephemerals_to(double, BOB) == []


# --- messages that are not cards -------------------------------------------------------------------------------


def test_reactions_on_messages_that_are_not_cards_are_ignored(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Blood gas machine queue at 7am")
    chatter = double.add_message(TEAM_CHANNEL, "Morning all", user=BOB)
    calls_before = len(double.calls())

    reply = slack.reaction_added("tada", user_id=LEAD, channel_id=TEAM_CHANNEL, ts=chatter)
    assert reply.status == 200
    assert inbox_rows(running) == [], "an unrelated emoji is not stored"

    for reaction, user in ((APPROVE, LEAD), (APPROVE, BOB), ("+1", BOB)):
        assert slack.reaction_added(reaction, user_id=user, channel_id=TEAM_CHANNEL, ts=chatter).status == 200
    # A reaction on a file (not a message) does not matter either.
    file_event = {"type": "reaction_added", "user": LEAD, "reaction": APPROVE, "item_user": BOB,
                  "item": {"type": "file", "file": "F0001"}}  # fmt: skip
    assert slack.event(file_event).status == 200
    wait_settled(running)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("new", None)
    assert status_events(running, idea) == []
    with running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Supporter)) == 0
    made = [c.method for c in double.calls()[calls_before:]]
    assert not [m for m in made if m.startswith("chat.")], f"nothing is said or changed in Slack: {made}"


# --- approvals made while the bot was down ---------------------------------------------------------------------


def test_an_approval_made_while_the_bot_was_stopped_is_applied_when_it_starts(bot_factory, double):
    first, slack = start(bot_factory, double)
    approved_while_down = raise_idea(first, slack, double, "Sharps bins too high in bay 3")
    only_backed = raise_idea(first, slack, double, "Curtains do not close in bay 4")
    first.kaizen.close()  # stopped: nothing it is sent is applied any more

    # While it is down, people react on the cards; no event reaches a running bot.
    double.add_reaction(TEAM_CHANNEL, approved_while_down.card_ts, APPROVE, LEAD)
    double.add_reaction(TEAM_CHANNEL, only_backed.card_ts, APPROVE, BOB)
    posts_before = len(double.calls("chat.postMessage"))

    second, _ = start(bot_factory, double, scheduler=True)

    eventually(lambda: load(second, approved_while_down.id).status == "approved", timeout=10)
    checked = {c.args.get("timestamp") for c in double.wait_for("reactions.get", count=2, timeout=10)}
    assert {approved_while_down.card_ts, only_backed.card_ts} <= checked
    wait_settled(second)

    stored = load(second, approved_while_down.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    [event] = status_events(second, approved_while_down)
    assert (event.from_status, event.to_status, event.actor_id, event.source) == ("new", "approved", LEAD, "sweep")
    [thanks] = thread_replies(double, approved_while_down)
    assert f"<@{ALICE}>" in shown(thanks)
    assert "Approved" in shown(card(double, approved_while_down))
    assert len(double.calls("chat.postMessage")) == posts_before + 1, "thanked once, nothing else posted"

    assert load(second, only_backed.id).status == "new", "a non-leader's emoji approves nothing"
    assert thread_replies(double, only_backed) == []


def test_card_locks_last_only_while_a_sync_is_under_way(bot_factory, double):
    # One lock per idea kept forever grew with the number of ideas; a lock now lives only while a sync needs it.
    running, slack = start(bot_factory, double)
    ideas = [raise_idea(running, slack, double, f"Problem number {n}") for n in range(5)]
    for n, idea in enumerate(ideas):
        slack.reaction_added(APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id=f"EvLock{n}")
    eventually(lambda: all(load(running, idea.id).status == "approved" for idea in ideas))
    wait_settled(running)
    assert all(card_updates(double, idea) for idea in ideas), "every card was synced"
    assert running.kaizen.outbox.card_locks_in_use() == 0
