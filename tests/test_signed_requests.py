"""Every request that takes Slack input is verified, through the real HTTP server: a request Slack did not sign
as sent (bad or missing signature, stale or missing timestamp, a genuine signature replayed on another body) is
refused with 401 and does nothing, whatever its body; the health check and unknown paths never reach the bot."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from doubles.driver import Reply, SlackDriver, sign
from storage.models import Idea
from tests.conftest import BOB, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, eventually
from tests.security import FORM, LEAD, WAIT, Kaizen
from tests.security import kaizen as kaizen  # the fixture: a bot with LEAD leading every team

JSON_TYPE = "application/json"
# Loopback only: an HTTP(S)_PROXY in the environment must not see test traffic.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# --- signatures ------------------------------------------------------------------------------------------------


class RecordingDriver(SlackDriver):
    """Builds exactly what SlackDriver would send, and keeps it instead of sending it."""

    sent: list[tuple[bytes, str]]

    def send(self, body: bytes, content_type: str, **kwargs: Any) -> Reply:
        self.sent = [*getattr(self, "sent", []), (body, content_type)]
        return Reply(200, b"", {})


def post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), dict(e.headers.items()))


def signed_headers(body: bytes, content_type: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET):
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, ts, body),
    }


@dataclass
class Request:
    """A request as Slack would send it, and how to tell whether the bot acted on it."""

    body: bytes
    content_type: str
    acted: Callable[[], bool]


def approve_requests(kaizen: Kaizen, idea: Idea) -> dict[str, Request]:
    """A leader's approval as a button press and as an emoji (an event), a slash command, and a harmless command
    that is really sent (whose signature a forger could have seen)."""
    recorder = RecordingDriver(kaizen.running.endpoint, SIGNING_SECRET, kaizen.double, team_id=WORKSPACE)
    recorder.block_action("idea_approve", user_id=LEAD, channel_id=TEAM_CHANNEL, message=kaizen.card(idea))
    button_url = str(recorder.last_response_url)
    kaizen.double.add_reaction(TEAM_CHANNEL, str(idea.card_ts), "white_check_mark", LEAD)
    recorder.event(
        {"type": "reaction_added", "user": LEAD, "reaction": "white_check_mark", "item_user": "UBOT",
         "item": {"type": "message", "channel": TEAM_CHANNEL, "ts": idea.card_ts}},
        event_id="EvFORGED1",
    )  # fmt: skip
    _, command_url = recorder.command("list all", user_id=BOB)
    _, help_url = recorder.command("help", user_id=BOB)
    (button, form), (event, event_type), (command, _), (help_body, _) = recorder.sent

    def approved() -> bool:
        return kaizen.idea(idea.id).status != "new"

    return {
        "button": Request(button, form, lambda: approved() or bool(kaizen.double.responses(button_url))),
        "emoji": Request(event, event_type, lambda: approved() or kaizen.inbox_size() > 0),
        "command": Request(command, form, lambda: bool(kaizen.double.responses(command_url))),
        "genuine": Request(help_body, form, lambda: bool(kaizen.double.responses(help_url))),
    }


def forged_headers(forgery: str, body: bytes, content_type: str) -> dict[str, str]:
    now = int(time.time())
    headers = signed_headers(body, content_type)
    if forgery == "bad signature":
        return signed_headers(body, content_type, secret="not-the-signing-secret")
    if forgery == "no signature header":
        del headers["X-Slack-Signature"]
    elif forgery == "empty signature":
        headers["X-Slack-Signature"] = ""
    elif forgery == "no timestamp header":
        del headers["X-Slack-Request-Timestamp"]
    elif forgery == "timestamp 6 minutes old":
        return signed_headers(body, content_type, timestamp=now - 6 * 60)
    elif forgery == "timestamp 6 minutes ahead":
        return signed_headers(body, content_type, timestamp=now + 6 * 60)
    elif forgery == "timestamp not a number":
        headers["X-Slack-Request-Timestamp"] = "soon"
    elif forgery == "signature with a non-ASCII character":
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-1] + "\xe9"  # "é": not comparable as str
    elif forgery == "timestamp a digit int() cannot read":
        headers["X-Slack-Request-Timestamp"] = "\xb2"  # "²": str.isdigit() says yes, int() raises
    else:
        raise AssertionError(forgery)
    return headers


FORGERIES = [
    "bad signature",
    "no signature header",
    "empty signature",
    "signature with a non-ASCII character",
    "no timestamp header",
    "timestamp 6 minutes old",
    "timestamp 6 minutes ahead",
    "timestamp not a number",
    "timestamp a digit int() cannot read",
    "replayed signature of another body",
]


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("kind", ["button", "emoji", "command"])
def test_a_request_that_slack_did_not_sign_as_sent_is_refused_with_401_and_does_nothing(
    kaizen: Kaizen, kind: str, forgery: str
):
    idea = kaizen.raise_idea("The drug fridge beeps all night")
    requests = approve_requests(kaizen, idea)
    request = requests[kind]
    if forgery == "replayed signature of another body":
        # A genuine request, really sent and served; its timestamp and signature then go with a different body.
        genuine = requests["genuine"]
        headers = signed_headers(genuine.body, genuine.content_type)
        assert post(kaizen.running.endpoint, genuine.body, headers).status == 200
        eventually(genuine.acted, timeout=WAIT)
        headers["Content-Type"] = request.content_type
    else:
        headers = forged_headers(forgery, request.body, request.content_type)
    reply = post(kaizen.running.endpoint, request.body, headers)
    assert reply.status == 401, f"{kind} with {forgery}: {reply.status} {reply.text[:200]}"
    time.sleep(0.3)
    assert not request.acted(), f"{kind} with {forgery} was acted on"
    assert kaizen.idea(idea.id).status == "new"
    assert [c for c in kaizen.double.calls("chat.postMessage") if c.args.get("thread_ts")] == []
    assert kaizen.inbox_size() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"[1]", JSON_TYPE, id="json-list"),
        pytest.param(b"null", JSON_TYPE, id="json-null"),
        pytest.param(b'"event_callback"', JSON_TYPE, id="json-string"),
        pytest.param(b"payload=%5B1%5D", FORM, id="payload-a-list"),
        pytest.param(b"payload=42", FORM, id="payload-a-number"),
        pytest.param(b'{"type": "event_callback", "event": "x", "event_id": "Ev1"}', JSON_TYPE, id="event-a-string"),
        pytest.param(b"[" * 100_000, JSON_TYPE, id="deeply-nested"),
    ],
)
def test_an_unsigned_body_of_any_shape_is_refused_with_401(kaizen: Kaizen, body: bytes, content_type: str):
    for headers in (
        signed_headers(body, content_type, secret="not-the-signing-secret"),
        {"Content-Type": content_type},
    ):
        reply = post(kaizen.running.endpoint, body, headers)
        assert reply.status == 401, f"{body[:40]!r} unsigned: {reply.status} {reply.text[:120]}"
    assert kaizen.inbox_size() == 0


def test_the_health_check_takes_no_slack_input_and_other_paths_do_not_reach_the_bot(kaizen: Kaizen):
    idea = kaizen.raise_idea("Handover sheets go missing")
    button = approve_requests(kaizen, idea)["button"]
    headers = signed_headers(button.body, button.content_type)
    for path in ("/healthz", "/slack/events/", "/slack/commands", "/", "/slack/install", "/slack/oauth_redirect"):
        reply = post(kaizen.running.url + path, button.body, headers)
        assert reply.status in (404, 405) or (path == "/healthz" and reply.body == b"ok\n"), (path, reply.status)
    time.sleep(0.3)
    assert kaizen.idea(idea.id).status == "new"
