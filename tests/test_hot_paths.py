"""The paths every submission and every reaction take, cut down to what they must do (issue 16, item 3): the
idea and its card's claim committed in one transaction before the ack, the card posted from that claim and its ts
recorded in a second; a support reaction stored before its 200, counted and marked applied in one transaction, its
card drawn from what was read and its version recorded. And the store's functions those paths use (Core statements,
INSERT … ON CONFLICT DO NOTHING), on SQLite and PostgreSQL alike; the card's JSON as slack_sdk would check it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.clock import SettableClock
from bot.delivery.outbox import CLAIM_LEASE, FIRST_SWEEP_DELAY, Outbox
from bot.domain import Actor, CardTier
from bot.i18n import reading
from bot.ideas.workflow import NewIdea, raise_idea
from bot.render.card import card_blocks, card_dicts
from bot.render.words import plain_name, to_dicts
from bot.slack.clients import SlackClients
from bot.slack.gateway import SlackGateway
from doubles.slack import SlackDouble
from storage import delivery, queries
from storage.core import add_new
from storage.db import Database
from storage.models import (
    Idea,
    IdeaEvent,
    IdeaStatus,
    InboxEvent,
    OutboxKind,
    OutboxMessage,
    Source,
    Supporter,
    Team,
)
from tests.conftest import ALICE, BOB, BOT_TOKEN, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually, on_postgres
from tests.flows import LEAD, card_is_up, load, open_raise_form, start, wait_for_idea, wait_settled

# --- how many write transactions a request takes ----------------------------------------------------------------


@contextmanager
def write_transactions(running: RunningBot) -> Iterator[list[str]]:
    """The write transactions the bot begins while the block runs (SQLite: each begins `BEGIN IMMEDIATE`), one
    entry per transaction: the name of the thread that began it."""
    begun: list[str] = []
    lock = threading.Lock()

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            with lock:
                begun.append(threading.current_thread().name)

    engine = running.kaizen.db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield begun
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


sqlite_only = pytest.mark.skipif(on_postgres(), reason="counts SQLite's BEGIN IMMEDIATE")


@sqlite_only
def test_a_submission_takes_two_write_transactions_the_idea_and_its_cards_ts(bot_factory, double):
    """The idea, its history and its card's outbox row (claimed by the thread that raised it) before the ack; the
    card's ts and the row done after the post. No transaction to claim the row, none to read the idea back."""
    running, slack = start(bot_factory, double)
    form, _ = open_raise_form(slack, double, "The hoist battery is always flat")
    wait_settled(running)
    with write_transactions(running) as begun:
        assert slack.submit_view(form, {"problem": "The hoist battery is always flat"}, user_id=ALICE).status == 200
        idea = wait_for_idea(running, "The hoist battery is always flat")
        wait_settled(running)
    assert len(begun) == 2, begun
    [card] = [m for m in double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]
    assert card["text"].startswith(f"Kaizen #{idea.number}:")
    with running.kaizen.db.read() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.idea_id == idea.id)).all()
    assert (row.kind, row.attempts, row.sent_ts, row.claim) == (OutboxKind.CARD, 1, idea.card_ts, None)
    assert row.done_at is not None


@sqlite_only
def test_a_support_reaction_takes_three_write_transactions(bot_factory, double):
    """Stored before the 200; counted, with the event marked applied, in one; the card's new version recorded
    after chat.update. The card is drawn from the idea read to find it, not read again."""
    running, slack = start(bot_factory, double)
    open_raise_form(slack, double, "Sharps bins are full by noon")
    form = double.last_view()
    assert slack.submit_view(form, {"problem": "Sharps bins are full by noon"}, user_id=ALICE).status == 200
    idea = wait_for_idea(running, "Sharps bins are full by noon")
    wait_settled(running)
    assert idea.card_ts is not None
    with write_transactions(running) as begun:
        reply = slack.reaction_added("+1", user_id=BOB, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id="EvHOT01")
        assert reply.status == 200
        eventually(lambda: card_is_up(load(running, idea.id)) and load(running, idea.id).card_version == 2)
        wait_settled(running)
    assert len(begun) == 3, begun
    with running.kaizen.db.read() as session:
        [row] = session.scalars(select(InboxEvent)).all()
        supporters = session.scalars(select(Supporter.user_id).where(Supporter.idea_id == idea.id)).all()
    assert (row.event_id, row.attempts, row.claim, row.error) == ("EvHOT01", 1, None, None)
    assert row.done_at is not None
    assert supporters == [BOB]
    [update] = [c.args for c in double.calls("chat.update") if c.args.get("ts") == idea.card_ts]
    assert "1 person supports this" in str(update["blocks"])


def test_support_changed_meanwhile_by_someone_else_draws_the_card_as_it_is_now(bot_factory, double):
    """When the idea changed between the read that found the card and the support (here: a leader approved it),
    the card is not drawn from the stale read: it shows both the approval and the support."""
    running, slack = start(bot_factory, double)
    open_raise_form(slack, double, "The linen trolley blocks the corridor")
    assert slack.submit_view(double.last_view(), {"problem": "The linen trolley blocks the corridor"}).status == 200
    idea = wait_for_idea(running, "The linen trolley blocks the corridor")
    wait_settled(running)
    stale = load(running, idea.id)  # read before the approval, as a reaction's worker would have
    approved = running.kaizen.lifecycle.approve(idea.id, Actor(LEAD, is_leader=True), source=Source.BUTTON)
    assert approved.idea.status == IdeaStatus.APPROVED
    lifecycle = running.kaizen.lifecycle
    assert running.kaizen.outbox.change_card(stale, lambda: lifecycle.support(idea.id, BOB, add=True))
    last = [c.args for c in double.calls("chat.update") if c.args.get("ts") == idea.card_ts][-1]
    assert "Approved by" in str(last["blocks"]) and "1 person supports this" in str(last["blocks"])
    assert load(running, idea.id).card_synced_version == load(running, idea.id).card_version


# --- the card of a raised idea, claimed as it is queued ------------------------------------------------------------


def _new(problem: str = "The obs machine is never charged") -> NewIdea:
    return NewIdea(workspace_id=WORKSPACE, channel_id=TEAM_CHANNEL, channel_name="ward-7", author_id=ALICE,
                   problem=problem)  # fmt: skip


@pytest.fixture
def outbox(db: Database, clock: SettableClock, double: SlackDouble) -> Outbox:
    gateway = SlackGateway(SlackClients(double.api_url), lambda _workspace: BOT_TOKEN)
    return Outbox(db, clock, gateway)


def _cards_posted(double: SlackDouble) -> list[dict[str, Any]]:
    return [m for m in double.messages(TEAM_CHANNEL) if str(m.get("text", "")).startswith("Kaizen #")]


def test_a_card_claimed_as_it_is_queued_is_posted_once_by_the_thread_that_raised_it(db, clock, double, outbox):
    raised = raise_idea(db, clock, _new(), claim_card=True)
    assert raised.card.claim is not None and raised.card.attempts == 1
    assert outbox.sweep() == 0, "the sweep leaves a claimed card alone"
    result = outbox.send_claimed(raised.card, raised.idea)
    assert result.sent
    [card] = _cards_posted(double)
    with db.read() as session:
        idea = queries.idea_by_id(session, raised.idea.id)
        row = session.get(OutboxMessage, raised.card.id)
    assert idea is not None and row is not None
    assert (idea.card_ts, idea.card_synced_version, row.sent_ts, row.attempts) == (card["ts"], 1, card["ts"], 1)
    assert outbox.send_claimed(raised.card, raised.idea).sent is False, "posted once: the claim is spent"
    assert len(_cards_posted(double)) == 1


def test_a_card_whose_raising_thread_died_is_posted_by_the_sweep_once_the_lease_has_run_out(db, clock, double, outbox):
    raised = raise_idea(db, clock, _new(), claim_card=True)  # and the thread dies before posting it
    clock.advance(FIRST_SWEEP_DELAY + timedelta(seconds=1))
    assert outbox.sweep() == 0 and _cards_posted(double) == [], "within the lease: nobody else posts it"
    clock.advance(CLAIM_LEASE)
    assert outbox.sweep() == 1
    [card] = _cards_posted(double)
    with db.read() as session:
        row = session.get(OutboxMessage, raised.card.id)
    assert row is not None and (row.sent_ts, row.attempts) == (card["ts"], 2)


def test_a_card_whose_lease_ran_low_before_its_post_is_renewed_so_the_sweep_cannot_post_it_again(
    db, clock, double, outbox
):
    """Time between the commit and the post (a slow permalink, a rate-limit wait) spends the lease: the thread renews
    it before posting, so a sweep while the post is in flight finds the card taken and posts nothing."""
    raised = raise_idea(db, clock, _new(), claim_card=True)
    clock.advance(CLAIM_LEASE * 3 / 4)
    double.delay("chat.postMessage", 1.0, times=1)
    posting = threading.Thread(target=outbox.send_claimed, args=(raised.card, raised.idea))
    posting.start()
    eventually(lambda: double.calls("chat.postMessage"), timeout=10)  # in flight
    clock.advance(CLAIM_LEASE / 2)  # past the lease taken at the commit, not the renewed one
    assert outbox.sweep() == 0
    posting.join(10)
    assert len(_cards_posted(double)) == 1


def test_a_card_raised_without_a_claim_is_sent_as_ever(db, clock, double, outbox):
    raised = raise_idea(db, clock, _new())
    assert raised.card.claim is None
    assert outbox.send_claimed(raised.card, raised.idea).sent
    assert len(_cards_posted(double)) == 1


def test_a_card_changed_before_it_was_posted_is_brought_up_to_date_after(db, clock, double, outbox):
    raised = raise_idea(db, clock, _new(), claim_card=True)
    with db.write() as session:
        queries.bump_card(session, raised.idea.id)  # e.g. the link to the message it was raised from
    assert outbox.send_claimed(raised.card, raised.idea).sent
    [card] = _cards_posted(double)
    updates = [c.args for c in double.calls("chat.update") if c.args.get("ts") == card["ts"]]
    assert len(updates) == 1
    with db.read() as session:
        idea = queries.idea_by_id(session, raised.idea.id)
    assert idea is not None and idea.card_synced_version == idea.card_version == 2


# --- the store's functions on these paths --------------------------------------------------------------------------


def _team(db: Database, clock: SettableClock) -> Team:
    with db.write() as session:
        return queries.ensure_team(session, WORKSPACE, TEAM_CHANNEL, "ward-7", clock.now())


def test_add_new_writes_one_row_with_its_defaults_and_gives_it_back_to_read(db: Database, clock: SettableClock):
    team = _team(db, clock)
    with db.write() as session:
        idea = add_new(
            session,
            Idea(workspace_id=WORKSPACE, number=1, team=team, author_id=ALICE, problem="p", created_at=clock.now()),
        )
    # Readable after the session: its id, its team, every default.
    assert (idea.team_id, idea.team.channel_id) == (team.id, TEAM_CHANNEL)
    assert (idea.status, idea.card_version, idea.card_synced_version, idea.input_from) == ("new", 1, 0, [])
    assert (idea.anonymous, idea.redacted, idea.decided_at, idea.card_ts) == (False, False, None, None)
    with db.read() as session:
        stored = queries.idea_by_id(session, idea.id)
    assert stored is not None
    assert (stored.team_id, stored.status, stored.card_version, stored.input_from, stored.created_at) == (
        team.id, "new", 1, [], clock.now(),
    )  # fmt: skip


def test_add_new_refuses_a_taken_key(db: Database, clock: SettableClock):
    from sqlalchemy.exc import IntegrityError

    def message() -> OutboxMessage:
        return OutboxMessage(kind=OutboxKind.DM, dedupe_key="dm:1", workspace_id=WORKSPACE, created_at=clock.now(),
                             next_attempt_at=clock.now())  # fmt: skip

    with db.write() as session:
        first = add_new(session, message())
    assert first.id and first.attempts == 0 and first.claim is None
    with pytest.raises(IntegrityError), db.write() as session:
        add_new(session, message())


def test_support_is_counted_once_and_not_for_an_idea_that_is_gone(db: Database, clock: SettableClock):
    idea = raise_idea(db, clock, _new()).idea
    with db.write() as session:
        assert queries.add_supporter(session, idea.id, BOB, clock.now()) is True
        assert queries.add_supporter(session, idea.id, BOB, clock.now()) is False, "once per person"
        assert queries.add_supporter(session, idea.id + 1000, BOB, clock.now()) is False, "no such idea: no error"
        assert queries.bump_card(session, idea.id) == 2  # the transaction goes on after both
        assert queries.bump_card(session, idea.id + 1000) is None
    with db.read() as session:
        assert queries.supporter_count(session, idea.id) == 1
    with db.write() as session:
        assert queries.remove_supporter(session, idea.id, BOB) is True
        assert queries.remove_supporter(session, idea.id, BOB) is False


def test_an_event_is_stored_once_claimed_or_not(db: Database, clock: SettableClock):
    now = clock.now()
    with db.write() as session:
        first = delivery.add_inbox_event(
            session, "Ev1", WORKSPACE, "reaction_added", {"n": 1}, now, claim=("tok", now + CLAIM_LEASE)
        )
        again = delivery.add_inbox_event(session, "Ev1", WORKSPACE, "reaction_added", {"n": 2}, now)
        other = delivery.add_inbox_event(session, "Ev2", WORKSPACE, "reaction_added", {"n": 3}, now)
    assert first is not None and other is not None and again is None
    with db.read() as session:
        rows = {row.event_id: row for row in session.scalars(select(InboxEvent))}
    assert (rows["Ev1"].payload, rows["Ev1"].claim, rows["Ev1"].attempts) == ({"n": 1}, "tok", 1)
    assert (rows["Ev2"].claim, rows["Ev2"].attempts) == (None, 0)
    with db.read() as session:
        assert delivery.pending(session, InboxEvent, now, 10) == [other], "a claimed event is not due to others"
        assert delivery.pending(session, InboxEvent, now + CLAIM_LEASE + timedelta(seconds=1), 10) == [first, other]


def test_recording_a_posted_card_says_whether_it_is_up_to_date(db: Database, clock: SettableClock):
    idea = raise_idea(db, clock, _new()).idea
    with db.write() as session:
        assert queries.record_card_posted(session, idea.id, "1.000100", 1) is True
        queries.bump_card(session, idea.id)
        assert queries.record_card_posted(session, idea.id, "1.000100", 1) is False, "changed since version 1"
        queries.mark_card_synced(session, idea.id, 2)
        assert queries.record_card_posted(session, idea.id, "1.000100", 1) is True, "never moves back"
        assert queries.record_card_posted(session, idea.id + 1000, "1.000200", 1) is None
    with db.read() as session:
        stored = queries.idea_by_id(session, idea.id)
    assert stored is not None and (stored.card_ts, stored.card_synced_version, stored.card_version) == (
        "1.000100",
        2,
        2,
    )


def test_the_first_history_event_is_written_with_the_idea(db: Database, clock: SettableClock):
    raised = raise_idea(db, clock, _new())
    with db.read() as session:
        [event] = session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == raised.idea.id)).all()
    assert (event.kind, event.to_status, event.actor_id, event.at) == ("created", "new", ALICE, clock.now())


# --- one Slack client per token --------------------------------------------------------------------------------------


def test_the_gateway_keeps_one_client_per_token_and_kind(double: SlackDouble):
    tokens = {"T1": "xoxb-one", "T2": "xoxb-two", "T3": "xoxb-one"}
    gateway = SlackGateway(SlackClients(double.api_url), lambda workspace: tokens[workspace or "T1"])
    assert gateway.workspace("T1") is gateway.workspace("T1") is gateway.workspace("T3"), "one per token"
    assert gateway.workspace("T2") is not gateway.workspace("T1")
    assert gateway.quick("T1") is gateway.quick("T1") is not gateway.workspace("T1"), "a quick one of its own"
    assert gateway.quick("T1", 1) is not gateway.quick("T1"), "and one per time-out"


# --- the card's JSON ------------------------------------------------------------------------------------------------


LANGUAGES = ("en", "de", "es", "ja")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", list(IdeaStatus))
def test_the_cards_json_is_what_slack_sdk_checks_and_would_send(language: str, status: IdeaStatus, clock):
    """`card_dicts` skips slack_sdk's Block Kit objects; parsed into them and serialised again (which validates
    every part: text lengths, buttons, the overflow menu), the card is unchanged, in every language and status,
    with every text at its longest."""
    team = Team(id=7, workspace_id=WORKSPACE, channel_id=TEAM_CHANNEL, name="ward-7", paused_at=None)
    long = "x & <y> " * 2000
    idea = Idea(
        id=42, workspace_id=WORKSPACE, number=12, team=team, team_id=7, author_id=ALICE, owner_id=BOB,
        anonymous=False, problem=long, idea=long, benefit=long, category="safety", input_from=[BOB, ALICE],
        status=status, created_at=clock.now(), decided_by=BOB, outcome="worked", result=long, learned=long,
        effect=long, source_link="https://example.slack.com/archives/C1/p1", redacted=False, card_version=3,
        card_synced_version=2,
    )  # fmt: skip
    with reading(language):
        for supporters in (0, 1, 12):
            dicts = card_dicts(idea, supporters=supporters, name=plain_name)
            assert to_dicts(card_blocks(idea, supporters=supporters, name=plain_name)) == dicts
            assert len(str(dicts)) < 40_000
        # Each card an idea has in the tiers, with the longest reason: its own card while a team above holds it,
        # the upper card while it decides and after each way a hop ends, and a card offering Escalate….
        reason, at = "<!channel> *why* " * 200, clock.now()
        tiers = [
            CardTier(can_escalate=True),
            CardTier(holder_channel="C0DEPT", by=BOB, at=at, reason=reason),
            CardTier(upper_card=True, came_from=TEAM_CHANNEL, by=BOB, at=at, reason=reason, can_escalate=True),
            *(CardTier(upper_card=True, came_from=TEAM_CHANNEL, by=BOB, at=at, reason=reason, open=False, ended_how=how)
              for how in ("sent_back", "taken_back", "passed_up")),
        ]  # fmt: skip
        for tier in tiers:
            dicts = card_dicts(idea, supporters=12, name=plain_name, tier=tier)
            assert to_dicts(card_blocks(idea, supporters=12, name=plain_name, tier=tier)) == dicts
            assert "<!channel>" not in str(dicts), "a reason's markup is never live"
            assert len(str(dicts)) < 40_000
