"""Slack refusing a post for good, through the HTTP path with the scheduler on the settable clock: the person is
told what will happen (never "I'll keep trying"), nothing that cannot succeed is tried again, and a channel that
takes no posts (archived, deleted, Kaizen removed) pauses its team: its leaders are told once, no huddles and no
channel posts until Kaizen is back (it is invited back, the channel is unarchived, or a huddle asked for there
goes up), and then what waited goes up, each once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import SettableClock
from bot.huddles.pauses import PAUSE_CHECK
from doubles.slack import SlackDouble
from storage.models import HuddlePost, Idea, OutboxMessage, Team
from tests import flows
from tests.conftest import ALICE, BOB, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import EARLY, FAST, JUST_AFTER, LEAD, LEAD2, SLOT, WAIT, is_huddle_post, posts_of, wait_for_idea
from tests.flows_faults import Bot as FaultsBot

# LEAD and LEAD2 lead every team (KAIZEN_LEADERS): both are told of a pause.
GRACE = timedelta(hours=2)
PAUSE_NOTICE = "can't post for one of your teams"
KEEP_TRYING = "keep trying"
MEMBERS = [ALICE, BOB, LEAD, LEAD2, "UBOT"]


# --- the bot and what people do --------------------------------------------------------------------------------


@dataclass
class Bot(FaultsBot):
    """The bot of tests/flows_faults.py (reading the store and Slack, letting the scheduler's jobs run), and what
    this file adds."""

    # reading the store

    def team(self) -> Team:
        [team] = self.rows(Team, Team.channel_id == TEAM_CHANNEL)
        return team

    def card_row(self, number: int) -> OutboxMessage:
        [row] = self.rows(OutboxMessage, OutboxMessage.dedupe_key == f"card:{self.idea(number).id}")
        return row

    # reading Slack

    def card_posts(self, number: int) -> int:
        """chat.postMessage calls (refused ones too) that tried to post idea `number`'s card."""
        return posts_of(
            self.double,
            lambda args: str(args.get("text") or "").startswith(f"Kaizen #{number}:") and not args.get("thread_ts"),
        )

    def huddle_posts(self) -> int:
        return posts_of(self.double, is_huddle_post)

    def pause_notices(self, user: str) -> list[str]:
        return [str(m.get("text")) for m in self.double.messages(user) if PAUSE_NOTICE in str(m.get("text") or "")]

    # doing

    def submit(self, problem: str, user_id: str = ALICE) -> str:
        """Raise an idea with /kaizen and the modal; returns the command's response URL (where the person is told
        when its card does not go up)."""
        view, response_url = self.open_modal(problem, user_id)
        super().submit(view, problem, user_id)
        return response_url

    def raise_idea(self, problem: str) -> Idea:
        """Raised, and returned once its card is up."""
        self.submit(problem)
        return wait_for_idea(self.running, problem, until=lambda idea: idea.card_ts)

    def told(self, response_url: str) -> str:
        [answer] = self.double.wait_for_response(response_url, timeout=WAIT)
        assert answer.get("response_type") == "ephemeral", answer
        return str(answer["text"])

    def command(self, text: str, user_id: str = LEAD) -> str:
        reply, response_url = self.slack.command(text, user_id=user_id)
        assert reply.status == 200, reply.text
        [answer] = self.double.wait_for_response(response_url, timeout=WAIT)
        return json_text(answer)

    def event(self, event: dict[str, Any]) -> None:
        assert self.slack.event(event).status == 200

    def invite_back(self) -> None:
        """Kaizen is invited back: Slack sends member_joined_channel for Kaizen itself."""
        mend_channel(self.double)
        self.event({"type": "member_joined_channel", "user": "UBOT", "channel": TEAM_CHANNEL, "channel_type": "C",
                    "team": WORKSPACE})  # fmt: skip

    def unarchive(self) -> None:
        mend_channel(self.double)
        self.event({"type": "channel_unarchive", "channel": TEAM_CHANNEL, "user": LEAD})

    def let_time_pass(self, *steps: timedelta) -> None:
        """Move the clock on in steps, letting every job run at each (past every back-off and lease)."""
        for step in steps:
            self.clock.advance(step)
            self.let_everything_run()


def start(bot_factory: Any, double: SlackDouble, clock: SettableClock, *, at: datetime | None = EARLY) -> Bot:
    """The bot with its scheduler (fast jobs on real time, the settable clock for what is due), LEAD and LEAD2
    leading every team. `at=None` starts another bot on the same database without moving the clock."""
    if at is not None:
        clock.set(at)
        for user in (LEAD, LEAD2):
            if double.user(user) is None:
                double.add_user(user, user.lower())
        mend_channel(double)
    running: RunningBot = bot_factory(scheduler=True, sweep_seconds=0.2, schedule=FAST, kaizen_leaders=(LEAD, LEAD2))
    return Bot(running, flows.driver(running, double), double, clock)


def json_text(answer: dict) -> str:
    return str(answer.get("text") or "") + str(answer.get("blocks") or "")


def mend_channel(double: SlackDouble) -> None:
    double.add_channel(TEAM_CHANNEL, "ward-7", members=MEMBERS)


def break_channel(double: SlackDouble, error: str) -> None:
    """The team channel stops taking posts the way `error` says: archived or Kaizen removed (the double answers so
    from then on); for the answers the double does not give itself, the next post is refused with `error` and the
    channel looks as Slack would show it to conversations.info (archived; private without Kaizen, for a channel
    Slack cannot find)."""
    archived = error in ("is_archived", "channel_is_archived")
    double.add_channel(TEAM_CHANNEL, "ward-7", members=MEMBERS, is_archived=archived, is_member=archived,
                       is_private=error == "channel_not_found")  # fmt: skip
    if error not in ("is_archived", "not_in_channel"):
        double.fail("chat.postMessage", error, times=1)


# --- the example: an archived channel ----------------------------------------------------------------------


def test_a_card_for_an_archived_channel_says_what_will_happen_and_is_not_tried_again(bot_factory, double, clock):
    bot = start(bot_factory, double, clock)
    bot.raise_idea("Sharps bins are full by lunchtime")  # the team exists: the next form goes straight to posting
    break_channel(double, "is_archived")
    response_url = bot.submit("Drug fridge temperature not logged at weekends")

    told = bot.told(response_url)
    assert KEEP_TRYING not in told, told
    assert "#2 is saved" in told and "archived" in told, told
    assert "kept" in told and "/kaizen mine" in told, "where the idea can be seen"
    assert "will be posted there once Kaizen is back" in told, "what will happen to the card"
    assert "unarchive the channel" in told and "/invite @Kaizen" in told, "what a leader can do"
    kept = bot.idea(2)
    assert (kept.status, kept.card_ts) == ("new", None)
    assert (bot.team().paused_reason, bot.team().paused_at is not None) == ("is_archived", True)

    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=20), timedelta(hours=3))
    assert bot.card_posts(2) == 1, "Slack said the channel is archived: nothing to try again"
    row = bot.card_row(2)
    assert row.done_at is None and row.sent_ts is None, "the card waits for the channel, neither sent nor given up"
    for leader in (LEAD, LEAD2):
        [notice] = bot.pause_notices(leader)
        assert "archived" in notice and "unarchive" in notice and "Nothing is lost" in notice, notice


# --- channels that take no posts: the team pauses, and carries on when Kaizen is back -------------------------------

GONE = {
    "is_archived": ("archived", "unarchive the channel"),
    "channel_is_archived": ("archived", "unarchive the channel"),
    "not_in_channel": ("isn't a member", "/invite @Kaizen"),
    "channel_not_found": ("couldn't find", "/invite @Kaizen"),
}


@pytest.mark.parametrize("error", sorted(GONE))
def test_a_channel_that_takes_no_posts_pauses_the_team_tells_its_leaders_once_and_resumes_when_kaizen_is_back(
    bot_factory, double, clock, error: str
):
    bot = start(bot_factory, double, clock)
    bot.raise_idea("Sharps bins are full by lunchtime")
    break_channel(double, error)
    first = bot.submit("Drug fridge temperature not logged at weekends")
    why, fix = GONE[error]
    told = bot.told(first)
    assert KEEP_TRYING not in told and "#2 is saved" in told and why in told and fix in told, told
    assert bot.team().paused_reason == error

    # While paused: a second idea is kept and not even tried; the person is told the same way.
    second = bot.submit("Hoist slings are never where they should be")
    told = bot.told(second)
    assert KEEP_TRYING not in told and "#3 is saved" in told and why in told, told
    bot.let_time_pass(timedelta(minutes=2), timedelta(minutes=30), timedelta(hours=4))
    assert (bot.card_posts(2), bot.card_posts(3)) == (1, 0), "nothing tried again while the channel takes no posts"
    for leader in (LEAD, LEAD2):
        [notice] = bot.pause_notices(leader)
        assert why in notice and fix in notice, notice

    if error in ("is_archived", "channel_is_archived"):
        bot.unarchive()
    else:
        bot.invite_back()
    eventually(lambda: bot.card_numbers() == [1, 2, 3], timeout=WAIT)
    bot.let_time_pass(timedelta(minutes=2))
    assert bot.team().paused_at is None and bot.team().paused_reason is None
    assert (bot.card_posts(2), bot.card_posts(3)) == (2, 1), "each waiting card posted once when Kaizen is back"
    assert [bot.idea(n).card_ts is not None for n in (2, 3)] == [True, True]
    assert all(len(bot.pause_notices(leader)) == 1 for leader in (LEAD, LEAD2)), "told once"
    bot.raise_idea("Linen skips block the fire door")  # and the team carries on as before
    assert bot.card_numbers() == [1, 2, 3, 4]


def test_leaders_are_told_once_per_pause_with_two_bots_on_one_database(bot_factory, double, clock):
    one, two = start(bot_factory, double, clock), start(bot_factory, double, clock, at=None)
    one.raise_idea("Sharps bins are full by lunchtime")
    break_channel(double, "is_archived")
    told = [one.told(one.submit("Drug fridge not logged at weekends")), two.told(two.submit("Hoist slings missing"))]
    assert all(KEEP_TRYING not in text and "archived" in text for text in told), told
    for bot in (one, two):
        bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=10))
    assert [len(one.pause_notices(leader)) for leader in (LEAD, LEAD2)] == [1, 1], "each leader told once"

    # Back, then archived again: a new pause, told once more.
    one.unarchive()
    eventually(lambda: one.card_numbers() == [1, 2, 3], timeout=WAIT)
    eventually(lambda: one.team().paused_at is None)
    break_channel(double, "is_archived")
    one.told(two.submit("Call bells in bay 3 are too quiet"))
    for bot in (one, two):
        bot.let_time_pass(timedelta(minutes=1))
    assert [len(one.pause_notices(leader)) for leader in (LEAD, LEAD2)] == [2, 2]


# --- huddles of a paused team ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("back_after", [timedelta(minutes=10), GRACE + timedelta(minutes=30)], ids=["in-grace", "late"])
def test_a_paused_team_has_no_huddles_and_a_slot_still_in_its_grace_posts_once_kaizen_is_back(
    bot_factory, double, clock, back_after: timedelta
):
    bot = start(bot_factory, double, clock)
    assert bot.command("huddle at 08:30 mon-fri Europe/London").startswith("Huddles at")
    bot.raise_idea("Sharps bins are full by lunchtime")
    break_channel(double, "not_in_channel")
    bot.told(bot.submit("Drug fridge temperature not logged at weekends"))

    bot.clock.set(JUST_AFTER)
    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=5))
    assert bot.huddle_posts() == 0 and bot.rows(HuddlePost) == [], "not due while paused: no post, no claim"

    bot.clock.set(SLOT + back_after)
    bot.invite_back()
    eventually(lambda: bot.card_numbers() == [1, 2], timeout=WAIT)
    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=1))
    if back_after < GRACE:
        [huddle] = bot.huddles()
        [row] = bot.rows(HuddlePost)
        assert (row.local_date, row.slot, row.message_ts) == (SLOT.date(), 0, huddle["ts"])
    else:
        assert bot.huddles() == [] and bot.rows(HuddlePost) == [], "past its grace window the slot is skipped"
        bot.clock.set(JUST_AFTER + timedelta(days=1))
        bot.let_everything_run()
        eventually(lambda: len(bot.huddles()) == 1, timeout=WAIT)
        [row] = bot.rows(HuddlePost)
        assert row.local_date == (SLOT + timedelta(days=1)).date() and row.posted_at is not None
    bot.let_time_pass(timedelta(minutes=5))
    assert bot.huddle_posts() == 1, "one huddle, posted once"


def test_a_huddle_refused_because_the_channel_was_archived_pauses_the_team_and_posts_once_it_is_unarchived(
    bot_factory, double, clock
):
    bot = start(bot_factory, double, clock)
    assert bot.command("huddle at 08:30 mon-fri Europe/London").startswith("Huddles at")
    break_channel(double, "is_archived")
    bot.clock.set(JUST_AFTER)
    eventually(lambda: bot.huddle_posts() == 1, timeout=WAIT)
    eventually(lambda: bot.team().paused_reason == "is_archived")
    eventually(lambda: [len(bot.pause_notices(leader)) for leader in (LEAD, LEAD2)] == [1, 1], timeout=WAIT)
    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=5))
    assert bot.huddle_posts() == 1, "not tried again while paused"
    [row] = bot.rows(HuddlePost)
    assert row.posted_at is None and row.error == "is_archived", "the slot is kept, not used up"

    bot.clock.set(JUST_AFTER + timedelta(minutes=20))
    bot.unarchive()
    eventually(lambda: len(bot.huddles()) == 1, timeout=WAIT)
    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=5))
    [huddle] = bot.huddles()
    [row] = bot.rows(HuddlePost)
    assert row.message_ts == huddle["ts"] and bot.huddle_posts() == 2
    assert double.calls("conversations.history"), "the slot was tried before: it looked for its post first"


def test_a_pause_whose_ending_event_was_missed_ends_when_kaizen_finds_itself_back(bot_factory, double, clock):
    """Kaizen was invited back while no event reached it: the paused team's channel is looked at every
    PAUSE_CHECK; while it still takes no posts the team stays paused, once Kaizen is back in it the team carries on."""
    bot = start(bot_factory, double, clock)
    bot.raise_idea("Sharps bins are full by lunchtime")
    break_channel(double, "not_in_channel")
    bot.told(bot.submit("Drug fridge temperature not logged at weekends"))
    bot.let_time_pass(PAUSE_CHECK + timedelta(minutes=1))
    assert double.calls("conversations.info"), "looked at"
    assert bot.card_posts(2) == 1 and bot.team().paused_reason == "not_in_channel", "still out: still paused"

    mend_channel(double)  # invited back, but Slack's member_joined_channel never arrived
    bot.clock.advance(PAUSE_CHECK + timedelta(minutes=1))
    eventually(lambda: bot.card_numbers() == [1, 2], timeout=WAIT)
    eventually(lambda: bot.team().paused_at is None)
    bot.let_time_pass(timedelta(minutes=2))
    assert bot.card_posts(2) == 2


def test_a_huddle_asked_for_in_the_channel_ends_a_pause_whose_event_was_missed(bot_factory, double, clock):
    """Kaizen was invited back while no event reached it: `/kaizen huddle` there goes up, so it carries on."""
    bot = start(bot_factory, double, clock)
    bot.raise_idea("Sharps bins are full by lunchtime")
    break_channel(double, "not_in_channel")
    bot.told(bot.submit("Drug fridge temperature not logged at weekends"))
    mend_channel(double)  # invited back, but Slack's member_joined_channel never arrived
    bot.let_time_pass(timedelta(minutes=10))
    assert bot.card_posts(2) == 1 and bot.team().paused_reason == "not_in_channel"

    reply, _ = bot.slack.command("huddle", user_id=BOB)
    assert reply.status == 200
    eventually(lambda: len(bot.huddles()) == 1 and bot.card_numbers() == [1, 2], timeout=WAIT)
    assert bot.team().paused_at is None
    bot.let_time_pass(timedelta(minutes=2))
    assert bot.card_posts(2) == 2


# --- a message Slack will never take, or a post Kaizen may not make ---------------------------------------------

MESSAGE_REFUSED = ["msg_too_long", "invalid_blocks", "invalid_arguments", "too_many_attachments", "invalid_attachments"]


@pytest.mark.parametrize("error", MESSAGE_REFUSED)
def test_a_card_slack_will_never_take_is_given_up_at_once_the_idea_kept_and_the_team_not_paused(
    bot_factory, double, clock, caplog: pytest.LogCaptureFixture, error: str
):
    caplog.set_level(logging.WARNING)
    bot = start(bot_factory, double, clock)
    double.fail("chat.postMessage", error, times=1)
    response_url = bot.submit("Drug fridge temperature not logged at weekends")

    told = bot.told(response_url)
    assert KEEP_TRYING not in told and "#1 is saved" in told and error in told, told
    assert "won't try to post the card again" in told, "what will happen"
    assert "/kaizen list" in told and "huddles" in told and "/kaizen show 1" in told, "where it shows, what to do"
    eventually(lambda: bot.card_row(1).done_at is not None)
    row = bot.card_row(1)
    assert (row.sent_ts, row.error) == (None, f"refused:{error}")
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and error in r.getMessage()]
    assert logged and logged[0].exc_info is not None, [r.getMessage() for r in caplog.records]

    bot.let_time_pass(timedelta(minutes=1), timedelta(minutes=30), timedelta(hours=3))
    assert bot.card_posts(1) == 1, "not tried again"
    assert bot.team().paused_at is None, "one message refused: the channel is fine"
    assert "#1" in bot.command("list", user_id=ALICE), "the idea is kept and listed"
    bot.raise_idea("Hoist slings are never where they should be")
    assert bot.card_numbers() == [2]


REFUSED_POSTING = {
    "restricted_action": "apps may post in that channel",
    "no_permission": "apps may post in that channel",
    "ekm_access_denied": "apps may post in that channel",
    "account_inactive": "reinstall Kaizen",
    "team_access_not_granted": "reinstall Kaizen",
    "missing_scope": "reinstall Kaizen",
}


@pytest.mark.parametrize("error", sorted(REFUSED_POSTING))
def test_a_post_kaizen_is_not_allowed_to_make_is_given_up_and_says_who_can_change_that(
    bot_factory, double, clock, error: str
):
    bot = start(bot_factory, double, clock)
    double.fail("chat.postMessage", error, times=1)
    told = bot.told(bot.submit("Drug fridge temperature not logged at weekends"))
    assert KEEP_TRYING not in told and "#1 is saved" in told and error in told, told
    assert "won't try" in told and "/kaizen list" in told and REFUSED_POSTING[error] in told, told
    eventually(lambda: bot.card_row(1).done_at is not None)
    bot.let_time_pass(timedelta(minutes=1), timedelta(hours=3))
    assert bot.card_posts(1) == 1 and bot.team().paused_at is None


@pytest.mark.parametrize("error", ["internal_error", "ratelimited", "something_slack_added_later"])
def test_a_passing_refusal_is_still_told_as_temporary_and_tried_again(bot_factory, double, clock, error: str):
    bot = start(bot_factory, double, clock)
    double.fail("chat.postMessage", error, times=1)
    told = bot.told(bot.submit("Drug fridge temperature not logged at weekends"))
    assert "#1 is saved" in told and "I'll keep trying" in told, told
    bot.clock.advance(timedelta(minutes=2))  # past the back-off
    eventually(lambda: bot.card_numbers() == [1], timeout=WAIT)
    assert bot.card_posts(1) == 2 and bot.team().paused_at is None
