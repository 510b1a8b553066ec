"""manifest.yml against Slack's own schema and against what the code registers (handlers.WIRING)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from handlers import WIRING

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared/slack/manifest.schema.1.0.0.json"


def load_manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


MANIFEST = load_manifest()
FEATURES = MANIFEST.get("features") or {}
SETTINGS = MANIFEST.get("settings") or {}
SLASH_COMMANDS: list[dict[str, Any]] = FEATURES.get("slash_commands") or []


def test_manifest_validates_against_slacks_schema():
    if not SCHEMA_PATH.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    errors = sorted(Draft7Validator(schema).iter_errors(MANIFEST), key=lambda e: list(e.absolute_path))
    messages = [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in errors]
    assert not messages, "manifest.yml does not match Slack's schema:\n" + "\n".join(messages)


def test_slash_commands_match_the_code():
    declared = {c["command"] for c in SLASH_COMMANDS}
    assert declared == set(WIRING.commands), (
        f"in manifest only: {sorted(declared - set(WIRING.commands))}; "
        f"in code only: {sorted(set(WIRING.commands) - declared)}"
    )


def test_shortcuts_match_the_code():
    declared = {s["callback_id"] for s in FEATURES.get("shortcuts") or []}
    assert declared == set(WIRING.shortcuts), (
        f"in manifest only: {sorted(declared - set(WIRING.shortcuts))}; "
        f"in code only: {sorted(set(WIRING.shortcuts) - declared)}"
    )


def test_bot_events_match_the_code():
    declared = set((SETTINGS.get("event_subscriptions") or {}).get("bot_events") or [])
    assert declared == set(WIRING.events), (
        f"in manifest only: {sorted(declared - set(WIRING.events))}; "
        f"in code only: {sorted(set(WIRING.events) - declared)}"
    )


def test_slash_commands_ask_slack_to_escape_mentions():
    assert SLASH_COMMANDS, "manifest.yml declares no slash command"
    unescaped = [c["command"] for c in SLASH_COMMANDS if c.get("should_escape") is not True]
    assert not unescaped, f"slash commands without should_escape: true: {unescaped}"


def test_interactivity_is_on_when_the_code_handles_interactions():
    if WIRING.actions or WIRING.views or WIRING.shortcuts:
        assert (SETTINGS.get("interactivity") or {}).get("is_enabled") is True, (
            f"the code handles actions {WIRING.actions}, views {WIRING.views}, shortcuts {WIRING.shortcuts}, "
            "but interactivity is not enabled in manifest.yml"
        )


def test_socket_mode_is_enabled():
    assert SETTINGS.get("socket_mode_enabled") is True


@pytest.mark.parametrize("command", [c["command"] for c in SLASH_COMMANDS])
def test_each_declared_command_is_handled_over_http(slack: SlackDriver, double: SlackDouble, command: str):
    reply, response_url = slack.command(text="help", command=command)
    assert reply.status == 200, f"{command} answered {reply.status}: {reply.text}"
    [body] = double.wait_for_response(response_url)
    assert body.get("text") or body.get("blocks")


def test_manifest_yml_is_what_the_code_declares():
    from bot.composition import manifest

    assert load_manifest() == manifest(None)


def test_the_http_manifest_points_every_request_url_at_the_bot_and_validates(tmp_path):
    from bot.composition import manifest

    http = manifest("https://kaizen.example.org")
    events_url = "https://kaizen.example.org/slack/events"
    assert http["features"]["slash_commands"][0]["url"] == events_url
    assert http["settings"]["interactivity"]["request_url"] == events_url
    assert http["settings"]["event_subscriptions"]["request_url"] == events_url
    assert http["oauth_config"]["redirect_urls"] == ["https://kaizen.example.org/slack/oauth_redirect"]
    assert http["settings"]["socket_mode_enabled"] is False
    if SCHEMA_PATH.exists():
        schema = json.loads(SCHEMA_PATH.read_text())
        errors = [e.message for e in Draft7Validator(schema).iter_errors(http)]
        assert errors == []
