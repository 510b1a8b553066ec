"""Web API clients. Posting honours Slack's rate limits (HTTP 429 + Retry-After) and never retries a post on a
connection error, which could post twice; opening a modal never waits, because its trigger_id dies in 3 s."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

log = logging.getLogger(__name__)

POST_TIMEOUT_SECONDS = 10
QUICK_TIMEOUT_SECONDS = 2
RATE_LIMIT_RETRIES = 5
RESUME_SPREAD_SECONDS = 0.05  # waiting threads resume within this much of each other, not all in one instant


class RateLimitPauses:
    """When Slack answers 429 to a method called with a token, every call of that method with that token that is
    told to wait resumes at the same moment, when Slack's Retry-After has passed (Slack limits each method per
    workspace). slack_sdk's own handler adds up to a second of random jitter to each wait, which made a
    1,000-team huddle fan-out take 1.7× the rate limit's minimum."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._resume_at: dict[tuple[str, str], float] = {}

    def wait(self, token: str, method_url: str, retry_after: float) -> None:
        """Sleep until `method_url` may be called with `token` again."""
        now = time.monotonic()
        key = (token, method_url)
        with self._lock:
            resume_at = max(self._resume_at.get(key, 0.0), now + retry_after)
            self._resume_at[key] = resume_at
        time.sleep(resume_at - now + random.uniform(0, RESUME_SPREAD_SECONDS))  # noqa: S311 (spreading, not secrets)


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
        self._pauses.wait(self._token, request.url, retry_after)
        state.increment_current_attempt()


@dataclass(frozen=True)
class SlackClients:
    """Makes Web API clients for `base_url` (…/api/) that share one set of rate-limit pauses."""

    base_url: str
    pauses: RateLimitPauses = field(default_factory=RateLimitPauses, compare=False)

    def web(self, token: str | None) -> WebClient:
        """For posting and reading: waits out rate limits, no blind retries on connection errors."""
        return WebClient(
            token=token,
            base_url=self.base_url,
            timeout=POST_TIMEOUT_SECONDS,
            retry_handlers=[SharedRateLimitRetryHandler(self.pauses, token or "", RATE_LIMIT_RETRIES)],
        )

    def quick(self, token: str, timeout: int = QUICK_TIMEOUT_SECONDS) -> WebClient:
        """For views.open and look-ups made while a trigger_id ticks: no retries, a short timeout."""
        return WebClient(token=token, base_url=self.base_url, timeout=timeout, retry_handlers=[])
