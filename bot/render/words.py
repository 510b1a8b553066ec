"""Wording every surface shares: the labels of statuses, categories, outcomes and history events, how people and
dates are shown, and one line of a list or of an idea's history.

Everything a person typed goes through `escape_clipped`; mentions and dates we build ourselves are Slack markup
on purpose (`<@U123>` shows a name, `<!date^…>` shows a date in the reader's own time zone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot import limits
from bot.render.ids import Outcome
from bot.slack import blockkit as bk
from bot.text import one_line
from storage.models import Category, EventKind, Idea, IdeaEvent, IdeaStatus

STATUS_LABEL: dict[str, str] = {
    IdeaStatus.NEW: ":new: New — waiting for a decision",
    IdeaStatus.APPROVED: ":white_check_mark: Approved — go ahead",
    IdeaStatus.IN_PROGRESS: ":hammer_and_wrench: In progress",
    IdeaStatus.DONE: ":tada: Done",
    IdeaStatus.NOT_NOW: ":double_vertical_bar: Not now",
}

GROUP_TITLE: dict[str, str] = {
    IdeaStatus.NEW: "Waiting for a decision",
    IdeaStatus.APPROVED: "Approved, not started yet",
    IdeaStatus.IN_PROGRESS: "In progress",
    IdeaStatus.DONE: "Done",
    IdeaStatus.NOT_NOW: "Not now",
}

CATEGORY_LABEL: dict[str, str] = {
    Category.SAFETY: "Safety",
    Category.QUALITY: "Quality",
    Category.CUSTOMER_EXPERIENCE: "Patient/customer experience",
    Category.STAFF_EXPERIENCE: "Staff experience",
    Category.FLOW: "Flow/time",
    Category.COST: "Cost",
    Category.OTHER: "Other",
}

# A done idea's outcome (the done modal's options, keyed by `Outcome`) as the card labels its result.
OUTCOME_LABEL: dict[str, str] = {
    Outcome.WORKED: "It worked",
    Outcome.DID_NOT_WORK: "It didn't work — and we learned from it",
}

EVENT_TEXT: dict[str, str] = {
    EventKind.CREATED: "raised",
    EventKind.EDITED: "edited",
    EventKind.REDACTED: "redacted",
}

_SAFE_LINK = re.compile(r"^https://[^\s<>|]+$")


def is_safe_link(url: str | None) -> bool:
    """True when `url` is an https address that cannot break out of Slack's `<url|label>` markup."""
    return bool(url and _SAFE_LINK.match(url))


def linked_number(idea: Idea, link: str | None, unlinked: str = "#{number}") -> str:
    """The idea's number, "#12", linked to its card when `link` is a safe https address (see `is_safe_link`), else
    written as `unlinked` (a format with `{number}`)."""
    return f"<{link}|#{idea.number}>" if is_safe_link(link) else unlinked.format(number=idea.number)


def to_dicts(blocks: Sequence[bk.Block]) -> list[dict[str, Any]]:
    """Blocks as JSON-ready dicts (validated by slack_sdk on the way), for storing in the outbox."""
    return [block.to_dict() for block in blocks]


def date_markup(when: datetime, style: str = "{date_short_pretty}") -> str:
    """A date Slack renders in the reader's time zone, with an ISO fallback."""
    return f"<!date^{int(when.timestamp())}^{style}|{when:%Y-%m-%d %H:%M} UTC>"


def days_text(days: int) -> str:
    """An age in whole days as words: "today", "1 day", "N days"."""
    return "today" if days == 0 else ("1 day" if days == 1 else f"{days} days")


# A person's plain name in a queued message: filled in when it is sent (`fill_names`), as it shows who without
# pinging them (a <@mention> notifies). Escaped text cannot contain "<", so no one can type one.
_NAME_TOKEN = re.compile(r"<name:([A-Za-z0-9_]+)>")


def plain_name(user_id: str) -> str:
    """Someone as a plain name (not a mention) in a message the outbox sends: see `fill_names`."""
    return f"<name:{user_id}>"


def fill_names(text: str, name: Callable[[str], str]) -> str:
    """`text` with each `plain_name` replaced by that person's name (`name`, escaped)."""
    return _NAME_TOKEN.sub(lambda match: bk.escape_clipped(name(match.group(1)), limits.OWNER_NAME), text)


def person(idea: Idea, user_id: str) -> str:
    """Someone who acted on an idea, as others see them: a plain name (never a mention: that would ping them),
    never the author of an anonymous idea by name."""
    return "the person who raised it" if idea.hides(user_id) else plain_name(user_id)


def problem_start(idea: Idea, limit: int = limits.LIST_LINE) -> str:
    """The start of an idea's problem on one line, escaped and clipped to `limit` characters. Safe mrkdwn."""
    return bk.escape_clipped(one_line(idea.problem), limit)


def moved_on_text(idea: Idea) -> str:
    """What someone is told when the idea moved on before their change (another click got there first): where it
    is now, e.g. "#12 is already approved."."""
    return f"#{idea.number} is already {GROUP_TITLE[idea.status].lower()}."


def history_line(event: IdeaEvent, idea: Idea) -> str:
    """One line of an idea's history: when (in the reader's time zone), what changed, by whom (never an anonymous
    author by name), and the note, if any (escaped, at most `limits.HISTORY_NOTE` characters)."""
    who = "Kaizen" if not event.actor_id else "the author" if idea.hides(event.actor_id) else f"<@{event.actor_id}>"
    if event.kind == EventKind.STATUS:
        before = GROUP_TITLE.get(event.from_status or "", event.from_status)
        after = GROUP_TITLE.get(event.to_status or "", event.to_status)
        what = f"{before} → {after}"
    else:
        what = EVENT_TEXT.get(event.kind, event.kind)
    line = f"{date_markup(event.at, '{date_short_pretty} {time}')} — {what} by {who}"
    if event.note:
        line += f": {bk.escape_clipped(one_line(event.note), limits.HISTORY_NOTE)}"
    return line
