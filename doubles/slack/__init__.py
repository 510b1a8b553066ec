"""A loopback stand-in for Slack's Web API, spoken to by the real ``slack_sdk.WebClient``.

The double is a real HTTP server so the whole client stack (form/JSON encoding, auth headers, retry handlers,
timeouts) runs as in production. It keeps the state Slack would keep (messages, views, reactions, uploads),
validates Block Kit the way Slack does (beyond what ``slack_sdk.models`` checks) and can inject failures.

Where to look:
- `double`: SlackDouble, which puts the rest together and answers each request;
- `state`: what Slack keeps, and the methods a test seeds it with (add_channel, add_user, add_message, ...);
- `inspection`: what a test reads back (calls, messages, views, responses, wait_for, ...);
- `faults`: failures a test injects (fail, fail_http, rate_limit, delay, answer_normally);
- `validator`: what Slack would refuse (Block Kit limits and shapes), and how it says so;
- `server`: the HTTP server and how Slack encodes a call's arguments;
- one module per Web API family: `auth` (auth.test, oauth.v2.access, apps.connections.open), `chat`,
  `conversations`, `users`, `usergroups`, `reactions`, `views`, `files`; and `responses` (response URLs).
"""

from __future__ import annotations

from doubles.slack.double import SlackDouble
from doubles.slack.state import Call

__all__ = ["Call", "SlackDouble"]
