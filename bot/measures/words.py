"""The charts in plain words, for the message the PNG travels with and the huddle's chart notes: per series one
sentence that leads with the latest complete period, says where it sits against the usual range and what changed
("week of 23 Nov: 8 days, above the usual range (usually 1–5 days since 22 Jun) — worth a look."), then the steps
and their notes and unusual jumps; then the headline figures with the denominator they used. Words people read
say "usual range" and "average", never the method's names (the README names them). Trends for learning: never a
ranking of people or teams, never good or bad.

Everything is said in the reader's language (`bot.i18n`). A sentence is one message per period (week, fortnight,
month) and per side (above, below), so each language can give the period its own gender and word order; the long
lead sentence is put together from such whole clauses by a message that places them ("{period}: {value};
{usually} — {verdict}."), so a translator can reorder and punctuate it too.
Here: the whole summary (`summary`) and each series' lines (`series_words`). The lead sentence is `lead_words` (its
signals `signal_words`), the steps' lines `step_lines` and the headline figures `headline_words`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _, n_, number
from bot.measures.baselines import RARE_COUNT, StepRecord
from bot.measures.headline_words import headline_text
from bot.measures.lead_words import day_month, lead_sentence
from bot.measures.periods import FORTNIGHT, MONTH, WEEK
from bot.measures.report import Measured, Report
from bot.measures.step_lines import jumps_line, pending_line, rebase_line, shift_line
from bot.measures.xmr import BASELINE_MAX, BASELINE_MIN, REBASE, SHIFT

INDENT = "   "  # a step's line under its series' line
# A count too rare for limits, even by month.
TOO_FEW = {
    # Translators: a line of a chart's summary: {title} is the chart's title
    WEEK: N_("*{title}:* too few to judge: under 1 a week on average."),
    # Translators: a line of a chart's summary: {title} is the chart's title (fortnight: two weeks)
    FORTNIGHT: N_("*{title}:* too few to judge: under 1 a fortnight on average."),
    # Translators: a line of a chart's summary: {title} is the chart's title
    MONTH: N_("*{title}:* too few to judge: under 1 a month on average."),
}
# Two unusual jumps or more, by period (the number is {count}: a plural, `jumps_line`); one jump:
ONE_JUMP = {
    # Translators: a line of a chart's summary: one unusual jump between the weeks that started on two dates
    WEEK: N_("One unusual jump, between the weeks of {before} and {after}; left out of the usual range."),
    # Translators: a line of a chart's summary: one unusual jump between the fortnights that started on two dates
    FORTNIGHT: N_("One unusual jump, between the fortnights of {before} and {after}; left out of the usual range."),
    # Translators: a line of a chart's summary: one unusual jump between the months that started on two dates
    MONTH: N_("One unusual jump, between the months of {before} and {after}; left out of the usual range."),
}
# A series counted by a longer period than a week, and why.
BY_LONGER = {
    # Translators: a line of a chart's summary: why a count is shown per fortnight (two weeks) instead of per week
    FORTNIGHT: N_("By fortnight: fewer than 2 a week on average."),
    # Translators: a line of a chart's summary: why a count is shown per month instead of per fortnight
    MONTH: N_("By month: fewer than 2 a fortnight on average."),
}


def rare_now(one: Measured) -> bool:
    """Whether the newest limits are missing because the count is rare (its segment has enough periods)."""
    if not one.series.count or not one.chart.segments or one.chart.segments[-1].limits is not None:
        return False
    newest = one.chart.segments[-1]
    present = [value for value in one.series.values[newest.start :] if value is not None]
    return len(present) >= BASELINE_MIN and sum(present[:BASELINE_MAX]) / len(present[:BASELINE_MAX]) < RARE_COUNT


def _not_enough_line(period: str, title: str) -> str:
    """A series without a usual range yet: how many complete periods it needs."""
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: {title} is the chart's title; fortnights: periods of two weeks
        return n_(
            "*{title}:* not enough fortnights yet to know the usual range ({count} complete fortnight is needed).",
            "*{title}:* not enough fortnights yet to know the usual range ({count} complete fortnights are needed).",
            BASELINE_MIN,
            title=title,
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: {title} is the chart's title
        return n_(
            "*{title}:* not enough months yet to know the usual range ({count} complete month is needed).",
            "*{title}:* not enough months yet to know the usual range ({count} complete months are needed).",
            BASELINE_MIN,
            title=title,
        )
    # Translators: a line of a chart's summary: {title} is the chart's title
    return n_(
        "*{title}:* not enough weeks yet to know the usual range ({count} complete week is needed).",
        "*{title}:* not enough weeks yet to know the usual range ({count} complete weeks are needed).",
        BASELINE_MIN,
        title=title,
    )


def _new_range_coming(period: str, title: str, start: str, have: int) -> str:
    """A series whose newest usual range (from `start`) waits for its complete periods; `have` of them so far."""
    if period == FORTNIGHT:
        # Translators: a line of a chart's summary: {title} is the chart's title; a new usual range starts on {date}
        # and needs {count} complete fortnights (periods of two weeks); {have} of them are in so far
        return n_(
            "*{title}:* a new usual range from {date} once {count} complete fortnight is in ({have} so far); "
            "nothing is judged against it until then.",
            "*{title}:* a new usual range from {date} once {count} complete fortnights are in ({have} so far); "
            "nothing is judged against it until then.",
            BASELINE_MIN,
            title=title,
            date=start,
            have=number(have),
        )
    if period == MONTH:
        # Translators: a line of a chart's summary: {title} is the chart's title; a new usual range starts on {date}
        # and needs {count} complete months; {have} of them are in so far
        return n_(
            "*{title}:* a new usual range from {date} once {count} complete month is in ({have} so far); "
            "nothing is judged against it until then.",
            "*{title}:* a new usual range from {date} once {count} complete months are in ({have} so far); "
            "nothing is judged against it until then.",
            BASELINE_MIN,
            title=title,
            date=start,
            have=number(have),
        )
    # Translators: a line of a chart's summary: {title} is the chart's title; a new usual range starts on {date} and
    # needs {count} complete weeks; {have} of them are in so far
    return n_(
        "*{title}:* a new usual range from {date} once {count} complete week is in ({have} so far); "
        "nothing is judged against it until then.",
        "*{title}:* a new usual range from {date} once {count} complete weeks are in ({have} so far); "
        "nothing is judged against it until then.",
        BASELINE_MIN,
        title=title,
        date=start,
        have=number(have),
    )


def series_words(one: Measured, pending: Sequence[StepRecord] = ()) -> list[str]:
    """The lines about one series: its lead sentence, then its steps and unusual jumps in the window, then the
    rebases made for the period in progress (`pending`: they start with it)."""
    starts, period, chart = one.series.starts, one.series.period, one.chart
    sentence = lead_sentence(one)
    if starts and rare_now(one):
        lines = [_(TOO_FEW[period], title=one.title)]
    elif not starts or not any(segment.limits for segment in chart.segments):
        lines = [_not_enough_line(period, one.title)]
    elif sentence is None:
        newest = chart.segments[-1]
        have = sum(1 for value in one.series.values[newest.start :] if value is not None)
        lines = [_new_range_coming(period, one.title, day_month(starts[newest.start]), have)]
    else:
        # Translators: a line of a chart's summary: the chart's title in bold, then its lead sentence
        lines = [_("*{title}:* {sentence}", title=one.title, sentence=sentence)]
    for segment in chart.segments[1:]:
        if not one.shown(segment.start):
            continue
        when = day_month(starts[segment.start])
        if segment.kind == REBASE:
            lines.append(INDENT + rebase_line(when, segment.note))
        elif segment.kind == SHIFT:
            lines.append(INDENT + shift_line(period, when))
    jumps = [jump for jump in chart.jumps if one.shown(jump.index)]
    if len(jumps) == 1:
        jump = jumps[0]
        before, after = day_month(starts[jump.previous]), day_month(starts[jump.index])
        lines.append(INDENT + _(ONE_JUMP[period], before=before, after=after))
    elif jumps:
        lines.append(INDENT + jumps_line(period, len(jumps)))
    for record in pending:
        lines.append(INDENT + pending_line(period, day_month(record.starts_on), record.note))
    if period != WEEK:
        lines.append(INDENT + _(BY_LONGER[period]))
    return lines


def summary(report: Report) -> str:
    """The whole report in words (Slack mrkdwn; a leader's note is escaped)."""
    lines: list[str] = []
    for one in report.measured:
        pending = [
            step
            for step in report.steps
            if step.kind == REBASE and step.active and step.starts_on >= one.series.current_start
        ]
        lines += series_words(one, pending)
    lines.append(headline_text(report.figures))
    return "\n".join(lines)
