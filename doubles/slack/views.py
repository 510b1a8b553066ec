"""views.*: modals (open, push, update) and Home tabs (publish).

Like Slack: a modal needs a fresh trigger id (each works once, and only for SlackDouble.trigger_ttl seconds), a
stack holds at most PUSH_STACK_LIMIT modals, an `external_id` is unique, and a `hash` that is not the view's
latest is a conflict. Every view state answered is kept (SlackDouble.views, last_view).
"""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from doubles.slack.state import Method, SlackState
from doubles.slack.validator import rejected, validate_view
from doubles.slack.wire import JSON, err

PUSH_STACK_LIMIT = 3


def _use_trigger(s: SlackState, trigger: Any) -> str | None:
    """Slack's error for a trigger id that cannot open a view (missing, used, expired), else None: now used."""
    if not trigger:
        return "invalid_trigger_id"
    if trigger in s._used_triggers:
        return "exchanged_trigger_id"
    issued = s._triggers.get(trigger)
    if issued is not None and s.trigger_ttl is not None and time.monotonic() - issued > s.trigger_ttl:
        return "expired_trigger_id"
    s._used_triggers.add(trigger)
    return None


def _store_view(
    s: SlackState, view: JSON, *, view_id: str | None = None, previous: str | None = None, root: str | None = None
) -> JSON:
    """Stores `view` as Slack holds it (a new id unless `view_id`, ids filled in, a new hash) and notes it in
    the history; a copy of what was stored."""
    vid = view_id or f"V{next(s._ids):010d}"
    stored = {
        "id": vid,
        "team_id": s.team_id,
        "type": view["type"],
        "blocks": s._assign_ids(view.get("blocks", [])),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{int(s.clock())}.{secrets.token_hex(4)}",
        "title": copy.deepcopy(view.get("title")),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": copy.deepcopy(view.get("close")),
        "submit": copy.deepcopy(view.get("submit")),
        "previous_view_id": previous,
        "root_view_id": root or vid,
        "app_id": s.app_id,
        "external_id": view.get("external_id", ""),
        # The installation whose token opened the view (Slack Connect: not necessarily the person's).
        "app_installed_team_id": s.other_tokens.get(s._caller or "") or s.team_id,
        "bot_id": s.bot_id,
    }
    s._views[vid] = stored
    s._view_history.append(copy.deepcopy(stored))
    return copy.deepcopy(stored)


def _refusal(s: SlackState, args: JSON) -> JSON | None:
    """Slack's answer when it will not open (or push) the modal in `args`, else None; the trigger id is spent
    once the view passed."""
    problem = validate_view(args.get("view"), surface="modal")
    if problem:
        return rejected(problem)
    ext = args["view"].get("external_id")
    if ext and any(v["external_id"] == ext for v in s._views.values()):
        return err("duplicate_external_id")
    error = _use_trigger(s, args.get("trigger_id") or args.get("interactivity_pointer"))
    return err(error) if error else None


def open_modal(s: SlackState, args: JSON) -> JSON:
    """A new modal, the root of a new stack."""
    refused = _refusal(s, args)
    if refused:
        return refused
    stored = _store_view(s, args["view"])
    s._stack_depth[stored["id"]] = 1
    s._last_modal = stored["id"]
    return {"ok": True, "view": stored}


def push(s: SlackState, args: JSON) -> JSON:
    """A modal on top of the latest one; Slack allows PUSH_STACK_LIMIT in a stack."""
    refused = _refusal(s, args)
    if refused:
        return refused
    previous = s._last_modal
    root = s._views[previous]["root_view_id"] if previous else None
    if root and s._stack_depth.get(root, 1) >= PUSH_STACK_LIMIT:
        return err("push_limit_reached")
    stored = _store_view(s, args["view"], previous=previous, root=root)
    root = stored["root_view_id"]
    s._stack_depth[root] = s._stack_depth.get(root, 0) + 1
    s._last_modal = stored["id"]
    return {"ok": True, "view": stored}


def update(s: SlackState, args: JSON) -> JSON:
    """Replaces a view found by `view_id` or `external_id`; a stale `hash` is a hash_conflict."""
    current = None
    if args.get("view_id"):
        current = s._views.get(str(args["view_id"]))
    elif args.get("external_id"):
        current = next((v for v in s._views.values() if v["external_id"] == args["external_id"]), None)
    else:
        return err("invalid_arguments", errors=["view_id or external_id is required"])
    if current is None:
        return err("not_found")
    if args.get("hash") and args["hash"] != current["hash"]:
        return err("hash_conflict")
    problem = validate_view(args.get("view"), surface=current["type"])
    if problem:
        return rejected(problem)
    view: JSON = args["view"]  # a JSON object: validate_view says so
    stored = _store_view(
        s, view, view_id=current["id"], previous=current["previous_view_id"], root=current["root_view_id"]
    )
    return {"ok": True, "view": stored}


def publish(s: SlackState, args: JSON) -> JSON:
    """Publishes (or replaces) the Home tab of `user_id`."""
    user_id = str(args.get("user_id") or "")
    if not user_id.startswith(("U", "W")):  # any user-looking id works; a channel id is a bug
        return err("user_not_found")
    problem = validate_view(args.get("view"), surface="home")
    if problem:
        return rejected(problem)
    view: JSON = args["view"]  # a JSON object: validate_view says so
    existing = s._home_views.get(user_id)
    if existing and args.get("hash") and args["hash"] != s._views[existing]["hash"]:
        return err("hash_conflict")
    stored = _store_view(s, view, view_id=existing)
    s._home_views[user_id] = stored["id"]
    return {"ok": True, "view": stored}


METHODS: dict[str, Method] = {
    "views.open": open_modal,
    "views.push": push,
    "views.update": update,
    "views.publish": publish,
}
