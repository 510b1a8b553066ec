"""The one place that knows Slack's Block Kit limits, and the helpers that keep text inside them.

Numbers from Slack's reference (see shared/slack/platform.md). `slack_sdk.models` checks most of them when a
block is serialised; blocks per message and input max_length it does not, so `fit_blocks` and the constants
here cover those.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.text import escape

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
ID_LENGTH = 255
INPUT_MAX_LENGTH = 3000
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
MESSAGE_TEXT = 40_000
# All the text of one message's blocks: Slack refuses more near 13,200 characters (msg_blocks_too_long).
MESSAGE_BLOCKS_TEXT = 13_200
# A notification's fallback text: Slack shows only the start of it, so keep it short.
FALLBACK_TEXT = 300

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
