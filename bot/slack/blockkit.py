"""Block Kit for the rest of bot/: slack_sdk's model classes (re-exported, so that only bot.slack imports
slack_sdk) and the helpers that keep text inside Slack's limits.

The limits themselves are in `bot.limits`. `slack_sdk.models` checks most of them when a block is serialised;
blocks per message it does not, so `fit_blocks` covers that.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationMultiSelectElement,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.limits import CONTEXT_ELEMENTS, MESSAGE_BLOCKS, SECTION_TEXT
from bot.text import escape

# slack_sdk's Block Kit classes, for bot.render: only bot.slack imports slack_sdk.
__all__ = [
    "ELLIPSIS",
    "ActionsBlock",
    "Block",
    "ButtonElement",
    "CheckboxesElement",
    "ConfirmObject",
    "ContextBlock",
    "ConversationFilter",
    "ConversationMultiSelectElement",
    "ConversationSelectElement",
    "DividerBlock",
    "HeaderBlock",
    "InputBlock",
    "MarkdownTextObject",
    "Option",
    "OverflowMenuElement",
    "PlainTextInputElement",
    "PlainTextObject",
    "RadioButtonsElement",
    "SectionBlock",
    "StaticSelectElement",
    "UserMultiSelectElement",
    "UserSelectElement",
    "View",
    "clip",
    "context",
    "escape_clipped",
    "fit_blocks",
    "line_sections",
    "section",
]

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def escape_clipped(text: str, limit: int) -> str:
    """Escape a person's text for mrkdwn and clip it so that the escaped form fits `limit`.

    Clipping happens on the plain text, so an entity like `&amp;` is never cut in half."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    # The escaped length grows with every character kept: find the longest prefix that fits.
    low, high = 0, min(len(text), limit - 1)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(text[:middle])) <= limit - 1:
            low = middle
        else:
            high = middle - 1
    return escape(text[:low]) + ELLIPSIS


def section(text: str) -> SectionBlock:
    """A mrkdwn section from already-safe mrkdwn (clipped as a last guard)."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))


def context(*texts: str) -> ContextBlock:
    """A context block of mrkdwn texts (already safe), each clipped as a last guard; at most CONTEXT_ELEMENTS."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, SECTION_TEXT)) for t in texts[:CONTEXT_ELEMENTS]])


def line_sections(lines: Sequence[str], *, limit: int = SECTION_TEXT) -> list[SectionBlock]:
    """Pack list lines into as few sections as fit, each under the section text limit."""
    blocks: list[SectionBlock] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = clip(line, limit)
        if chunk and size + 1 + len(line) > limit:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        size += len(line) + (1 if chunk else 0)  # the joined length, newlines included
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def fit_blocks(blocks: list[Block], *, limit: int = MESSAGE_BLOCKS, overflow_note: str) -> list[Block]:
    """At most `limit` blocks; when cut, the last one says so (`overflow_note` is safe mrkdwn)."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(overflow_note)]
