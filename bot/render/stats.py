"""The words of `/kaizen stats rebase …` and `/kaizen team headcount`: a chart's steps and a team's headcounts as
lists, and a step taken back. (The charts' own summary is `bot.measures.words`.)"""

from __future__ import annotations

from collections.abc import Sequence

from bot.measures.baselines import EVERY_SERIES, StepRecord
from bot.measures.words import step_words
from storage.models import TeamHeadcount

HISTORY_LINES = 20  # the newest steps a history lists
SERIES_WORDS = {
    "raised": "ideas raised",
    "done": "ideas done",
    "people": "people taking part",
    "days_to_decision": "days to a decision",
    "waiting": "ideas waiting for a decision",
}


def taken_back_text(record: StepRecord) -> str:
    """What a leader is told when `record`, the latest step, was taken back: the step, and for an automatic shift
    (one chart's) which chart."""
    what = step_words(record.kind, record.starts_on, record.note)
    if record.series != EVERY_SERIES:  # an automatic shift is one chart's: say which, or the leader can't tell
        what += f" on the chart of {SERIES_WORDS.get(record.series, record.series.replace('_', ' '))}"
    return f"Took back {what}. The history keeps it (`/kaizen stats rebase`)."


def steps_text(records: Sequence[StepRecord], whose: str) -> str:
    """The steps of `whose` charts (e.g. "this team's"), `records` oldest first, as lines newest first (at most
    HISTORY_LINES) with who made and undid them; or how a new usual range comes about when there is none. mrkdwn."""
    if not records:
        return (
            f"No new usual range on {whose} charts yet: the usual range comes from the first weeks of data. "
            "A leader can start new ones after a change: `/kaizen stats rebase 2026-03-02 started daily huddles`."
        )
    lines = [f"*New usual ranges on {whose} charts*"]
    for record in reversed(records[-HISTORY_LINES:]):
        who = f"<@{record.created_by}>" if record.created_by else "found by Kaizen"
        line = f"• {record.created_at:%Y-%m-%d}: {step_words(record.kind, record.starts_on, record.note)}"
        line += f" ({'all series' if record.series == EVERY_SERIES else record.series.replace('_', ' ')}, {who})"
        if record.undone_at is not None:
            line += f", taken back {record.undone_at:%Y-%m-%d} by <@{record.undone_by}>"
        lines.append(line)
    return "\n".join(lines)


def headcounts_text(rows: Sequence[TeamHeadcount]) -> str:
    """A team's headcount history (`rows` by start date), or how to set one when there is none. mrkdwn."""
    if not rows:
        return (
            "No headcount set: rates count the channel's members. A leader can set one: "
            "`/kaizen team headcount 42` (or `… from 2026-12-01`)."
        )
    return "\n".join(
        ["*This team's headcount*", *(f"• from {row.starts_on.isoformat()}: {row.headcount}" for row in rows)]
    )
