"""Slack failing on purpose: errors, HTTP failures, rate limits and slow answers, queued per Web API method.

Each call of a method takes the next fault queued for it, if any: `fail` (an `{"ok": false}` error), `fail_http`
(a 5xx with an HTML body, optionally after the call took effect), `rate_limit` (429 with Retry-After), `delay`
(answers late but normally), and `answer_normally` (a placeholder, so that a later fault hits a later call).
Slack's other ways of being difficult are attributes of the double: `page_cap` (shorter pages than asked for)
and `trigger_ttl` (trigger ids that expire).
"""

from __future__ import annotations

import copy
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from doubles.slack.server import HttpReply, json_reply, text_reply
from doubles.slack.state import SlackState
from doubles.slack.wire import err


@dataclass
class Fault:
    kind: str  # "error" | "http" | "ratelimit" | "delay" | "pass" (answered normally: a later call gets the next)
    error: str = ""
    status: int = 200
    seconds: float = 0.0
    take_effect: bool = False
    # Which calls it hits (their arguments); None: the next call of the method, whatever it is.
    matching: Callable[[dict[str, object]], bool] | None = None


class FaultInjection(SlackState):
    """The fault queues of a SlackDouble and the methods a test fills them with."""

    def __init__(self, **identity: str) -> None:
        super().__init__(**identity)
        self._faults: dict[str, deque[Fault]] = {}

    def fail(self, method: str, error: str = "channel_not_found", *, times: int = 1) -> None:
        """The next `times` calls of `method` answer {"ok": false, "error": error} and change nothing."""
        self._add_fault(method, Fault("error", error=error), times)

    def fail_http(self, method: str, status: int = 500, *, times: int = 1, take_effect: bool = False) -> None:
        """HTTP `status` with a non-JSON body; take_effect=True applies the call first (a post that happened)."""
        self._add_fault(method, Fault("http", status=status, take_effect=take_effect), times)

    def rate_limit(self, method: str, retry_after: int = 1, *, times: int = 1) -> None:
        """HTTP 429 `ratelimited` with Retry-After: `retry_after` (seconds); nothing changes."""
        self._add_fault(method, Fault("ratelimit", status=429, seconds=retry_after), times)

    def answer_normally(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` are answered as usual; a fault queued after this hits the call after
        them (e.g. the second page of a paged read)."""
        self._add_fault(method, Fault("pass"), times)

    def delay(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        matching: Callable[[dict[str, object]], bool] | None = None,
    ) -> None:
        """Answers `seconds` late, then as usual: the call takes effect even if the client gave up waiting.
        `matching`: only calls whose arguments it accepts are delayed (others pass it by, in whatever order they
        come), e.g. the huddle post and not the post of another process racing it."""
        self._add_fault(method, Fault("delay", seconds=seconds, matching=matching), times)

    def _add_fault(self, method: str, fault: Fault, times: int) -> None:
        with self._lock:
            self._faults.setdefault(method, deque()).extend(copy.copy(fault) for _ in range(times))

    def _take_fault(self, method: str, args: dict[str, object]) -> Fault | None:
        """The fault this call of `method` with `args` meets, if any: the first queued one that hits any call or
        accepts these arguments (call with the lock held)."""
        queue = self._faults.get(method)
        for fault in queue or ():
            if fault.matching is None or fault.matching(args):
                queue.remove(fault)  # type: ignore[union-attr]
                return None if fault.kind == "pass" else fault
        return None

    @staticmethod
    def _fault_reply(fault: Fault, apply: Callable[[], object]) -> HttpReply | None:
        """What Slack answers instead of the method's own answer; None: answer as usual (after a delay). `apply`
        makes the call take effect (a failure after the fact)."""
        if fault.kind == "delay":
            time.sleep(fault.seconds)  # then answer normally: the effect happens even if the client gave up
            return None
        if fault.kind == "error":
            return json_reply(err(fault.error))
        if fault.kind == "ratelimit":
            return json_reply(err("ratelimited"), status=429, headers={"Retry-After": str(int(fault.seconds))})
        if fault.take_effect:
            apply()
        html = f"<html><body><h1>{fault.status} Server Error</h1></body></html>".encode()
        return text_reply(fault.status, html, "text/html")
