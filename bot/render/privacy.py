"""A form shown again because its text looked like it held a patient identifier (`bot.privacy.screening`).

The form stays open with everything typed in it, a warning at the top naming what was found (to its writer only:
a form is private), and, at the end, the tick box "This isn't patient information" to go on. Built from the view
Slack sent back with the submission, so it serves every form that takes text.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from bot import limits
from bot.i18n import N_, _
from bot.privacy.identifiers import describe
from bot.privacy.screening import WRITERS_FIELD, Flag
from bot.render.ids import Field, OptionValue
from bot.slack import blockkit as bk

WARNING_BLOCK = "patient_details_warning"
PART_SHOWN = 60  # characters of each matched part quoted back to its writer

# The top-level keys of a view that views.update (and a submission's "update" answer) takes back.
_VIEW_KEYS = ("type", "title", "submit", "close", "callback_id", "private_metadata", "clear_on_close",
              "notify_on_close")  # fmt: skip

# Translators: the description under the tick box "This isn't patient information" (at most 75 characters)
NOT_PATIENT_INFO_OPTION = N_("Kaizen notes in the idea's history that you said so")


def has_tick_box(view: Mapping[str, Any]) -> bool:
    """Whether the form `view` (as Slack sends it) already offers "This isn't patient information"."""
    return any(block.get("block_id") == Field.NOT_PATIENT_INFO for block in view.get("blocks") or [])


def vouched(values: Mapping[str, Any]) -> bool:
    """Whether the writer ticked "This isn't patient information" (`values`: the view's state.values)."""
    options = ((values.get(Field.NOT_PATIENT_INFO) or {}).get(Field.NOT_PATIENT_INFO) or {}).get("selected_options")
    return any((option or {}).get("value") == OptionValue.NOT_PATIENT_INFO for option in options or [])


def errors(flags: Sequence[Flag], fields: set[str], fallback: str, *, someone_elses: bool = False) -> dict[str, str]:
    """Each flagged field's request (`Flag.request`; `Flag.request_of_someone_else` for a message someone else
    wrote), keyed by the input it shows under: the field itself when the form has it (`fields`), else `fallback`."""
    shown: dict[str, str] = {}
    for flag in flags:
        target = flag.field if flag.field in fields else fallback
        said = flag.request_of_someone_else() if someone_elses and flag.field == WRITERS_FIELD else flag.request()
        shown[target] = f"{shown[target]} {said}" if target in shown else said
    return shown


def flagged_view(view: Mapping[str, Any], flags: Sequence[Flag]) -> dict[str, Any]:
    """The form `view` (a view_submission's `view`, as Slack sends it) to show again: the same inputs, so Slack
    keeps what was typed (text inputs also start from what was submitted), a warning first that names what looked
    like a patient identifier, and the tick box "This isn't patient information" last. Raises ValueError when the
    view is not a form (no blocks) or would exceed Slack's limits.VIEW_BLOCKS."""
    blocks = [copy.deepcopy(block) for block in view.get("blocks") or [] if block.get("block_id") != WARNING_BLOCK]
    if not blocks:
        raise ValueError("not a form: the view has no blocks")
    values = (view.get("state") or {}).get("values") or {}
    for block in blocks:
        element = block.get("element") or {}
        if block.get("type") == "input" and element.get("type") == "plain_text_input":
            typed = ((values.get(block.get("block_id")) or {}).get(element.get("action_id")) or {}).get("value")
            if isinstance(typed, str):
                element["initial_value"] = typed
    found = "; ".join(
        f"{describe(kind)}: " + ", ".join(f"“{bk.escape_clipped(part, PART_SHOWN)}”" for part in parts)
        for flag in flags
        for kind, parts in flag.by_kind()
    )
    # Translators: at the top of a form whose text looks like it holds patient details; {found} names what was
    # found and quotes it, e.g. 'an NHS number: “943 476 5919”'
    warning = _(
        ":warning: *Is this about a patient?* Part of what you wrote looks like {found}. Please take it out: the "
        "team's channel is no place for patient details. If it isn't patient information, tick the box at the "
        "end and send again.",
        found=found,
    )
    shown = bk.section(warning).to_dict()
    shown["block_id"] = WARNING_BLOCK
    blocks.insert(0, shown)
    if not has_tick_box(view):
        blocks.append(_tick_box().to_dict())
    answer = {key: copy.deepcopy(view[key]) for key in _VIEW_KEYS if key in view}
    if len(blocks) > limits.VIEW_BLOCKS:
        raise ValueError(f"the form would have {len(blocks)} blocks, more than Slack's {limits.VIEW_BLOCKS}")
    answer["blocks"] = blocks
    return answer


def _tick_box() -> bk.InputBlock:
    option = bk.Option(
        value=OptionValue.NOT_PATIENT_INFO,
        # Translators: the tick box offered when a form's text looks like it holds a patient identifier
        text=bk.PlainTextObject(text=_("This isn't patient information")),
        description=bk.PlainTextObject(text=bk.clip(_(NOT_PATIENT_INFO_OPTION), limits.OPTION_TEXT)),
    )
    return bk.InputBlock(
        block_id=Field.NOT_PATIENT_INFO,
        # Translators: the label over the tick box "This isn't patient information"
        label=_("Patient information?"),
        optional=True,
        element=bk.CheckboxesElement(action_id=Field.NOT_PATIENT_INFO, options=[option]),
    )
