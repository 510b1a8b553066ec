"""The huddle tick fans out: many teams' huddles due at once go through a bounded pool of threads, several posts in
flight, while Slack's rate limit (HTTP 429 + Retry-After) is shared by every post of the workspace. Each huddle
is posted once, however often Slack says wait; a call made while Slack asked to wait waits too, and calls go
again in the order they were first made; one team failing leaves the others alone; no thread outlives the tick.

Against the Slack double on loopback and a real database (SQLite, or PostgreSQL with KAIZEN_TEST_POSTGRES); the
clock is settable. Nothing here measures time: `bench fanout` does."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import SettableClock
from bot.composition import Kaizen, compose
from bot.huddles.daily import METADATA_TYPE, Huddles
from bot.slack.clients import RateLimitPauses, SlackClients
from doubles.slack import SlackDouble
from storage import queries
from storage.models import HuddlePost, Team
from tests.conftest import BOT_TOKEN, TEAM_CHANNEL, WORKSPACE, eventually, make_settings

WEDNESDAY_0830 = datetime(2026, 11, 25, 8, 30, 20, tzinfo=UTC)  # 20 s after the teams' 08:30 slot
MONDAY = date(2026, 11, 23)
POST = "chat.postMessage"
WAIT = 30.0


@pytest.fixture
def kaizen(double: SlackDouble, clock: SettableClock, database_url: str) -> Iterator[Kaizen]:
    """The bot without a server or scheduler: tests call the tick themselves."""
    clock.set(WEDNESDAY_0830)
    running = compose(make_settings(double, database_url), clock=clock)
    yield running
    running.close()


def add_teams(
    kaizen: Kaizen, double: SlackDouble, count: int, *, times: tuple[str, ...] = ("08:30",), prefix: str = "C_FAN",
    in_slack: bool = True, first_of_week: bool = False,
) -> list[str]:  # fmt: skip
    """`count` teams (channels C_FAN00, C_FAN01, …) with a huddle at `times` every day in UTC, each with a huddle
    posted on Monday (so Wednesday's is not the first of the week, which would bring the weekly chart) unless
    `first_of_week`; their channels are in Slack unless `in_slack` is false (deleted since)."""
    channels = [f"{prefix}{n:02d}" for n in range(count)]
    now = kaizen.clock.now()
    with kaizen.db.write() as session:
        for channel in channels:
            if in_slack:
                double.add_channel(channel, channel.lower(), members=[double.bot_user_id])
            team = queries.ensure_team(session, WORKSPACE, channel, channel.lower(), now)
            team.huddle_times, team.huddle_days, team.timezone = list(times), list(range(7)), "UTC"
            session.flush()
            if first_of_week:
                continue
            at = datetime.combine(MONDAY, datetime.min.time(), tzinfo=UTC).replace(hour=8, minute=30)
            session.add(HuddlePost(team_id=team.id, local_date=MONDAY, slot=0, scheduled_for=at,
                                   message_ts="1795000000.000100", posted_at=at, followed_up_at=at))  # fmt: skip
    return channels


def huddles_in(double: SlackDouble, channel: str) -> list[dict[str, Any]]:
    return [m for m in double.messages(channel) if (m.get("metadata") or {}).get("event_type") == METADATA_TYPE]


def posted_today(kaizen: Kaizen) -> dict[str, int]:
    """Per channel, how many of today's huddle slots the store holds as posted."""
    with kaizen.db.read() as session:
        rows = session.execute(
            select(Team.channel_id, HuddlePost.message_ts)
            .join(Team, Team.id == HuddlePost.team_id)
            .where(HuddlePost.local_date == WEDNESDAY_0830.date(), HuddlePost.posted_at.is_not(None))
        ).all()
    counts: dict[str, int] = {}
    for channel, _ts in rows:
        counts[channel] = counts.get(channel, 0) + 1
    return counts


def fanout_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("huddle-fanout")]


def huddles_of(kaizen: Kaizen, threads: int) -> Huddles:
    """The bot's huddles with a pool of `threads` (the composition root uses the default)."""
    k = kaizen
    return Huddles(k.db, k.clock, k.settings, k.gateway, k.outbox, k.leaders, k.emojis, k.stats, k.languages,
                   fanout_threads=threads)  # fmt: skip


# --- the tick -------------------------------------------------------------------------------------------------


def test_every_due_huddle_is_posted_once_with_several_in_flight_under_429s(kaizen: Kaizen, double: SlackDouble) -> None:
    """Twelve teams due at once, four posts in flight, and Slack answering 429 (Retry-After: 1) to the first ten
    posts: every huddle is posted once, by this tick, and no thread of the pool is left."""
    channels = add_teams(kaizen, double, 12)
    double.rate_limit(POST, retry_after=1, times=10)

    assert huddles_of(kaizen, threads=4).tick() == 12
    assert fanout_threads() == [], "the pool is gone when the tick returns"
    assert {channel: len(huddles_in(double, channel)) for channel in channels} == dict.fromkeys(channels, 1)
    assert posted_today(kaizen) == dict.fromkeys(channels, 1)
    assert len(double.calls(POST)) == 12 + 10, "ten 429s, then each huddle once"
    assert kaizen.huddles.tick() == 0, "nothing is due twice"


def test_posts_to_several_channels_are_in_flight_at_once_and_no_more_than_the_pool(
    kaizen: Kaizen, double: SlackDouble
) -> None:
    """Slack answers the first four posts late: while it holds them, four posts are in flight (none has taken
    effect yet) and the pool of four starts no fifth."""
    channels = add_teams(kaizen, double, 8)
    double.delay(POST, 3.0, times=4)

    with ThreadPoolExecutor(max_workers=1) as runner:
        tick = runner.submit(huddles_of(kaizen, threads=4).tick)
        eventually(lambda: len(double.calls(POST)) == 4, timeout=WAIT)
        assert not any(huddles_in(double, channel) for channel in channels), "all four still held by Slack"
        assert len(double.calls(POST)) == 4, "no fifth post while four are in flight"
        assert tick.result(timeout=WAIT) == 8
    assert posted_today(kaizen) == dict.fromkeys(channels, 1)
    assert fanout_threads() == []


def test_a_tick_with_the_default_pool_posts_every_team_once(kaizen: Kaizen, double: SlackDouble) -> None:
    channels = add_teams(kaizen, double, 40)
    double.rate_limit(POST, retry_after=1, times=45)

    assert kaizen.huddles.tick() == 40
    assert fanout_threads() == []
    assert posted_today(kaizen) == dict.fromkeys(channels, 1)
    assert all(len(huddles_in(double, channel)) == 1 for channel in channels)


def test_no_huddle_waits_for_another_teams_weekly_chart(kaizen: Kaizen, double: SlackDouble) -> None:
    """Each team's first huddle of the week brings the weekly chart in its thread. Drawing a thousand charts takes
    minutes, so the posts never wait for one: here each chart's upload hangs for 2 s, and all six huddles are up
    before the first chart is in; then each team's chart goes into its huddle's thread."""
    channels = add_teams(kaizen, double, 6, first_of_week=True)
    double.delay("files.getUploadURLExternal", 2.0, times=6)

    assert huddles_of(kaizen, threads=2).tick() == 6

    methods = [call.method for call in double.calls()]
    first_chart = methods.index("files.completeUploadExternal")
    assert methods[:first_chart].count(POST) == 6, "all six huddles before the first chart"
    uploads = double.uploaded_files()
    assert sorted(upload["channel_id"] for upload in uploads) == sorted(channels), "then each team's chart"
    assert all(upload["thread_ts"] == huddles_in(double, upload["channel_id"])[0]["ts"] for upload in uploads)
    assert fanout_threads() == [] and not [t for t in threading.enumerate() if t.name.startswith("huddle-follow")]


def test_the_posting_threads_are_gone_before_the_charts_are_drawn(kaizen: Kaizen, double: SlackDouble) -> None:
    """Once every huddle of the tick is up, its posting pool ends before the weekly charts are drawn: idle posting
    threads are not kept (with their memory) through minutes of drawing. Watched from outside while each chart's
    upload hangs for half a second."""
    channels = add_teams(kaizen, double, 6, first_of_week=True)
    double.delay("files.getUploadURLExternal", 0.5, times=6)
    seen: list[int] = []  # posting threads alive at each look taken after the first chart went to Slack
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.01):
            if double.calls("files.getUploadURLExternal"):
                seen.append(len(fanout_threads()))

    watcher = threading.Thread(target=watch, name="test-watcher")
    watcher.start()
    try:
        assert huddles_of(kaizen, threads=3).tick() == 6
    finally:
        done.set()
        watcher.join()

    assert len(seen) > 10, "the watcher looked while the charts were going up"
    assert set(seen) == {0}, "no posting thread alive while charts are drawn and uploaded"
    assert sorted(upload["channel_id"] for upload in double.uploaded_files()) == sorted(channels)


def test_a_failing_team_does_not_stop_the_others_and_is_logged_with_its_traceback(
    kaizen: Kaizen, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    """One team's stored schedule cannot be read (the tick raises for it), another's channel was deleted (Slack
    says channel_not_found: the team is paused): the six others are posted, each once."""
    channels = add_teams(kaizen, double, 6)
    [broken] = add_teams(kaizen, double, 1, prefix="C_BROKEN")
    [gone] = add_teams(kaizen, double, 1, prefix="C_GONE", in_slack=False)
    with kaizen.db.write() as session:
        team = queries.team_of_channel(session, broken)
        assert team is not None
        team.huddle_times = ["half past eight"]

    with caplog.at_level(logging.WARNING, logger="bot.huddles"):
        posted = huddles_of(kaizen, threads=3).tick()

    assert posted == 6
    assert posted_today(kaizen) == dict.fromkeys(channels, 1)
    assert all(len(huddles_in(double, channel)) == 1 for channel in channels)
    [failure] = [r for r in caplog.records if "Huddle tick failed" in r.getMessage()]
    assert broken in failure.getMessage() and failure.exc_info is not None, "logged with its traceback"
    with kaizen.db.read() as session:
        paused = queries.team_of_channel(session, gone)
        assert paused is not None and paused.paused_reason == "channel_not_found"
    assert fanout_threads() == []


def test_nothing_due_posts_nothing_and_leaves_no_thread(kaizen: Kaizen, double: SlackDouble) -> None:
    add_teams(kaizen, double, 5, times=("14:00",))
    assert kaizen.huddles.tick() == 0
    assert double.calls(POST) == []
    assert fanout_threads() == []


# --- the shared pause -----------------------------------------------------------------------------------------


def test_a_post_made_while_slack_asked_to_wait_does_not_go_until_the_pause_is_over(double: SlackDouble) -> None:
    """Slack answers the first post 429 (Retry-After: 2). A post made meanwhile, from another client of the same
    token, does not go to Slack while the pause lasts (Slack would refuse it, and a 429 to it would make the pause
    longer); when the pause is over both go, and each posts once."""
    clients = SlackClients(double.api_url)
    double.rate_limit(POST, retry_after=2, times=1)

    def post(text: str) -> Callable[[], object]:
        return lambda: clients.web(BOT_TOKEN).chat_postMessage(channel=TEAM_CHANNEL, text=text)

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(post("told to wait"))
        eventually(lambda: clients.pauses.waiting(BOT_TOKEN, POST) == 1, timeout=WAIT)
        second = pool.submit(post("made meanwhile"))
        eventually(lambda: clients.pauses.waiting(BOT_TOKEN, POST) == 2, timeout=WAIT)
        assert len(double.calls(POST)) == 1, "the post made during the pause did not go to Slack"
        first.result(timeout=WAIT)
        second.result(timeout=WAIT)
    assert sorted(c.args["text"] for c in double.calls(POST)) == ["made meanwhile", "told to wait", "told to wait"]
    assert sorted(m["text"] for m in double.messages(TEAM_CHANNEL)) == ["made meanwhile", "told to wait"]


def test_calls_go_again_in_the_order_they_were_first_made_a_refused_one_before_later_ones() -> None:
    """S is refused (429, Retry-After: 1); R is made during that pause. When it ends both go again in turn, S
    first, and Slack refuses both again. C is made between those two refusals. At the end of the new pause R goes
    before C, because R was first made before C: a call refused again does not lose its turn to later calls."""
    pauses = RateLimitPauses(step=0.5)  # turns far apart, so that C comes between S's and R's refusals
    order: list[str] = []
    lock = threading.Lock()

    def note(what: str) -> None:
        with lock:
            order.append(what)

    def call(name: str, refusals: int) -> Callable[[], None]:
        """A call whose first `refusals` attempts Slack answers 429 (Retry-After: 1); notes each attempt."""

        def run() -> None:
            pauses.before_call(BOT_TOKEN, POST)
            note(f"{name} 1")
            for attempt in range(2, refusals + 2):
                pauses.wait(BOT_TOKEN, POST, 1.0)
                note(f"{name} {attempt}")

        return run

    def noted(what: str) -> bool:
        with lock:
            return what in order

    with ThreadPoolExecutor(max_workers=3) as pool:
        calls = [pool.submit(call("S", 2))]
        eventually(lambda: pauses.waiting(BOT_TOKEN, POST) == 1, timeout=WAIT)
        calls.append(pool.submit(call("R", 1)))  # made during the first pause: waits
        eventually(lambda: pauses.waiting(BOT_TOKEN, POST) == 2, timeout=WAIT)
        eventually(lambda: noted("S 2"), timeout=WAIT)  # the pause is over: S went again…
        eventually(lambda: pauses.waiting(BOT_TOKEN, POST) == 2, timeout=WAIT)  # …and was refused again
        assert order == ["S 1", "S 2"], "R goes half a second after S"
        calls.append(pool.submit(call("C", 0)))
        for future in calls:
            future.result(timeout=WAIT)
    assert order == ["S 1", "S 2", "R 1", "S 3", "R 2", "C 1"]
    assert pauses.waiting(BOT_TOKEN, POST) == 0


def test_a_stopping_worker_starts_no_more_teams_and_leaves_their_huddles_due(
    kaizen: Kaizen, double: SlackDouble
) -> None:
    """`Huddles.stop` (the worker process stopping) while a tick runs: teams not started yet are left alone, their
    slots unclaimed, so the next worker posts them; nothing is posted twice."""
    channels = add_teams(kaizen, double, 8)
    stopping = huddles_of(kaizen, threads=1)
    double.delay(POST, 0.5, times=1)  # the first team's post is slow: stop arrives while it is in flight
    ticking = threading.Thread(target=stopping.tick)
    ticking.start()
    eventually(lambda: len(double.calls(POST)) >= 1, timeout=WAIT)
    stopping.stop()
    ticking.join(WAIT)
    assert not ticking.is_alive()
    first = sum(posted_today(kaizen).values())
    assert 1 <= first < len(channels), "the team under way finished, the rest were left"
    assert kaizen.huddles.tick() == len(channels) - first  # the next worker posts the rest
    assert posted_today(kaizen) == dict.fromkeys(channels, 1)
