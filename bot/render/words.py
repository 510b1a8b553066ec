"""Wording every surface shares: the labels of statuses, categories, outcomes and history events, how people and
dates are shown, and one line of a list or of an idea's history.

Everything a person typed goes through `escape_clipped`; mentions and dates we build ourselves are Slack markup
on purpose (`<@U123>` shows a name, `<!date^…>` shows a date in the reader's own time zone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot import limits
from bot.domain import age_in_days
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


def to_dicts(blocks: Sequence[bk.Block]) -> list[dict[str, Any]]:
    """Blocks as JSON-ready dicts (validated by slack_sdk on the way), for storing in the outbox."""
    return [block.to_dict() for block in blocks]


def date_markup(when: datetime, style: str = "{date_short_pretty}") -> str:
    """A date Slack renders in the reader's time zone, with an ISO fallback."""
    return f"<!date^{int(when.timestamp())}^{style}|{when:%Y-%m-%d %H:%M} UTC>"


def days_text(days: int) -> str:
    """An age in whole days as words: "today", "1 day", "N days"."""
    return "today" if days == 0 else ("1 day" if days == 1 else f"{days} days")


def person(idea: Idea, user_id: str) -> str:
    """Someone who acted on an idea, as others see them: never the author of an anonymous idea by name."""
    return "the person who raised it" if idea.anonymous and user_id == idea.author_id else f"<@{user_id}>"


def thanked(idea: Idea) -> str:
    """Who a done idea thanks by name: its author and owner, but never an anonymous author."""
    people = sorted({p for p in (idea.author_id, idea.owner_id) if p and not (idea.anonymous and p == idea.author_id)})
    return " and ".join(f"<@{p}>" for p in people) or "everyone who helped"


def author_text(idea: Idea) -> str:
    """Who raised an idea, as others see them: a mention, or words that name no one for an anonymous idea."""
    return "someone who chose not to give their name" if idea.anonymous else f"<@{idea.author_id}>"


def problem_start(idea: Idea, limit: int = limits.LIST_LINE) -> str:
    """The start of an idea's problem on one line, escaped and clipped to `limit` characters. Safe mrkdwn."""
    return bk.escape_clipped(one_line(idea.problem), limit)


def moved_on_text(idea: Idea) -> str:
    """What someone is told when the idea moved on before their change (another click got there first): where it
    is now, e.g. "#12 is already approved."."""
    return f"#{idea.number} is already {GROUP_TITLE[idea.status].lower()}."


def idea_line(idea: Idea, now: datetime, *, with_status: bool = False, with_channel: bool = False) -> str:
    """One list line: the idea's number, the start of its problem (escaped, at most `limits.LIST_LINE`
    characters), optionally its status and channel, and its age. Safe mrkdwn."""
    parts = [f"`#{idea.number}` {problem_start(idea)}"]
    if with_status:
        parts.append(GROUP_TITLE[idea.status].lower())
    if with_channel:
        parts.append(f"in <#{idea.team.channel_id}>")
    parts.append(days_text(age_in_days(idea.created_at, now)))
    return " — ".join(parts)


def history_line(event: IdeaEvent, idea: Idea) -> str:
    """One line of an idea's history: when (in the reader's time zone), what changed, by whom (never an anonymous
    author by name), and the note, if any (escaped, at most `limits.HISTORY_NOTE` characters)."""
    if idea.anonymous and event.actor_id == idea.author_id:
        who = "the author"
    else:
        who = f"<@{event.actor_id}>" if event.actor_id else "Kaizen"
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
