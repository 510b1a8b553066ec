"""What a test reads back from the Slack double: the bot's calls, messages, ephemerals, views, responses, uploads.

Every answer is a copy taken under the lock; the `wait_for*` methods poll until what they wait for is there and
fail the test (AssertionError, saying what did arrive) when it is not within `timeout` seconds.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import TypeVar

from doubles.slack.state import Call, SlackState
from doubles.slack.wire import JSON

T = TypeVar("T")
POLL_SECONDS = 0.01


def _until(found: Callable[[], T | None], timeout: float, failure: Callable[[], str]) -> T:
    """The first non-None `found()`, polled until `timeout` seconds have passed; then AssertionError(failure())."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(failure())
        time.sleep(POLL_SECONDS)


def _at_least(read: Callable[[], list[T]], count: int, timeout: float, failure: Callable[[int], str]) -> list[T]:
    """`read()` once it holds `count` items or more; else AssertionError(failure(how many the last read held))."""
    seen: list[T] = []

    def enough() -> list[T] | None:
        nonlocal seen
        seen = read()
        return seen if len(seen) >= count else None

    return _until(enough, timeout, lambda: failure(len(seen)))


class Inspection(SlackState):
    """The read side of a SlackDouble."""

    def calls(self, method: str | None = None) -> list[Call]:
        """The calls received so far (of `method`, or all), oldest first; each listed on arrival."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def reset_calls(self) -> None:
        """Forgets the calls received so far (the state they changed stays)."""
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of `method` once there are at least `count` of them (each listed on arrival)."""

        def failure(got: int) -> str:
            seen = [c.method for c in self.calls()]
            return (
                f"expected {count} {method} call(s) within {timeout}s, got {got}; "
                f"all calls: {seen}; rejections: {self.rejections}"
            )

        return _at_least(lambda: self.calls(method), count, timeout, failure)

    def opened_view(self, number: int, timeout: float = 5.0) -> JSON:
        """The view that views.open call number `number` (counting from 1) opened, once the double has stored it.

        A call is listed on arrival, before its effect: waiting for the count alone and then reading the views
        can see the previous modal."""

        def answered() -> JSON | None:
            with self._lock:
                opens = [c for c in self._calls if c.method == "views.open"]
                return opens[number - 1].result if len(opens) >= number else None

        result = _until(answered, timeout, lambda: f"views.open number {number} not answered within {timeout}s")
        assert result.get("ok"), f"views.open number {number} failed: {result}"
        return copy.deepcopy(result["view"])

    def responses(self, response_url: str | None = None) -> list[JSON]:
        """The bodies the bot POSTed to response URLs (to `response_url`, or to any), oldest first."""
        with self._lock:
            return [copy.deepcopy(b) for u, b in self._responses if response_url is None or u == response_url]

    def wait_for_response(self, response_url: str, count: int = 1, timeout: float = 5.0) -> list[JSON]:
        """The bodies POSTed to `response_url` once there are at least `count` of them."""

        def failure(got: int) -> str:
            return (
                f"expected {count} POST(s) to {response_url} within {timeout}s, got {got}; "
                f"rejections: {self.rejections}; API calls: {[c.method for c in self.calls()]}"
            )

        return _at_least(lambda: self.responses(response_url), count, timeout, failure)

    def messages(self, channel: str) -> list[JSON]:
        """The bot's messages in a channel as they stand now, oldest first (thread_ts as posted)."""
        with self._lock:
            cid = self._canon(channel)
            out = []
            for m in self._messages.get(cid, []):
                if m.get("_bot"):
                    shown = self._render(cid, m, metadata=True, thread_info=False)
                    shown.setdefault("blocks", None)
                    shown.setdefault("metadata", None)
                    shown["thread_ts"] = m.get("thread_ts")
                    out.append(shown)
            return out

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JSON]:
        """Ephemeral messages (chat.postEphemeral, and response-URL replies not shown in the channel; their
        user is None), in `channel` and to `user` when given, oldest first."""
        with self._lock:
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if (channel is None or e["channel"] == self._canon(channel)) and (user is None or e["user"] == user)
            ]

    def views(self) -> list[JSON]:
        """Every view state the double returned (open, push, update, publish), latest last."""
        with self._lock:
            return copy.deepcopy(self._view_history)

    def last_view(self) -> JSON:
        """The latest modal (opened, pushed or updated); Home tabs published meanwhile are not modals."""
        with self._lock:
            modals = [view for view in self._view_history if view.get("type") != "home"]
            if not modals:
                raise AssertionError(f"no view was opened; views.* calls: {self._view_calls()}")
            return copy.deepcopy(modals[-1])

    def view(self, view_id: str) -> JSON:
        """The view `view_id` as it stands now; KeyError when there is none."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> JSON | None:
        """The Home tab published for `user_id`, if any."""
        with self._lock:
            vid = self._home_views.get(user_id)
            return copy.deepcopy(self._views[vid]) if vid else None

    def uploaded_files(self) -> list[JSON]:
        """Completed uploads (file_id, filename, title, channel_id, bytes, initial_comment, thread_ts), oldest first."""
        with self._lock:
            return copy.deepcopy(self._uploaded)

    def user(self, user_id: str) -> JSON | None:
        """The user as seeded by add_user (not users.info's shape), or None."""
        with self._lock:
            return copy.deepcopy(self._users.get(user_id))

    def channel(self, channel_id: str) -> JSON | None:
        """The channel as the double holds it (a user id: the DM with that user), or None."""
        with self._lock:
            return copy.deepcopy(self._channels.get(self._canon(channel_id)))

    def _view_calls(self) -> list[str]:
        return [f"{c.method}: {c.args.get('view', {}).get('callback_id', '')}" for c in self._calls if "view" in c.args]

    # --- HTTP plumbing -----------------------------------------------------------------------------------------------
