"""Every shape Slack sends is understood: slash commands whatever their fields hold, interactions and events from
a workspace, a Slack Connect partner, a workspace of an Enterprise Grid organisation and an org-wide install
(`team: null`, users without team_id), events without a team_id, reactions on files, file comments and thread
replies, `app_rate_limited`, URL verification and SSL checks. Each gets a 2xx within Slack's 3 seconds, and
none is logged as refused or unhandled.

The shapes follow Slack's published payload references and the recorded payloads in Slack's SDK test suites
(Bolt for Python's org-app and shared-channel scenarios); the fixtures here are written for this project."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from tests.conftest import ALICE, SIGNING_SECRET, TEAM_CHANNEL, WORKSPACE, RunningBot, eventually
from tests.flows import APPROVE, LEAD, on_card, raise_idea, start

ACK_LIMIT = 3.0  # Slack's: an answer later than this is a failure to the person

# Who acts: (label, driver keyword arguments).
SENDERS: list[tuple[str, dict[str, Any]]] = [
    ("workspace", {}),
    ("slack-connect-partner", {"team_id": "T0PARTNER", "installed_team_id": WORKSPACE}),
    ("grid-workspace", {"enterprise_id": "E0ORG"}),
    ("org-wide", {"team_id": "T0ORGWS", "enterprise_id": "E0ORG", "org_wide": True}),
]

# Text people type, and names Slack fills in, that once looked like something else to a parser.
FIELD_WORDS = [
    "the payload label on the pump is unreadable",
    "payload",
    "payload={}",
    'payload={"type":"block_actions"}',
    "token=x&command=/other&team_id=T9",
    '{"type": "event_callback"}',
    "ssl_check=1",
    "100% of beds & 50% of chairs = broken?",
    "Fußboden nass — 床が濡れている 🩺",
    "   ",
]


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    words = ("Refused", "nhandled", "not a kind of request")
    return [r.getMessage() for r in caplog.records if any(w in r.getMessage() for w in words)]


def timed(send: Callable[[], Reply | tuple[Reply, str]]) -> tuple[Reply, float]:
    began = time.monotonic()
    sent = send()
    reply = sent[0] if isinstance(sent, tuple) else sent
    return reply, time.monotonic() - began


@pytest.fixture
def corpus_bot(bot_factory: Any, double: SlackDouble) -> tuple[RunningBot, SlackDriver]:
    return start(bot_factory, double, kaizen_leaders=(LEAD,))


def drivers(running: RunningBot, double: SlackDouble) -> dict[str, SlackDriver]:
    return {label: SlackDriver(running.endpoint, SIGNING_SECRET, double, **keywords) for label, keywords in SENDERS}


# --- the examples --------------------------------------------------------------------------------------


def test_a_slash_command_whose_text_holds_the_word_payload_opens_the_form(
    slack: SlackDriver, double: SlackDouble, caplog: pytest.LogCaptureFixture
) -> None:
    reply, _ = slack.command("the payload label on the pump is unreadable")

    assert reply.status == 200
    [call] = double.wait_for("views.open")
    assert "the payload label on the pump is unreadable" in str(call.args["view"])
    assert not refusals(caplog)


@pytest.mark.parametrize(
    "field", ["user_name", "channel_name", "team_domain", "enterprise_name", "api_app_id"], ids=str
)
def test_a_slash_command_is_understood_whatever_slack_fills_its_fields_with(
    slack: SlackDriver, double: SlackDouble, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    reply, response_url = slack.command("help", extra_fields={field: "payload={} payload"})

    assert reply.status == 200
    assert double.wait_for_response(response_url)
    assert not refusals(caplog)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=60),
    name=st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30),
)
def test_any_form_fields_reach_the_command(slack: SlackDriver, double: SlackDouble, text: str, name: str) -> None:
    calls, answers = len(double.calls("views.open")), len(double.responses())
    reply, _ = slack.command("help " + text, extra_fields={"channel_name": name, "user_name": name})

    assert reply.status == 200
    # Help is answered privately, whatever follows it.
    eventually(lambda: len(double.responses()) > answers)
    assert len(double.calls("views.open")) == calls


def test_app_rate_limited_is_acknowledged_and_logged_once_with_the_minute(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    minute = int(datetime(2026, 11, 30, 8, 31, tzinfo=UTC).timestamp())
    with caplog.at_level(logging.INFO):
        reply = slack.rate_limited(minute)

    assert reply.status == 200
    said = [r for r in caplog.records if "rate-limited" in r.getMessage()]
    assert len(said) == 1 and "2026-11-30 08:31 UTC" in said[0].getMessage()
    assert not refusals(caplog)


# --- the corpus -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", [label for label, _ in SENDERS])
def test_every_shape_from_every_kind_of_sender_gets_a_2xx_within_3_seconds(
    corpus_bot: tuple[RunningBot, SlackDriver],
    double: SlackDouble,
    caplog: pytest.LogCaptureFixture,
    sender: str,
) -> None:
    running, home = corpus_bot
    double.add_user(LEAD, "lead")
    idea = raise_idea(running, home, double, "The drug trolley wheel squeaks")
    assert idea.card_ts is not None
    [card] = [m for m in double.messages(TEAM_CHANNEL) if m["ts"] == idea.card_ts]
    driver = drivers(running, double)[sender]
    reply_ts = double.add_message(TEAM_CHANNEL, "Me too", user=ALICE, thread_ts=idea.card_ts)
    shared = {
        "type": "message",
        "user": ALICE,
        "text": "A message",
        "ts": double.add_message(TEAM_CHANNEL, "A message", user=ALICE),
    }

    shapes: dict[str, Callable[[], Reply | tuple[Reply, str]]] = {
        **{
            f"command {words!r}": (lambda words=words: driver.command(words, user_id=ALICE, channel_id=TEAM_CHANNEL))
            for words in FIELD_WORDS
        },
        "form submitted": lambda: driver.submit_view(double.last_view(), {"problem": "From the corpus"}, user_id=ALICE),
        "command list": lambda: driver.command("list", user_id=ALICE, channel_id=TEAM_CHANNEL),
        "command in a DM": lambda: driver.command("mine", user_id=ALICE, channel_id="D0ALICE"),
        "card button": lambda: driver.block_action("idea_approve", message=card, user_id=LEAD),
        "card overflow menu": lambda: driver.block_action(*on_card(card, "idea_start"), message=card, user_id=LEAD),
        "message shortcut": lambda: driver.message_shortcut("raise_from_message", shared, user_id=ALICE),
        "reaction on the card": lambda: driver.reaction_added(
            APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=str(idea.card_ts)
        ),
        "reaction removed": lambda: driver.reaction_added(
            APPROVE, user_id=LEAD, channel_id=TEAM_CHANNEL, ts=str(idea.card_ts), removed=True
        ),
        "reaction on a thread reply": lambda: driver.reaction_added(
            "bulb", user_id=LEAD, channel_id=TEAM_CHANNEL, ts=reply_ts, item_user=ALICE
        ),
        "reaction on a file": lambda: driver.reaction_on_file("+1", user_id=ALICE, file_id="F0FILE"),
        "reaction on a file comment": lambda: driver.reaction_on_file(
            "+1", user_id=ALICE, file_id="F0FILE", comment_id="Fc0COMMENT"
        ),
        "someone joining": lambda: driver.event(
            {"type": "member_joined_channel", "user": ALICE, "channel": TEAM_CHANNEL, "channel_type": "C"}
        ),
        "home opened": lambda: driver.event(
            {"type": "app_home_opened", "user": ALICE, "channel": "D0A", "tab": "home"}
        ),
        "messages tab opened": lambda: driver.event(
            {"type": "app_home_opened", "user": ALICE, "channel": "D0A", "tab": "messages"}
        ),
        "retried event": lambda: driver.event(
            {
                "type": "reaction_added",
                "user": ALICE,
                "reaction": "+1",
                "item": {"type": "message", "channel": TEAM_CHANNEL, "ts": str(idea.card_ts)},
                "item_user": "UBOT",
            },
            event_id="EvRETRIED1",
            retry_num=1,
        ),
        "org-level tokens_revoked": lambda: driver.org_event(
            {"type": "tokens_revoked", "tokens": {"oauth": ["W0NOBODY"], "bot": []}}
        ),
        "app_rate_limited": lambda: driver.rate_limited(int(time.time()) // 60 * 60),
        "url_verification": lambda: driver.url_verification("challenge-123"),
        "ssl_check": driver.ssl_check,
    }
    slow_or_refused = {}
    with caplog.at_level(logging.INFO):
        for name, send in shapes.items():
            reply, took = timed(send)
            if not (200 <= reply.status < 300) or took >= ACK_LIMIT:
                slow_or_refused[name] = (reply.status, round(took, 2), reply.text[:80])
    assert slow_or_refused == {}
    assert not refusals(caplog)


def test_answers_say_the_length_of_the_bytes_they_carry(slack: SlackDriver, double: SlackDouble) -> None:
    verified = slack.url_verification("challenge-ünïcödé-床")
    before = len(double.calls("views.open"))
    slack.command("")
    refused = slack.submit_view(double.opened_view(before + 1), {"problem": "\u200b"}, client_checks=False)

    for reply in (verified, refused):
        assert reply.status == 200
        assert int(reply.headers["Content-Length"]) == len(reply.body) > 0
    assert refused.json()["response_action"] == "errors"
