"""Slack failing, then recovering, against the bot served over HTTP with its scheduler on the settable clock:
rate limits under a burst, 5xx answers (with and without the post having happened: `fail_http(take_effect=...)`,
which is also what a timed-out post looks like), a channel Slack will not post in, and a huddle whose leaders'
digest fails half-way. Whatever Slack does, nothing is lost and nothing is posted twice."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bot.slack.clients import RATE_LIMIT_RETRIES, SlackClients
from doubles.slack import SlackDouble
from storage.models import HuddlePost, Idea, IdeaEvent, InboxEvent, OutboxMessage, Team
from tests.conftest import ALICE, BOB, BOT_TOKEN, TEAM_CHANNEL, eventually
from tests.flows import (
    EARLY,
    GROUP,
    GROUP_LEAD,
    JUST_AFTER,
    LEAD,
    SLOT,
    WAIT,
    is_card_post,
    is_huddle_post,
    posts_of,
    shown,
)
from tests.flows_faults import Bot
from tests.flows_faults import start_bot as start

# --- rate limits ----------------------------------------------------------------------------------------------


def test_twenty_ideas_at_once_under_429s_each_get_one_card(bot_factory, double, clock):
    """A burst of submissions while chat.postMessage answers 429 (Retry-After: 1) to the first 30 calls: every
    idea is committed, every card posted once after waiting as Slack asked."""
    bot = start(bot_factory, double, clock)
    problems = [f"Burst problem number {n}" for n in range(20)]
    forms = [(bot.open_modal(problem), problem) for problem in problems]
    double.rate_limit("chat.postMessage", retry_after=1, times=30)

    def submit(form: tuple[tuple[dict, str], str]) -> tuple[int, bytes]:
        (view, _), problem = form
        reply = bot.slack.submit_view(view, {"problem": problem})
        return reply.status, reply.body

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(submit, forms))
    assert all(status == 200 and body in (b"", b"{}") for status, body in answers), answers
    assert sorted(i.problem for i in bot.rows(Idea)) == sorted(problems), "every idea committed before its ack"
    assert sorted(i.number for i in bot.rows(Idea)) == list(range(1, 21))

    def tried() -> bool:  # every card posted, or given back to the sweep after the client's last retry
        cards = bot.outbox("", kind="card")
        return len(cards) == 20 and all(m.claim is None for m in cards)

    eventually(tried, timeout=40)
    bot.clock.advance(timedelta(minutes=5))  # past any back-off: whatever the client gave up on is swept now
    eventually(lambda: all(m.done_at for m in bot.outbox("", kind="card")), timeout=WAIT)
    bot.let_everything_run()
    assert bot.card_numbers() == list(range(1, 21)), "each card once, none lost"
    assert len(double.calls("chat.postMessage")) == 20 + 30, "30 answered 429, then each card once"
    by_ts = {m["ts"]: m for m in bot.cards()}
    for idea in bot.rows(Idea):
        assert idea.card_ts in by_ts and by_ts[idea.card_ts]["text"].startswith(f"Kaizen #{idea.number}:")
    # 30 refusals over 20 posts is at most two each, well inside the client's Retry-After waits: nobody needs to
    # hear about a delay.
    assert [double.responses(response_url) for (_, response_url), _ in forms] == [[]] * 20


def test_a_card_rate_limited_for_longer_than_the_client_waits_is_kept_and_posted_once(bot_factory, double, clock):
    bot = start(bot_factory, double, clock)
    double.rate_limit("chat.postMessage", retry_after=1, times=RATE_LIMIT_RETRIES + 1)
    view, response_url = bot.open_modal("Hoist slings are never where they should be")
    bot.submit(view, "Hoist slings are never where they should be")

    [told] = double.wait_for_response(response_url, timeout=30)
    assert "#1 is saved" in told["text"] and told.get("response_type") == "ephemeral", told
    assert len(double.calls("chat.postMessage")) == RATE_LIMIT_RETRIES + 1, "Retry-After honoured, then given up"
    assert bot.cards() == [] and bot.idea(1).card_ts is None
    bot.clock.advance(timedelta(minutes=2))  # past the outbox back-off
    eventually(lambda: bot.idea(1).card_ts, timeout=WAIT)
    bot.let_everything_run()
    [card] = bot.cards()
    assert bot.idea(1).card_ts == card["ts"]


def test_posts_told_to_wait_by_429s_all_wait_out_retry_after_and_post_once(double):
    """Three posts at once, each answered 429 (Retry-After: 1) first: all wait as Slack asked, then each posts once,
    and a method Slack did not limit is not held up by the others' pause."""
    clients = SlackClients(double.api_url)
    double.rate_limit("chat.postMessage", retry_after=1, times=3)
    started = time.monotonic()

    def post(n: int) -> float:
        clients.web(BOT_TOKEN).chat_postMessage(channel=TEAM_CHANNEL, text=f"Paced post {n}")
        return time.monotonic() - started

    with ThreadPoolExecutor(max_workers=3) as pool:
        posting = [pool.submit(post, n) for n in range(3)]
        eventually(lambda: clients.pauses.waiting(BOT_TOKEN, "chat.postMessage") == 3)  # all three wait
        clients.web(BOT_TOKEN).auth_test()
        auth_done = time.monotonic() - started
        waited = [future.result(timeout=WAIT) for future in posting]
    assert all(seconds >= 1.0 for seconds in waited), waited
    assert auth_done < min(waited), "another method went on while chat.postMessage waited"
    texts = sorted(m["text"] for m in double.messages(TEAM_CHANNEL) if m["text"].startswith("Paced post"))
    assert texts == ["Paced post 0", "Paced post 1", "Paced post 2"]
    assert len(double.calls("chat.postMessage")) == 6, "three 429s, then each post once"


# --- 5xx: Slack may or may not have taken the post --------------------------------------------------------------


@pytest.mark.parametrize("took_effect", [False, True], ids=["not-posted", "posted-answer-lost"])
def test_a_card_post_answered_with_a_5xx_ends_up_posted_once(bot_factory, double, clock, took_effect: bool):
    bot = start(bot_factory, double, clock)
    double.fail_http("chat.postMessage", 500, times=1, take_effect=took_effect)
    view, response_url = bot.open_modal("Blood gas analyser out of cartridges")
    bot.submit(view, "Blood gas analyser out of cartridges")

    [told] = double.wait_for_response(response_url)
    assert "#1 is saved" in told["text"] and told.get("response_type") == "ephemeral", told
    assert len(bot.cards()) == (1 if took_effect else 0)
    assert bot.idea(1).card_ts is None, "the answer was lost: nothing recorded yet"
    bot.let_job_run("outbox-sweep")
    assert posts_of(double, is_card_post) == 1, "no second post while the claim's lease runs"

    bot.clock.advance(timedelta(minutes=2))  # past the 60 s lease: the sweep looks in the channel, then posts
    eventually(lambda: bot.idea(1).card_ts, timeout=WAIT)
    bot.let_everything_run()
    [card] = bot.cards()
    assert bot.idea(1).card_ts == card["ts"]
    assert posts_of(double, is_card_post) == (1 if took_effect else 2)
    assert double.calls("conversations.history"), "the sweep looked for the post before posting again"


@pytest.mark.parametrize("took_effect", [False, True], ids=["not-posted", "posted-answer-lost"])
def test_an_approval_thanks_answered_with_a_5xx_ends_up_posted_once(bot_factory, double, clock, took_effect: bool):
    bot = start(bot_factory, double, clock)
    idea = bot.raise_idea("Call bells in bay 3 are too quiet")
    before = len(double.calls("chat.postMessage"))
    double.fail_http("chat.postMessage", 503, times=1, take_effect=took_effect)

    assert bot.approve(idea, event_id="EvTHANKS5XX") == 200
    eventually(lambda: bot.idea(1).status == "approved" and len(double.calls("chat.postMessage")) > before)
    bot.let_job_run("outbox-sweep")
    assert len(bot.replies(idea)) == (1 if took_effect else 0)
    thanks_row = bot.one_outbox(":thanks")
    assert thanks_row is not None and thanks_row.done_at is None and thanks_row.sent_ts is None

    bot.clock.advance(timedelta(minutes=2))  # past the lease: the sweep looks in the thread, then posts
    eventually(lambda: (row := bot.one_outbox(":thanks")) and row.done_at, timeout=WAIT)
    bot.let_everything_run()
    [thanks] = bot.replies(idea)
    assert f"<@{ALICE}>" in shown(thanks) and "Approved" in shown(thanks)
    assert bot.one_outbox(":thanks").sent_ts == thanks["ts"]  # type: ignore[union-attr]
    if took_effect:
        assert double.calls("conversations.replies"), "the sweep looked in the thread"
    approvals = bot.rows(IdeaEvent, IdeaEvent.idea_id == idea.id, IdeaEvent.to_status == "approved")
    assert len(approvals) == 1


@pytest.mark.parametrize("took_effect", [False, True], ids=["not-posted", "posted-answer-lost"])
def test_a_huddle_answered_with_a_5xx_ends_up_posted_once(bot_factory, double, clock, took_effect: bool):
    bot = start(bot_factory, double, clock, at=EARLY)
    bot.set_huddle()
    double.fail_http("chat.postMessage", 502, times=1, take_effect=took_effect)
    bot.clock.set(JUST_AFTER)
    eventually(lambda: posts_of(double, is_huddle_post) == 1)
    bot.let_job_run("huddle-tick")
    assert len(bot.huddles()) == (1 if took_effect else 0)
    row = bot.slot_row()
    assert row is not None and row.posted_at is None
    assert posts_of(double, is_huddle_post) == 1, "no second try while the slot's claim runs"

    bot.clock.set(JUST_AFTER + timedelta(minutes=3))  # the 2-minute lease has run out, still inside the grace
    eventually(lambda: (row := bot.slot_row()) and row.posted_at, timeout=WAIT)
    bot.let_everything_run()
    [huddle] = bot.huddles()
    [row] = bot.rows(HuddlePost)
    assert row.message_ts == huddle["ts"]
    assert posts_of(double, is_huddle_post) == (1 if took_effect else 2)


# --- a channel Slack will not post in -----------------------------------------------------------------------------


REASONS = {
    "channel_not_found": "couldn't find",
    "not_in_channel": "/invite @Kaizen",
    "is_archived": "archived",
}


def break_channel(double: SlackDouble, error: str) -> None:
    members = [ALICE, BOB, LEAD, GROUP_LEAD, "UBOT"]
    if error == "not_in_channel":
        double.add_channel(TEAM_CHANNEL, "ward-7", members=members, is_member=False)  # Kaizen was removed
    elif error == "is_archived":
        double.add_channel(TEAM_CHANNEL, "ward-7", members=members, is_archived=True)
    else:
        double.fail("chat.postMessage", "channel_not_found", times=2)  # this try and the sweep's next one


def mend_channel(double: SlackDouble) -> None:
    double.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, LEAD, GROUP_LEAD, "UBOT"])


def kaizen_is_back(bot: Bot) -> None:
    """Slack tells the bot it is in the channel again (invited back, or the channel unarchived)."""
    joined = {"type": "member_joined_channel", "user": "UBOT", "channel": TEAM_CHANNEL, "channel_type": "C"}
    assert bot.slack.event(joined).status == 200


@pytest.mark.parametrize("error", sorted(REASONS))
def test_a_card_slack_will_not_post_keeps_the_idea_tells_the_person_why_and_goes_up_once_later(
    bot_factory, double, clock, error: str
):
    bot = start(bot_factory, double, clock)
    bot.raise_idea("The first idea of this team")  # the team exists: the next form goes straight to posting
    break_channel(double, error)
    view, response_url = bot.open_modal("Drug fridge temperature not logged at weekends")
    bot.submit(view, "Drug fridge temperature not logged at weekends")

    [told] = double.wait_for_response(response_url)
    assert told.get("response_type") == "ephemeral", told
    assert "#2 is saved" in told["text"] and REASONS[error] in told["text"], told["text"]
    kept = bot.idea(2)
    assert (kept.status, kept.problem, kept.card_ts) == ("new", "Drug fridge temperature not logged at weekends", None)

    # Slack said the channel takes no posts: the team waits for it, and the card is not tried again meanwhile.
    bot.clock.advance(timedelta(minutes=5))
    bot.let_everything_run()
    assert (row := bot.one_outbox("card:2")) is not None and row.attempts == 1 and row.done_at is None
    assert bot.card_numbers() == [1] and bot.idea(2).card_ts is None

    mend_channel(double)
    kaizen_is_back(bot)
    eventually(lambda: bot.idea(2).card_ts, timeout=WAIT)
    bot.let_everything_run()
    assert bot.card_numbers() == [1, 2]
    assert bot.idea(2).card_ts == next(c["ts"] for c in bot.cards() if c["text"].startswith("Kaizen #2:"))
    assert len(double.responses(response_url)) == 1, "told once"


@pytest.mark.parametrize("error", sorted(REASONS))
def test_a_card_update_slack_refuses_for_the_channel_pauses_the_team_and_catches_up_when_kaizen_is_back(
    bot_factory, double, clock, error: str
):
    bot = start(bot_factory, double, clock)
    idea = bot.raise_idea("Drug fridge temperature not logged at weekends")
    double.fail("chat.update", error, times=1)  # the channel went since the card was posted
    assert bot.approve(idea) == 200
    eventually(lambda: bot.rows(Team)[0].paused_reason == error, timeout=WAIT)
    tried = len(double.calls("chat.update"))

    # Paused: the card is not tried again at every sweep meanwhile.
    bot.clock.advance(timedelta(minutes=5))
    bot.let_everything_run()
    assert len(double.calls("chat.update")) == tried
    assert bot.idea(1).card_synced_version < bot.idea(1).card_version

    kaizen_is_back(bot)
    eventually(lambda: bot.idea(1).card_synced_version == bot.idea(1).card_version, timeout=WAIT)
    [card] = bot.cards()
    assert card["text"].endswith("— approved, not started"), card["text"]


@pytest.mark.parametrize("error", sorted(REASONS))
def test_a_huddle_slack_will_not_post_is_logged_and_posted_once_when_the_channel_recovers_in_its_grace(
    bot_factory, double, clock, caplog: pytest.LogCaptureFixture, error: str
):
    caplog.set_level(logging.WARNING)
    bot = start(bot_factory, double, clock, at=EARLY)
    bot.set_huddle()
    double.fail("chat.postMessage", error, times=2)
    bot.clock.set(JUST_AFTER)

    eventually(lambda: posts_of(double, is_huddle_post) == 1)
    eventually(lambda: (row := bot.slot_row()) and row.error == error)
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING and error in r.getMessage()]
    assert logged and TEAM_CHANNEL in logged[0].getMessage(), [r.getMessage() for r in caplog.records]
    assert bot.huddles() == []

    # Slack said the channel takes no posts: the team waits for it, and the slot is not tried again meanwhile.
    bot.clock.set(JUST_AFTER + timedelta(minutes=1))
    bot.let_everything_run()
    assert posts_of(double, is_huddle_post) == 1 and bot.huddles() == []

    bot.clock.set(JUST_AFTER + timedelta(minutes=2))  # the channel is back, well inside the 2-hour grace
    kaizen_is_back(bot)
    eventually(lambda: (row := bot.slot_row()) and row.posted_at, timeout=WAIT)
    bot.let_everything_run()
    bot.clock.set(SLOT + timedelta(minutes=30))
    bot.let_everything_run()
    [huddle] = bot.huddles()
    [row] = bot.rows(HuddlePost)
    assert row.message_ts == huddle["ts"] and row.local_date == SLOT.date()
    assert posts_of(double, is_huddle_post) == 2


# --- a huddle interrupted half-way --------------------------------------------------------------------------------


def ideas_waiting_for_days(bot: Bot) -> list[Idea]:
    """Two ideas raised three and four days before the slot: past KAIZEN_NUDGE_DAYS, so in the digest."""
    raised = []
    for days, problem in ((4, "Oldest idea still waiting"), (3, "Next oldest idea still waiting")):
        bot.clock.set(SLOT - timedelta(days=days))
        raised.append(bot.raise_idea(problem))
    bot.clock.set(EARLY)
    return raised


def test_a_huddle_posted_but_whose_digest_dm_failed_sends_the_digest_later_once(bot_factory, double, clock):
    bot = start(bot_factory, double, clock, at=EARLY)
    waiting = ideas_waiting_for_days(bot)
    bot.set_huddle()
    double.delay("chat.postMessage", 0, times=1)  # the huddle goes through...
    double.fail_http("chat.postMessage", 500, times=1)  # ...the next post, the leader's digest DM, does not
    bot.clock.set(JUST_AFTER)

    digest_key = f":{LEAD}:2026-11-25"
    eventually(lambda: bot.huddles() and (row := bot.one_outbox(digest_key)) and row.attempts == 1, timeout=WAIT)
    bot.let_everything_run()
    assert bot.digests(LEAD) == [], "Slack answered 500 and did not take it"
    row = bot.one_outbox(digest_key)
    assert row is not None and row.done_at is None

    bot.clock.set(JUST_AFTER + timedelta(minutes=2))  # past the DM's lease: the sweep sends it
    eventually(lambda: bot.digests(LEAD), timeout=WAIT)
    bot.let_everything_run()
    bot.clock.set(SLOT + timedelta(minutes=30))
    bot.let_everything_run()
    [digest] = bot.digests(LEAD)
    assert all(f"#{idea.number}" in digest["text"] for idea in waiting), digest["text"]
    assert len(bot.huddles()) == 1


def test_a_huddle_posted_but_whose_digest_hit_a_passing_slack_fault_still_sends_the_digest_later(
    bot_factory, double, clock
):
    """The digest goes to every leader, including the members of KAIZEN_LEADER_GROUP, read from Slack when the
    first huddle of the day is posted. If that read fails once (a 500), the digest must still follow later: the
    huddle is posted, so nothing else will ever bring it."""
    double.set_usergroup(GROUP, [GROUP_LEAD])
    bot = start(bot_factory, double, clock, at=EARLY, kaizen_leaders=(), kaizen_leader_group=GROUP)
    waiting = ideas_waiting_for_days(bot)
    bot.set_huddle(user_id=GROUP_LEAD)
    double.fail_http("usergroups.users.list", 500, times=1)  # the group's members are cached 5 min: read again now
    bot.clock.set(JUST_AFTER)

    eventually(lambda: bot.huddles(), timeout=WAIT)
    eventually(lambda: (row := bot.slot_row()) and row.posted_at)
    eventually(lambda: len(double.calls("usergroups.users.list")) >= 2)  # the read for the digest: a 500
    for later in (timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30)):
        bot.clock.set(JUST_AFTER + later)  # inside the slot's grace window, past any back-off and lease
        bot.let_everything_run()
    assert len(bot.huddles()) == 1
    got = bot.digests(GROUP_LEAD)
    queued = [m.dedupe_key for m in bot.rows(OutboxMessage) if m.dedupe_key.startswith("digest:")]
    assert len(got) == 1, (
        f"the huddle was posted at 08:31 but {GROUP_LEAD} got {len(got)} digest(s) by 09:01: the one Slack error "
        f"while reading the leader group lost the digest for good (digests queued: {queued})"
    )
    assert all(f"#{idea.number}" in got[0]["text"] for idea in waiting)


# --- the inbox is untouched by Slack's faults -----------------------------------------------------------------------


def test_an_approval_whose_thanks_slack_refused_is_kept_and_its_event_applied_once(bot_factory, double, clock):
    """Slack refusing the thanks (a 500) is the outbox's business: the event is applied once, not retried."""
    bot = start(bot_factory, double, clock)
    idea = bot.raise_idea("Linen skips block the fire door")
    double.fail_http("chat.postMessage", 500, times=1)
    assert bot.approve(idea, event_id="EvAPPLYONCE") == 200
    eventually(lambda: bot.rows(InboxEvent)[0].done_at)
    [event] = bot.rows(InboxEvent)
    assert (event.attempts, event.error) == (1, None)
    bot.clock.advance(timedelta(minutes=2))
    eventually(lambda: bot.replies(bot.idea(1)), timeout=WAIT)
    bot.let_everything_run()
    assert len(bot.replies(bot.idea(1))) == 1
    [approval] = bot.rows(IdeaEvent, IdeaEvent.idea_id == idea.id, IdeaEvent.to_status == "approved")
    assert approval.slack_event_id == "EvAPPLYONCE"
