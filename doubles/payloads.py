"""What Slack sends an app, as dicts: slash command fields, interaction payloads, Events API envelopes.

Shapes follow Slack's (docs.slack.dev "Interaction payloads", "Events API"), built from the state held by a
SlackDouble so that response URLs, trigger IDs and view IDs line up with what the bot sees. Building a payload
hands out its trigger id and response URL on the double (`last_trigger_id`, `last_response_url`). Sending them,
signed, is `doubles.driver.SlackDriver`'s part.
"""

from __future__ import annotations

import copy
import itertools
import time
from typing import TYPE_CHECKING, Any

from doubles.view_state import build_view_state, element_state, missing_ids

if TYPE_CHECKING:
    from doubles.slack import SlackDouble

__all__ = ["SlackPayloads"]

JSON = dict[str, Any]


class SlackPayloads:
    """Builds what Slack sends for one person's workspace and installation.

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
        double: SlackDouble,
        *,
        team_id: str,
        installed_team_id: str | None,
        enterprise_id: str | None,
        org_wide: bool,
        api_app_id: str,
        verification_token: str,
    ) -> None:
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

    # --- slash commands and interactions -----------------------------------------------------------------------------

    def command_fields(
        self, text: str, *, user_id: str, channel_id: str, channel_name: str, command: str
    ) -> dict[str, str]:
        """The form fields of a slash command (its response URL is `response_url`)."""
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
        return fields

    def view_submission(self, view: JSON, values: dict[str, Any], *, user_id: str, client_checks: bool) -> JSON:
        """A view_submission payload for a view as the double returned it; values maps action_id -> entered value
        (ValueError / KeyError for what Slack's client would not send: see `build_view_state`)."""
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
        return {
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

    def block_actions(
        self,
        action_id: str,
        value: str | None,
        *,
        user_id: str,
        channel_id: str,
        message: JSON | None,
        view: JSON | None,
        block_id: str | None,
    ) -> JSON:
        """A block_actions payload: a click (or selection) on an element of `message` or `view`; `value` overrides
        the element's value. Neither given: a minimal bot message holding just this button."""
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
        return payload

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
        if missing_ids(merged.get("blocks") or []):
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
            state = element_state(el, value is not None, value, el["action_id"])
            action.update({k: v for k, v in state.items() if k != "type"})
            if el.get("placeholder"):
                action["placeholder"] = copy.deepcopy(el["placeholder"])
        action["action_ts"] = self._action_ts()
        return action

    def message_action(self, callback_id: str, message: JSON, *, user_id: str, channel_id: str) -> JSON:
        """A message shortcut's payload (type message_action) on `message`."""
        shown = {k: copy.deepcopy(v) for k, v in message.items() if v is not None}
        return {
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

    # --- Events API --------------------------------------------------------------------------------------------------

    def _stamp(self, event: JSON, event_id: str | None) -> JSON:
        """A copy of `event` with its event_ts (now, unless given); sets last_event_id (a new one unless given)."""
        event = dict(event)
        event.setdefault("event_ts", f"{time.time():.6f}")
        self.last_event_id = event_id or f"Ev{int(time.time())}{next(self._ids):06d}"
        return event

    def event_callback(self, event: JSON, *, event_id: str | None = None) -> JSON:
        """The event_callback envelope of a workspace event, delivered for this driver's installation."""
        event = self._stamp(event, event_id)
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
        return envelope

    def org_event_callback(self, event: JSON, *, event_id: str | None = None) -> JSON:
        """The envelope of an org-level event of an org-wide install: the organisation only, no team_id and no
        authorizations."""
        event = self._stamp(event, event_id)
        return {
            "token": self.verification_token,
            "enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.last_event_id,
            "event_time": int(float(event["event_ts"])),
        }
