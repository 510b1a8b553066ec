"""The leaders' morning digest of ideas waiting for a decision past the nudge threshold, with per-idea ages (which
the huddle never shows in public)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import limits
from bot.domain import age_in_days
from bot.i18n import _, n_
from bot.render.words import linked_number, problem_start
from storage.models import Idea


def digest_text(
    channel_id: str, ideas: Sequence[Idea], total: int, links: dict[int, str], now: datetime, nudge_days: int
) -> str:
    """The leaders' morning digest for a channel: `total` ideas waiting more than `nudge_days` days, the first of
    them (`ideas`) each linked to its card where `links` (idea id → permalink) has one, and "+N more"."""
    if nudge_days:  # noqa: SIM108 - each message has its own translator comment
        # Translators: how long ideas have waited, in the leaders' digest: "… have waited {waited} for a decision"
        waited = n_("more than {count} day", "more than {count} days", nudge_days)
    else:
        # Translators: how long ideas have waited, in the leaders' digest, when any wait counts
        waited = _("more than today")
    # Translators: the leaders' morning digest; {channel} is the team's channel, {waited} e.g. "more than 2 days"
    lines = [
        n_(
            "Good morning! {count} idea in <#{channel}> has waited {waited} for a decision. "
            "A quick yes keeps ideas flowing:",
            "Good morning! {count} ideas in <#{channel}> have waited {waited} for a decision. "
            "A quick yes keeps ideas flowing:",
            total,
            channel=channel_id,
            waited=waited,
        )
    ]
    for idea in ideas:
        linked = linked_number(idea, links.get(idea.id))
        problem = problem_start(idea, limits.DIGEST_LINE)
        age = age_in_days(idea.created_at, now)
        if age:
            # Translators: an idea's line in the leaders' digest: its number, its problem, how long it has waited
            line = n_(
                "• {number} {problem} — {count} day",
                "• {number} {problem} — {count} days",
                age,
                number=linked,
                problem=problem,
            )
        else:
            # Translators: an idea's line in the leaders' digest: its number, its problem, raised today
            line = _("• {number} {problem} — today", number=linked, problem=problem)
        lines.append(line)
    if total > len(ideas):
        more = total - len(ideas)
        # Translators: the digest's last line: how many ideas it leaves out; the command stays as is
        lines.append(
            n_(
                "+{count} more — `/kaizen list new` in <#{channel}>",
                "+{count} more — `/kaizen list new` in <#{channel}>",
                more,
                channel=channel_id,
            )
        )
    return "\n".join(lines)
