"""Stable pseudonyms for people who asked to be forgotten (product page, Privacy): erasure replaces a person's Slack
user id everywhere with `former_<n>`, n being their erasure request's number, so the history still shows that the
same person acted twice, and people read "former colleague #n". Lower-case with an underscore, it can never be a
Slack id (A-Z0-9) nor be mistaken for one by `bot.settings`' checks."""

from __future__ import annotations

import re

from bot.i18n import _

PREFIX = "former_"
_PSEUDONYM = re.compile(r"^former_([0-9]+)$")


def pseudonym(number: int) -> str:
    """The pseudonym of erasure request `number` (≥ 1), e.g. "former_7". Raises ValueError below 1."""
    if number < 1:
        raise ValueError(f"an erasure request's number is 1 or more, not {number}")
    return f"{PREFIX}{number}"


def number_of(user_id: str | None) -> int | None:
    """The request number of a pseudonym ("former_7" → 7); None for anything else (a Slack id, None)."""
    match = _PSEUDONYM.match(user_id or "")
    return int(match.group(1)) if match else None


def is_pseudonym(user_id: str | None) -> bool:
    """Whether `user_id` is a forgotten person's pseudonym rather than a Slack id."""
    return number_of(user_id) is not None


def label(user_id: str) -> str:
    """How people read a pseudonym, in the reader's language ("former colleague #7"). Raises ValueError for
    anything but a pseudonym."""
    number = number_of(user_id)
    if number is None:
        raise ValueError(f"{user_id!r} is no pseudonym")
    # Translators: stands for someone who asked the bot to forget them; {number} tells such people apart
    return _("former colleague #{number}", number=number)
