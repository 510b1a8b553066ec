"""Is this request shaped as Slack sends it? bot/slack/server.py checks before Bolt sees it, so that a signed but
malformed body gets a 400 and never reaches code that would trip over it (Bolt's own middleware included)."""

from __future__ import annotations

import json
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def parse(body: str, content_type: str | None) -> Any:
    """The body of a request from Slack, as Slack meant it: an Events API envelope (JSON), an interaction
    (a form whose one field `payload` holds JSON), or a slash command (a form of plain fields).

    Decided by the form's fields, never by the body's text: Bolt's own parser treats any form body that merely
    contains the word "payload" (a person's text, a channel's name) as an interaction and loses it.
    Raises ValueError (json.JSONDecodeError is one) for a body that does not parse.
    """
    if not body:
        return {}
    if content_type == JSON_TYPE or (content_type != FORM and body.startswith("{")):
        return json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=False))
    if "payload" in fields:
        return json.loads(fields["payload"])
    return fields


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _object(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict)


def _command(body: dict[str, Any]) -> str | None:
    missing = [k for k in ("command", "team_id", "user_id", "channel_id", "trigger_id") if not _text(body.get(k))]
    return f"slash command without {', '.join(missing)}" if missing else None


def _state_values(values: object) -> bool:
    """A view's state.values as Slack sends it: {block_id: {action_id: {...}}}."""
    return _object(values) and all(
        _object(block) and all(_element(element) for element in block.values()) for block in values.values()
    )


def _element(element: object) -> bool:
    """An input's state: an object whose `value`, when there is one, is text (or null when left empty)."""
    return _object(element) and (element.get("value") is None or isinstance(element.get("value"), str))


def _interaction(body: dict[str, Any]) -> str | None:
    kind = body.get("type")
    user = body.get("user")
    if not _object(user) or not _text(user.get("id")):
        return "interaction without a user"
    # No workspace is required: org-wide (Enterprise Grid) payloads carry `team: null` and users without a
    # team_id; which installation a request is filed under is decided by bot.teams.tenancy, not here.
    if kind == "block_actions":
        actions = body.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(_object(a) and _text(a.get("action_id")) for a in actions)
        ):
            return "block_actions without actions"
    elif kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not _object(view):
            return f"{kind} without a view"
        values = (view.get("state") or {}).get("values") if _object(view.get("state")) else None
        if kind == "view_submission" and not _state_values(values):
            return "view_submission whose state is not Slack's"
    elif kind in ("message_action", "shortcut"):
        if not _text(body.get("callback_id")) or not _text(body.get("trigger_id")):
            return f"{kind} without a callback_id or trigger_id"
        if kind == "message_action" and (not _object(body.get("message")) or not _object(body.get("channel"))):
            return "message_action without its message or channel"
    return None


def _event(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not _object(event) or not _text(event.get("type")):
        return "event_callback without an event"
    # Org-level events (app_uninstalled, tokens_revoked of an org-wide install) carry no team_id.
    if not _text(body.get("event_id")):
        return "event_callback without an event_id"
    if "item" in event and not _object(event["item"]):
        return "event whose item is not an object"
    return None


def problem(body: object) -> str | None:
    """Why `body` is not a request Slack would send, or None when it is."""
    if not _object(body):
        return "the body is not an object"
    if "command" in body:
        return _command(body)
    kind = body.get("type")
    if kind == "event_callback":
        return _event(body)
    if kind in ("url_verification", "app_rate_limited"):
        return None
    if kind in ("block_actions", "view_submission", "view_closed", "message_action", "shortcut", "block_suggestion"):
        return _interaction(body)
    if "ssl_check" in body:
        return None
    return "not a kind of request Slack sends"
