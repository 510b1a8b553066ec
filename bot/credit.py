"""Who an idea is credited to when no Slack user raised it (product page, Walk-up form): a visitor to the team's
walk-up form, by the name they typed, or by none.

Such an idea's author is a stand-in id, lower-case with an underscore so that it is never a Slack id (nor a
forgotten person's pseudonym): `walkup_<20 hex digits>` for a name (the same name, whatever its case and spacing,
gives the same id within a workspace, so the measures count one participant), WALKUP_UNNAMED without one (counted
by nobody). The name itself is the idea's `credited_name`, shown as plain text, never as a mention."""

from __future__ import annotations

import hashlib

from bot import limits
from bot.i18n import _
from storage.models import WALKUP_UNNAMED, Idea

PREFIX = "walkup_"


def walkup_author(workspace_id: str, name: str | None) -> str:
    """The stand-in author id of a walk-up idea raised in `workspace_id` by `name` (None or blank: unnamed)."""
    key = " ".join((name or "").split()).casefold()
    if not key:
        return WALKUP_UNNAMED
    return PREFIX + hashlib.sha256(f"{workspace_id}\n{key}".encode()).hexdigest()[: limits.WALKUP_AUTHOR_HEX]


def is_walkup(user_id: str | None) -> bool:
    """Whether `user_id` stands for a visitor to a walk-up form rather than a Slack user."""
    return (user_id or "").startswith(PREFIX)


def label(user_id: str) -> str:
    """How people read a walk-up author known only by their id (no idea at hand), in the reader's language."""
    assert is_walkup(user_id), user_id
    # Translators: stands for someone who raised an idea on the team's walk-up web form (not on Slack)
    return _("someone on the ward form")


def credited(idea: Idea) -> str | None:
    """The plain name a walk-up idea is credited to (None: not walk-up, or the visitor gave no name). Plain text:
    escape it where it is shown."""
    return idea.credited_name if is_walkup(idea.author_id) and idea.credited_name else None
