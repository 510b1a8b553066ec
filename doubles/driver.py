"""Plays Slack's side of the HTTP conversation: signed slash commands, interactions and Events API deliveries.

Payloads follow the shapes Slack sends (see docs.slack.dev "Interaction payloads" and "Events API"), built from
the state held by a SlackDouble so that response URLs, trigger IDs and view IDs line up with what the bot sees.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from doubles.slack import SlackDouble

__all__ = ["Reply", "SlackDriver", "build_view_state", "sign"]

JSON = dict[str, Any]
# Loopback only: never let an HTTP(S)_PROXY from the environment route test traffic elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_INPUT_TYPES_WITH_VALUE = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def sign(signing_secret: str, timestamp: int, body: bytes) -> str:
    """Slack's v0 request signature, as slack_sdk.signature.SignatureVerifier checks it."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------------------------------
# view_submission state, built the way Slack's client does
# ---------------------------------------------------------------------------------------------------------------------


def _all_options(el: JSON) -> list[JSON]:
    options = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _option(el: JSON, value: Any, action_id: str) -> JSON:
    if isinstance(value, dict):
        return copy.deepcopy(value)
    if el["type"] in ("external_select", "multi_external_select"):
        # External options live in the app, not the view; echo the value back as Slack would.
        return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": str(value)}
    for option in _all_options(el):
        if option.get("value") == value:
            return {k: copy.deepcopy(v) for k, v in option.items() if k in ("text", "value", "description")}
    values = [o.get("value") for o in _all_options(el)]
    raise ValueError(f"{value!r} is not an option of {action_id!r}; options are {values}")


def _element_state(el: JSON, given: bool, value: Any, action_id: str) -> JSON:
    """One entry of view.state.values[block_id], for a filled (given) or untouched element."""
    kind = el["type"]
    state: JSON = {"type": kind}
    if kind in _INPUT_TYPES_WITH_VALUE:
        raw = value if given else el.get("initial_value")
        state["value"] = None if raw is None else str(raw)
    elif kind in ("static_select", "external_select", "radio_buttons", "overflow"):
        state["selected_option"] = (
            _option(el, value, action_id) if given and value is not None else copy.deepcopy(el.get("initial_option"))
        )
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        if given:
            state["selected_options"] = [_option(el, v, action_id) for v in _as_list(value)]
        else:
            state["selected_options"] = copy.deepcopy(el.get("initial_options") or [])
    elif kind in ("users_select", "conversations_select", "channels_select"):
        noun = kind.removesuffix("s_select")  # users_select -> selected_user, initial_user
        state[f"selected_{noun}"] = value if given else el.get(f"initial_{noun}")
    elif kind in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        noun = kind.removeprefix("multi_").removesuffix("_select")
        state[f"selected_{noun}"] = _as_list(value) if given else list(el.get(f"initial_{noun}") or [])
    elif kind == "datepicker":
        state["selected_date"] = value if given else el.get("initial_date")
    elif kind == "timepicker":
        state["selected_time"] = value if given else el.get("initial_time")
        if el.get("timezone"):
            state["timezone"] = el["timezone"]
    elif kind == "datetimepicker":
        state["selected_date_time"] = value if given else el.get("initial_date_time")
    elif kind == "rich_text_input":
        raw = value if given else el.get("initial_value")
        if isinstance(raw, str):
            section = {"type": "rich_text_section", "elements": [{"type": "text", "text": raw}]}
            raw = {"type": "rich_text", "elements": [section]}
        state["rich_text_value"] = raw
    elif kind == "file_input":
        state["files"] = _as_list(value) if given else []
    else:
        state["value"] = value
    return state


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def _missing_ids(blocks: list[JSON]) -> bool:
    for block in blocks:
        if block.get("type") in ("input", "actions", "section") and not block.get("block_id"):
            return True
        elements = [block.get("element"), block.get("accessory"), *(block.get("elements") or [])]
        if any(_needs_action_id(el) and not el.get("action_id") for el in elements):
            return True
    return False


def _needs_action_id(el: Any) -> bool:
    return isinstance(el, dict) and el.get("type") not in (None, "image", "plain_text", "mrkdwn")


def _is_empty(state: JSON) -> bool:
    return all(v in (None, "", []) for k, v in state.items() if k != "type")


def _stateful_elements(view: JSON) -> list[tuple[JSON, JSON, bool]]:
    """(block, element, is_input) for every element that carries state, in view order."""
    found = []
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and isinstance(block.get("element"), dict):
            found.append((block, block["element"], True))
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            found.append((block, block["accessory"], False))
        elif block.get("type") == "actions":
            found += [(block, el, False) for el in block.get("elements") or [] if isinstance(el, dict)]
    return found


def build_view_state(view: JSON, values: dict[str, Any], *, client_checks: bool = True) -> JSON:
    """view.state.values as Slack sends it; values maps action_id -> what the user entered.

    With client_checks, refuses what Slack's client would not let a user submit (an empty required input,
    text outside min_length/max_length).
    """
    elements = _stateful_elements(view)
    known = {el.get("action_id") for _, el, _ in elements}
    unknown = sorted(set(values) - known)
    if unknown:
        raise KeyError(f"action_id(s) {unknown} are not in view {view.get('callback_id')!r}; it has {sorted(known)}")
    state: JSON = {}
    for block, el, is_input in elements:
        action_id = el.get("action_id")
        given = action_id in values
        if not is_input and not given:
            continue  # Slack reports non-input elements only once the user touched them
        entry = _element_state(el, given, values.get(action_id), action_id)
        if client_checks and is_input:
            _client_check(block, el, entry)
        if not block.get("block_id") or not action_id:
            raise ValueError("pass the view as SlackDouble returned it: Slack fills in block_id and action_id")
        state.setdefault(block["block_id"], {})[action_id] = entry
    return state


def _client_check(block: JSON, el: JSON, entry: JSON) -> None:
    where = f"input {block.get('block_id')!r}/{el.get('action_id')!r}"
    if _is_empty(entry):
        if not block.get("optional"):
            raise ValueError(f"{where} is required: Slack's client would not let the user submit it empty")
        return
    text = entry.get("value")
    if isinstance(text, str):
        if el.get("min_length") is not None and len(text) < el["min_length"]:
            raise ValueError(f"{where}: {len(text)} characters is below min_length {el['min_length']}")
        if el.get("max_length") is not None and len(text) > el["max_length"]:
            raise ValueError(f"{where}: {len(text)} characters is above max_length {el['max_length']}")


# ---------------------------------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------------------------------


class SlackDriver:
    """Sends signed requests to the bot's HTTP endpoint as Slack would.

    Who acts, as Slack names them in its payloads:
    - `team_id`: the person's own workspace;
    - `installed_team_id`: the workspace of the installation that receives the request, when it is not the
      person's (Slack Connect: a person of the partner organisation in a channel shared with ours). Events then
      carry the partner's `team_id` and ours in `authorizations`, and `is_ext_shared_channel` is true;
    - `enterprise_id`: the person's Enterprise Grid organisation (`enterprise`, `team.enterprise_id`, the command's
      `enterprise_id` and `enterprise_name`);
    - `org_wide`: the app is installed org-wide: interactions carry `team: null` and users without `team_id`,
      `is_enterprise_install` is true, and `authorizations` name the organisation and no workspace.
    """

    def __init__(
        self,
        endpoint: str,
        signing_secret: str,
        double: SlackDouble,
        *,
        team_id: str = "T0001",
        installed_team_id: str | None = None,
        enterprise_id: str | None = None,
        org_wide: bool = False,
        api_app_id: str = "A0001",
        verification_token: str = "legacy-verification-token",
    ) -> None:
        self.endpoint = endpoint
        self.signing_secret = signing_secret
        self.double = double
        self.team_id = team_id
        self.installed_team_id = installed_team_id or team_id
        self.enterprise_id = enterprise_id
        self.org_wide = org_wide
        self.api_app_id = api_app_id
        self.verification_token = verification_token
        self.last_response_url: str | None = None
        self.last_trigger_id: str | None = None
        self.last_event_id: str | None = None
        self._ids = itertools.count(1)

    # --- transport ---------------------------------------------------------------------------------------------------

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Reply:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=10) as response:
                return Reply(response.status, response.read(), dict(response.headers.items()))
        except urllib.error.HTTPError as e:  # a 4xx/5xx is an answer to look at, not a test crash
            return Reply(e.code, e.read(), dict(e.headers.items()))

    def _send_form(self, fields: dict[str, str]) -> Reply:
        return self.send(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def _send_interaction(self, payload: JSON) -> Reply:
        return self._send_form({"payload": json.dumps(payload)})

    # --- pieces Slack repeats in every payload -----------------------------------------------------------------------

    def _team(self) -> JSON | None:
        if self.org_wide:
            return None  # org-wide installs: no workspace in interaction payloads
        team: JSON = {"id": self.team_id, "domain": self.double.team_domain}
        if self.enterprise_id:
            team.update(enterprise_id=self.enterprise_id, enterprise_name=f"Org {self.enterprise_id}")
        return team

    def _enterprise(self) -> JSON | None:
        return {"id": self.enterprise_id, "name": f"Org {self.enterprise_id}"} if self.enterprise_id else None

    def _user(self, user_id: str) -> JSON:
        known = self.double.user(user_id)
        name = known["name"] if known else user_id.lower()
        user: JSON = {"id": user_id, "username": name, "name": name}
        if not self.org_wide:
            user["team_id"] = self.team_id
        return user

    def _authorization(self) -> JSON:
        """The installation an event is delivered for (Slack names one, whatever else it is visible to)."""
        return {
            "enterprise_id": self.enterprise_id,
            "team_id": None if self.org_wide else self.installed_team_id,
            "user_id": self.double.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": self.org_wide,
        }

    def _channel(self, channel_id: str) -> JSON:
        known = self.double.channel(channel_id)
        name = known["name"] if known else channel_id.lower()
        if channel_id.startswith("D"):
            name = "directmessage"
        return {"id": channel_id, "name": name}

    def _trigger(self) -> str:
        self.last_trigger_id = self.double.new_trigger_id()
        return self.last_trigger_id

    def _response_url(self, channel_id: str | None, message_ts: str | None = None) -> str:
        self.last_response_url = self.double.new_response_url(channel_id=channel_id, message_ts=message_ts)
        return self.last_response_url

    @staticmethod
    def _action_ts() -> str:
        return f"{time.time():.6f}"

    # --- slash commands ----------------------------------------------------------------------------------------------

    def command(
        self,
        text: str = "",
        *,
        user_id: str = "U_ALICE",
        channel_id: str = "C_TEAM",
        channel_name: str = "team",
        command: str = "/kaizen",
        extra_fields: dict[str, str] | None = None,
    ) -> tuple[Reply, str]:
        """A slash command; `extra_fields` overrides or adds form fields (user_name, team_domain, …)."""
        response_url = self._response_url(channel_id)
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.double.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": self._user(user_id)["username"],
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "true" if self.org_wide else "false",
            "response_url": response_url,
            "trigger_id": self._trigger(),
        }
        if self.enterprise_id:
            fields.update(enterprise_id=self.enterprise_id, enterprise_name=f"Org {self.enterprise_id}")
        fields.update(extra_fields or {})
        return self._send_form(fields), response_url

    # --- interactions ------------------------------------------------------------------------------------------------

    def submit_view(
        self, view: JSON, values: dict[str, Any], *, user_id: str = "U_ALICE", client_checks: bool = True
    ) -> Reply:
        """view_submission for a view as the double returned it; values maps action_id -> entered value."""
        view = self._as_stored(view)
        state = build_view_state(view, values, client_checks=client_checks)
        submitted = {
            "id": view.get("id", ""),
            "team_id": view.get("team_id", self.team_id),
            "type": "modal",
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": state},
            "hash": view.get("hash", ""),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": view.get("previous_view_id"),
            "root_view_id": view.get("root_view_id", view.get("id")),
            "app_id": view.get("app_id", self.api_app_id),
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": view.get("app_installed_team_id", self.team_id),
            "bot_id": view.get("bot_id", self.double.bot_id),
        }
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": self.org_wide,
            "enterprise": self._enterprise(),
        }
        return self._send_interaction(payload)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U_ALICE",
        channel_id: str = "C_TEAM",
        message: JSON | None = None,
        view: JSON | None = None,
        block_id: str | None = None,
    ) -> Reply:
        """A click (or selection) on an element of a message or a view; value overrides the element's value."""
        surface = self._as_stored(view) if view is not None else message
        if surface is None:
            # No message given: a minimal bot message holding just this button, so the payload stays realistic.
            block_id = block_id or "actions"
            button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": action_id}}
            if value is not None:
                button["value"] = value
            surface = {
                "type": "message",
                "user": self.double.bot_user_id,
                "bot_id": self.double.bot_id,
                "ts": f"{time.time():.6f}",
                "text": "",
                "blocks": [{"type": "actions", "block_id": block_id, "elements": [button]}],
            }
            message = surface
        block, element = self._find_element(surface, action_id, block_id)
        action = self._action(block, element, value)
        payload: JSON = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger(),
            "team": self._team(),
            "enterprise": self._enterprise(),
            "is_enterprise_install": self.org_wide,
        }
        if view is not None:
            view = surface  # the stored form, with generated ids
            shown = copy.deepcopy(view)
            shown["state"] = {"values": build_view_state(view, {}, client_checks=False)}
            payload["container"] = {"type": "view", "view_id": view.get("id", "")}
            payload["view"] = shown
            payload["state"] = copy.deepcopy(shown["state"])
        else:
            assert message is not None
            shown = {k: copy.deepcopy(v) for k, v in message.items() if v is not None}
            ts = shown["ts"]
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = self._channel(channel_id)
            payload["message"] = shown
            payload["state"] = {"values": {}}
            payload["response_url"] = self._response_url(channel_id, ts)
        payload["actions"] = [action]
        return self._send_interaction(payload)

    def _as_stored(self, view: JSON) -> JSON:
        """The view as Slack holds it: fields the caller left out (hash, generated block/action ids) come from the
        double, so a test may pass the view dict the app sent plus its "id"."""
        try:
            stored = self.double.view(view["id"]) if view.get("id") else None
        except KeyError:
            stored = None
        if stored is None:
            return view
        merged = {**stored, **copy.deepcopy(view)}
        if _missing_ids(merged.get("blocks") or []):
            merged["blocks"] = stored["blocks"]
        return merged

    @staticmethod
    def _find_element(surface: JSON, action_id: str, block_id: str | None) -> tuple[JSON, JSON]:
        seen = []
        for block in surface.get("blocks") or []:
            if block_id is not None and block.get("block_id") != block_id:
                continue
            candidates = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
            for el in candidates:
                if isinstance(el, dict) and el.get("action_id"):
                    seen.append(el["action_id"])
                    if el["action_id"] == action_id:
                        return block, el
        where = f" in block {block_id!r}" if block_id else ""
        raise KeyError(f"no element with action_id {action_id!r}{where}; the surface has {seen}")

    def _action(self, block: JSON, el: JSON, value: Any) -> JSON:
        kind = el.get("type", "button")
        action: JSON = {"action_id": el["action_id"], "block_id": block.get("block_id", ""), "type": kind}
        if kind in ("button", "workflow_button"):
            action["text"] = copy.deepcopy(el.get("text"))
            action["value"] = value if value is not None else el.get("value")
            if el.get("style"):
                action["style"] = el["style"]
        else:
            state = _element_state(el, value is not None, value, el["action_id"])
            action.update({k: v for k, v in state.items() if k != "type"})
            if el.get("placeholder"):
                action["placeholder"] = copy.deepcopy(el["placeholder"])
        action["action_ts"] = self._action_ts()
        return action

    def message_shortcut(
        self, callback_id: str, message: JSON, *, user_id: str = "U_ALICE", channel_id: str = "C_TEAM"
    ) -> Reply:
        shown = {k: copy.deepcopy(v) for k, v in message.items() if v is not None}
        payload = {
            "type": "message_action",
            "token": self.verification_token,
            "action_ts": self._action_ts(),
            "team": self._team(),
            "user": self._user(user_id),
            "channel": self._channel(channel_id),
            "is_enterprise_install": self.org_wide,
            "enterprise": self._enterprise(),
            "callback_id": callback_id,
            "trigger_id": self._trigger(),
            "response_url": self._response_url(channel_id),
            "message_ts": shown.get("ts"),
            "message": shown,
        }
        return self._send_interaction(payload)

    # --- Events API --------------------------------------------------------------------------------------------------

    def event(
        self,
        event: JSON,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Reply:
        event = dict(event)
        event.setdefault("event_ts", f"{time.time():.6f}")
        self.last_event_id = event_id or f"Ev{int(time.time())}{next(self._ids):06d}"
        envelope: JSON = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.last_event_id,
            "event_time": int(float(event["event_ts"])),
            "authorizations": [self._authorization()],
            "is_ext_shared_channel": self.installed_team_id != self.team_id,
            "event_context": f"4-{self.last_event_id}",
        }
        if self.enterprise_id:
            envelope["enterprise_id"] = self.enterprise_id
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.send(json.dumps(envelope).encode(), "application/json", extra_headers=headers)

    def reaction_added(
        self,
        reaction: str,
        *,
        user_id: str,
        channel_id: str,
        ts: str,
        item_user: str = "UBOT",
        event_id: str | None = None,
        removed: bool = False,
        retry_num: int | None = None,
    ) -> Reply:
        """reaction_added (or reaction_removed), after updating the double so reactions.get agrees."""
        if removed:
            self.double.remove_reaction(channel_id, ts, reaction, user_id)
        else:
            self.double.add_reaction(channel_id, ts, reaction, user_id)
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user_id,
            "reaction": reaction,
            "item": {"type": "message", "channel": channel_id, "ts": ts},
            "item_user": item_user,
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, event_id=event_id, retry_num=retry_num)

    def reaction_on_file(self, reaction: str, *, user_id: str, file_id: str, comment_id: str | None = None) -> Reply:
        """reaction_added on a file (or, with `comment_id`, on a file comment): Slack's item has no channel."""
        item: JSON = {"type": "file", "file": file_id}
        if comment_id is not None:
            item = {"type": "file_comment", "file_comment": comment_id, "file": file_id}
        event = {"type": "reaction_added", "user": user_id, "reaction": reaction, "item": item, "item_user": user_id}
        return self.event(event)

    def org_event(self, event: JSON, *, event_id: str | None = None) -> Reply:
        """An org-level event of an org-wide install (app_uninstalled, tokens_revoked): the envelope names the
        organisation only, with no team_id and no authorizations."""
        event = dict(event)
        event.setdefault("event_ts", f"{time.time():.6f}")
        self.last_event_id = event_id or f"Ev{int(time.time())}{next(self._ids):06d}"
        envelope = {
            "token": self.verification_token,
            "enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.last_event_id,
            "event_time": int(float(event["event_ts"])),
        }
        return self.send(json.dumps(envelope).encode(), "application/json")

    def rate_limited(self, minute: int) -> Reply:
        """app_rate_limited: Slack stopped delivering this workspace's events for the minute starting `minute`
        (Unix time, a whole minute)."""
        body = {
            "token": self.verification_token,
            "type": "app_rate_limited",
            "team_id": self.installed_team_id,
            "minute_rate_limited": minute,
            "api_app_id": self.api_app_id,
        }
        return self.send(json.dumps(body).encode(), "application/json")

    def url_verification(self, challenge: str) -> Reply:
        body = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        return self.send(json.dumps(body).encode(), "application/json")

    def ssl_check(self) -> Reply:
        return self._send_form({"ssl_check": "1", "token": self.verification_token})
