"""Plays Slack's side of the HTTP conversation: signed slash commands, interactions and Events API deliveries.

`SlackDriver` sends what `doubles.payloads.SlackPayloads` builds to the bot's endpoint, signed as Slack signs
(`sign`, which is `bot.slack.signing.signature`), and returns the bot's answer as a `Reply`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.slack.signing import signature as sign
from doubles.payloads import SlackPayloads

if TYPE_CHECKING:
    from doubles.slack import SlackDouble

__all__ = ["Reply", "SlackDriver", "sign"]

JSON = dict[str, Any]
# Loopback only: never let an HTTP(S)_PROXY from the environment route test traffic elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Reply:
    """The bot's HTTP answer: status, raw body, headers."""

    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class SlackDriver(SlackPayloads):
    """Sends signed requests to the bot's HTTP endpoint as Slack would (who acts: see SlackPayloads)."""

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
        super().__init__(
            double,
            team_id=team_id,
            installed_team_id=installed_team_id,
            enterprise_id=enterprise_id,
            org_wide=org_wide,
            api_app_id=api_app_id,
            verification_token=verification_token,
        )
        self.endpoint = endpoint
        self.signing_secret = signing_secret

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
        """POSTs `body` signed at `timestamp` (now by default); `signature` replaces the real one. A 4xx/5xx is a
        Reply too."""
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

    def send_interaction(self, payload: JSON) -> Reply:
        """POSTs an interaction payload (block_actions, view_submission, …) as Slack does: form-encoded, signed."""
        return self._send_form({"payload": json.dumps(payload)})

    def _send_json(self, body: JSON, extra_headers: dict[str, str] | None = None) -> Reply:
        return self.send(json.dumps(body).encode(), "application/json", extra_headers=extra_headers)

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
        """A slash command; `extra_fields` overrides or adds form fields (user_name, team_domain, …). Returns the
        reply and the command's response URL."""
        fields = self.command_fields(
            text, user_id=user_id, channel_id=channel_id, channel_name=channel_name, command=command
        )
        response_url = fields["response_url"]
        fields.update(extra_fields or {})
        return self._send_form(fields), response_url

    # --- interactions ------------------------------------------------------------------------------------------------

    def submit_view(
        self, view: JSON, values: dict[str, Any], *, user_id: str = "U_ALICE", client_checks: bool = True
    ) -> Reply:
        """view_submission for a view as the double returned it; values maps action_id -> entered value."""
        payload = self.view_submission(view, values, user_id=user_id, client_checks=client_checks)
        return self.send_interaction(payload)

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
        payload = self.block_actions(
            action_id, value, user_id=user_id, channel_id=channel_id, message=message, view=view, block_id=block_id
        )
        return self.send_interaction(payload)

    def message_shortcut(
        self, callback_id: str, message: JSON, *, user_id: str = "U_ALICE", channel_id: str = "C_TEAM"
    ) -> Reply:
        return self.send_interaction(self.message_action(callback_id, message, user_id=user_id, channel_id=channel_id))

    # --- Events API --------------------------------------------------------------------------------------------------

    def event(
        self,
        event: JSON,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Reply:
        """Delivers `event` in its event_callback envelope; `retry_num`: as Slack's retry number `retry_num`."""
        envelope = self.event_callback(event, event_id=event_id)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._send_json(envelope, headers)

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
        return self._send_json(self.org_event_callback(event, event_id=event_id))

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
        return self._send_json(body)

    def url_verification(self, challenge: str) -> Reply:
        return self._send_json({"token": self.verification_token, "challenge": challenge, "type": "url_verification"})

    def ssl_check(self) -> Reply:
        return self._send_form({"ssl_check": "1", "token": self.verification_token})
