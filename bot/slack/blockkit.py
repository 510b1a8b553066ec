"""The one place that knows Slack's Block Kit limits, and the helpers that keep text inside them.

Numbers from Slack's reference (see shared/slack/platform.md). `slack_sdk.models` checks most of them when a
block is serialised; blocks per message and input max_length it does not, so `fit_blocks` and the constants
here cover those.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.limits import (
    ACTIONS_ELEMENTS as ACTIONS_ELEMENTS,
)
from bot.limits import (
    BUTTON_TEXT as BUTTON_TEXT,
)
from bot.limits import (
    BUTTON_VALUE as BUTTON_VALUE,
)
from bot.limits import (
    CONTEXT_ELEMENTS as CONTEXT_ELEMENTS,
)
from bot.limits import (
    FALLBACK_TEXT as FALLBACK_TEXT,
)
from bot.limits import (
    FIELD_TEXT as FIELD_TEXT,
)
from bot.limits import (
    HEADER_TEXT as HEADER_TEXT,
)
from bot.limits import (
    ID_LENGTH as ID_LENGTH,
)
from bot.limits import (
    INPUT_MAX_LENGTH as INPUT_MAX_LENGTH,
)

# The limits themselves live in bot.limits; re-exported here until every caller reads them there (issue 13).
from bot.limits import (
    MESSAGE_BLOCKS as MESSAGE_BLOCKS,
)
from bot.limits import (
    MESSAGE_BLOCKS_TEXT as MESSAGE_BLOCKS_TEXT,
)
from bot.limits import (
    MESSAGE_TEXT as MESSAGE_TEXT,
)
from bot.limits import (
    OPTION_TEXT as OPTION_TEXT,
)
from bot.limits import (
    OPTION_VALUE as OPTION_VALUE,
)
from bot.limits import (
    OPTIONS as OPTIONS,
)
from bot.limits import (
    PRIVATE_METADATA as PRIVATE_METADATA,
)
from bot.limits import (
    SECTION_TEXT as SECTION_TEXT,
)
from bot.limits import (
    VIEW_BLOCKS as VIEW_BLOCKS,
)
from bot.limits import (
    VIEW_TITLE as VIEW_TITLE,
)
from bot.text import escape

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
