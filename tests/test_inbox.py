"""The event inbox, through the HTTP endpoint: every delivery is committed before its 200 and applied exactly
once: retries and duplicates change nothing twice, racing deliveries approve once, a crash while applying is
retried by the sweep, and only an inbox that cannot be written answers 503 (so that Slack retries)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.clock import SettableClock
from doubles.driver import SlackDriver, sign
from doubles.slack import SlackDouble
from storage.models import Idea, IdeaEvent, InboxEvent
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, RunningBot, eventually
from tests.flows import (
    APPROVE,
    GROUP,
    GROUP_LEAD,
    LEAD,
    inbox_rows,
    load,
    raise_idea,
    start,
    status_events,
    thread_replies,
    wait_settled,
)

# --- helpers ---------------------------------------------------------------------------------------------------


def approvals(running: RunningBot, idea: Idea) -> list[IdeaEvent]:
    return [event for event in status_events(running, idea) if event.to_status == "approved"]


def approve(slack: SlackDriver, idea: Idea, *, event_id: str | None = None, retry_num: int | None = None) -> int:
    assert idea.card_ts is not None
    reply = slack.reaction_added(
        APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id=event_id, retry_num=retry_num
    )
    return reply.status


def assert_approved_once(running: RunningBot, double: SlackDouble, idea: Idea) -> None:
    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", LEAD)
    assert len(approvals(running, idea)) == 1, "one approval in the history"
    [thanks] = thread_replies(double, idea)
    assert f"<@{ALICE}>" in json.dumps(thanks.get("blocks") or []) + (thanks.get("text") or "")


# --- retries and duplicates ------------------------------------------------------------------------------------


def test_a_retried_delivery_changes_the_idea_once(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Obs machines are never charged")

    assert approve(slack, idea, event_id="EvRETRIED01") == 200
    eventually(lambda: load(running, idea.id).status == "approved")
    assert approve(slack, idea, event_id="EvRETRIED01", retry_num=1) == 200
    assert approve(slack, idea, event_id="EvRETRIED01", retry_num=2) == 200
    wait_settled(running)

    assert_approved_once(running, double, idea)
    [row] = inbox_rows(running)
    assert (row.event_id, row.attempts) == ("EvRETRIED01", 1)
    assert row.done_at is not None
    assert approvals(running, idea)[0].slack_event_id == "EvRETRIED01"


def test_a_retry_arriving_before_the_first_delivery_was_applied_still_applies_once(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Commode covers go missing")

    assert approve(slack, idea, event_id="EvQUICKRETRY") == 200
    assert approve(slack, idea, event_id="EvQUICKRETRY", retry_num=1) == 200
    wait_settled(running)

    assert_approved_once(running, double, idea)
    assert len(inbox_rows(running)) == 1


def test_the_same_reaction_delivered_twice_with_different_event_ids_approves_once(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Patient lists printed twice")

    assert approve(slack, idea, event_id="EvDUPLICATE1") == 200
    assert approve(slack, idea, event_id="EvDUPLICATE2") == 200
    wait_settled(running)

    assert_approved_once(running, double, idea)
    rows = inbox_rows(running)
    assert sorted(r.event_id for r in rows) == ["EvDUPLICATE1", "EvDUPLICATE2"]
    assert all(r.done_at is not None and r.error is None for r in rows), "the second is a no-op, not a failure"


@pytest.mark.parametrize("same_event_id", [True, False], ids=["retry-races-original", "duplicates-race"])
def test_two_deliveries_racing_approve_once(bot_factory, double, same_event_id: bool):
    running, slack = start(bot_factory, double)
    ideas = [raise_idea(running, slack, double, f"Racing problem number {n}") for n in range(10)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        for n, idea in enumerate(ideas):
            barrier = threading.Barrier(2)
            ids = [f"EvRACE{n:02d}A", f"EvRACE{n:02d}A" if same_event_id else f"EvRACE{n:02d}B"]
            retries = [None, 1] if same_event_id else [None, None]

            def deliver(k: int, idea: Idea = idea, ids: list[str] = ids, retries: list = retries,
                        barrier: threading.Barrier = barrier) -> int:  # fmt: skip
                barrier.wait(timeout=5)
                return approve(slack, idea, event_id=ids[k], retry_num=retries[k])

            assert list(pool.map(deliver, [0, 1])) == [200, 200]
    wait_settled(running, timeout=20)

    for idea in ideas:
        assert_approved_once(running, double, idea)
    assert len(inbox_rows(running)) == (10 if same_event_id else 20)


def test_every_delivery_is_answered_200(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Night lights too bright")
    other = double.add_message(TEAM_CHANNEL, "Who has the hoist?", user=BOB)
    ts = idea.card_ts
    assert ts is not None

    def reaction(name: str, user: str, at: str, **kwargs: Any) -> Any:
        return lambda: slack.reaction_added(name, user_id=user, channel_id=TEAM_CHANNEL, ts=at, **kwargs)

    mention = {"type": "app_mention", "user": BOB, "text": "<@UBOT> hi", "channel": TEAM_CHANNEL, "ts": "1.000200"}
    on_a_file = {"type": "reaction_added", "user": BOB, "reaction": APPROVE, "item": {"type": "file", "file": "F1"}}
    deliveries = [
        reaction(APPROVE, LEAD, ts, event_id="EvALL01"),
        reaction(APPROVE, LEAD, ts, event_id="EvALL01", retry_num=1),
        reaction(APPROVE, LEAD, ts, event_id="EvALL02"),
        reaction(APPROVE, BOB, ts),
        reaction("+1", BOB, ts),
        reaction("+1", ALICE, ts),
        reaction("+1", ALICE, ts, removed=True),
        reaction("heart", BOB, ts),
        reaction(APPROVE, LEAD, other),
        reaction("tada", BOB, other),
        reaction(APPROVE, LEAD, "1111111111.000100"),  # a message that does not exist
        lambda: slack.event(mention),  # an event the bot does not handle
        lambda: slack.event(on_a_file),
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda send: send().status, deliveries * 2))
    assert statuses == [200] * len(statuses)
    wait_settled(running)
    assert_approved_once(running, double, idea)


# --- failures --------------------------------------------------------------------------------------------------


def test_an_event_whose_processing_crashed_is_applied_by_the_sweep_once(bot_factory, double, clock: SettableClock):
    double.set_usergroup(GROUP, [GROUP_LEAD])
    running, slack = start(bot_factory, double, kaizen_leaders=(), kaizen_leader_group=GROUP, scheduler=True)
    idea = raise_idea(running, slack, double, "Oxygen cylinders left empty")
    lookups_before = len(double.calls("usergroups.users.list"))
    double.fail_http("usergroups.users.list", 500, times=1)

    reply = slack.reaction_added(APPROVE, user_id=GROUP_LEAD, channel_id=TEAM_CHANNEL, ts=idea.card_ts,
                                 event_id="EvCRASHED1")  # fmt: skip
    assert reply.status == 200

    # The first try fails on Slack's 500: the event stays in the inbox, to be tried again after a back-off.
    def failed_once() -> InboxEvent | None:
        [row] = inbox_rows(running)
        return row if row.attempts == 1 and row.error and row.claim is None else None

    row = eventually(failed_once)
    assert row.done_at is None
    assert len(double.calls("usergroups.users.list")) == lookups_before + 1
    assert load(running, idea.id).status == "new"
    assert thread_replies(double, idea) == []

    clock.advance(timedelta(minutes=2))  # past the retry back-off: the next inbox sweep applies it
    eventually(lambda: load(running, idea.id).status == "approved", timeout=15)
    wait_settled(running)

    stored = load(running, idea.id)
    assert (stored.status, stored.decided_by) == ("approved", GROUP_LEAD)
    [event] = approvals(running, idea)
    assert event.slack_event_id == "EvCRASHED1"
    assert len(thread_replies(double, idea)) == 1
    [row] = inbox_rows(running)
    assert row.done_at is not None and row.attempts == 2


def test_when_the_inbox_cannot_be_written_the_answer_is_503_and_a_retry_after_recovery_applies(bot_factory, double):
    running, slack = start(bot_factory, double)
    idea = raise_idea(running, slack, double, "Thermometer covers run out")
    # A separate engine, as another process would be: SQLite and PostgreSQL both rename tables this way.
    other = create_engine(running.kaizen.db.url)

    def rename(old: str, new: str) -> None:
        with other.begin() as connection:
            connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    rename("inbox_events", "inbox_events_away")  # the inbox cannot be written
    try:
        assert approve(slack, idea, event_id="EvLOSTINBOX") == 503
    finally:
        rename("inbox_events_away", "inbox_events")
        other.dispose()
    assert load(running, idea.id).status == "new"
    assert inbox_rows(running) == [], "nothing was stored"

    # Slack retries the same delivery; the inbox is back.
    assert approve(slack, idea, event_id="EvLOSTINBOX", retry_num=1) == 200
    eventually(lambda: load(running, idea.id).status == "approved")
    wait_settled(running)
    assert_approved_once(running, double, idea)
    [row] = inbox_rows(running)
    assert row.event_id == "EvLOSTINBOX" and row.done_at is not None


# --- url_verification ------------------------------------------------------------------------------------------


def test_url_verification_answers_the_challenge(bot, slack):
    body = json.dumps({"type": "url_verification", "challenge": "x", "token": slack.verification_token}).encode()
    reply = slack.send(body, "application/json")
    assert reply.status == 200
    assert reply.json() == {"challenge": "x"} or reply.text == "x"

    unsigned = slack.send(body, "application/json", signature=sign("not-the-secret", 0, body))
    assert unsigned.status == 401
