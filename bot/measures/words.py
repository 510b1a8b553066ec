"""The charts in plain words, for the message the PNG travels with and the huddle's chart notes: per series one
sentence that leads with the latest complete period, says where it sits against the usual range and what changed
("week of 23 Nov: 8 days, above the usual range (usually 1–5 days since 22 Jun) — worth a look."), then the steps
and their notes and unusual jumps; then the headline figures with the denominator they used. Words people read
say "usual range" and "average", never the method's names (the README names them). Trends for learning: never a
ranking of people or teams, never good or bad.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.measures.baselines import RARE_COUNT, StepRecord
from bot.measures.chart_labels import say_number, usual_range
from bot.measures.chart_style import WORTH_A_LOOK
from bot.measures.figures import CHANNEL_MEMBERS, Headline
from bot.measures.report import Measured, Report, episodes
from bot.measures.series import DAYS_TO_DECISION, DONE, PEOPLE, RAISED
from bot.measures.xmr import ABOVE, BASELINE_MAX, BASELINE_MIN, REBASE, SHIFT, Episode, Limits, Segment
from bot.text import escape

RECENT = 13  # periods: a step this recent is what changed
PER_PERIOD = (RAISED, DONE, PEOPLE)  # counts of a period ("a week"); the others are days and a week-end stock
NOTHING_IN = {DAYS_TO_DECISION: "no decisions"}  # a gap in words, per series (else "nothing to measure")


def day_month(day: date) -> str:
    """ "2 Mar": a short local date for messages."""
    return f"{day.day} {day:%b}"


def _since(day: date, latest: date) -> str:
    """ "22 Jun", with the year when it is not the latest period's."""
    return day_month(day) if day.year == latest.year else f"{day_month(day)} {day.year}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _unit(one: Measured, value: float | None = None) -> str:
    if one.series.name != DAYS_TO_DECISION:
        return ""
    return " day" if value is not None and say_number(value) == "1" else " days"


def _usually(one: Measured, segment: Segment, limits: Limits, latest: date) -> str:
    """ "usually 2–9 a week since 22 Jun", and a first estimate's basis when it is one."""
    starts, period = one.series.starts, one.series.period
    per = f" a {period}" if one.series.name in PER_PERIOD else ""
    since = _since(starts[segment.start], latest)
    span = usual_range(limits, count=one.series.count)
    text = f"usually {span}{_unit(one, None if '–' in span else limits.center)}{per} since {since}"
    if limits.trial:
        text += f" (a first estimate from {_plural(limits.baseline_points, period)})"
    return text


def _episode(one: Measured, episode: Episode) -> str:
    """An earlier signal in a few words: "the week of 3 Aug was above the usual range"."""
    starts, period = one.series.starts, one.series.period
    side = "above" if episode.side == ABOVE else "below"
    if episode.rule == 1:
        return f"the {period} of {day_month(starts[episode.start])} was {side} the usual range"
    if episode.rule == 2:
        return f"{len(episode.indices)} {period}s in a row {side} average from {day_month(starts[episode.start])}"
    where = "top" if episode.side == ABOVE else "bottom"
    return f"3 of 4 {period}s near the {where} of the usual range from {day_month(starts[episode.start])}"


def _now(one: Measured, last: int) -> str:
    """What the latest complete period says against the usual range: a signal that includes it, or "within"."""
    period = one.series.period
    here = [episode for episode in episodes(one) if episode.start <= last <= episode.end]
    rules = {episode.rule: episode for episode in here}
    if 1 in rules:
        side = "above" if rules[1].side == ABOVE else "below"
        return f"{side} the usual range, {WORTH_A_LOOK}"
    if 2 in rules:
        run = rules[2]
        side = "above" if run.side == ABOVE else "below"
        return f"{len(run.indices)} {period}s in a row {side} average: something has changed, {WORTH_A_LOOK}"
    if 3 in rules:
        where = "top" if rules[3].side == ABOVE else "bottom"
        return f"3 of the last 4 {period}s near the {where} of the usual range, {WORTH_A_LOOK}"
    return "within the usual range"


def lead_sentence(one: Measured) -> str | None:
    """The series in one plain sentence that leads with its latest complete period: its value, where it sits
    against the usual range (and since when), and what changed. None when there is no usual range for it yet."""
    starts, values, chart = one.series.starts, one.series.values, one.chart
    if not starts or not chart.segments or chart.segments[-1].limits is None:
        return None
    last = len(values) - 1
    segment = chart.segments[-1]
    limits = segment.limits
    assert limits is not None
    latest = starts[last]
    value = values[last]
    head = f"{one.series.period} of {day_month(latest)}: "
    usually = _usually(one, segment, limits, latest)
    if value is None:
        return head[:1].upper() + head[1:] + f"{NOTHING_IN.get(one.series.name, 'nothing to measure')}; {usually}."
    verdict = _now(one, last)
    body = f"{say_number(value)}{_unit(one, value)}; {usually} — {verdict}"
    previous = next((earlier.limits for earlier in reversed(chart.segments[:-1]) if earlier.limits is not None), None)
    moved = previous is not None and say_number(previous.center) != say_number(limits.center)
    recent = last - segment.start < RECENT
    if segment.kind in (REBASE, SHIFT) and previous is not None and moved and one.shown(segment.start) and recent:
        way = "up" if limits.center > previous.center else "down"
        body += (
            f"; the average went {way} from {say_number(previous.center)} to {say_number(limits.center)} "
            f"on {day_month(starts[segment.start])}"
        )
    elif not verdict.endswith(WORTH_A_LOOK):
        earlier = [episode for episode in episodes(one) if episode.end < last and last - episode.end < RECENT]
        body += f"; earlier, {_episode(one, earlier[-1])}" if earlier else ", steady"
    return head[:1].upper() + head[1:] + body + "."


def rare_now(one: Measured) -> bool:
    """Whether the newest limits are missing because the count is rare (its segment has enough periods)."""
    if not one.series.count or not one.chart.segments or one.chart.segments[-1].limits is not None:
        return False
    newest = one.chart.segments[-1]
    present = [value for value in one.series.values[newest.start :] if value is not None]
    return len(present) >= BASELINE_MIN and sum(present[:BASELINE_MAX]) / len(present[:BASELINE_MAX]) < RARE_COUNT


def series_words(one: Measured, pending: Sequence[StepRecord] = ()) -> list[str]:
    """The lines about one series: its lead sentence, then its steps and unusual jumps in the window, then the
    rebases made for the period in progress (`pending`: they start with it)."""
    starts, period, chart = one.series.starts, one.series.period, one.chart
    head = f"*{one.title}:*"
    sentence = lead_sentence(one)
    if starts and rare_now(one):
        lines = [f"{head} too few to judge: under 1 a {period} on average."]
    elif not starts or not any(segment.limits for segment in chart.segments):
        lines = [
            f"{head} not enough {period}s yet to know the usual range ({BASELINE_MIN} complete {period}s are needed)."
        ]
    elif sentence is None:
        newest = chart.segments[-1]
        have = sum(1 for value in one.series.values[newest.start :] if value is not None)
        lines = [
            f"{head} a new usual range from {day_month(starts[newest.start])} once {BASELINE_MIN} complete {period}s "
            f"are in ({have} so far); nothing is judged against it until then."
        ]
    else:
        lines = [f"{head} {sentence}"]
    for segment in chart.segments[1:]:
        if not one.shown(segment.start):
            continue
        when = day_month(starts[segment.start])
        if segment.kind == REBASE:
            lines.append(f"   New usual range from {when}: {escape(segment.note or 'a new baseline')}.")
        elif segment.kind == SHIFT:
            lines.append(
                f"   New usual range from {when}, after 8 {period}s in a row on one side of average "
                "(`/kaizen stats rebase undo` takes it back)."
            )
    jumps = [jump for jump in chart.jumps if one.shown(jump.index)]
    if len(jumps) == 1:
        jump = jumps[0]
        lines.append(
            f"   One unusual jump, between the {period}s of {day_month(starts[jump.previous])} and "
            f"{day_month(starts[jump.index])}; left out of the usual range."
        )
    elif jumps:
        lines.append(f"   {len(jumps)} unusual jumps between {period}s; left out of the usual range.")
    for record in pending:
        lines.append(
            f"   New usual range from {day_month(record.starts_on)}: {escape(record.note or 'a new baseline')} "
            f"(from the {period} in progress; {BASELINE_MIN} complete {period}s set it)."
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
    return f"the automatic new usual range from {starts_on.isoformat()}"
