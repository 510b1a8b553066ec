"""User text in and out of Slack: decode Slack's markup once on the way in, escape once on the way out.

Slack sends command and message text with `&`, `<`, `>` as entities and mentions, channels and links as
`<...>` markup. We store plain text and escape it for mrkdwn with `escape` only, so nobody's text can
become a live mention (`<!channel>`), a user ping or a link on any card, thread or list.
"""

from __future__ import annotations

import re
import unicodedata

_MARKUP = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"<@([UW][A-Z0-9_]+)(?:\|[^<>]*)?>")
_SPECIAL = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}


def _unescape_entities(text: str) -> str:
    # &amp; last, so that "&amp;lt;" decodes to the literal "&lt;" the person typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _decode_token(body: str) -> str:
    target, _, label = body.partition("|")
    label = _unescape_entities(label)
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        command = target[1:]
        if command in _SPECIAL:
            return _SPECIAL[command]
        if command.startswith("subteam^"):
            return label if label.startswith("@") else "@" + (label or command.split("^", 1)[1])
        return label or "@" + command.split("^", 1)[0]
    url = _unescape_entities(target)
    if url.startswith("mailto:"):
        return label or url.removeprefix("mailto:")
    if label and label != url:
        return f"{label} ({url})"
    return url


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def plain(text: str) -> str:
    """A person's text without control characters (tabs and line breaks stay) or lone surrogates: PostgreSQL
    refuses NUL and text that is not valid UTF-8, and none of them means anything on a card."""
    return _CONTROL.sub("", text)


# Hangul fillers and the blank Braille pattern are letters or symbols to Unicode, yet show nothing.
_SHOWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str | None) -> bool:
    """Whether `text` shows nothing: None, empty, or every character a separator (Unicode Z*), a control or
    format character (Cc, Cf: zero-width spaces and joiners, BOM, word joiner…) or one of U+115F, U+1160,
    U+3164, U+FFA0, U+2800. The one rule for every required field: blank text is refused like empty text."""
    if not text:
        return True
    return all(
        char in _SHOWS_NOTHING or unicodedata.category(char) in ("Cc", "Cf") or unicodedata.category(char)[0] == "Z"
        for char in text
    )


def decode_slack_text(text: str) -> str:
    """Slack's escaped text (slash command text, message text) → the plain text the person meant."""
    parts: list[str] = []
    position = 0
    for match in _MARKUP.finditer(text):
        parts.append(_unescape_entities(text[position : match.start()]))
        parts.append(_decode_token(match.group(1)))
        position = match.end()
    parts.append(_unescape_entities(text[position:]))
    return plain("".join(parts))


def mentioned_user_ids(text: str) -> list[str]:
    """User IDs mentioned in Slack's escaped text, in order, without repeats."""
    seen: list[str] = []
    for user_id in _MENTION.findall(text):
        if user_id not in seen:
            seen.append(user_id)
    return seen


def escape(text: str) -> str:
    """Plain text → safe mrkdwn: the one escape function for everything a person typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: str) -> str:
    """Collapse whitespace so a long text reads as one list line."""
    return " ".join(text.split())
