"""Who an idea is credited to when no Slack user of its own raised it (product page, Walk-up form): a visitor to the
team's walk-up form, by the name they typed or by none, or someone without a Slack account a leader raised it for,
by the name the leader typed.

Such an idea's author is a stand-in id, lower-case with an underscore so that it is never a Slack id (nor a
forgotten person's pseudonym): `walkup_<hex>` for a visitor who gave a name, `named_<hex>` for a person a leader
named (the same name, whatever its case and spacing, gives the same hex within a workspace, so the measures count
one participant), WALKUP_UNNAMED for a visitor without a name (counted by nobody). The name itself is the idea's
`credited_name`, shown as plain text, never as a mention."""

from __future__ import annotations

import hashlib

from bot import limits
from bot.i18n import _
from storage.models import WALKUP_UNNAMED, Idea

WALKUP = "walkup_"  # raised on the walk-up form
NAMED = "named_"  # raised by a leader for someone not on Slack


def _hex(workspace_id: str, key: str) -> str:
    return hashlib.sha256(f"{workspace_id}\n{key}".encode()).hexdigest()[: limits.WALKUP_AUTHOR_HEX]


def _key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def walkup_author(workspace_id: str, name: str | None) -> str:
    """The stand-in author id of a walk-up idea raised in `workspace_id` by `name` (None or blank: unnamed)."""
    key = _key(name)
    return WALKUP + _hex(workspace_id, key) if key else WALKUP_UNNAMED


def named_author(workspace_id: str, name: str) -> str:
    """The stand-in author id of an idea a leader raised for `name`, someone not on Slack. Raises ValueError for a
    blank name."""
    key = _key(name)
    if not key:
        raise ValueError("no name to credit")
    return NAMED + _hex(workspace_id, key)


def is_walkup(user_id: str | None) -> bool:
    """Whether `user_id` stands for a visitor to a walk-up form."""
    return (user_id or "").startswith(WALKUP)


def not_on_slack(user_id: str | None) -> bool:
    """Whether `user_id` stands for someone credited by name, not a Slack user (nobody to ping, DM or look up)."""
    return (user_id or "").startswith((WALKUP, NAMED))


def label(user_id: str) -> str:
    """How people read someone credited by name when only their id is at hand, in the reader's language."""
    assert not_on_slack(user_id), user_id
    if is_walkup(user_id):
        # Translators: stands for someone who raised an idea on the team's walk-up web form (not on Slack)
        return _("someone on the ward form")
    # Translators: stands for someone without a Slack account a leader raised an idea for
    return _("a colleague not on Slack")


def credited(idea: Idea) -> str | None:
    """The plain name an idea is credited to when its author is not a Slack user (None: a Slack user's idea, or a
    visitor who gave no name). Plain text: escape it where it is shown."""
    return idea.credited_name if not_on_slack(idea.author_id) and idea.credited_name else None
