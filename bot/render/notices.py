"""The words for what a change to an idea owes people (`bot.notices`): safe mrkdwn, with Block Kit blocks where a
notice has any."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from bot import limits
from bot.notices import Approved, Done, Notice, NotNowReason, ReasonShared, Reopened, Started, WhoApproves
from bot.render.replies import not_now_dm_blocks, not_now_dm_text
from bot.render.words import person, thanked, to_dicts
from bot.slack import blockkit as bk


@dataclass(frozen=True)
class Words:
    """A notice as a message: its mrkdwn `text` and, if it has any, its blocks as JSON-ready dicts."""

    text: str
    blocks: list[dict[str, Any]] | None = None


def _raised_by(notice: Approved) -> str:
    # Whom an approval thanks for raising the idea: never an anonymous author by name.
    return "whoever raised it" if notice.idea.anonymous else f"<@{notice.idea.author_id}>"


def words(notice: Notice) -> Words:
    """The message for `notice` (user text escaped and clipped to its budget in `bot.limits`)."""
    idea = notice.idea
    match notice:
        case Approved():
            by = person(idea, notice.by)
            return Words(
                f":white_check_mark: Approved by {by} — go ahead! Thank you {_raised_by(notice)} for raising it."
            )
        case Started():
            return Words(f":hammer_and_wrench: Started by {person(idea, notice.by)}.")
        case Done():
            learned = bk.escape_clipped(notice.learned, limits.LEARNED_QUOTE)
            return Words(f":tada: Done! Thank you {thanked(idea)}. What we learned: {learned}")
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
