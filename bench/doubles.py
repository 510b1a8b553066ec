"""The Slack Web API double of the tests (doubles.slack.SlackDouble), with what a benchmark needs on top:
Slack's posting limits, response URLs it did not hand out itself, bounded memory, and a process of its own.

Limits (chat.postMessage only, as Slack documents it: "1 message per second per channel, plus a workspace-wide
limit"): a post to a channel that had one less than `channel_interval` seconds ago, or the post that would make
more than `workspace_rate` in the last second, is answered HTTP 429 `ratelimited` with `Retry-After` in whole
seconds (rounded up, at least 1), as Slack does. A refused post does not count towards the limits.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bench.common import BOT_TOKEN, WORKSPACE, redirect_output, serve_commands
from doubles.slack import SlackDouble
from doubles.slack.server import HttpReply, json_reply, parse_args

HUDDLE_METADATA = "kaizen_huddle"  # bot.huddles.METADATA_TYPE
KEEP_CALLS = 2_000  # the double records every call; a benchmark makes many more


class BenchDouble(SlackDouble):
    def __init__(
        self, *, workspace_rate: int | None = None, channel_interval: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.workspace_rate = workspace_rate
        self.channel_interval = channel_interval
        self.trigger_ttl = None  # trigger_ids come from the load generator in another process
        self._limits = threading.Lock()
        self._recent_posts: deque[float] = deque()
        self._last_post_in: dict[str, float] = {}
        self.outcomes: Counter[str] = Counter()  # "method ok" / "method <error>" / "method 429"
        self.limited: Counter[str] = Counter()  # "workspace" / "channel"

    def set_limits(self, workspace_rate: int | None, channel_interval: float | None) -> None:
        with self._limits:
            self.workspace_rate, self.channel_interval = workspace_rate, channel_interval
            self._recent_posts.clear()
            self._last_post_in.clear()

    def _retry_after(self, channel: str) -> float | None:
        """None when the post may go now (and it is counted); else the seconds until it may."""
        now = time.monotonic()
        with self._limits:
            if self.channel_interval:
                last = self._last_post_in.get(channel)
                if last is not None and now - last < self.channel_interval:
                    self.limited["channel"] += 1
                    return self.channel_interval - (now - last)
            if self.workspace_rate:
                while self._recent_posts and now - self._recent_posts[0] >= 1.0:
                    self._recent_posts.popleft()
                if len(self._recent_posts) >= self.workspace_rate:
                    self.limited["workspace"] += 1
                    return 1.0 - (now - self._recent_posts[0])
                self._recent_posts.append(now)
            self._last_post_in[channel] = now
            return None

    def _api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> HttpReply:
        if method == "chat.postMessage" and (self.workspace_rate or self.channel_interval):
            try:
                channel = str(parse_args(query, headers, body).get("channel") or "")
            except ValueError:
                channel = ""
            wait = self._retry_after(channel)
            if wait is not None:
                with self._limits:
                    self.outcomes[f"{method} 429"] += 1
                retry = {"Retry-After": str(max(1, math.ceil(wait)))}
                return json_reply({"ok": False, "error": "ratelimited"}, status=429, headers=retry)
        status, reply_headers, payload = super()._api(method, query, headers, body)
        outcome = "ok" if status == 200 and payload.startswith(b'{"ok": true') else f"http_{status}"
        if status == 200 and outcome != "ok":
            outcome = payload.split(b'"error": "', 1)[-1].split(b'"', 1)[0].decode(errors="replace")
        with self._lock:
            self.outcomes[f"{method} {outcome}"] += 1
            if len(self._calls) > KEEP_CALLS:
                del self._calls[: len(self._calls) - KEEP_CALLS // 2]
        return status, reply_headers, payload

    def _response_url(self, url: str, body: bytes) -> HttpReply:
        # The load generator makes up response URLs on this double; answer them as Slack would, keep nothing.
        with self._lock:
            known = url in self._response_targets
            if not known:
                self.outcomes["response_url ok"] += 1
        return super()._response_url(url, body) if known else json_reply({"ok": True})

    # --- what a benchmark reads back ------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._lock, self._limits:
            return {
                "outcomes": dict(self.outcomes),
                "limited": dict(self.limited),
                "rejections": list(self.rejections[:5]),
                "rejection_count": len(self.rejections),
            }

    def huddles_per_channel(self, channels: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for channel in channels:
            posts = self.messages(channel)
            counts[channel] = sum(1 for m in posts if (m.get("metadata") or {}).get("event_type") == HUDDLE_METADATA)
        return counts

    def bot_messages_in(self, channels: Sequence[str]) -> list[tuple[str, str]]:
        """(channel, ts) of the bot's top-level messages other than huddles (cards, mostly) in those channels."""
        found = []
        for channel in channels:
            found += [
                (channel, str(m["ts"]))
                for m in self.messages(channel)
                if not m.get("thread_ts") and (m.get("metadata") or {}).get("event_type") != HUDDLE_METADATA
            ]
        return found


@dataclass
class DoubleConfig:
    channels: Sequence[tuple[str, str]] = ()  # (id, name): team channels Kaizen is a member of
    users: Sequence[str] = ()
    workspace_rate: int | None = None
    channel_interval: float | None = None
    nice: int = 0  # a lower priority: Slack's own work is not ours to pay for (it runs elsewhere)
    log_path: str | None = None


def double_main(conn: Connection, config: DoubleConfig) -> None:
    """A child process serving a BenchDouble until told to stop."""
    if config.log_path:
        redirect_output(config.log_path)
    if config.nice:
        os.nice(config.nice)
    double = BenchDouble(
        workspace_rate=config.workspace_rate, channel_interval=config.channel_interval,
        bot_token=BOT_TOKEN, team_id=WORKSPACE,
    )  # fmt: skip
    double.start()
    for user in config.users:
        double.add_user(user, user.lower())
    members = [*config.users[:50], double.bot_user_id]
    for channel_id, name in config.channels:
        double.add_channel(channel_id, name, members=members)
    conn.send({"api_url": double.api_url, "url": double.url, "pid": os.getpid()})

    def stop() -> dict[str, Any]:
        stats = double.stats()
        double.stop()
        return stats

    serve_commands(
        conn,
        {
            "stats": double.stats,
            "set_limits": double.set_limits,
            "huddles_per_channel": double.huddles_per_channel,
            "bot_messages_in": double.bot_messages_in,
            "stop": stop,
        },
    )
