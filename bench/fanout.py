"""Huddle fan-out: 1,000 teams due the same minute, posted by one `Huddles.tick()` (what the scheduler's
huddle-tick job runs) against a Slack double that enforces chat.postMessage's limits with HTTP 429 + Retry-After.

The limits (bench/doubles.py): 1 message per second per channel, as Slack documents; and a workspace-wide
limit of WORKSPACE_RATE messages in any one second. Slack does not publish its workspace-wide number (its docs say
only that one exists; integrators report a few hundred to a thousand or so posts a minute). 20/s (1,200/min) is
chosen because (a) it is below what the bot does unlimited (measured first, on a sample), so the limit binds and
the benchmark measures how the bot copes with it rather than its own speed, and (b) the limit's minimum for
1,000 posts is then under a minute, which keeps the whole benchmark within a few minutes. The figure judged is the
fan-out's total time over the limit's minimum: at most N posts in any second means 1,000 posts need at least
(ceil(1000 / N) - 1) seconds. Slack's Retry-After is whole seconds, counted from the refused post, so a client
that honours it cannot reach the minimum exactly: each second of posting costs the time from the window's first
post to the last one refused. The target, 1.15x the minimum, is issue 16's.

The store: each team has a few ideas (some in progress, so the huddle shows owners' names, fetched with
users.info) and posted huddles on Monday and Tuesday; the tick runs on a Wednesday, so no team's huddle is its
first of the week (that one also renders and uploads the weekly chart) and teams have no leaders (so no digests
are sent): the fan-out is the huddle posts alone. The bot runs in this process, the double in another.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.common import BOT_TOKEN, SIGNING_SECRET, VERDICT_COLUMNS, Child, Table, huddles_posted, temp_dir, verdict
from bench.doubles import DoubleConfig, double_main
from bench.seed import Plan, Seeded, seed
from bot.clock import SettableClock
from bot.composition import Kaizen, compose
from bot.huddles.daily import FANOUT_THREADS
from bot.settings import Settings
from storage import migrate
from storage.db import Database

NOW = datetime(2026, 11, 25, 8, 30, 20, tzinfo=UTC)  # a Wednesday, 20 s after the teams' 08:30 huddle
EARLIER = (date(2026, 11, 23), date(2026, 11, 24))
WORKSPACE_RATE = 20  # posts per second, workspace-wide
CHANNEL_INTERVAL = 1.0  # seconds between posts in one channel
RATIO_TARGET = 1.15  # issue 16


def _store(path: Path, teams: int, prefix: str) -> tuple[str, Seeded]:
    url = f"sqlite:///{path}"
    db = Database(url)
    migrate.upgrade(db)
    plan = Plan(
        teams=teams, ideas=5 * teams, now=NOW, days=60, users_per_team=5, channel_prefix=prefix,
        huddle_times=("08:30",), huddle_days=tuple(range(7)), timezone="UTC", earlier_huddles=EARLIER,
    )  # fmt: skip
    seeded = seed(db, plan)
    db.dispose()
    return url, seeded


def _kaizen(url: str, api_url: str) -> Kaizen:
    settings = Settings(
        _env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,  # type: ignore[call-arg]
        slack_api_url=api_url, database_url=url,
    )  # fmt: skip
    return compose(settings, clock=SettableClock(NOW), upgrade_db=False)


def run(quick: bool = False) -> list[Table]:
    teams = 200 if quick else 1_000
    sample = 50 if quick else 100
    table = Table(
        f"fanout: {teams:,} teams' huddles due at 08:30, one tick; Slack double: 1 post/s per channel, "
        f"{WORKSPACE_RATE} posts/s workspace-wide (429 + Retry-After)",
        VERDICT_COLUMNS,
    )
    with temp_dir("kaizen-bench-fanout-") as tmp:
        sample_url, sample_seeded = _store(tmp / "sample.db", sample, "S")
        url, seeded = _store(tmp / "fanout.db", teams, "C")
        channels = [(c, f"team-{i}") for i, c in enumerate([*sample_seeded.channels, *seeded.channels], start=1)]
        config = DoubleConfig(channels=channels, users=[*sample_seeded.users, *seeded.users],
                              log_path=str(tmp / "double.log"))  # fmt: skip
        double = Child(double_main, config, name="slack-double")
        try:
            # The bot's own pace, with no limits: the limit must be slower than this to bind.
            kaizen = _kaizen(sample_url, double.info["api_url"])
            started = time.perf_counter()
            sample_posted = kaizen.huddles.tick()
            own_rate = sample_posted / (time.perf_counter() - started)
            kaizen.close()

            double.call("set_limits", WORKSPACE_RATE, CHANNEL_INTERVAL)
            before = double.call("stats")["outcomes"]
            kaizen = _kaizen(url, double.info["api_url"])
            started = time.perf_counter()
            posted = kaizen.huddles.tick()
            total = time.perf_counter() - started
            again = kaizen.huddles.tick()
            kaizen.close()
            stats = double.call("stats")
            per_channel = double.call("huddles_per_channel", seeded.channels)
        finally:
            double.stop()
        stored = huddles_posted(tmp / "fanout.db", NOW.date().isoformat(), slot=0)

    outcomes = stats["outcomes"]
    refused = outcomes.get("chat.postMessage 429", 0) - before.get("chat.postMessage 429", 0)
    once = sum(1 for n in per_channel.values() if n == 1)
    twice = sum(1 for n in per_channel.values() if n > 1)
    missing = sum(1 for n in per_channel.values() if n == 0)
    minimum = math.ceil(teams / WORKSPACE_RATE) - 1
    ratio = total / minimum if minimum else math.nan
    table.add("bot's own pace, no limits", f"{own_rate:.0f} posts/s ({sample} teams)",
              f"> {WORKSPACE_RATE}/s (limit binds)", verdict(own_rate > WORKSPACE_RATE))  # fmt: skip
    table.add("huddles posted by the tick", f"{posted:,} of {teams:,}", "all", verdict(posted == teams))
    table.add("posted once, per the store", f"{stored:,}", f"{teams:,}", verdict(stored == teams))
    table.add(
        "channels with exactly one huddle", f"{once:,} ({twice} twice or more, {missing} none)",
        f"{teams:,}", verdict(once == teams),
    )  # fmt: skip
    table.add("posts by a second tick right after", again, 0, verdict(again == 0))
    limited = stats["limited"]
    table.add(
        "429 answers to chat.postMessage", f"{refused:,} (workspace {limited.get('workspace', 0):,}, "
        f"channel {limited.get('channel', 0):,})", "info", "-",
    )  # fmt: skip
    table.add("total time of the fan-out", f"{total:.1f} s", "info", "-")
    table.add("the limit's minimum", f"{minimum} s", "info", "-")
    table.add("total / minimum", f"{ratio:.2f}x", f"<= {RATIO_TARGET}x", verdict(ratio <= RATIO_TARGET))
    other = {k: v for k, v in outcomes.items() if not k.endswith((" ok", " 429"))}
    table.note(f"Slack double: {stats['rejection_count']} payloads rejected; other errors: {other or 'none'}")
    table.note(
        f"store: {seeded.ideas:,} ideas over {teams:,} teams; users.info calls for owners' names: "
        f"{outcomes.get('users.info ok', 0):,}; posts in flight: the tick's pool of {FANOUT_THREADS} threads"
    )
    if quick:
        table.note(f"--quick: {teams} teams instead of 1,000")
    return [table]
