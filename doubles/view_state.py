"""view.state.values as Slack's client builds it when a person submits a modal or touches an element.

`build_view_state(view, values)` fills a view (as SlackDouble returned it, with Slack's block and action ids) with
what the person entered, keyed by action_id, in the shape each element type reports (`value`,
`selected_option`, `selected_users`, `selected_date`, `rich_text_value`, ...). Like Slack's client it refuses what
a person could not submit: an empty required input, text outside min_length/max_length.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["build_view_state", "element_state", "missing_ids"]

JSON = dict[str, Any]
_INPUT_TYPES_WITH_VALUE = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}


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


def element_state(el: JSON, given: bool, value: Any, action_id: str) -> JSON:
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


def missing_ids(blocks: list[JSON]) -> bool:
    """Whether a block or element lacks the id Slack fills in (the view is not as SlackDouble stored it)."""
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
        entry = element_state(el, given, values.get(action_id), action_id)
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
