"""The words of `/kaizen stats rebase …` and `/kaizen team headcount`: a chart's steps and a team's headcounts as
lists, and a step taken back. (The charts' own summary is `bot.measures.words`.)"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _, number
from bot.measures.baselines import EVERY_SERIES, StepRecord
from bot.measures.series import DAYS_TO_DECISION, DONE, ESCALATED, PEOPLE, RAISED, WAITING
from bot.measures.step_lines import step_words
from bot.measures.xmr import REBASE
from bot.render.words import mention
from bot.text import escape
from storage.models_measures import TeamHeadcount

HISTORY_LINES = 20  # the newest steps a history lists

# What a leader is told when a step was taken back, one whole sentence per kind of step and chart: a leader's
# rebase is every chart's ({day} its date, {note} its note), an automatic shift one chart's (said, or the leader
# can't tell which). Keyed by (is it a rebase, the series; EVERY_SERIES for every chart).
_TAKEN_BACK: dict[tuple[bool, str], str] = {
    # Translators: {day} is the date a leader's new baseline started from, {note} what they wrote had changed
    (True, EVERY_SERIES): N_("Took back the new baseline from {day} ({note})."),
    # Translators: {day} is the date from which Kaizen had started a new usual range itself
    (False, EVERY_SERIES): N_("Took back the automatic new usual range from {day}."),
    (True, RAISED): N_("Took back the new baseline from {day} ({note}) on the chart of ideas raised."),
    (False, RAISED): N_("Took back the automatic new usual range from {day} on the chart of ideas raised."),
    (True, DONE): N_("Took back the new baseline from {day} ({note}) on the chart of ideas done."),
    (False, DONE): N_("Took back the automatic new usual range from {day} on the chart of ideas done."),
    (True, PEOPLE): N_("Took back the new baseline from {day} ({note}) on the chart of people taking part."),
    (False, PEOPLE): N_("Took back the automatic new usual range from {day} on the chart of people taking part."),
    (True, DAYS_TO_DECISION): N_("Took back the new baseline from {day} ({note}) on the chart of days to a decision."),
    (False, DAYS_TO_DECISION): N_(
        "Took back the automatic new usual range from {day} on the chart of days to a decision."
    ),
    (True, WAITING): N_("Took back the new baseline from {day} ({note}) on the chart of ideas waiting for a decision."),
    (False, WAITING): N_(
        "Took back the automatic new usual range from {day} on the chart of ideas waiting for a decision."
    ),
    (True, ESCALATED): N_(
        "Took back the new baseline from {day} ({note}) on the chart of escalated ideas waiting for a decision."
    ),
    (False, ESCALATED): N_(
        "Took back the automatic new usual range from {day} on the chart of escalated ideas waiting for a decision."
    ),
}

# A series as the history of steps names it, in "(raised, found by Kaizen)".
_SERIES_NAME: dict[str, str] = {
    # Translators: the chart of ideas raised, in a list of new usual ranges: "(raised, found by Kaizen)"
    RAISED: N_("raised"),
    # Translators: the chart of ideas done, in a list of new usual ranges: "(done, found by Kaizen)"
    DONE: N_("done"),
    # Translators: the chart of people taking part, in a list of new usual ranges: "(people, found by Kaizen)"
    PEOPLE: N_("people"),
    # Translators: the chart of days to a decision, in a list of new usual ranges: "(days to decision, found by …)"
    DAYS_TO_DECISION: N_("days to decision"),
    # Translators: the chart of ideas waiting for a decision, in a list of new usual ranges: "(waiting, found by …)"
    WAITING: N_("waiting"),
    # Translators: the chart of escalated ideas waiting for a decision, in a list of new usual ranges: "(escalated
    # waiting, found by Kaizen)"
    ESCALATED: N_("escalated waiting"),
}

# The `whose` of `steps_text` that it says in whole sentences of their own (keys, not translated: `bot.stats` passes
# one of them as it is); any other `whose` is put into a sentence as given.
WHOSE_TEAM = "this team's"
WHOSE_WORKSPACE = "the workspace's"


def taken_back_text(record: StepRecord) -> str:
    """What a leader is told when `record`, the latest step, was taken back: the step, and for an automatic shift
    (one chart's) which chart."""
    rebase, day, note = record.kind == REBASE, record.starts_on.isoformat(), escape(record.note or "")
    message = _TAKEN_BACK.get((rebase, record.series))
    if message is not None:
        took_back = _(message, day=day, note=note)
    elif rebase:  # a series with no name in words: its name as stored
        # Translators: {chart} is the internal name of a chart, shown as it is
        took_back = _(
            "Took back the new baseline from {day} ({note}) on the chart of {chart}.",
            day=day,
            note=note,
            chart=record.series.replace("_", " "),
        )
    else:
        # Translators: {chart} is the internal name of a chart, shown as it is
        took_back = _(
            "Took back the automatic new usual range from {day} on the chart of {chart}.",
            day=day,
            chart=record.series.replace("_", " "),
        )
    # Translators: {took_back} is a sentence saying which new usual range a leader took back
    return _("{took_back} The history keeps it (`/kaizen stats rebase`).", took_back=took_back)


def steps_text(records: Sequence[StepRecord], whose: str) -> str:
    """The steps of `whose` charts ("this team's" or "the workspace's", as `bot.stats` says them), `records`
    oldest first, as lines newest first (at most HISTORY_LINES) with who made and undid them; or how a new usual
    range comes about when there is none. mrkdwn."""
    if not records:
        return _no_steps_text(whose)
    if whose == WHOSE_TEAM:
        lines = [_("*New usual ranges on this team's charts*")]
    elif whose == WHOSE_WORKSPACE:
        lines = [_("*New usual ranges on the workspace's charts*")]
    else:
        # Translators: {whose} says whose charts, e.g. "this team's"
        lines = [_("*New usual ranges on {whose} charts*", whose=whose)]
    for record in reversed(records[-HISTORY_LINES:]):
        made, step = f"{record.created_at:%Y-%m-%d}", step_words(record.kind, record.starts_on, record.note)
        if record.series == EVERY_SERIES:
            # Translators: which charts a new usual range is on, in a list of them: "(all series, @alice)"
            series = _("all series")
        elif record.series in _SERIES_NAME:
            series = _(_SERIES_NAME[record.series])
        else:
            series = record.series.replace("_", " ")
        lines.append(_step_line(record, made, step, series))
    return "\n".join(lines)


def _step_line(record: StepRecord, made: str, step: str, series: str) -> str:
    """One line of `steps_text`: when the step was made, the step, its charts, who made it and who took it back."""
    who, undoer = mention(record.created_by or ""), mention(record.undone_by or "")
    if record.undone_at is None:
        if record.created_by:
            # Translators: a line of a list of new usual ranges: made on {made} ({step}: which one) by {who}
            return _("• {made}: {step} ({series}, {who})", made=made, step=step, series=series, who=who)
        # Translators: a line of a list of new usual ranges: made on {made} ({step}: which one) by Kaizen itself
        return _("• {made}: {step} ({series}, found by Kaizen)", made=made, step=step, series=series)
    undone = f"{record.undone_at:%Y-%m-%d}"
    if record.created_by:
        # Translators: a line of a list of new usual ranges: made on {made} by {who}, taken back on {undone} by
        # {undoer}
        return _(
            "• {made}: {step} ({series}, {who}), taken back {undone} by {undoer}",
            made=made,
            step=step,
            series=series,
            who=who,
            undone=undone,
            undoer=undoer,
        )
    # Translators: a line of a list of new usual ranges: found by Kaizen itself, taken back on {undone} by {undoer}
    return _(
        "• {made}: {step} ({series}, found by Kaizen), taken back {undone} by {undoer}",
        made=made,
        step=step,
        series=series,
        undone=undone,
        undoer=undoer,
    )


def _no_steps_text(whose: str) -> str:
    """What `steps_text` says when `whose` charts have no new usual range."""
    if whose == WHOSE_TEAM:
        return _(
            "No new usual range on this team's charts yet: the usual range comes from the first weeks of data. "
            "A leader can start new ones after a change: `/kaizen stats rebase 2026-03-02 started daily huddles`."
        )
    if whose == WHOSE_WORKSPACE:
        return _(
            "No new usual range on the workspace's charts yet: the usual range comes from the first weeks of data. "
            "A leader can start new ones after a change: `/kaizen stats rebase 2026-03-02 started daily huddles`."
        )
    # Translators: {whose} says whose charts, e.g. "this team's"
    return _(
        "No new usual range on {whose} charts yet: the usual range comes from the first weeks of data. "
        "A leader can start new ones after a change: `/kaizen stats rebase 2026-03-02 started daily huddles`.",
        whose=whose,
    )


def headcounts_text(rows: Sequence[TeamHeadcount]) -> str:
    """A team's headcount history (`rows` by start date), or how to set one when there is none. mrkdwn."""
    if not rows:
        return _(
            "No headcount set: rates count the channel's members. A leader can set one: "
            "`/kaizen team headcount 42` (or `… from 2026-12-01`)."
        )
    # Translators: the heading of a team's headcount history, above lines such as "• from 2026-12-01: 42"
    lines = [_("*This team's headcount*")]
    for row in rows:
        # Translators: a line of a team's headcount history: from {day} on, the team counts {headcount} people
        lines.append(_("• from {day}: {headcount}", day=row.starts_on.isoformat(), headcount=number(row.headcount)))
    return "\n".join(lines)
