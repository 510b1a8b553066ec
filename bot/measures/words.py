"""The charts in plain words, for the message the PNG travels with: per series whether it is steady or which
signals the window holds and since when, the steps and their notes, unusual jumps; then the headline figures
with the denominator they used. Trends for learning: never a ranking of people or teams, never good or bad.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.measures.baselines import RARE_COUNT, StepRecord
from bot.measures.figures import CHANNEL_MEMBERS, Headline
from bot.measures.report import Measured, Report, episodes
from bot.measures.xmr import ABOVE, BASELINE_MAX, BASELINE_MIN, REBASE, SHIFT, Episode, Limits
from bot.text import escape

MAX_EPISODES = 2  # per series; older ones are counted, not listed


def day_month(day: date) -> str:
    """ "2 Mar": a short local date for messages."""
    return f"{day.day} {day:%b}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _typical(limits: Limits) -> str:
    lower = f"{limits.lower:.1f}" if limits.lower is not None else "no lower limit"
    span = f"within {lower}–{limits.upper:.1f}" if limits.lower is not None else f"up to {limits.upper:.1f}, {lower}"
    trial = f"; trial limits from {limits.baseline_points} points" if limits.trial else ""
    return f"around {limits.center:.1f}, {span}{trial}"


def _episode(one: Measured, episode: Episode) -> str:
    starts, period = one.series.starts, one.series.period
    side = "above" if episode.side == ABOVE else "below"
    if episode.rule == 1:
        limit = "upper" if episode.side == ABOVE else "lower"
        return f"the {period} of {day_month(starts[episode.start])} is {side} the {limit} limit"
    if episode.rule == 2:
        length = len(episode.indices)
        return f"{length} {period}s in a row {side} the central line since {day_month(starts[episode.start])}"
    limit = "upper" if episode.side == ABOVE else "lower"
    return (
        f"3 of 4 {period}s closer to the {limit} limit than to the central line, "
        f"{day_month(starts[episode.start])} to {day_month(starts[episode.end])}"
    )


def rare_now(one: Measured) -> bool:
    """Whether the newest limits are missing because the count is rare (its segment has enough periods)."""
    if not one.series.count or not one.chart.segments or one.chart.segments[-1].limits is not None:
        return False
    newest = one.chart.segments[-1]
    present = [value for value in one.series.values[newest.start :] if value is not None]
    return len(present) >= BASELINE_MIN and sum(present[:BASELINE_MAX]) / len(present[:BASELINE_MAX]) < RARE_COUNT


def series_words(one: Measured, pending: Sequence[StepRecord] = ()) -> list[str]:
    """The lines about one series: its state, then its steps and unusual jumps in the window, then the
    rebases made for the period in progress (`pending`: they start with it)."""
    starts, period, chart = one.series.starts, one.series.period, one.chart
    head = f"*{one.title}:*"
    latest = chart.segments[-1].limits if chart.segments else None
    found = episodes(one)
    if starts and rare_now(one):
        lines = [f"{head} too few to judge with limits: under 1 a {period} on average."]
    elif not starts or not any(segment.limits for segment in chart.segments):
        lines = [f"{head} not enough {period}s yet for limits ({BASELINE_MIN} complete {period}s are needed)."]
    elif latest is None and rare_now(one):
        lines = [f"{head} too few to judge with limits: under 1 a {period} on average."]
    elif latest is None:
        newest = chart.segments[-1]
        have = sum(1 for value in one.series.values[newest.start :] if value is not None)
        lines = [
            f"{head} new limits from {day_month(starts[newest.start])} once {BASELINE_MIN} complete {period}s "
            f"are in ({have} so far); nothing is judged against them until then."
        ]
    elif not found:
        lines = [f"{head} steady, no signals; {_typical(latest)}."]
    else:
        listed = "; ".join(_episode(one, episode) for episode in found[-MAX_EPISODES:])
        earlier = len(found) - MAX_EPISODES
        more = f" (and {_plural(earlier, 'earlier signal')})" if earlier > 0 else ""
        lines = [f"{head} signal: {listed}{more}. Now {_typical(latest)}."]
    for segment in chart.segments[1:]:
        if not one.shown(segment.start):
            continue
        when = day_month(starts[segment.start])
        if segment.kind == REBASE:
            lines.append(f"   New limits from {when}: {escape(segment.note or 'a new baseline')}.")
        elif segment.kind == SHIFT:
            lines.append(
                f"   New trial limits from {when}, after 8 {period}s in a row on one side "
                "(`/kaizen stats rebase undo` takes them back)."
            )
    jumps = [jump for jump in chart.jumps if one.shown(jump.index)]
    if len(jumps) == 1:
        jump = jumps[0]
        lines.append(
            f"   One unusual jump, between the {period}s of {day_month(starts[jump.previous])} and "
            f"{day_month(starts[jump.index])}; left out of the limits."
        )
    elif jumps:
        lines.append(f"   {len(jumps)} unusual jumps between {period}s; left out of the limits.")
    for record in pending:
        lines.append(
            f"   New limits from {day_month(record.starts_on)}: {escape(record.note or 'a new baseline')} "
            f"(from the {period} in progress; {BASELINE_MIN} complete {period}s set them)."
        )
    if period != "week":
        lines.append(f"   By {period}: fewer than 2 a {'week' if period == 'fortnight' else 'fortnight'} on average.")
    return lines


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def headline_text(figures: Headline) -> str:
    """The 52-week figures in one line, saying which denominator a rate used."""
    parts = [f"{figures.done} ideas done"]
    per = figures.denominator
    if per is not None and figures.done_per_person_per_year is not None:
        parts[-1] += f" ({figures.done_per_person_per_year:.1f} per person)"
    if per is not None and per.value:
        counted = "channel members" if per.kind == CHANNEL_MEMBERS else "the team's headcount"
        if figures.participants > per.value:
            parts.append(
                f"{figures.participants} people took part, more than the {per.value} counted as {counted}: "
                "worth checking that number"
            )
        else:
            parts.append(
                f"{figures.participants} of {per.value} {'person' if per.value == 1 else 'people'} took part "
                f"({_percent(figures.participation_rate)}, per {counted})"
            )
    else:
        parts.append(f"{figures.participants} people took part")
    parts.append(f"{_percent(figures.approval_rate)} of decisions were a yes")
    if figures.median_days_to_decision is not None:
        parts.append(f"a decision took {figures.median_days_to_decision:.1f} days (median)")
    return "Last 52 weeks: " + ", ".join(parts) + "."


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


def step_words(kind: str, starts_on: date, note: str | None) -> str:
    """A step in a sentence for the person who made or undid it."""
    if kind == REBASE:
        return f"the new baseline from {starts_on.isoformat()} ({escape(note or '')})"
    return f"the automatic new limits from {starts_on.isoformat()}"
