"""Web API clients. Posting honours Slack's rate limits (HTTP 429 + Retry-After) and never retries a post on a
connection error, which could post twice; opening a modal never waits, because its trigger_id dies in 3 s."""

from __future__ import annotations

import bisect
import logging
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

log = logging.getLogger(__name__)

POST_TIMEOUT_SECONDS = 10
QUICK_TIMEOUT_SECONDS = 2
RATE_LIMIT_RETRIES = 5
# When a pause ends, the calls that waited for it go again one after the other, the longest waiting first, each this
# long after the one before: not all in one instant, and in an order in which no call runs out of retries while
# calls made after it get through.
RESUME_STEP_SECONDS = 0.0005


def method_of(url: str) -> str:
    """The Web API method a request URL calls ("https://slack.com/api/chat.postMessage?x=1" → "chat.postMessage")."""
    return urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]


@dataclass(order=True)
class _Turn:
    """A call waiting for a pause to end. Calls go in the order they were first made, retries included."""

    since: float  # time.monotonic() when the call was first made
    seq: int  # among calls made in the same instant, the first to queue goes first
    wake: threading.Condition = field(compare=False)
    resumed: bool = field(default=False, compare=False)  # the pause it waited for is over: it goes in its turn


@dataclass
class _Pause:
    """One method's pause for one token: when Slack takes calls again, and the calls waiting, in order."""

    resume_at: float = 0.0  # time.monotonic() when the latest Retry-After ends
    next_turn: float = 0.0  # when the next resumed call may go: a step after the one before it
    line: list[_Turn] = field(default_factory=list)  # sorted: the first resumed call goes next


class RateLimitPauses:
    """Slack's Retry-After, shared by every client of a token in this process. Slack limits each method per
    workspace, so once Slack answers 429 to a method called with a token, every call of that method with that
    token waits until the Retry-After has passed: the call told so (`wait`) and any call made meanwhile
    (`before_call`), which Slack would refuse too. When the pause ends, every call waiting for it goes again, one
    every `step` seconds (RESUME_STEP_SECONDS), in the order the calls were first made; a call Slack refuses again
    waits for the new pause, ahead of calls made after it.

    Without this, calls made during a pause would each meet a 429 and push the pause further (a Retry-After is
    whole seconds from then), and a call refused again and again by bad luck would run out of retries while calls
    made after it got through."""

    def __init__(self, step: float = RESUME_STEP_SECONDS) -> None:
        self._step = step
        self._lock = threading.Lock()
        self._pauses: dict[tuple[str, str], _Pause] = {}
        self._queued = 0
        self._calls = threading.local()  # `since`: when this thread's current call was first made

    def before_call(self, token: str, method: str) -> None:
        """Before calling `method` (a Web API method name) with `token`: returns at once unless the method is paused
        for the token or calls still wait to go again; then sleeps until this call's turn."""
        key = (token, method)
        now = time.monotonic()
        self._calls.since = now
        with self._lock:
            pause = self._pauses.get(key)
            if pause is None:
                return
            if not pause.line and now >= max(pause.resume_at, pause.next_turn):
                del self._pauses[key]  # over, and nobody waits: forget it
                return
            self._take_turn(pause, now)

    def wait(self, token: str, method: str, retry_after: float) -> None:
        """Slack answered 429 to `method` called with `token`, saying Retry-After `retry_after` seconds: pause the
        method for the token that long (unless a pause already ends later) and sleep until this call's turn after
        it. The call keeps its place: when it was first made (`before_call` in this thread), else now."""
        now = time.monotonic()
        since = min(getattr(self._calls, "since", now), now)
        with self._lock:
            pause = self._pauses.setdefault((token, method), _Pause())
            pause.resume_at = max(pause.resume_at, now + retry_after)
            self._take_turn(pause, since)

    def waiting(self, token: str, method: str) -> int:
        """How many calls of `method` with `token` wait now."""
        with self._lock:
            pause = self._pauses.get((token, method))
            return len(pause.line) if pause is not None else 0

    def _take_turn(self, pause: _Pause, since: float) -> None:
        """Queue by `since`, sleep until the pause is over and then until this call's turn (call with the lock
        held). The first call to see the pause over resumes every call waiting then: they go in turn even if Slack
        starts a new pause meanwhile (each is one attempt of its call); calls queued later wait for that one."""
        self._queued += 1
        turn = _Turn(since, self._queued, threading.Condition(self._lock))
        bisect.insort(pause.line, turn)
        try:
            while True:
                now = time.monotonic()
                if not turn.resumed:
                    if now < pause.resume_at:
                        turn.wake.wait(pause.resume_at - now)
                        continue
                    for waiting in pause.line:
                        waiting.resumed = True
                first = next(waiting for waiting in pause.line if waiting.resumed)
                if first is turn and now >= pause.next_turn:
                    pause.next_turn = now + self._step
                    return
                if first is not turn:
                    first.wake.notify()  # in case it sleeps on an older pause's timer
                turn.wake.wait(pause.next_turn - now if first is turn else None)
        finally:
            pause.line.remove(turn)
            following = next((waiting for waiting in pause.line if waiting.resumed), None)
            if following is not None:
                following.wake.notify()


class SharedRateLimitRetryHandler(RetryHandler):
    """slack_sdk's retry hook for HTTP 429: waits Slack's Retry-After, shared by every client of the token."""

    def __init__(self, pauses: RateLimitPauses, token: str, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._pauses = pauses
        self._token = token

    def _can_retry(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:  # fmt: skip
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:  # fmt: skip
        """Wait out the 429's Retry-After (1 s when absent or unreadable), shared with every client of the token;
        re-raises `error` when there is no response."""
        if response is None:
            raise error or RuntimeError("a retry without a response")
        retry_after = 1.0
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    retry_after = max(0.0, float(values[0]))
                except ValueError:
                    log.warning("Slack sent a Retry-After that is not a number: %r", values[0])
        state.next_attempt_requested = True
        self._pauses.wait(self._token, method_of(request.url), retry_after)
        state.increment_current_attempt()


class PacedWebClient(WebClient):
    """A WebClient whose calls first wait out a pause Slack asked for (`RateLimitPauses.before_call`), instead of
    being refused and making the pause longer. Later pages of a paged read go without asking (slack_sdk fetches
    them past `api_call`); a 429 to them still waits."""

    def __init__(self, pauses: RateLimitPauses, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pauses = pauses

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        """WebClient.api_call, once the method is not paused for this client's token."""
        self._pauses.before_call(self.token or "", api_method)
        return super().api_call(api_method, **kwargs)


@dataclass(frozen=True)
class SlackClients:
    """Makes Web API clients for `base_url` (…/api/) that share one set of rate-limit pauses."""

    base_url: str
    pauses: RateLimitPauses = field(default_factory=RateLimitPauses, compare=False)

    def web(self, token: str | None) -> WebClient:
        """For posting and reading: waits out rate limits (before calling a paused method, and after a 429), no
        blind retries on connection errors."""
        return PacedWebClient(
            self.pauses,
            token=token,
            base_url=self.base_url,
            timeout=POST_TIMEOUT_SECONDS,
            retry_handlers=[SharedRateLimitRetryHandler(self.pauses, token or "", RATE_LIMIT_RETRIES)],
        )

    def quick(self, token: str, timeout: int = QUICK_TIMEOUT_SECONDS) -> WebClient:
        """For views.open and look-ups made while a trigger_id ticks: no retries, a short timeout."""
        return WebClient(token=token, base_url=self.base_url, timeout=timeout, retry_handlers=[])
