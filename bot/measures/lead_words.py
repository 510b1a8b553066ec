"""The lead sentence of a series in a chart's summary (`lead_sentence`): the latest complete period ("Week of 23
Nov"), its value, where it sits against the usual range and since when, and what changed (a new average, or an
earlier signal), put together from whole clauses by a message that places them ("{period}: {value}; {usually} —
{verdict}."), so that a translator can reorder and punctuate it; and `day_month`, the short date the summary's lines
use."""

from __future__ import annotations

from datetime import date

from bot.i18n import N_, _, day_like, n_
from bot.measures.chart_labels import say_number, usual_range
from bot.measures.periods import FORTNIGHT, MONTH, WEEK
from bot.measures.report import Measured, episodes
from bot.measures.series import DAYS_TO_DECISION, DONE, PEOPLE, RAISED
from bot.measures.signal_words import BEYOND_NOW, NEAR_NOW, WAS_BEYOND, WERE_NEAR, run_earlier, run_now
from bot.measures.xmr import REBASE, SHIFT, Episode, Limits, Segment

RECENT = 13  # periods: a step this recent is what changed
PER_PERIOD = (RAISED, DONE, PEOPLE)  # counts of a period ("a week"); the others are days and a week-end stock
NOTHING_IN = {
    # Translators: a chart's summary, for a week (or month) in which no idea got a decision
    DAYS_TO_DECISION: N_("no decisions"),
}  # a gap in words, per series (else NOTHING_TO_MEASURE)
# Translators: a chart's summary, for a week (or month) with nothing to measure
NOTHING_TO_MEASURE = N_("nothing to measure")

# "Week of 23 Nov": the start of a series' lead sentence.
PERIOD_OF = {
    # Translators: starts a chart's summary sentence: the week that starts on {date} ("Week of 23 Nov")
    WEEK: N_("Week of {date}"),
    # Translators: starts a chart's summary sentence: the fortnight (two weeks) that starts on {date}
    FORTNIGHT: N_("Fortnight of {date}"),
    # Translators: starts a chart's summary sentence: the month that starts on {date} ("Month of 1 Nov")
    MONTH: N_("Month of {date}"),
}
# "usually 2–9 a week since 22 Jun": the usual range of a count of a period.
USUALLY_PER = {
    # Translators: part of a chart's summary: {range} is the usual range of a weekly count ("2–9"), since {date}
    WEEK: N_("usually {range} a week since {date}"),
    # Translators: part of a chart's summary: {range} is the usual range of a count per fortnight ("2–9")
    FORTNIGHT: N_("usually {range} a fortnight since {date}"),
    # Translators: part of a chart's summary: {range} is the usual range of a monthly count ("2–9"), since {date}
    MONTH: N_("usually {range} a month since {date}"),
}


def day_month(day: date) -> str:
    """ "2 Mar": a short local date for messages, in the reader's language."""
    return day_like(day, "d MMM")


def _since(day: date, latest: date) -> str:
    """ "22 Jun", with the year when it is not the latest period's ("22 Jun 2025")."""
    return day_month(day) if day.year == latest.year else day_like(day, "d MMM y")


def _count_of(shown: str) -> int:
    """The count that picks the plural form of a number said as `shown` ("1", "14", "4.2"): a fraction reads as
    more than one in our languages."""
    return int(shown) if shown.isdigit() else 2


def _value(one: Measured, value: float) -> str:
    """The latest value as said in the lead sentence: "8", or with its unit for days to a decision, "8 days"."""
    shown = say_number(value)
    if one.series.name != DAYS_TO_DECISION:
        return shown
    # Translators: a value in a chart's summary: days from raising an idea to its decision; {days} may be "4.2"
    return n_("{days} day", "{days} days", _count_of(shown), days=shown)


def _usually(one: Measured, segment: Segment, limits: Limits, latest: date) -> str:
    """ "usually 2–9 a week since 22 Jun", and a first estimate's basis when it is one."""
    starts, period = one.series.starts, one.series.period
    since = _since(starts[segment.start], latest)
    span = usual_range(limits, count=one.series.count)
    if one.series.name == DAYS_TO_DECISION:
        count = 2 if "–" in span else _count_of(say_number(limits.center))
        # Translators: part of a chart's summary: {range} is the usual days to a decision ("0–4.2"), since {date}
        text = n_(
            "usually {range} day since {date}", "usually {range} days since {date}", count, range=span, date=since
        )
    elif one.series.name in PER_PERIOD:
        text = _(USUALLY_PER[period], range=span, date=since)
    else:
        # Translators: part of a chart's summary: {range} is the usual range of a count ("2–9"), since {date}
        text = _("usually {range} since {date}", range=span, date=since)
    return _first_estimate(period, limits.baseline_points, text) if limits.trial else text


def _first_estimate(period: str, points: int, usually: str) -> str:
    """The usual range said (`usually`), with the number of periods its first estimate comes from."""
    if period == FORTNIGHT:
        # Translators: part of a chart's summary: {usually} is the usual range said ("usually 2–9 a fortnight since 3
        # Aug"), a first estimate from {count} fortnights (periods of two weeks)
        return n_(
            "{usually} (a first estimate from {count} fortnight)",
            "{usually} (a first estimate from {count} fortnights)",
            points,
            usually=usually,
        )
    if period == MONTH:
        # Translators: part of a chart's summary: {usually} is the usual range said ("usually 2–9 a month since 1
        # Aug"), a first estimate from {count} months
        return n_(
            "{usually} (a first estimate from {count} month)",
            "{usually} (a first estimate from {count} months)",
            points,
            usually=usually,
        )
    # Translators: part of a chart's summary: {usually} is the usual range said ("usually 2–9 a week since 3 Aug"),
    # a first estimate from {count} weeks
    return n_(
        "{usually} (a first estimate from {count} week)",
        "{usually} (a first estimate from {count} weeks)",
        points,
        usually=usually,
    )


def _episode(one: Measured, episode: Episode) -> str:
    """An earlier signal in a few words: "the week of 3 Aug was above the usual range"."""
    starts, period = one.series.starts, one.series.period
    start = day_month(starts[episode.start])
    if episode.rule == 1:
        return _(WAS_BEYOND[period, episode.side], date=start)
    if episode.rule == 2:
        return run_earlier(period, episode.side, len(episode.indices), start)
    return _(WERE_NEAR[period, episode.side], date=start)


def _now(one: Measured, last: int) -> tuple[str, bool]:
    """What the latest complete period says against the usual range: a signal that includes it, or "within"; and
    whether it is a signal (worth a look)."""
    period = one.series.period
    here = [episode for episode in episodes(one) if episode.start <= last <= episode.end]
    rules = {episode.rule: episode for episode in here}
    if 1 in rules:
        return _(BEYOND_NOW[rules[1].side]), True
    if 2 in rules:
        return run_now(period, rules[2].side, len(rules[2].indices)), True
    if 3 in rules:
        return _(NEAR_NOW[period, rules[3].side]), True
    # Translators: part of a chart's summary: the latest value is within its usual range
    return _("within the usual range"), False


def _average_moved(before: float, after: float, when: str) -> str:
    """The average of a new usual range, against the one before, after "; "."""
    if after > before:
        # Translators: part of a chart's summary: the average of the usual range went up on {date}
        return _(
            "the average went up from {before} to {after} on {date}",
            before=say_number(before),
            after=say_number(after),
            date=when,
        )
    # Translators: part of a chart's summary: the average of the usual range went down on {date}
    return _(
        "the average went down from {before} to {after} on {date}",
        before=say_number(before),
        after=say_number(after),
        date=when,
    )


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
    head = _(PERIOD_OF[one.series.period], date=day_month(latest))
    usually = _usually(one, segment, limits, latest)
    if value is None:
        nothing = _(NOTHING_IN.get(one.series.name, NOTHING_TO_MEASURE))
        # Translators: a chart's summary sentence for a period with nothing to measure, e.g. "Week of 16 Nov: no
        # decisions; usually 1–3 days since 22 Jun." ({period}, {nothing} and {usually} are said by other messages)
        return _("{period}: {nothing}; {usually}.", period=head, nothing=nothing, usually=usually)
    verdict, signal = _now(one, last)
    said = {"period": head, "value": _value(one, value), "usually": usually, "verdict": verdict}
    previous = next((earlier.limits for earlier in reversed(chart.segments[:-1]) if earlier.limits is not None), None)
    moved = previous is not None and say_number(previous.center) != say_number(limits.center)
    recent = last - segment.start < RECENT
    if segment.kind in (REBASE, SHIFT) and previous is not None and moved and one.shown(segment.start) and recent:
        change = _average_moved(previous.center, limits.center, day_month(starts[segment.start]))
        # Translators: a chart's summary sentence, e.g. "Week of 16 Nov: 5; usually 5 a week since 28 Sep — 8 weeks in
        # a row above average: something has changed, worth a look; the average went up from 1.5 to 5 on 28 Sep."
        # (each field is said by another message)
        return _("{period}: {value}; {usually} — {verdict}; {change}.", change=change, **said)
    if not signal:
        earlier = [episode for episode in episodes(one) if episode.end < last and last - episode.end < RECENT]
        if earlier:
            # Translators: a chart's summary sentence, e.g. "Week of 16 Nov: 6; usually 3–8 a week since 14 Sep —
            # within the usual range; earlier, the week of 3 Aug was above the usual range." (each field is said by
            # another message)
            episode = _episode(one, earlier[-1])
            return _("{period}: {value}; {usually} — {verdict}; earlier, {episode}.", episode=episode, **said)
        # Translators: a chart's summary sentence, e.g. "Week of 16 Nov: 6; usually 3–8 a week since 14 Sep —
        # within the usual range, steady." (each field is said by another message)
        return _("{period}: {value}; {usually} — {verdict}, steady.", **said)
    # Translators: a chart's summary sentence, e.g. "Week of 16 Nov: 8 days; usually 0–4.2 days since 29 Jun — above
    # the usual range, worth a look." (each field is said by another message)
    return _("{period}: {value}; {usually} — {verdict}.", **said)
