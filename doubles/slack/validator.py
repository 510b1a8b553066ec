"""What Slack would refuse: the checks Slack runs on a message or a view before it accepts it.

Slack's limits, including the ones `slack_sdk.models` does not check (min/max lengths of inputs, duplicate ids,
initial options that are not options, a modal with inputs but no submit button, ...). Each check answers as
Slack does: an error code and messages of the form "<what> [json-pointer:/blocks/0/text]". The Web API
methods of the double call `validate_message` and `validate_view`; `rejected` is the answer they then give.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from doubles.slack.wire import JSON, decode_json_field, err

# Slack's limits: characters of a message's text, blocks of a message or view, bytes of a view's JSON.
MESSAGE_TEXT_LIMIT = 40_000
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
VIEW_SIZE_LIMIT = 250_000

_SCHEMA = "failed to match all allowed schemas"  # Slack's message for a wrong type where an object belongs
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


# The errors that mean "Slack would have refused this payload"; the double notes each one in
# SlackDouble.rejections, so that a test fails on a payload Slack would not take.
REFUSALS = {
    "invalid_blocks", "invalid_blocks_format", "invalid_arguments", "msg_too_long", "no_text", "view_too_large",
    "invalid_metadata_format", "invalid_attachments",
}  # fmt: skip

Problem = tuple[str, list[str]]  # (Slack's error code, its messages)


def describe(error: str, messages: list[str]) -> str:
    """One line for SlackDouble.rejections: "invalid_blocks: <message>; <message>"."""
    return error + (": " + "; ".join(messages) if messages else "")


def rejected(problem: Problem) -> JSON:
    """Slack's answer to a refused payload: the error, its messages, and the same as "[ERROR] ..." lines."""
    error, messages = problem
    return err(error, errors=messages, response_metadata={"messages": [f"[ERROR] {m}" for m in messages]})


def validate_message(args: JSON, *, allow_delete: bool = False) -> Problem | None:
    """Checks a chat.* message or response-URL body; returns (error, messages) like Slack, or None."""
    if allow_delete and args.get("delete_original") in (True, "true"):
        return None
    text = args.get("text")
    blocks = decode_json_field(args.get("blocks"))
    attachments = decode_json_field(args.get("attachments"))
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
    metadata = decode_json_field(args.get("metadata"))
    if metadata is not None and (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        return "invalid_metadata_format", ["metadata needs event_type (string) and event_payload (object)"]
    return None


def validate_view(view: Any, *, surface: str) -> Problem | None:
    """Checks a views.* payload (surface "modal" or "home")."""
    view = decode_json_field(view)
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
