"""A loopback stand-in for Slack's Web API, spoken to by the real ``slack_sdk.WebClient``.

The double is a real HTTP server so the whole client stack (form/JSON encoding, auth headers, retry handlers,
timeouts) runs as in production. It keeps the state Slack would keep (messages, views, reactions, uploads),
validates Block Kit the way Slack does (beyond what ``slack_sdk.models`` checks) and can inject failures.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import itertools
import json
import secrets
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = ["Call", "SlackDouble"]

JSON = dict[str, Any]

# ---------------------------------------------------------------------------------------------------------------------
# Block Kit validation: Slack's limits, including the ones slack_sdk.models does not check
# ---------------------------------------------------------------------------------------------------------------------

MESSAGE_TEXT_LIMIT = 40_000
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
VIEW_SIZE_LIMIT = 250_000
PUSH_STACK_LIMIT = 3

_SCHEMA = "failed to match all allowed schemas"
_SELECTS = {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
_MULTI_SELECTS = {"multi_" + s for s in _SELECTS}
_ACTIONS_ELEMENTS = {
    "button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons", "timepicker",
    "workflow_button", *_SELECTS, *_MULTI_SELECTS,
}  # fmt: skip
_ACCESSORY_ELEMENTS = (_ACTIONS_ELEMENTS - {"datetimepicker"}) | {"image"}
_INPUT_ELEMENTS = {
    "checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input", "number_input",
    "plain_text_input", "radio_buttons", "rich_text_input", "timepicker", "url_text_input",
    *_SELECTS, *_MULTI_SELECTS,
}  # fmt: skip
_VIEW_BLOCKS = {"actions", "context", "divider", "header", "image", "input", "rich_text", "section", "video"}
_MESSAGE_BLOCKS = _VIEW_BLOCKS | {"file", "markdown", "table", "call"}


# slack_sdk raises SlackObjectFormationError on limits; a malformed dict surfaces as one of the others.
_SDK_ERRORS = (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError)


class _Checker:
    """Collects Slack-style error strings ("<what> [json-pointer:/blocks/0/text]")."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def err(self, message: str, path: str) -> None:
        self.errors.append(f"{message} [json-pointer:{path}]")

    def max_len(self, value: Any, limit: int, path: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.err(f"must be less than {limit + 1} characters", path)

    def string(self, obj: JSON, key: str, path: str, *, limit: int, required: bool = False) -> None:
        value = obj.get(key)
        if value is None:
            if required:
                self.err(f"missing required field: {key}", path)
            return
        if not isinstance(value, str):
            self.err("must be a string", f"{path}/{key}")
        elif required and not value:
            self.err("must be more than 0 characters", f"{path}/{key}")
        else:
            self.max_len(value, limit, f"{path}/{key}")

    def text(self, obj: Any, path: str, *, limit: int, plain: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                self.err("missing required field", path)
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        # Slack wants a text object here; slack_sdk would silently coerce a bare string.
        if not isinstance(obj, dict) or obj.get("type") not in kinds:
            self.err(_SCHEMA, path)
            return
        text = obj.get("text")
        if not isinstance(text, str):
            self.err("must be a string", f"{path}/text")
        elif not text:
            self.err("must be more than 0 characters", f"{path}/text")
        else:
            self.max_len(text, limit, f"{path}/text")

    def items(self, value: Any, path: str, *, low: int, high: int) -> bool:
        if not isinstance(value, list):
            self.err("must be an array", path)
            return False
        if len(value) < low:
            self.err(f"must provide at least {low} items", path)
        if len(value) > high:
            self.err(f"no more than {high} items allowed", path)
        return True

    def identifier(self, obj: JSON, key: str, path: str, seen: set[str] | None = None) -> None:
        value = obj.get(key)
        if value is None:
            return
        if not isinstance(value, str) or not value:
            self.err("must be more than 0 characters", f"{path}/{key}")
            return
        self.max_len(value, 255, f"{path}/{key}")
        if seen is not None:
            if value in seen:
                self.err(f"duplicate {key} {value!r}", f"{path}/{key}")
            seen.add(value)

    def options(self, options: Any, path: str, *, high: int, mrkdwn: bool = False, low: int = 1) -> list[str]:
        values: list[str] = []
        if not self.items(options, path, low=low, high=high):
            return values
        for i, option in enumerate(options):
            p = f"{path}/{i}"
            if not isinstance(option, dict):
                self.err(_SCHEMA, p)
                continue
            self.text(option.get("text"), f"{p}/text", limit=75, plain=not mrkdwn)
            self.string(option, "value", p, limit=150, required=True)
            self.text(option.get("description"), f"{p}/description", limit=75, plain=not mrkdwn, required=False)
            self.string(option, "url", p, limit=3000)
            if isinstance(option.get("value"), str):
                values.append(option["value"])
        return values

    def confirm(self, obj: Any, path: str) -> None:
        if not isinstance(obj, dict):
            self.err(_SCHEMA, path)
            return
        self.text(obj.get("title"), f"{path}/title", limit=100, plain=True)
        self.text(obj.get("text"), f"{path}/text", limit=300)
        self.text(obj.get("confirm"), f"{path}/confirm", limit=30, plain=True)
        self.text(obj.get("deny"), f"{path}/deny", limit=30, plain=True)

    def element(self, el: Any, path: str, allowed: set[str], action_ids: set[str]) -> None:
        if not isinstance(el, dict) or el.get("type") not in allowed:
            self.err(_SCHEMA, path)
            return
        kind = el["type"]
        if kind == "image":
            if not el.get("image_url") and not el.get("slack_file"):
                self.err("missing required field: image_url", path)
            self.string(el, "image_url", path, limit=3000)
            self.string(el, "alt_text", path, limit=2000, required=True)
            return
        self.identifier(el, "action_id", path, action_ids)
        self.text(el.get("placeholder"), f"{path}/placeholder", limit=150, plain=True, required=False)
        if "confirm" in el:
            self.confirm(el["confirm"], f"{path}/confirm")
        if kind in ("button", "workflow_button"):
            self.text(el.get("text"), f"{path}/text", limit=75, plain=True)
            self.string(el, "value", path, limit=2000)
            self.string(el, "url", path, limit=3000)
            self.string(el, "accessibility_label", path, limit=75)
            if el.get("style") not in (None, "primary", "danger"):
                self.err("must be one of primary, danger", f"{path}/style")
        elif kind in ("static_select", "multi_static_select"):
            self._static_select(el, path)
        elif kind == "overflow":
            self.options(el.get("options"), f"{path}/options", high=5)
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(el.get("options"), f"{path}/options", high=10, mrkdwn=True)
        elif kind == "plain_text_input":
            self._text_input_lengths(el, path)
        elif kind == "number_input":
            if not isinstance(el.get("is_decimal_allowed"), bool):
                self.err("missing required field: is_decimal_allowed", path)
        elif kind == "datepicker" and el.get("initial_date") is not None:
            try:
                datetime.strptime(str(el["initial_date"]), "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                self.err("must be a date in the format YYYY-MM-DD", f"{path}/initial_date")
        elif kind == "timepicker" and el.get("initial_time") is not None:
            try:
                datetime.strptime(str(el["initial_time"]), "%H:%M").replace(tzinfo=UTC)
            except ValueError:
                self.err("must be a time in the format HH:mm", f"{path}/initial_time")
        most = el.get("max_selected_items")
        if kind.startswith("multi_") and most is not None and (not isinstance(most, int) or most < 1):
            self.err("must be at least 1", f"{path}/max_selected_items")

    def _static_select(self, el: JSON, path: str) -> None:
        has_options, has_groups = "options" in el, "option_groups" in el
        if has_options == has_groups:
            self.err("must provide exactly one of options or option_groups", path)
            return
        values: list[str] = []
        if has_options:
            values = self.options(el["options"], f"{path}/options", high=100)
        elif self.items(el["option_groups"], f"{path}/option_groups", low=1, high=100):
            for i, group in enumerate(el["option_groups"]):
                p = f"{path}/option_groups/{i}"
                if not isinstance(group, dict):
                    self.err(_SCHEMA, p)
                    continue
                self.text(group.get("label"), f"{p}/label", limit=75, plain=True)
                values += self.options(group.get("options"), f"{p}/options", high=100)
        initial = [el["initial_option"]] if el.get("initial_option") else list(el.get("initial_options") or [])
        for option in initial:
            if not isinstance(option, dict) or option.get("value") not in values:
                self.err("initial option must match one of the options", f"{path}/initial_option")

    def _text_input_lengths(self, el: JSON, path: str) -> None:
        # slack_sdk does not check these; Slack rejects the whole surface.
        low, high = el.get("min_length"), el.get("max_length")
        if high is not None and (not isinstance(high, int) or not 1 <= high <= 3000):
            self.err("must be between 1 and 3000", f"{path}/max_length")
        if low is not None and (not isinstance(low, int) or not 0 <= low <= 3000):
            self.err("must be between 0 and 3000", f"{path}/min_length")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            self.err("min_length must be less than or equal to max_length", f"{path}/min_length")
        initial = el.get("initial_value")
        if isinstance(initial, str) and isinstance(high, int) and len(initial) > high:
            self.err(f"must be less than {high + 1} characters", f"{path}/initial_value")

    def blocks(self, blocks: Any, path: str, *, allowed: set[str], limit: int) -> None:
        if not isinstance(blocks, list):
            self.err("must be an array", path)
            return
        if len(blocks) > limit:
            self.err(f"no more than {limit} items allowed", path)
        block_ids: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(block, f"{path}/{i}", allowed, block_ids)

    def block(self, b: Any, path: str, allowed: set[str], block_ids: set[str]) -> None:
        if not isinstance(b, dict) or b.get("type") not in allowed:
            self.err(_SCHEMA, path)
            return
        self.identifier(b, "block_id", path, block_ids)
        action_ids: set[str] = set()
        kind = b["type"]
        if kind == "section":
            if b.get("text") is None and b.get("fields") is None:
                self.err("must provide either text or fields", path)
            self.text(b.get("text"), f"{path}/text", limit=3000, required=False)
            if b.get("fields") is not None and self.items(b["fields"], f"{path}/fields", low=1, high=10):
                for i, f in enumerate(b["fields"]):
                    self.text(f, f"{path}/fields/{i}", limit=2000)
            if b.get("accessory") is not None:
                self.element(b["accessory"], f"{path}/accessory", _ACCESSORY_ELEMENTS, action_ids)
        elif kind == "header":
            self.text(b.get("text"), f"{path}/text", limit=150, plain=True)
        elif kind == "image":
            if not b.get("image_url") and not b.get("slack_file"):
                self.err("missing required field: image_url", path)
            self.string(b, "image_url", path, limit=3000)
            self.string(b, "alt_text", path, limit=2000, required=True)
            self.text(b.get("title"), f"{path}/title", limit=2000, plain=True, required=False)
        elif kind == "actions":
            if self.items(b.get("elements"), f"{path}/elements", low=1, high=25):
                for i, el in enumerate(b["elements"]):
                    self.element(el, f"{path}/elements/{i}", _ACTIONS_ELEMENTS, action_ids)
        elif kind == "context":
            if self.items(b.get("elements"), f"{path}/elements", low=1, high=10):
                for i, el in enumerate(b["elements"]):
                    if isinstance(el, dict) and el.get("type") == "image":
                        self.element(el, f"{path}/elements/{i}", {"image"}, action_ids)
                    else:
                        self.text(el, f"{path}/elements/{i}", limit=3000)
        elif kind == "input":
            self.text(b.get("label"), f"{path}/label", limit=2000, plain=True)
            self.text(b.get("hint"), f"{path}/hint", limit=2000, plain=True, required=False)
            if b.get("element") is None:
                self.err("missing required field: element", path)
            else:
                self.element(b["element"], f"{path}/element", _INPUT_ELEMENTS, action_ids)
        elif kind == "rich_text":
            self.items(b.get("elements"), f"{path}/elements", low=0, high=10_000)
        elif kind == "markdown":
            self.string(b, "text", path, limit=12_000, required=True)
        elif kind == "video":
            for key in ("alt_text", "thumbnail_url", "video_url"):
                self.string(b, key, path, limit=3000, required=True)
            self.text(b.get("title"), f"{path}/title", limit=200, plain=True)

    def sdk_blocks(self, blocks: list[Any], path: str) -> None:
        """Second opinion from slack_sdk's own models (only run when our checks passed)."""
        for i, block in enumerate(blocks):
            try:
                parsed = Block.parse(block)
                if parsed is None:
                    self.err(_SCHEMA, f"{path}/{i}")
                else:
                    parsed.to_dict()
            except _SDK_ERRORS as e:
                self.err(str(e), f"{path}/{i}")


def _decode_json_field(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def validate_message(args: JSON, *, allow_delete: bool = False) -> tuple[str, list[str]] | None:
    """Checks a chat.* message or response-URL body; returns (error, messages) like Slack, or None."""
    if allow_delete and args.get("delete_original") in (True, "true"):
        return None
    text = args.get("text")
    blocks = _decode_json_field(args.get("blocks"))
    attachments = _decode_json_field(args.get("attachments"))
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_LIMIT:
        return "msg_too_long", [f"text is {len(text)} characters; the limit is {MESSAGE_TEXT_LIMIT}"]
    if not text and not blocks and not attachments:
        return "no_text", ["a message needs text, blocks or attachments"]
    if blocks is not None:
        if not isinstance(blocks, list):
            return "invalid_blocks_format", ["blocks must be a JSON array"]
        chk = _Checker()
        chk.blocks(blocks, "/blocks", allowed=_MESSAGE_BLOCKS, limit=MESSAGE_BLOCK_LIMIT)
        if not chk.errors:
            chk.sdk_blocks(blocks, "/blocks")
        if chk.errors:
            return "invalid_blocks", chk.errors
    if attachments is not None and not isinstance(attachments, list):
        return "invalid_attachments", ["attachments must be a JSON array"]
    metadata = _decode_json_field(args.get("metadata"))
    if metadata is not None and (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        return "invalid_metadata_format", ["metadata needs event_type (string) and event_payload (object)"]
    return None


def validate_view(view: Any, *, surface: str) -> tuple[str, list[str]] | None:
    """Checks a views.* payload (surface "modal" or "home")."""
    view = _decode_json_field(view)
    if not isinstance(view, dict):
        return "invalid_arguments", ["view must be a JSON object [json-pointer:/view]"]
    if len(json.dumps(view)) > VIEW_SIZE_LIMIT:
        return "view_too_large", [f"view is larger than {VIEW_SIZE_LIMIT} bytes"]
    chk = _Checker()
    if view.get("type") != surface:
        chk.err(f"must be {surface!r} for this method", "/view/type")
    if surface == "modal":
        chk.text(view.get("title"), "/view/title", limit=24, plain=True)
        chk.text(view.get("submit"), "/view/submit", limit=24, plain=True, required=False)
        chk.text(view.get("close"), "/view/close", limit=24, plain=True, required=False)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and view.get("submit") is None:
            chk.err("submit is required when an input block is within the blocks array", "/view/submit")
    chk.identifier(view, "callback_id", "/view")
    chk.identifier(view, "external_id", "/view")
    chk.string(view, "private_metadata", "/view", limit=3000)
    chk.blocks(view.get("blocks"), "/view/blocks", allowed=_VIEW_BLOCKS, limit=VIEW_BLOCK_LIMIT)
    if not chk.errors:
        try:
            View(**view).to_dict()
        except _SDK_ERRORS as e:
            chk.err(str(e), "/view")
    return ("invalid_arguments", chk.errors) if chk.errors else None


# ---------------------------------------------------------------------------------------------------------------------
# The double
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Call:
    method: str  # e.g. "chat.postMessage"
    args: dict[str, Any]  # form fields, JSON body and query params merged; JSON-looking fields decoded
    headers: dict[str, str]
    token: str | None  # from Authorization: Bearer, or the token form field
    result: dict[str, Any] | None = None  # what the double answered, once it has (faults answer nothing here)


@dataclass
class _Fault:
    kind: str  # "error" | "http" | "ratelimit" | "delay" | "pass" (answered normally: a later call gets the next)
    error: str = ""
    status: int = 200
    seconds: float = 0.0
    take_effect: bool = False


_JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "files")
# Errors that mean "Slack would have rejected this payload"; each one is noted in SlackDouble.rejections.
_VALIDATION_ERRORS = {
    "invalid_blocks", "invalid_blocks_format", "invalid_arguments", "msg_too_long", "no_text", "view_too_large",
    "invalid_metadata_format", "invalid_attachments",
}  # fmt: skip


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _err(error: str, **extra: Any) -> JSON:
    return {"ok": False, "error": error, **extra}


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: Any) -> int | None:
    if not cursor:
        return 0
    try:
        kind, _, n = base64.b64decode(str(cursor)).decode().partition(":")
        return int(n) if kind == "offset" else None
    except ValueError:
        return None


class _Handler(BaseHTTPRequestHandler):
    double: SlackDouble  # set on a per-double subclass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output readable

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.double._dispatch(self.path, dict(self.headers.items()), body)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. timed out during delay()); like Slack, the effect already happened


class _Server(ThreadingHTTPServer):
    # Slack's edge never refuses a burst of connections; the standard library's backlog of 5 does, and a full
    # accept queue can reset a connection that the bot then retries only after its back-off (tens of seconds).
    request_queue_size = 1024
    daemon_threads = True  # a delayed handler must not keep pytest alive


_HttpReply = tuple[int, dict[str, str], bytes]  # status, headers, body


class SlackDouble:
    """Slack's Web API on 127.0.0.1, with the state tests need to inspect. Thread-safe."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A0001",
        team_domain: str = "example",
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.team_domain = team_domain
        self.socket_mode_url: str | None = None
        # Installs in other workspaces (OAuth): their bot tokens are accepted too, and oauth.v2.access hands them
        # out for the codes registered with add_install.
        self.other_tokens: dict[str, str] = {}
        self._token_keys: dict[str, tuple[str | None, bool]] = {}  # token -> (enterprise_id, org-wide)
        self._caller: str | None = None  # the token of the call being answered
        self._install_codes: dict[str, JSON] = {}
        self.rejections: list[tuple[str, str]] = []
        # Slack's trigger_ids expire after 3 s; None turns the check off (only ids from new_trigger_id() expire).
        self.trigger_ttl: float | None = 3.0
        # Message timestamps follow this clock (wall time by default) so `oldest`/`latest` filters behave.
        self.clock: Callable[[], float] = time.time
        self.url = ""
        self.api_url = ""
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._channels: dict[str, JSON] = {}
        self._messages: dict[str, list[JSON]] = {}
        self._ephemerals: list[JSON] = []
        self._users: dict[str, JSON] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._reactions: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._views: dict[str, JSON] = {}
        self._view_history: list[JSON] = []
        self._home_views: dict[str, str] = {}
        self._stack_depth: dict[str, int] = {}
        self._last_modal: str | None = None
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_targets: dict[str, tuple[str | None, str | None]] = {}
        self._responses: list[tuple[str, JSON]] = []
        self._uploads: dict[str, JSON] = {}
        self._uploaded: list[JSON] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Slack may answer a paged read with fewer items than asked for (its docs: "fewer than the limit"); a
        # test sets this to make every page that short.
        self.page_cap = 1000
        self.add_user(bot_user_id, "kaizen", is_bot=True)
        self._methods: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "conversations.members": self._conversations_members,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "reactions.get": self._reactions_get,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "usergroups.users.list": self._usergroups_users_list,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> Self:
        handler = type("_BoundHandler", (_Handler,), {"double": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self.api_url = self.url + "/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state set-up ------------------------------------------------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Sequence[str] = (),
        is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "members": list(members),
                "is_member": is_member,
                "is_private": is_private,
                "is_archived": is_archived,
                "is_im": False,
                "created": int(self.clock()),
            }
            self._messages.setdefault(channel_id, [])

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str | None = "Europe/London",
        is_admin: bool = False,
        is_bot: bool = False,
        real_name: str | None = None,
        is_owner: bool = False,
        deleted: bool = False,
    ) -> None:
        """A user users.info knows. `tz=None`: a profile without a time zone (no `tz`, `tz_label`, `tz_offset`);
        `deleted=True`: a deactivated account, in the shape Slack gives one (no zone, no admin or owner flags)."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name,
                "real_name": real_name or name,
                "tz": tz,
                "is_admin": is_admin,
                "is_owner": is_owner,
                "is_bot": is_bot,
                "deleted": deleted,
            }

    def set_usergroup(self, group_id: str, users: Iterable[str]) -> None:
        with self._lock:
            self._usergroups[group_id] = list(users)

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        with self._lock:
            users = self._reactions.setdefault((self._canon(channel), ts), {}).setdefault(name, [])
            if user not in users:
                users.append(user)

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        with self._lock:
            by_name = self._reactions.get((self._canon(channel), ts), {})
            if user in by_name.get(name, []):
                by_name[name].remove(user)
                if not by_name[name]:
                    del by_name[name]

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
    ) -> str:
        """Seeds a message someone else posted (so history, replies and reactions.get can see it)."""
        with self._lock:
            cid = self._canon(channel)
            ts = ts or self._next_ts()
            msg: JSON = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team_id}
            if blocks is not None:
                msg["blocks"] = copy.deepcopy(blocks)
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._messages.setdefault(cid, []).append(msg)
            self._messages[cid].sort(key=lambda m: float(m["ts"]))
            return ts

    def new_response_url(self, *, channel_id: str | None = None, message_ts: str | None = None) -> str:
        """A response URL on the double; channel_id/message_ts say what in_channel/replace_original act on."""
        self._require_started()
        with self._lock:
            url = f"{self.url}/response/{next(self._ids)}"
            self._response_targets[url] = (self._canon(channel_id) if channel_id else None, message_ts)
            return url

    def new_trigger_id(self) -> str:
        """A trigger_id as Slack would put in an interaction; it expires after trigger_ttl seconds."""
        with self._lock:
            trigger = f"{next(self._ids)}.{int(self.clock())}.{secrets.token_hex(16)}"
            self._triggers[trigger] = time.monotonic()
            return trigger

    # --- fault injection ---------------------------------------------------------------------------------------------

    def fail(self, method: str, error: str = "channel_not_found", *, times: int = 1) -> None:
        self._add_fault(method, _Fault("error", error=error), times)

    def fail_http(self, method: str, status: int = 500, *, times: int = 1, take_effect: bool = False) -> None:
        """HTTP `status` with a non-JSON body; take_effect=True applies the call first (a post that happened)."""
        self._add_fault(method, _Fault("http", status=status, take_effect=take_effect), times)

    def rate_limit(self, method: str, retry_after: int = 1, *, times: int = 1) -> None:
        self._add_fault(method, _Fault("ratelimit", status=429, seconds=retry_after), times)

    def answer_normally(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` are answered as usual; a fault queued after this hits the call after
        them (e.g. the second page of a paged read)."""
        self._add_fault(method, _Fault("pass"), times)

    def delay(self, method: str, seconds: float, *, times: int = 1) -> None:
        self._add_fault(method, _Fault("delay", seconds=seconds), times)

    def _add_fault(self, method: str, fault: _Fault, times: int) -> None:
        with self._lock:
            self._faults.setdefault(method, deque()).extend(copy.copy(fault) for _ in range(times))

    # --- inspection --------------------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls()]
                raise AssertionError(
                    f"expected {count} {method} call(s) within {timeout}s, got {len(found)}; "
                    f"all calls: {seen}; rejections: {self.rejections}"
                )
            time.sleep(0.01)

    def opened_view(self, number: int, timeout: float = 5.0) -> JSON:
        """The view that views.open call number `number` (counting from 1) opened, once the double has stored it.

        A call is listed on arrival, before its effect: waiting for the count alone and then reading the views
        can see the previous modal."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                opens = [c for c in self._calls if c.method == "views.open"]
                result = opens[number - 1].result if len(opens) >= number else None
            if result is not None:
                assert result.get("ok"), f"views.open number {number} failed: {result}"
                return copy.deepcopy(result["view"])
            if time.monotonic() > deadline:
                raise AssertionError(f"views.open number {number} not answered within {timeout}s")
            time.sleep(0.01)

    def responses(self, response_url: str | None = None) -> list[JSON]:
        with self._lock:
            return [copy.deepcopy(b) for u, b in self._responses if response_url is None or u == response_url]

    def wait_for_response(self, response_url: str, count: int = 1, timeout: float = 5.0) -> list[JSON]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.responses(response_url)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} POST(s) to {response_url} within {timeout}s, got {len(found)}; "
                    f"rejections: {self.rejections}; API calls: {[c.method for c in self.calls()]}"
                )
            time.sleep(0.01)

    def messages(self, channel: str) -> list[JSON]:
        """The bot's messages in a channel as they stand now, oldest first (thread_ts as posted)."""
        with self._lock:
            cid = self._canon(channel)
            out = []
            for m in self._messages.get(cid, []):
                if m.get("_bot"):
                    shown = self._render(cid, m, metadata=True, thread_info=False)
                    shown.setdefault("blocks", None)
                    shown.setdefault("metadata", None)
                    shown["thread_ts"] = m.get("thread_ts")
                    out.append(shown)
            return out

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[JSON]:
        with self._lock:
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if (channel is None or e["channel"] == self._canon(channel)) and (user is None or e["user"] == user)
            ]

    def views(self) -> list[JSON]:
        """Every view state the double returned (open, push, update, publish), latest last."""
        with self._lock:
            return copy.deepcopy(self._view_history)

    def last_view(self) -> JSON:
        """The latest modal (opened, pushed or updated); Home tabs published meanwhile are not modals."""
        with self._lock:
            modals = [view for view in self._view_history if view.get("type") != "home"]
            if not modals:
                raise AssertionError(f"no view was opened; views.* calls: {self._view_calls()}")
            return copy.deepcopy(modals[-1])

    def view(self, view_id: str) -> JSON:
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> JSON | None:
        with self._lock:
            vid = self._home_views.get(user_id)
            return copy.deepcopy(self._views[vid]) if vid else None

    def uploaded_files(self) -> list[JSON]:
        with self._lock:
            return copy.deepcopy(self._uploaded)

    def user(self, user_id: str) -> JSON | None:
        with self._lock:
            return copy.deepcopy(self._users.get(user_id))

    def channel(self, channel_id: str) -> JSON | None:
        with self._lock:
            return copy.deepcopy(self._channels.get(self._canon(channel_id)))

    def _view_calls(self) -> list[str]:
        return [f"{c.method}: {c.args.get('view', {}).get('callback_id', '')}" for c in self._calls if "view" in c.args]

    # --- HTTP plumbing -----------------------------------------------------------------------------------------------

    def _require_started(self) -> None:
        if not self.url:
            raise RuntimeError("SlackDouble.start() must be called first")

    def _dispatch(self, raw_path: str, headers: dict[str, str], body: bytes) -> _HttpReply:
        parts = urllib.parse.urlsplit(raw_path)
        path = parts.path
        if path.startswith("/api/"):
            return self._api(path[len("/api/") :], parts.query, headers, body)
        if path.startswith("/response/"):
            return self._response_url(self.url + path, body)
        if path.startswith("/upload/"):
            return self._upload(path[len("/upload/") :], body)
        return 404, {"Content-Type": "text/plain"}, b"not found"

    @staticmethod
    def _json_reply(data: JSON, status: int = 200, headers: dict[str, str] | None = None) -> _HttpReply:
        return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, json.dumps(data).encode()

    @staticmethod
    def _parse_args(query: str, headers: dict[str, str], body: bytes) -> JSON:
        args: JSON = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
        if body and "application/json" in ctype:
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                args.update(parsed)
        elif body and "multipart/form-data" in ctype:
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    payload = part.get_payload(decode=True) or b""
                    args[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
        elif body:
            form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
            args.update({k: v[-1] for k, v in form.items()})
        for key in _JSON_FIELDS:
            if key in args:
                args[key] = _decode_json_field(args[key])
        return args

    def _api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> _HttpReply:
        try:
            args = self._parse_args(query, headers, body)
        except ValueError:
            with self._lock:
                self._calls.append(Call(method, {}, headers, None))
            return self._json_reply(_err("invalid_json"))
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else args.get("token")
        call = Call(method, args, headers, token)
        with self._lock:
            self._calls.append(call)
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
        if fault is not None and fault.kind == "pass":
            fault = None
        if fault is not None:
            if fault.kind == "delay":
                time.sleep(fault.seconds)  # then answer normally: the effect happens even if the client gave up
            elif fault.kind == "error":
                return self._json_reply(_err(fault.error))
            elif fault.kind == "ratelimit":
                retry = {"Retry-After": str(int(fault.seconds))}
                return self._json_reply(_err("ratelimited"), status=429, headers=retry)
            elif fault.kind == "http":
                if fault.take_effect:
                    self._call_method(method, args, token)
                html = f"<html><body><h1>{fault.status} Server Error</h1></body></html>".encode()
                return fault.status, {"Content-Type": "text/html"}, html
        result = self._call_method(method, args, token)
        with self._lock:
            call.result = result
        return self._json_reply(result)

    def _call_method(self, method: str, args: JSON, token: str | None) -> JSON:
        handler = self._methods.get(method)
        if method == "apps.connections.open":
            if not isinstance(token, str) or not token.startswith("xapp-"):
                return _err("invalid_auth")
        elif method == "oauth.v2.access":
            pass  # authenticated by the app's client id and secret, not a token
        elif handler is not None and token in self.other_tokens:
            pass
        elif handler is None:
            return _err("unknown_method")
        elif not token:
            return _err("not_authed")
        elif token != self.bot_token:
            return _err("invalid_auth")
        with self._lock:
            self._caller = token  # methods that answer per installation read it under the same lock
            result = self._auth_test(args, token) if method == "auth.test" else handler(args)
        if not result.get("ok") and result.get("error") in _VALIDATION_ERRORS:
            reason = result["error"] + (": " + "; ".join(result["errors"]) if result.get("errors") else "")
            with self._lock:
                self.rejections.append((method, reason))
        return result

    def _rejected(self, problem: tuple[str, list[str]]) -> JSON:
        error, messages = problem
        return _err(error, errors=messages, response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})

    # --- helpers over state (call with the lock held) ----------------------------------------------------------------

    def _next_ts(self) -> str:
        now_us = int(self.clock() * 1_000_000) // 100 * 100
        self._last_ts_us = max(now_us, self._last_ts_us + 100)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _canon(self, channel: str) -> str:
        """Posting to a user ID lands in the bot's DM with that user, which we name "D" + user id."""
        if channel.startswith(("U", "W")):
            return "D" + channel
        if channel.startswith("#"):
            return next((c for c, info in self._channels.items() if info["name"] == channel[1:]), channel)
        return channel

    def _channel_for(self, channel: Any) -> tuple[str, JSON | None]:
        if not isinstance(channel, str) or not channel:
            return "", None
        cid = self._canon(channel)
        if cid.startswith("D") and cid not in self._channels:
            user = cid[1:]
            self._channels[cid] = {
                "id": cid,
                "name": cid,
                "user": user,
                "members": [user, self.bot_user_id],
                "is_member": True,
                "is_private": True,
                "is_archived": False,
                "is_im": True,
                "created": int(self.clock()),
            }
            self._messages.setdefault(cid, [])
        return cid, self._channels.get(cid)

    def _postable(self, channel: Any) -> tuple[str, str | None]:
        cid, info = self._channel_for(channel)
        if info is None:
            return cid, "channel_not_found"
        if info["is_archived"]:
            return cid, "is_archived"
        if not info["is_member"]:
            return cid, "not_in_channel"
        return cid, None

    def _find(self, cid: str, ts: Any) -> JSON | None:
        return next((m for m in self._messages.get(cid, []) if m["ts"] == ts), None)

    def _assign_ids(self, blocks: Any) -> Any:
        """Slack gives every block a block_id and every interactive element an action_id."""
        if not isinstance(blocks, list):
            return blocks
        blocks = copy.deepcopy(blocks)
        for block in blocks:
            if not isinstance(block, dict) or block.get("type") in ("rich_text", "markdown", "table"):
                continue
            block.setdefault("block_id", secrets.token_urlsafe(4))
            elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
            for el in elements:
                if isinstance(el, dict) and el.get("type") not in (None, "image", "plain_text", "mrkdwn"):
                    el.setdefault("action_id", secrets.token_urlsafe(4))
        return blocks

    def _bot_profile(self) -> JSON:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": "kaizen",
            "deleted": False,
            "team_id": self.team_id,
            "icons": {"image_48": "https://example.invalid/bot_48.png"},
            "updated": 1_700_000_000,
        }

    def _render(self, cid: str, m: JSON, *, metadata: bool, thread_info: bool = True) -> JSON:
        """A stored message in Slack's wire shape."""
        out = {k: copy.deepcopy(v) for k, v in m.items() if not k.startswith("_") and v is not None}
        if not metadata:
            out.pop("metadata", None)
        if m.get("_bot"):
            out["bot_profile"] = self._bot_profile()
        reactions = self._reactions.get((cid, m["ts"]), {})
        if reactions:
            out["reactions"] = [{"name": n, "users": list(u), "count": len(u)} for n, u in reactions.items()]
        if thread_info:
            replies = [r for r in self._messages.get(cid, []) if r.get("thread_ts") == m["ts"] and r is not m]
            if replies:
                out["thread_ts"] = m["ts"]
                out["reply_count"] = len(replies)
                out["reply_users"] = list(dict.fromkeys(r.get("user", "") for r in replies))
                out["reply_users_count"] = len(out["reply_users"])
                out["latest_reply"] = replies[-1]["ts"]
                out["is_locked"] = False
        return out

    def _page(self, items: list[Any], args: JSON, *, default: int) -> tuple[list[Any], str] | None:
        start = _offset(args.get("cursor"))
        if start is None:
            return None
        try:
            limit = int(args.get("limit") or default)
        except ValueError:
            limit = default
        limit = max(1, min(limit, 1000, self.page_cap))
        end = start + limit
        return items[start:end], (_cursor(end) if end < len(items) else "")

    # --- methods -----------------------------------------------------------------------------------------------------

    def add_install(
        self,
        code: str,
        *,
        team_id: str | None,
        bot_token: str,
        bot_user_id: str = "UBOT2",
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        """Let oauth.v2.access exchange `code` for an install with `bot_token`: in workspace `team_id`, inside the
        Enterprise Grid organisation `enterprise_id` when given; `org_wide` installs in the whole organisation
        (Slack's answer then names no workspace: `team` is null)."""
        with self._lock:
            self.other_tokens[bot_token] = "" if org_wide else str(team_id)
            self._token_keys[bot_token] = (enterprise_id, org_wide)
            self._install_codes[code] = {
                "ok": True,
                "app_id": self.app_id,
                "authed_user": {"id": "U_INSTALLER"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": bot_token,
                "bot_user_id": bot_user_id,
                "team": None if org_wide else {"id": team_id, "name": f"Workspace {team_id}"},
                "enterprise": {"id": enterprise_id, "name": f"Org {enterprise_id}"} if enterprise_id else None,
                "is_enterprise_install": org_wide,
            }

    def _oauth_v2_access(self, args: JSON) -> JSON:
        answer = self._install_codes.pop(str(args.get("code") or ""), None)
        return dict(answer) if answer else _err("invalid_code")

    def _auth_test(self, args: JSON, token: str | None = None) -> JSON:
        """Who the token is: the double's own workspace, or the install that handed the token out."""
        enterprise_id, org_wide = self._token_keys.get(token or "", (None, False))
        answer: JSON = {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain.title(),
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.other_tokens.get(token or "", self.team_id) if token in self.other_tokens else self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": org_wide,
        }
        if enterprise_id:
            answer["enterprise_id"] = enterprise_id
        return answer

    def _apps_connections_open(self, args: JSON) -> JSON:
        if not self.socket_mode_url:
            return _err("socket_mode_not_enabled")
        return {"ok": True, "url": self.socket_mode_url}

    def _store_message_fields(self, msg: JSON, args: JSON) -> None:
        for key in ("text", "attachments", "metadata"):
            if key in args:
                msg[key] = copy.deepcopy(args[key])
        if "blocks" in args:
            msg["blocks"] = self._assign_ids(args["blocks"])
        msg.setdefault("text", "")

    def _chat_post_message(self, args: JSON) -> JSON:
        cid, error = self._postable(args.get("channel"))
        if error:
            return _err(error)
        problem = validate_message(args)
        if problem:
            return self._rejected(problem)
        msg = self._post(cid, args)
        return {"ok": True, "channel": cid, "ts": msg["ts"], "message": self._render(cid, msg, metadata=True)}

    def _post(self, cid: str, args: JSON) -> JSON:
        msg: JSON = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "ts": self._next_ts(),
            "team": self.team_id,
            "_bot": True,
        }
        self._store_message_fields(msg, args)
        if args.get("thread_ts"):
            msg["thread_ts"] = str(args["thread_ts"])
            parent = self._find(cid, msg["thread_ts"])
            if parent is not None:
                msg["parent_user_id"] = parent.get("user")
            if _truthy(args.get("reply_broadcast")):
                msg["subtype"] = "thread_broadcast"
        self._messages.setdefault(cid, []).append(msg)
        return msg

    def _chat_update(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        msg = self._find(cid, args.get("ts"))
        if msg is None:
            return _err("message_not_found")
        if not msg.get("_bot"):
            return _err("cant_update_message")
        problem = validate_message(args)
        if problem:
            return self._rejected(problem)
        self._store_message_fields(msg, args)
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        rendered = self._render(cid, msg, metadata=True)
        return {"ok": True, "channel": cid, "ts": msg["ts"], "text": msg.get("text", ""), "message": rendered}

    def _chat_delete(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        msg = self._find(cid, args.get("ts"))
        if msg is None:
            return _err("message_not_found")
        if not msg.get("_bot"):
            return _err("cant_delete_message")
        self._messages[cid].remove(msg)
        return {"ok": True, "channel": cid, "ts": msg["ts"]}

    def _chat_post_ephemeral(self, args: JSON) -> JSON:
        cid, error = self._postable(args.get("channel"))
        if error:
            return _err(error)
        user = args.get("user")
        if not user:
            return _err("user_not_found")
        members = self._channels[cid]["members"]
        if members and user not in members:  # only checked when the test declared the members
            return _err("user_not_in_channel")
        problem = validate_message(args)
        if problem:
            return self._rejected(problem)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": cid,
                "user": user,
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": copy.deepcopy(args.get("blocks")),
                "thread_ts": args.get("thread_ts"),
            }
        )
        return {"ok": True, "message_ts": ts}

    def _chat_get_permalink(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        ts = args.get("message_ts")
        if not ts:
            return _err("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{cid}/p{str(ts).replace('.', '')}"
        msg = self._find(cid, ts)
        if msg and msg.get("thread_ts") and msg["thread_ts"] != ts:
            link += f"?thread_ts={msg['thread_ts']}&cid={cid}"
        return {"ok": True, "channel": cid, "permalink": link}

    def _readable(self, channel: Any) -> tuple[str, JSON | str]:
        cid, info = self._channel_for(channel)
        if info is None:
            return cid, "channel_not_found"
        if not info["is_member"]:
            return cid, "not_in_channel"
        return cid, info

    def _window(self, messages: list[JSON], args: JSON) -> list[JSON]:
        inclusive = _truthy(args.get("inclusive"))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")

        def keep(m: JSON) -> bool:
            ts = float(m["ts"])
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        return [m for m in messages if keep(m)]

    def _conversations_history(self, args: JSON) -> JSON:
        cid, info = self._readable(args.get("channel"))
        if isinstance(info, str):
            return _err(info)
        top = [
            m
            for m in self._messages.get(cid, [])
            if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast"
        ]
        found = sorted(self._window(top, args), key=lambda m: float(m["ts"]), reverse=True)
        page = self._page(found, args, default=100)
        if page is None:
            return _err("invalid_cursor")
        items, next_cursor = page
        metadata = _truthy(args.get("include_all_metadata"))
        return {
            "ok": True,
            "messages": [self._render(cid, m, metadata=metadata) for m in items],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_replies(self, args: JSON) -> JSON:
        """Like Slack: `ts` may be any message of the thread; the parent comes first on the first page whatever
        the window (`oldest`/`latest` filter the replies only) and counts against `limit`."""
        cid, info = self._readable(args.get("channel"))
        if isinstance(info, str):
            return _err(info)
        given = self._find(cid, args.get("ts"))
        if given is None:
            return _err("thread_not_found")
        root = given.get("thread_ts") or given["ts"]
        parent = self._find(cid, root)
        replies = [m for m in self._messages[cid] if m.get("thread_ts") == root and m["ts"] != root]
        thread = sorted(self._window(replies, args), key=lambda m: float(m["ts"]))
        if parent is not None:
            thread.insert(0, parent)
        page = self._page(thread, args, default=1000)
        if page is None:
            return _err("invalid_cursor")
        items, next_cursor = page
        metadata = _truthy(args.get("include_all_metadata"))
        rendered = [self._render(cid, m, metadata=metadata) for m in items]
        for m in rendered:
            m.setdefault("thread_ts", root)
        return {
            "ok": True,
            "messages": rendered,
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _channel_object(self, info: JSON, *, num_members: bool = False) -> JSON:
        if info["is_im"]:
            return {
                "id": info["id"],
                "created": info["created"],
                "is_im": True,
                "is_channel": False,
                "is_private": True,
                "is_member": True,
                "is_archived": False,
                "is_org_shared": False,
                "user": info["user"],
            }
        out = {
            "id": info["id"],
            "name": info["name"],
            "name_normalized": info["name"],
            "is_channel": not info["is_private"],
            "is_group": info["is_private"],
            "is_im": False,
            "is_mpim": False,
            "is_private": info["is_private"],
            "is_member": info["is_member"],
            "is_archived": info["is_archived"],
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": info["created"],
            "creator": "",
            "context_team_id": self.team_id,
        }
        if num_members:
            out["num_members"] = len(info["members"])
        return out

    def _conversations_info(self, args: JSON) -> JSON:
        _, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        return {"ok": True, "channel": self._channel_object(info, num_members=_truthy(args.get("include_num_members")))}

    def _conversations_list(self, args: JSON) -> JSON:
        types = str(args.get("types") or "public_channel").split(",")
        chosen = [
            info
            for info in self._channels.values()
            if (info["is_im"] and "im" in types)
            or (not info["is_im"] and info["is_private"] and "private_channel" in types and info["is_member"])
            or (not info["is_im"] and not info["is_private"] and "public_channel" in types)
        ]
        if _truthy(args.get("exclude_archived")):
            chosen = [c for c in chosen if not c["is_archived"]]
        page = self._page(chosen, args, default=100)
        if page is None:
            return _err("invalid_cursor")
        items, next_cursor = page
        return {
            "ok": True,
            "channels": [self._channel_object(c) for c in items],
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _conversations_members(self, args: JSON) -> JSON:
        _, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        page = self._page(info["members"], args, default=100)
        if page is None:
            return _err("invalid_cursor")
        items, next_cursor = page
        return {"ok": True, "members": list(items), "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_open(self, args: JSON) -> JSON:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            target = str(args["channel"])
        elif len(users) == 1:
            target = users[0]
        elif not users:
            return _err("users_list_not_supplied")
        else:
            return _err("not_supported", detail="the double supports one-to-one DMs only")
        existed = self._canon(target) in self._channels
        cid, info = self._channel_for(target)
        if info is None:
            return _err("channel_not_found")
        channel = self._channel_object(info) if _truthy(args.get("return_im")) else {"id": cid}
        return {"ok": True, "no_op": existed, "already_open": existed, "channel": channel}

    def _users_info(self, args: JSON) -> JSON:
        user = self._users.get(str(args.get("user") or ""))
        if user is None:
            return _err("user_not_found")
        profile = {
            "display_name": user["name"],
            "display_name_normalized": user["name"],
            "real_name": user["real_name"],
            "real_name_normalized": user["real_name"],
            "team": self.team_id,
        }
        shown: JSON = {"id": user["id"], "team_id": self.team_id, "name": user["name"]}
        if user["deleted"]:
            # A deactivated account: Slack leaves out the zone and the admin, owner and guest flags.
            shown |= {"deleted": True, "profile": profile, "is_bot": user["is_bot"], "is_app_user": False}
            return {"ok": True, "user": shown | {"updated": 1_700_000_000}}
        shown |= {"deleted": False, "color": "9f69e7", "real_name": user["real_name"]}
        if user["tz"] is not None:
            try:
                offset = ZoneInfo(user["tz"]).utcoffset(datetime.now(UTC))
            except (KeyError, ValueError):
                offset = None
            seconds = int(offset.total_seconds()) if offset else 0
            shown |= {"tz": user["tz"], "tz_label": user["tz"], "tz_offset": seconds}
        shown |= {
            "is_admin": user["is_admin"],
            "is_owner": user["is_owner"],
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user["is_bot"],
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": profile,
        }
        return {"ok": True, "user": shown}

    def _reactions_get(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        ts = args.get("timestamp")
        msg = self._find(cid, ts)
        if msg is None:
            if not self._reactions.get((cid, str(ts))):
                return _err("message_not_found")
            msg = {"type": "message", "ts": ts, "text": ""}  # reactions set by the test on a message we never saw
        rendered = self._render(cid, msg, metadata=False)
        link = f"https://{self.team_domain}.slack.com/archives/{cid}/p{str(ts).replace('.', '')}"
        return {"ok": True, "type": "message", "channel": cid, "message": {**rendered, "permalink": link}}

    def _reactions_add(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        ts, name = str(args.get("timestamp") or ""), str(args.get("name") or "")
        if self._find(cid, ts) is None:
            return _err("message_not_found")
        if self.bot_user_id in self._reactions.get((cid, ts), {}).get(name, []):
            return _err("already_reacted")
        self.add_reaction(cid, ts, name, self.bot_user_id)
        return {"ok": True}

    def _reactions_remove(self, args: JSON) -> JSON:
        cid, info = self._channel_for(args.get("channel"))
        if info is None:
            return _err("channel_not_found")
        ts, name = str(args.get("timestamp") or ""), str(args.get("name") or "")
        if self.bot_user_id not in self._reactions.get((cid, ts), {}).get(name, []):
            return _err("no_reaction")
        self.remove_reaction(cid, ts, name, self.bot_user_id)
        return {"ok": True}

    # views

    def _use_trigger(self, trigger: Any) -> str | None:
        if not trigger:
            return "invalid_trigger_id"
        if trigger in self._used_triggers:
            return "exchanged_trigger_id"
        issued = self._triggers.get(trigger)
        if issued is not None and self.trigger_ttl is not None and time.monotonic() - issued > self.trigger_ttl:
            return "expired_trigger_id"
        self._used_triggers.add(trigger)
        return None

    def _store_view(self, view: JSON, *, view_id: str | None = None, previous: str | None = None,
                    root: str | None = None) -> JSON:  # fmt: skip
        vid = view_id or f"V{next(self._ids):010d}"
        stored = {
            "id": vid,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": self._assign_ids(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{secrets.token_hex(4)}",
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous,
            "root_view_id": root or vid,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            # The installation whose token opened the view (Slack Connect: not necessarily the person's).
            "app_installed_team_id": self.other_tokens.get(self._caller or "") or self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[vid] = stored
        self._view_history.append(copy.deepcopy(stored))
        return copy.deepcopy(stored)

    def _new_view_problem(self, method: str, view: Any, surface: str) -> JSON | None:
        problem = validate_view(view, surface=surface)
        if problem:
            return self._rejected(problem)
        ext = view.get("external_id")
        if ext and any(v["external_id"] == ext for v in self._views.values()):
            return _err("duplicate_external_id")
        return None

    def _views_open(self, args: JSON) -> JSON:
        view = args.get("view")
        bad = self._new_view_problem("views.open", view, "modal")
        if bad:
            return bad
        error = self._use_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
        if error:
            return _err(error)
        stored = self._store_view(view)
        self._stack_depth[stored["id"]] = 1
        self._last_modal = stored["id"]
        return {"ok": True, "view": stored}

    def _views_push(self, args: JSON) -> JSON:
        view = args.get("view")
        bad = self._new_view_problem("views.push", view, "modal")
        if bad:
            return bad
        error = self._use_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
        if error:
            return _err(error)
        previous = self._last_modal
        root = self._views[previous]["root_view_id"] if previous else None
        if root and self._stack_depth.get(root, 1) >= PUSH_STACK_LIMIT:
            return _err("push_limit_reached")
        stored = self._store_view(view, previous=previous, root=root)
        root = stored["root_view_id"]
        self._stack_depth[root] = self._stack_depth.get(root, 0) + 1
        self._last_modal = stored["id"]
        return {"ok": True, "view": stored}

    def _views_update(self, args: JSON) -> JSON:
        current = None
        if args.get("view_id"):
            current = self._views.get(str(args["view_id"]))
        elif args.get("external_id"):
            current = next((v for v in self._views.values() if v["external_id"] == args["external_id"]), None)
        else:
            return _err("invalid_arguments", errors=["view_id or external_id is required"])
        if current is None:
            return _err("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            return _err("hash_conflict")
        view = args.get("view")
        problem = validate_view(view, surface=current["type"])
        if problem:
            return self._rejected(problem)
        stored = self._store_view(
            view, view_id=current["id"], previous=current["previous_view_id"], root=current["root_view_id"]
        )
        return {"ok": True, "view": stored}

    def _views_publish(self, args: JSON) -> JSON:
        user_id = str(args.get("user_id") or "")
        if not user_id.startswith(("U", "W")):  # any user-looking id works; a channel id is a bug
            return _err("user_not_found")
        view = args.get("view")
        problem = validate_view(view, surface="home")
        if problem:
            return self._rejected(problem)
        existing = self._home_views.get(user_id)
        if existing and args.get("hash") and args["hash"] != self._views[existing]["hash"]:
            return _err("hash_conflict")
        stored = self._store_view(view, view_id=existing)
        self._home_views[user_id] = stored["id"]
        return {"ok": True, "view": stored}

    def _usergroups_users_list(self, args: JSON) -> JSON:
        users = self._usergroups.get(str(args.get("usergroup") or ""))
        if users is None:
            return _err("no_such_subteam")
        return {"ok": True, "users": list(users)}

    # files

    def _files_get_upload_url(self, args: JSON) -> JSON:
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _err("invalid_arguments", errors=["length must be an integer"])
        if not filename:
            return _err("invalid_arguments", errors=["filename is required"])
        file_id = f"F{next(self._ids):010d}"
        self._uploads[file_id] = {"filename": filename, "length": length, "bytes": None, "completed": False}
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _upload(self, file_id: str, body: bytes) -> _HttpReply:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            upload["bytes"] = body
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()

    def _files_complete_upload(self, args: JSON) -> JSON:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return _err("invalid_arguments", errors=["files must be a non-empty JSON array"])
        targets = [args["channel_id"]] if args.get("channel_id") else []
        targets += [c for c in str(args.get("channels") or "").split(",") if c]
        cids = []
        for target in targets:
            cid, error = self._postable(target)
            if error:
                return _err(error)
            cids.append(cid)
        for f in files:
            upload = self._uploads.get(str(f.get("id")))
            if upload is None or upload["bytes"] is None or upload["completed"]:
                return _err("file_not_found")
        out = []
        for f in files:
            upload = self._uploads[f["id"]]
            upload["completed"] = True
            title = f.get("title") or upload["filename"]
            self._uploaded.append(
                {
                    "file_id": f["id"],
                    "filename": upload["filename"],
                    "title": title,
                    "channel_id": cids[0] if cids else None,
                    "bytes": upload["bytes"],
                    "initial_comment": args.get("initial_comment"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
            out.append(
                {
                    "id": f["id"],
                    "created": int(self.clock()),
                    "timestamp": int(self.clock()),
                    "name": upload["filename"],
                    "title": title,
                    "mimetype": "application/octet-stream",
                    "filetype": "binary",
                    "user": self.bot_user_id,
                    "size": len(upload["bytes"]),
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{f['id']}",
                    "channels": cids,
                }
            )
        return {"ok": True, "files": out}

    # response URLs

    def _response_url(self, url: str, body: bytes) -> _HttpReply:
        with self._lock:
            if url not in self._response_targets:
                return 404, {"Content-Type": "text/plain"}, b"no_such_url"
            channel, message_ts = self._response_targets[url]
        try:
            payload = json.loads(body)
        except ValueError:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            try:
                payload = json.loads(form["payload"][-1])
            except (KeyError, ValueError):
                return 400, {"Content-Type": "text/plain"}, b"invalid_payload"
        if not isinstance(payload, dict):
            return 400, {"Content-Type": "text/plain"}, b"invalid_payload"
        problem = validate_message(payload, allow_delete=True)
        with self._lock:
            if problem:
                reason = problem[0] + (": " + "; ".join(problem[1]) if problem[1] else "")
                self.rejections.append(("response_url", reason))
                return self._json_reply(self._rejected(problem))
            self._responses.append((url, copy.deepcopy(payload)))
            self._apply_response(payload, channel, message_ts)
        return self._json_reply({"ok": True})

    def _apply_response(self, payload: JSON, channel: str | None, message_ts: str | None) -> None:
        """What Slack does with a response-URL body: delete/replace the source message, or post a new one."""
        original = self._find(channel, message_ts) if channel and message_ts else None
        if _truthy(payload.get("delete_original")):
            if original is not None:
                self._messages[channel].remove(original)  # type: ignore[index]
        elif _truthy(payload.get("replace_original")) and original is not None:
            original["text"] = payload.get("text", "")
            original["blocks"] = self._assign_ids(payload.get("blocks", []))
            original["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        elif payload.get("response_type") == "in_channel" and channel:
            self._post(channel, payload)  # works without membership, like a slash command's in_channel reply
        elif channel:
            self._ephemerals.append(
                {
                    "channel": channel,
                    "user": None,
                    "ts": self._next_ts(),
                    "text": payload.get("text", ""),
                    "blocks": copy.deepcopy(payload.get("blocks")),
                    "thread_ts": payload.get("thread_ts"),
                }
            )
