"""Malformed requests, through the real HTTP server.

A correctly signed request whose body is not what Slack sends is the sender's mistake: it gets a 4xx (never a
5xx, which would make Slack retry and count against the app), quickly, without a crash ("Sorry, something went
wrong" means an unhandled error), and the bot keeps serving: `/kaizen help` still works afterwards. A person's
mistakes in `/kaizen` are in test_command_mistakes.py."""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.slack.sorry import SORRY
from doubles.driver import Reply, SlackDriver
from doubles.slack import SlackDouble
from storage.models import Idea
from tests.conftest import TEAM_CHANNEL, RunningBot
from tests.flows import card, inbox_rows, raise_idea
from tests.tampering import LEAD, Payload, TamperingDriver
from tests.tampering import driver as driver  # the fixture: a TamperingDriver for the bot below
from tests.tampering import running as running  # the fixture: the bot, LEAD leading the team channel

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
ACK_DEADLINE = 3.0  # seconds: Slack shows an error when the answer takes longer


def timed(send: Callable[[], Reply]) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = send()
    return reply, time.monotonic() - started


def assert_refused(reply: Reply, seconds: float, what: str) -> None:
    assert 400 <= reply.status < 500, f"{what} answered {reply.status}: {reply.text[:200]}"
    assert seconds < ACK_DEADLINE, f"{what} took {seconds:.1f}s to answer"


def assert_no_crash(double: SlackDouble) -> None:
    told = [body.get("text") for body in double.responses()]
    assert SORRY not in told, "an unhandled error: the person was told something went wrong on our side"


def assert_still_serves_help(driver: SlackDriver, double: SlackDouble) -> None:
    tamper, driver.tamper = getattr(driver, "tamper", None), None
    try:
        reply, response_url = driver.command("help")
    finally:
        if tamper is not None:
            driver.tamper = tamper
    assert reply.status == 200, f"/kaizen help answered {reply.status}: {reply.text}"
    [body] = double.wait_for_response(response_url)
    assert "/kaizen list" in json.dumps(body.get("blocks", [])) + body.get("text", "")


def inbox_size(running: RunningBot) -> int:
    return len(inbox_rows(running))


# --- slash commands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "text"),
    [
        ("team_id", "help"),
        ("team_id", ""),
        ("user_id", "help"),
        ("user_id", "mine"),
        ("channel_id", "help"),
        ("channel_id", "list"),
        ("trigger_id", ""),
        ("trigger_id", "Printer jams"),
    ],
)
def test_a_slash_command_missing_a_field_slack_always_sends_is_a_4xx(driver, double, missing: str, text: str):
    def drop(fields: dict[str, str]) -> dict[str, str]:
        fields.pop(missing)
        return fields

    driver.tamper = drop
    reply, seconds = timed(lambda: driver.command(text)[0])
    assert_refused(reply, seconds, f"/kaizen {text!r} without {missing}")
    time.sleep(0.3)  # work after an ack runs on another thread: give a crash the time to show
    assert_no_crash(double)
    assert double.calls("views.open") == []
    assert_still_serves_help(driver, double)


# --- interactions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", ["[1, 2]", "42", '"text"', "null", "true", "[]", '[{"type": "block_actions"}]'])
def test_an_interaction_payload_that_is_json_but_not_an_object_is_a_4xx(driver, double, payload: str):
    body = urllib.parse.urlencode({"payload": payload}).encode()
    reply, seconds = timed(lambda: driver.send(body, FORM))
    assert_refused(reply, seconds, f"payload={payload}")
    assert_still_serves_help(driver, double)


def approve_press(driver: TamperingDriver, double: SlackDouble, idea: Idea, tamper: Callable[[Payload], Any]) -> Reply:
    driver.tamper = tamper
    try:
        return driver.block_action("idea_approve", user_id=LEAD, message=card(double, idea))
    finally:
        driver.tamper = None


def without(*keys: str) -> Callable[[Payload], Payload]:
    def tamper(payload: Payload) -> Payload:
        for key in keys:
            payload.pop(key, None)
        return payload

    return tamper


def with_values(**values: Any) -> Callable[[Payload], Payload]:
    def tamper(payload: Payload) -> Payload:
        payload.update(copy.deepcopy(values))
        return payload

    return tamper


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(without("type"), id="no-type"),
        pytest.param(without("actions"), id="no-actions"),
        pytest.param(with_values(actions=[]), id="actions-empty"),
        pytest.param(with_values(actions="idea_approve"), id="actions-a-string"),
        pytest.param(with_values(actions=[42]), id="action-a-number"),
        pytest.param(with_values(type=["block_actions"]), id="type-a-list"),
        pytest.param(with_values(user="ULEAD"), id="user-a-string"),
        pytest.param(with_values(user=None, team=None), id="no-user-no-team"),
    ],
)
def test_a_block_actions_payload_of_the_wrong_shape_is_a_4xx_and_changes_nothing(
    running, driver, double, tamper: Callable[[Payload], Payload]
):
    idea = raise_idea(running, driver, double, "The drug fridge beeps all night")
    reply, seconds = timed(lambda: approve_press(driver, double, idea, tamper))
    assert_refused(reply, seconds, "a broken block_actions payload")
    time.sleep(0.3)
    with running.kaizen.db.read() as session:
        assert session.get(Idea, idea.id).status == "new"
    assert_no_crash(double)
    assert_still_serves_help(driver, double)


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-1", "0x1", "١٢", "99999999999999999999999", None, 7, [1], {}])
def test_a_button_value_that_is_not_an_idea_number_changes_nothing_and_the_presser_is_told(
    running, driver, double, value: Any
):
    idea = raise_idea(running, driver, double, "Call bells are too quiet")

    def forge(payload: Payload) -> Payload:
        payload["actions"][0]["value"] = value
        return payload

    reply, seconds = timed(lambda: approve_press(driver, double, idea, forge))
    assert reply.status < 500 and seconds < ACK_DEADLINE, (reply.status, reply.text)
    [told] = double.wait_for_response(str(driver.last_response_url))
    assert "nothing was changed" in told["text"] or "no longer exists" in told["text"], told
    assert told.get("response_type") == "ephemeral"
    with running.kaizen.db.read() as session:
        assert session.get(Idea, idea.id).status == "new"
    assert_still_serves_help(driver, double)


def raise_form(driver: SlackDriver, double: SlackDouble) -> dict:
    before = len(double.calls("views.open"))
    reply, _ = driver.command("")
    assert reply.status == 200
    return double.opened_view(before + 1)


def view_with(**changes: Any) -> Callable[[Payload], Payload]:
    def tamper(payload: Payload) -> Payload:
        for key, value in changes.items():
            if value is _DROP:
                payload["view"].pop(key, None)
            else:
                payload["view"][key] = copy.deepcopy(value)
        return payload

    return tamper


_DROP = object()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(view_with(state=_DROP), id="no-state"),
        pytest.param(view_with(state=None), id="state-null"),
        pytest.param(view_with(state="values"), id="state-a-string"),
        pytest.param(view_with(state={"values": [1, 2]}), id="values-a-list"),
        pytest.param(view_with(state={"values": {"problem": "Printer jams"}}), id="block-a-string"),
        pytest.param(view_with(state={"values": {"problem": {"problem": "Printer jams"}}}), id="element-a-string"),
        pytest.param(view_with(state={"values": {"problem": {"problem": {"value": 42}}}}), id="value-a-number"),
        pytest.param(with_values(view="raise_idea"), id="view-a-string"),
        pytest.param(with_values(view=None), id="view-null"),
    ],
)
def test_a_view_submission_without_state_or_with_state_of_the_wrong_shape_is_a_4xx_and_stores_nothing(
    running, driver, double, tamper: Callable[[Payload], Payload]
):
    form = raise_form(driver, double)
    driver.tamper = tamper
    reply, seconds = timed(lambda: driver.submit_view(form, {"problem": "Printer jams"}))
    driver.tamper = None
    assert_refused(reply, seconds, "a broken view_submission")
    time.sleep(0.3)
    with running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 0
    assert_no_crash(double)
    assert_still_serves_help(driver, double)


@pytest.mark.parametrize(
    "metadata", ["[" * 1500 + "]" * 1500, '{"c": ' * 1000 + "1" + "}" * 1000], ids=["list", "object"]
)
def test_private_metadata_nested_deeper_than_the_json_parser_goes_is_no_5xx(running, driver, double, metadata: str):
    # 3,000 characters, within Slack's private_metadata limit, but deeper than Python's JSON parser recurses.
    form = raise_form(driver, double)
    reply, seconds = timed(lambda: driver.submit_view({**form, "private_metadata": metadata}, {"problem": "Jams"}))
    assert reply.status == 200 and seconds < ACK_DEADLINE, f"answered {reply.status} in {seconds:.1f}s: {reply.text}"
    # Read as no metadata at all: the form asks which team it is for, as it does when opened outside a channel.
    assert reply.json() == {"response_action": "errors", "errors": {"problem": "Please pick the team's channel."}}
    assert_no_crash(double)
    assert_still_serves_help(driver, double)


# --- the Events API ----------------------------------------------------------------------------------------


def envelope_with(**changes: Any) -> Callable[[Payload], Payload]:
    def tamper(envelope: Payload) -> Payload:
        for key, value in changes.items():
            if value is _DROP:
                envelope.pop(key, None)
            else:
                envelope[key] = copy.deepcopy(value)
        return envelope

    return tamper


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(envelope_with(event=_DROP), id="no-event"),
        pytest.param(envelope_with(event_id=_DROP), id="no-event_id"),
        pytest.param(envelope_with(event="reaction_added"), id="event-a-string"),
        pytest.param(envelope_with(event=["reaction_added"]), id="event-a-list"),
        pytest.param(envelope_with(event=None), id="event-null"),
        pytest.param(envelope_with(event_id=12345), id="event_id-a-number"),
        pytest.param(envelope_with(event={"type": "reaction_added", "item": "a card"}), id="item-a-string"),
        pytest.param(envelope_with(type=_DROP), id="no-type"),
    ],
)
def test_an_event_callback_of_the_wrong_shape_is_a_4xx_and_nothing_is_stored_or_applied(
    running, driver, double, tamper: Callable[[Payload], Payload]
):
    idea = raise_idea(running, driver, double, "Sharps bin overflowing")
    stored = inbox_size(running)
    driver.tamper = tamper
    reply, seconds = timed(
        lambda: driver.reaction_added("white_check_mark", user_id=LEAD, channel_id=TEAM_CHANNEL, ts=str(idea.card_ts))
    )
    driver.tamper = None
    assert_refused(reply, seconds, "a broken event_callback")
    time.sleep(0.3)
    assert inbox_size(running) == stored
    with running.kaizen.db.read() as session:
        assert session.get(Idea, idea.id).status == "new"
    assert_still_serves_help(driver, double)


@pytest.mark.parametrize("body", ["[]", "[1]", "42", '"event_callback"', "null", "false"])
def test_an_events_api_body_that_is_json_but_not_an_object_is_a_4xx(driver, double, body: str):
    reply, seconds = timed(lambda: driver.send(body.encode(), JSON_TYPE))
    assert_refused(reply, seconds, f"an Events API body {body}")
    assert_still_serves_help(driver, double)


# --- huge bodies -------------------------------------------------------------------------------------------

MEGABYTE = 1_000_000


def test_a_signed_megabyte_of_garbage_is_a_4xx_and_the_bot_keeps_serving(driver, double):
    for body, content_type in (
        (b"\xff" * MEGABYTE, FORM),
        (b"payload=" + b"%7B" * (MEGABYTE // 3), FORM),
        (b"{" * MEGABYTE, JSON_TYPE),
        (b"[" * MEGABYTE, JSON_TYPE),  # deeper than json.loads can recurse
    ):
        reply, seconds = timed(lambda b=body, c=content_type: driver.send(b, c))
        assert_refused(reply, seconds, f"a megabyte of {body[:3]!r} as {content_type}")
    assert_still_serves_help(driver, double)


def test_a_megabyte_of_command_text_opens_the_form_with_the_problem_clipped(driver, double):
    reply, seconds = timed(lambda: driver.command("The lift is broken again " * (MEGABYTE // 25))[0])
    assert reply.status < 500 and seconds < ACK_DEADLINE, (reply.status, seconds)
    view = double.wait_for("views.open")[-1].args["view"]
    problem = next(b for b in view["blocks"] if b.get("block_id") == "problem")["element"]
    assert 0 < len(problem["initial_value"]) <= problem["max_length"]
    assert_still_serves_help(driver, double)


def test_a_megabyte_event_is_answered_in_time_and_the_bot_keeps_serving(running, driver, double):
    event = {"type": "reaction_added", "user": LEAD, "reaction": "white_check_mark", "padding": "x" * MEGABYTE,
             "item": {"type": "message", "channel": TEAM_CHANNEL, "ts": "1.000001"}}  # fmt: skip
    reply, seconds = timed(lambda: driver.event(event))
    assert reply.status < 500 and seconds < ACK_DEADLINE, (reply.status, seconds)
    assert_still_serves_help(driver, double)


# --- arbitrary JSON, signed --------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["type", "event", "event_id", "team_id", "team", "user", "actions", "view", "state", "values", "action_id",
     "value", "callback_id", "trigger_id", "response_url", "channel", "item", "ts", "private_metadata", "id",
     "authorizations", "api_app_id", "command", "message", "container"]
)  # fmt: skip
_TYPES = st.sampled_from(
    ["block_actions", "view_submission", "view_closed", "message_action", "shortcut", "event_callback",
     "url_verification", "reaction_added", "reaction_removed", "app_home_opened", "member_joined_channel",
     "app_uninstalled", "tokens_revoked", "idea_approve", "raise_idea", "idea_not_now", "raise_from_message"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), _TYPES,
    st.sampled_from(["T0001", "U_ALICE", "ULEAD", "C_TEAM", "1", "home"]),
)  # fmt: skip
json_values = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(_KEYS, st.text(max_size=8)), children, max_size=6),
    ),
    max_leaves=25,
)
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # a failure is reported as found: shrinking over HTTP is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(value=json_values)
def test_any_json_value_as_a_signed_interaction_payload_never_gets_a_5xx(driver, double, value: Any):
    reply = driver.send(urllib.parse.urlencode({"payload": json.dumps(value)}).encode(), FORM)
    assert reply.status < 500, f"payload={json.dumps(value)[:300]} answered {reply.status}"


@PROPERTY
@given(value=json_values)
def test_any_json_value_as_a_signed_events_api_body_never_gets_a_5xx(driver, double, value: Any):
    reply = driver.send(json.dumps(value).encode(), JSON_TYPE)
    assert reply.status < 500, f"{json.dumps(value)[:300]} answered {reply.status}"


def test_after_a_burst_of_garbage_the_bot_still_serves(driver, double):
    for body, content_type in ((b"[1]", JSON_TYPE), (b"payload=%5B1%5D", FORM), (b"{}", JSON_TYPE), (b"", FORM)):
        driver.send(body, content_type)
    assert_still_serves_help(driver, double)
