"""Our own faults: real `kaizen-bot serve` processes killed with SIGKILL at the interesting moment (a Web API
call the Slack double holds open), then restarted on the same SQLite file; two processes hammering one file; a
database that is not there at all.

These run on the real clock. The dead process's leases (bot/delivery/: 60 s; a huddle slot's: 2 minutes) are not
waited out: its claims are aged in the database (`age_dead_claims`), as if the lease had run out, so what is tested
is the takeover; that a lease holds until it runs out is tested on a clock the tests set (test_inbox_lease.py,
test_hot_paths.py for the outbox, test_huddle.py for a huddle slot)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.clock import SettableClock
from bot.delivery import inbox as inbox_module
from bot.delivery import outbox as outbox_module
from bot.huddles import daily as huddles_module
from bot.ideas.workflow import NewIdea, raise_idea
from bot.jobs import HUDDLE_TICK_SECONDS, INBOX_SWEEP_SECONDS, OUTBOX_SWEEP_SECONDS
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from storage import migrate
from storage.models import HuddlePost, Idea, IdeaEvent, InboxEvent, OutboxMessage, Supporter
from tests.conftest import ALICE, BOB, CAROL, TEAM_CHANNEL, WORKSPACE
from tests.flows import (
    APPROVE,
    CARD_TEXT,
    GROUP,
    card_is_up,
    card_numbers,
    cards,
    huddles,
    is_huddle_post,
    open_raise_form,
    team_channel,
)
from tests.flows import GROUP_LEAD as GROUP_LEADER
from tests.flows import LEAD as LEADER
from tests.flows import posts_of as posts
from tests.flows import thread_replies as replies
from tests.processes import Bots, ServeProcess, bot_env

pytestmark = pytest.mark.slow

# A leased claim left by a killed process is taken over once its lease has run out and the next sweep comes.
OUTBOX_TAKEOVER = (outbox_module.CLAIM_LEASE.total_seconds() + OUTBOX_SWEEP_SECONDS) + 20
INBOX_TAKEOVER = (inbox_module.CLAIM_LEASE.total_seconds() + INBOX_SWEEP_SECONDS) + 20


# --- processes, the store, Slack ------------------------------------------------------------------------------


@pytest.fixture
def bots(double: SlackDouble, tmp_path: Path) -> Iterator[Bots]:
    double.clock = time.time  # the processes run on the real clock; so does Slack
    team_channel(double, (ALICE, BOB, CAROL, LEADER, GROUP_LEADER))
    running = Bots(double, tmp_path)
    yield running
    running.close()


def kill(process: ServeProcess) -> None:
    """The machine goes down: SIGKILL (no clean-up of any kind) to `serve` and its worker process, whichever of
    them was in the middle of something."""
    workers = process.workers()
    assert workers, "serve started no worker process"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    process.proc.kill()
    process.proc.wait(timeout=10)
    assert process.proc.returncode == -9


def open_and_submit(slack: SlackDriver, double: SlackDouble, problem: str) -> str:
    """`/kaizen problem`, then the modal submitted; returns the command's response_url."""
    form, response_url = open_raise_form(slack, double, problem)
    reply = slack.submit_view(form, {"problem": problem}, user_id=ALICE)
    assert reply.status == 200 and reply.body in (b"", b"{}"), reply.text
    return response_url


def age_dead_claims(bots: Bots, *models: type[InboxEvent] | type[OutboxMessage] | type[HuddlePost]) -> None:
    """Stand in for waiting out a killed process's leases on the real clock: its claims on the rows of `models` not
    yet done are made to have run out a second ago. Nothing else in the rows is touched."""
    with bots.db.write() as session:
        for model in models:
            unfinished = model.posted_at.is_(None) if model is HuddlePost else model.done_at.is_(None)
            session.execute(
                update(model)
                .where(unfinished, model.claim.is_not(None))
                .values(claim_until=datetime.now(UTC) - timedelta(seconds=1))
            )


def raise_with_card(bots: Bots, slack: SlackDriver, problem: str) -> Idea:
    def posted() -> Idea | None:
        return next((idea for idea in bots.rows(Idea, Idea.problem == problem) if card_is_up(idea)), None)

    open_and_submit(slack, bots.double, problem)
    return bots.wait(posted, 20, f"the card of {problem!r}")


# --- killed while raising -------------------------------------------------------------------------------------


def test_cards_cut_off_by_sigkill_are_found_or_posted_once_after_restart(bots: Bots, double: SlackDouble):
    """Two ideas committed, neither card confirmed when the process dies: #1's post was refused with a 500
    (Slack has nothing), #2's post was in flight (Slack takes it 5 s later, after the kill). The restarted
    process's sweep, once the dead claims' 60 s leases run out, posts #1 and finds #2: one card each."""
    first = bots.start()
    slack = bots.driver(first)
    with bots.explained():
        double.fail_http("chat.postMessage", 500, times=1)
        response_url = open_and_submit(slack, double, "Refused: the commode is never cleaned")
        [told] = double.wait_for_response(response_url, timeout=10)
        assert "#1 is saved" in told["text"], told

        double.delay("chat.postMessage", 5, times=1)
        before = len(double.calls("chat.postMessage"))
        open_and_submit(slack, double, "In flight: the bed alarms are too quiet")
        double.wait_for("chat.postMessage", count=before + 1, timeout=10)  # Slack has the post, not yet answered
    kill(first)

    bots.wait(lambda: card_numbers(double) == [2], 10, "Slack taking the in-flight card after all")
    with bots.explained():
        ideas = bots.rows(Idea)
        assert [(i.number, i.card_ts) for i in ideas] == [(1, None), (2, None)], "committed, cards not recorded"
        assert all(m.done_at is None and m.claim for m in bots.rows(OutboxMessage)), "both left claimed"
    age_dead_claims(bots, OutboxMessage)

    second = bots.start()
    bots.wait(lambda: all(i.card_ts for i in bots.rows(Idea)), OUTBOX_TAKEOVER, "both cards recorded after restart")
    with bots.explained():
        assert card_numbers(double) == [1, 2], "one card each: #2 found, not posted again"
        by_number = {int(CARD_TEXT.match(m["text"]).group(1)): m["ts"] for m in cards(double)}  # type: ignore[union-attr]
        assert {i.number: i.card_ts for i in bots.rows(Idea)} == by_number
        assert posts(double, lambda a: str(a.get("text", "")).startswith("Kaizen #2:")) == 1
        assert posts(double, lambda a: str(a.get("text", "")).startswith("Kaizen #1:")) == 2  # the 500, then once
        assert all(m.done_at and m.sent_ts for m in bots.rows(OutboxMessage))
    assert second.terminate() == 0, second.stderr()


# --- killed while approving -----------------------------------------------------------------------------------


def test_an_approval_killed_right_after_its_200_is_applied_once_by_the_restarted_inbox(bots: Bots, double: SlackDouble):
    """The event is committed and answered 200; the process dies while applying it (asking Slack who is in the
    leader group). The restarted process's inbox sweep applies it once the dead claim's lease has run out."""
    double.set_usergroup(GROUP, [GROUP_LEADER])
    first = bots.start(KAIZEN_LEADER_GROUP=GROUP)
    slack = bots.driver(first)
    idea = raise_with_card(bots, slack, "Blood glucose meters are not calibrated")
    assert idea.card_ts is not None
    with bots.explained():
        assert double.calls("usergroups.users.list") == [], "nothing has asked who leads yet"
        double.delay("usergroups.users.list", 8, times=1)
        reply = slack.reaction_added(
            APPROVE, user_id=GROUP_LEADER, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id="EvKILLED000001"
        )
        assert reply.status == 200
        double.wait_for("usergroups.users.list", timeout=10)  # applying it, mid-way
    kill(first)

    with bots.explained():
        [row] = bots.rows(InboxEvent)
        assert (row.event_id, row.done_at) == ("EvKILLED000001", None), "committed before the 200, not applied"
        assert bots.rows(Idea)[0].status == "new"
    # The restarted process's reconciler would also find the emoji on the card; Slack failing its first look
    # keeps it out of the way for five minutes, so that what is tested here is the inbox.
    double.fail("reactions.get", "internal_error", times=1)
    age_dead_claims(bots, InboxEvent, OutboxMessage)
    second = bots.start(KAIZEN_LEADER_GROUP=GROUP)

    bots.wait(lambda: bots.rows(Idea)[0].status == "approved", INBOX_TAKEOVER, "the approval applied after restart")
    bots.wait(
        lambda: all(m.done_at for m in bots.rows(OutboxMessage)) and replies(double, idea.card_ts or ""),
        OUTBOX_TAKEOVER,
        "the thanks posted",
    )
    # Applying the event ends after what it owes people (the thanks, the card, the author's Home tab).
    bots.wait(lambda: bots.rows(InboxEvent)[0].done_at is not None, OUTBOX_TAKEOVER, "the event marked applied")
    with bots.explained():
        [approval] = bots.rows(IdeaEvent, IdeaEvent.to_status == "approved")
        assert (approval.actor_id, approval.slack_event_id) == (GROUP_LEADER, "EvKILLED000001")
        [thanks] = replies(double, idea.card_ts)
        assert f"<@{ALICE}>" in thanks["text"]
        [row] = bots.rows(InboxEvent)
        assert row.done_at is not None and row.attempts == 2
    assert second.terminate() == 0, second.stderr()


def test_an_approval_whose_thanks_was_in_flight_at_sigkill_is_thanked_once(bots: Bots, double: SlackDouble):
    """The approval is committed with its thanks queued; the process dies while the thanks is being posted
    (Slack takes it 5 s later). After restart the thanks is found in the thread, not posted again, and the
    event, applied again, changes nothing."""
    first = bots.start(KAIZEN_LEADERS=LEADER)
    slack = bots.driver(first)
    idea = raise_with_card(bots, slack, "Drug round interrupted by the phone")
    assert idea.card_ts is not None
    with bots.explained():
        double.delay("chat.postMessage", 5, times=1)
        before = len(double.calls("chat.postMessage"))
        reply = slack.reaction_added(
            APPROVE, user_id=LEADER, channel_id=TEAM_CHANNEL, ts=idea.card_ts, event_id="EvKILLED000002"
        )
        assert reply.status == 200
        double.wait_for("chat.postMessage", count=before + 1, timeout=10)  # the thanks, in flight
    kill(first)

    bots.wait(lambda: replies(double, idea.card_ts or ""), 10, "Slack taking the in-flight thanks after all")
    with bots.explained():
        assert bots.rows(Idea)[0].status == "approved"
        [thanks_row] = [m for m in bots.rows(OutboxMessage) if m.dedupe_key.endswith(":thanks")]
        assert thanks_row.done_at is None and thanks_row.sent_ts is None
    age_dead_claims(bots, InboxEvent, OutboxMessage)
    second = bots.start(KAIZEN_LEADERS=LEADER)

    def settled() -> bool:
        return all(m.done_at for m in bots.rows(OutboxMessage)) and all(e.done_at for e in bots.rows(InboxEvent))

    bots.wait(settled, max(OUTBOX_TAKEOVER, INBOX_TAKEOVER), "the thanks and the event settled after restart")
    with bots.explained():
        [thanks] = replies(double, idea.card_ts)
        [thanks_row] = [m for m in bots.rows(OutboxMessage) if m.dedupe_key.endswith(":thanks")]
        assert thanks_row.sent_ts == thanks["ts"], "found in the thread and recorded"
        assert posts(double, lambda a: bool(a.get("thread_ts"))) == 1, "not posted again"
        assert len(bots.rows(IdeaEvent, IdeaEvent.to_status == "approved")) == 1
    assert second.terminate() == 0, second.stderr()


# --- killed while posting a huddle ----------------------------------------------------------------------------


def set_huddle_now(bots: Bots, slack: SlackDriver) -> str:
    """`/kaizen huddle at HH:MM daily UTC` for the current minute: already due, well inside its grace window."""
    slot = datetime.now(UTC).strftime("%H:%M")
    reply, response_url = slack.command(f"huddle at {slot} daily UTC", user_id=LEADER)
    assert reply.status == 200, reply.text
    [answer] = bots.double.wait_for_response(response_url, timeout=10)
    assert slot in answer["text"], answer
    return slot


def test_a_huddle_post_cut_off_by_sigkill_is_found_not_posted_again_after_restart(bots: Bots, double: SlackDouble):
    first = bots.start(KAIZEN_LEADERS=LEADER)
    slack = bots.driver(first)
    # The huddle post only: the schedule's confirmation ("Daily huddle set: …") is posted by the serving process
    # while the worker may already be posting the huddle, in either order.
    double.delay("chat.postMessage", 5, times=1, matching=is_huddle_post)
    with bots.explained():
        set_huddle_now(bots, slack)
        bots.wait(lambda: posts(double, is_huddle_post), HUDDLE_TICK_SECONDS + 15, "the huddle post in flight")
    kill(first)

    bots.wait(lambda: huddles(double), 10, "Slack taking the in-flight huddle after all")
    with bots.explained():
        [row] = bots.rows(HuddlePost)
        assert row.posted_at is None and row.claim is not None, "claimed, the post not recorded"
    age_dead_claims(bots, HuddlePost)
    second = bots.start(KAIZEN_LEADERS=LEADER)

    bots.wait(lambda: bots.rows(HuddlePost)[0].posted_at, HUDDLE_TICK_SECONDS + 20, "the slot recorded after restart")
    with bots.explained():
        [huddle] = huddles(double)
        [row] = bots.rows(HuddlePost)
        assert row.message_ts == huddle["ts"], "the post Slack took is the one recorded"
        assert posts(double, is_huddle_post) == 1, "not posted again"
        assert double.calls("conversations.history"), "the takeover looked in the channel first"
    assert second.terminate() == 0, second.stderr()


def seed_ideas_waiting_for_days(bots: Bots) -> list[Idea]:
    """Two ideas raised three and four days ago (the project's own raise_idea on a clock set back): past
    KAIZEN_NUDGE_DAYS, so in the leaders' digest. Their cards are posted by the first process's sweep."""
    db = bots.db
    migrate.upgrade(db)
    raised = []
    for days, problem in ((4, "Oldest idea still waiting"), (3, "Next oldest idea still waiting")):
        clock = SettableClock(datetime.now(UTC) - timedelta(days=days))
        new = NewIdea(workspace_id=WORKSPACE, channel_id=TEAM_CHANNEL, channel_name="ward-7", author_id=ALICE,
                      problem=problem)  # fmt: skip
        raised.append(raise_idea(db, clock, new).idea)
    return raised


def test_a_huddle_posted_just_before_sigkill_still_brings_the_leaders_digest_after_restart(
    bots: Bots, double: SlackDouble
):
    """The huddle is posted and recorded; the process dies while the digest is being put together (it fetches
    the waiting cards' links). After restart the slot is done, so nothing else will bring the digest: it must
    have been kept with the huddle, or be picked up again."""
    waiting = seed_ideas_waiting_for_days(bots)
    first = bots.start(KAIZEN_LEADERS=LEADER)
    slack = bots.driver(first)
    bots.wait(lambda: all(i.card_ts for i in bots.rows(Idea)), OUTBOX_SWEEP_SECONDS + 15, "the seeded cards posted")
    # The huddle's lines link the cards: one call (the other links are made from its address).
    double.answer_normally("chat.getPermalink", times=1)
    double.delay("chat.getPermalink", 10, times=1)
    with bots.explained():
        set_huddle_now(bots, slack)
        # the digest's links, after the post and the chart
        double.wait_for("chat.getPermalink", count=2, timeout=HUDDLE_TICK_SECONDS + 40)
    kill(first)
    recorded_by = time.monotonic()  # the huddle was recorded before this

    with bots.explained():
        [huddle] = huddles(double)
        [row] = bots.rows(HuddlePost)
        assert row.posted_at is not None and row.message_ts == huddle["ts"], "the huddle was posted and recorded"
    second = bots.start(KAIZEN_LEADERS=LEADER)

    def digest() -> list[dict]:
        return [m for m in double.messages(LEADER) if "waited more than" in (m.get("text") or "")]

    # A digest kept with the huddle would be due FIRST_SWEEP_DELAY after it was recorded, and go at the next sweep;
    # one picked up again by the restarted process goes when the dead follow-up's lease has run out, at a tick.
    deadline = (
        recorded_by
        + max(
            outbox_module.FIRST_SWEEP_DELAY.total_seconds() + OUTBOX_SWEEP_SECONDS,
            huddles_module.FOLLOW_UP_LEASE.total_seconds() + HUDDLE_TICK_SECONDS,
        )
        + 10
    )
    while not digest() and time.monotonic() < deadline:
        time.sleep(0.5)
    with bots.explained():
        got = digest()
        assert len(got) == 1, (
            f"{LEADER} got {len(got)} digest(s) after the restart: the huddle was recorded as posted before the "
            f"digest was queued, so the kill lost it (digests queued: "
            f"{[m.dedupe_key for m in bots.rows(OutboxMessage) if m.dedupe_key.startswith('digest:')]})"
        )
        assert all(f"#{idea.number}" in got[0]["text"] for idea in waiting)
        assert len(huddles(double)) == 1
    assert second.terminate() == 0, second.stderr()


# --- two processes on one SQLite file -------------------------------------------------------------------------


def test_two_processes_hammering_one_sqlite_file_lose_nothing_and_never_answer_5xx(bots: Bots, double: SlackDouble):
    """Many ideas submitted at once, half to each process, while both run their sweeps; then many support
    reactions delivered at once. "database is locked" must never surface: no lost idea, no 5xx, no error."""
    count = 60
    processes = [bots.start(), bots.start()]
    drivers = [bots.driver(p) for p in processes]
    forms = []
    with bots.explained():
        for n in range(count):
            slack = drivers[n % 2]
            before = len(double.calls("views.open"))
            reply, _ = slack.command(f"Hammered problem number {n}", user_id=ALICE)
            assert reply.status == 200, reply.text
            double.opened_view(before + 1, timeout=10)
            forms.append((slack, double.last_view(), f"Hammered problem number {n}"))

    def submit(form: tuple[SlackDriver, dict, str]) -> tuple[int, bytes]:
        slack, view, problem = form
        reply = slack.submit_view(view, {"problem": problem}, user_id=ALICE)
        return reply.status, reply.body

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(submit, forms))
    with bots.explained():
        assert [status for status, _ in answers] == [200] * count, answers
        assert all(body in (b"", b"{}") for _, body in answers), [b for _, b in answers if b not in (b"", b"{}")]
        ideas = bots.rows(Idea)
        assert sorted(i.problem for i in ideas) == sorted(problem for _, _, problem in forms)
        assert sorted(i.number for i in ideas) == list(range(1, count + 1))

    bots.wait(lambda: len(cards(double)) >= count, 30, "every card posted")
    bots.wait(lambda: all(i.card_ts for i in bots.rows(Idea)), 30, "every card recorded")

    def support(idea: Idea, n: int) -> int:
        assert idea.card_ts is not None
        user = (BOB, CAROL)[n % 2]
        slack = drivers[n % 2]  # each driver numbers its event ids from 1: give them ids of their own
        return slack.reaction_added("+1", user_id=user, channel_id=TEAM_CHANNEL, ts=idea.card_ts,
                                    event_id=f"EvHAMMER{n:06d}").status  # fmt: skip

    ideas = bots.rows(Idea)
    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(support, ideas, range(len(ideas))))
    with bots.explained():
        assert statuses == [200] * count, statuses
    bots.wait(lambda: len(bots.rows(Supporter)) == count, 30, "every support counted")
    bots.wait(lambda: all(e.done_at for e in bots.rows(InboxEvent)), 30, "every event applied")
    with bots.explained():
        assert card_numbers(double) == list(range(1, count + 1)), "each card once"
        logs = bots.logs()
        assert "database is locked" not in logs and "Traceback" not in logs
    for process in processes:
        assert process.terminate() == 0, process.stderr()


# --- no database at all ---------------------------------------------------------------------------------------


def test_serve_with_a_database_that_is_down_exits_promptly_with_one_clear_line(double: SlackDouble, tmp_path: Path):
    password = "not-the-real-password"
    env = bot_env(double, tmp_path) | {"DATABASE_URL": f"postgresql://kaizen:{password}@127.0.0.1:1/kaizen"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    took = time.monotonic() - started
    shown = f"exit {result.returncode} after {took:.1f}s\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode > 0, shown
    assert took < 20, shown
    assert "serving on" not in result.stdout, shown
    assert "Traceback" not in result.stderr, shown
    assert password not in result.stdout + result.stderr, shown
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {len(lines)}: {json.dumps(lines, indent=1)}\n{shown}"
    assert "DATABASE_URL" in lines[0], shown
