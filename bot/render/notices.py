"""The words for what a change to an idea owes people (`bot.notices`): safe mrkdwn, with Block Kit blocks where a
notice has any. Whom a notice mentions is `bot.notices.mentioned`; everyone else is a plain name (`person`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from bot import limits
from bot.notices import Approved, Done, Notice, NotNowReason, ReasonShared, Reopened, Started, WhoApproves, mentioned
from bot.render.replies import not_now_dm_blocks, not_now_dm_text
from bot.render.words import person, to_dicts
from bot.slack import blockkit as bk


@dataclass(frozen=True)
class Words:
    """A notice as a message: its mrkdwn `text` and, if it has any, its blocks as JSON-ready dicts."""

    text: str
    blocks: list[dict[str, Any]] | None = None


def _who(notice: Notice, user_id: str) -> str:
    # A mention for whom the rule says to ping; else a plain name (never an anonymous author's).
    return f"<@{user_id}>" if user_id in mentioned(notice) else person(notice.idea, user_id)


def _thanked(notice: Done) -> str:
    # Whom Done thanks: its author (mentioned when someone else finished it) and its owner (a plain name).
    idea = notice.idea
    people = [p for p in dict.fromkeys((idea.author_id, idea.owner_id)) if p]
    named = [_who(notice, p) for p in people if not idea.hides(p)]
    return " and ".join(named) or "everyone who helped"


def words(notice: Notice) -> Words:
    """The message for `notice` (user text escaped and clipped to its budget in `bot.limits`)."""
    idea = notice.idea
    match notice:
        case Approved():
            raised_by = "whoever raised it" if idea.anonymous else _who(notice, idea.author_id)
            return Words(
                f":white_check_mark: Approved by {person(idea, notice.by)} — go ahead! "
                f"Thank you {raised_by} for raising it."
            )
        case Started():
            return Words(f":hammer_and_wrench: Started by {person(idea, notice.by)}.")
        case Done():
            learned = bk.escape_clipped(notice.learned, limits.LEARNED_QUOTE)
            return Words(f":tada: Done! Thank you {_thanked(notice)}. What we learned: {learned}")
        case Reopened():
            return Words(f"Reopened by {person(idea, notice.by)}: it waits for a decision again.")
        case NotNowReason():
            blocks = to_dicts(not_now_dm_blocks(idea, notice.leader, notice.reason))
            return Words(not_now_dm_text(idea, notice.leader, notice.reason), blocks)
        case ReasonShared():
            return Words(f"Not now, for this reason: {bk.escape_clipped(notice.reason, limits.SHARED_REASON_QUOTE)}")
        case WhoApproves():
            leaders = notice.leaders_text
            return Words(
                f"Thanks for backing #{idea.number}! Only this team's leaders can approve ideas ({leaders}). "
                "Your reaction stays on the card for them to see."
            )
        case _:
            assert_never(notice)
