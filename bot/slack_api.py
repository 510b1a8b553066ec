"""Web API clients. Posting honours Slack's rate limits (HTTP 429 + Retry-After) and never retries a post on a
connection error, which could post twice; opening a modal never waits, because its trigger_id dies in 3 s."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

log = logging.getLogger(__name__)

POST_TIMEOUT_SECONDS = 10
QUICK_TIMEOUT_SECONDS = 2
RATE_LIMIT_RETRIES = 5


@dataclass(frozen=True)
class SlackClients:
    base_url: str

    def web(self, token: str | None) -> WebClient:
        """For posting and reading: waits out rate limits, no blind retries on connection errors."""
        return WebClient(
            token=token,
            base_url=self.base_url,
            timeout=POST_TIMEOUT_SECONDS,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
        )

    def quick(self, token: str, timeout: int = QUICK_TIMEOUT_SECONDS) -> WebClient:
        """For views.open and look-ups made while a trigger_id ticks: no retries, a short timeout."""
        return WebClient(token=token, base_url=self.base_url, timeout=timeout, retry_handlers=[])
