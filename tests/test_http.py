"""The HTTP endpoint itself, through the real server: signatures, freshness, health, unknown paths, bad bodies."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from doubles.driver import Reply, SlackDriver, sign
from doubles.slack import SlackDouble
from tests.conftest import RunningBot

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
# Loopback only: an HTTP(S)_PROXY in the environment must not see test traffic.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: bytes | None = None) -> Reply:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read(), dict(e.headers.items()))


def help_command_body(double: SlackDouble) -> tuple[bytes, str]:
    response_url = double.new_response_url(channel_id="C_TEAM")
    fields = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C_TEAM",
        "channel_name": "team",
        "user_id": "U_ALICE",
        "user_name": "alice",
        "command": "/kaizen",
        "text": "help",
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": double.new_trigger_id(),
    }
    return urllib.parse.urlencode(fields).encode(), response_url


def assert_still_serves_help(slack: SlackDriver, double: SlackDouble) -> None:
    reply, response_url = slack.command("help")
    assert reply.status == 200, f"/kaizen help answered {reply.status}: {reply.text}"
    [body] = double.wait_for_response(response_url)
    assert "/kaizen list" in json.dumps(body.get("blocks", [])) + body.get("text", "")


def test_a_correctly_signed_command_is_served(slack: SlackDriver, double: SlackDouble):
    body, response_url = help_command_body(double)
    reply = slack.send(body, FORM)
    assert reply.status == 200
    double.wait_for_response(response_url)


def test_a_bad_signature_is_refused_and_nothing_is_done(slack: SlackDriver, double: SlackDouble):
    body, response_url = help_command_body(double)
    reply = slack.send(body, FORM, signature=sign("not-the-signing-secret", int(time.time()), body))
    assert reply.status == 401
    time.sleep(0.3)
    assert double.responses(response_url) == []


def test_a_missing_signature_is_refused(slack: SlackDriver, double: SlackDouble):
    body, _ = help_command_body(double)
    assert slack.send(body, FORM, signature="").status == 401


def test_a_stale_timestamp_is_refused_even_when_signed_for_it(slack: SlackDriver, double: SlackDouble):
    body, response_url = help_command_body(double)
    old = int(time.time()) - 6 * 60
    reply = slack.send(body, FORM, timestamp=old, signature=sign(slack.signing_secret, old, body))
    assert reply.status == 401
    time.sleep(0.3)
    assert double.responses(response_url) == []


def test_healthz_answers_200(bot: RunningBot):
    reply = http("GET", bot.url + "/healthz")
    assert reply.status == 200


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("POST", "/nowhere"), ("GET", "/slack/eventsx")])
def test_an_unknown_path_is_404(bot: RunningBot, method: str, path: str):
    reply = http(method, bot.url + path, b"x=1" if method == "POST" else None)
    assert reply.status == 404


MALFORMED = [
    pytest.param(b"payload={not json", FORM, id="form-payload-not-json"),
    pytest.param(b"payload=%7Bnot+json", FORM, id="form-payload-not-json-encoded"),
    pytest.param(b'{"type":', JSON_TYPE, id="json-truncated"),
    pytest.param(b"\xff\xfe\x80\x81\xc3\x28 not utf-8 \xa0\xa1", FORM, id="bytes-not-utf8-form"),
    pytest.param(b"\xff\xfe\x80\x81\xc3\x28 not utf-8 \xa0\xa1", JSON_TYPE, id="bytes-not-utf8-json"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_signed_malformed_body_is_a_4xx_and_the_bot_keeps_serving(
    slack: SlackDriver, double: SlackDouble, body: bytes, content_type: str
):
    reply = slack.send(body, content_type)
    assert 400 <= reply.status < 500, f"{body!r} as {content_type} answered {reply.status}: {reply.text}"
    assert_still_serves_help(slack, double)


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_malformed_body_with_a_bad_signature_is_401(slack: SlackDriver, body: bytes, content_type: str):
    reply = slack.send(body, content_type, signature="v0=" + "0" * 64)
    assert reply.status == 401
