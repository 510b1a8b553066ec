"""The headline figures of the last 52 weeks in one line of a chart's summary (`headline_text`): ideas done, who
took part against the denominator a rate used (channel members or the team's headcount, saying which), the share of
decisions that were a yes, and the median days to a decision."""

from __future__ import annotations

from bot.i18n import _, n_, number
from bot.measures.chart_labels import one_decimal, percent
from bot.measures.figures import CHANNEL_MEMBERS, Headline


def _percent(value: float | None) -> str:
    return "—" if value is None else percent(value)


def _took_part(figures: Headline) -> str:
    """Who took part, against the denominator when there is one (saying which)."""
    per = figures.denominator
    if per is None or not per.value:
        # Translators: part of the headline figures of the last 52 weeks: people who raised or finished an idea
        return n_("{count} person took part", "{count} people took part", figures.participants)
    members = per.kind == CHANNEL_MEMBERS
    if figures.participants > per.value:
        counted = number(per.value)
        if members:
            # Translators: part of the headline figures: more people took part than the channel has members
            return n_(
                "{count} person took part, more than the {counted} counted as channel members: worth checking that "
                "number",
                "{count} people took part, more than the {counted} counted as channel members: worth checking that "
                "number",
                figures.participants,
                counted=counted,
            )
        # Translators: part of the headline figures: more people took part than the team's headcount a leader set
        return n_(
            "{count} person took part, more than the {counted} counted as the team's headcount: worth checking that "
            "number",
            "{count} people took part, more than the {counted} counted as the team's headcount: worth checking that "
            "number",
            figures.participants,
            counted=counted,
        )
    took_part, rate = number(figures.participants), _percent(figures.participation_rate)
    if members:
        # Translators: part of the headline figures: {participants} of the channel's {count} members took part
        # ({percent} of them)
        return n_(
            "{participants} of {count} person took part ({percent}, per channel members)",
            "{participants} of {count} people took part ({percent}, per channel members)",
            per.value,
            participants=took_part,
            percent=rate,
        )
    # Translators: part of the headline figures: {participants} of the {count} people of the team's headcount (set by
    # a leader) took part ({percent} of them)
    return n_(
        "{participants} of {count} person took part ({percent}, per the team's headcount)",
        "{participants} of {count} people took part ({percent}, per the team's headcount)",
        per.value,
        participants=took_part,
        percent=rate,
    )


def headline_text(figures: Headline) -> str:
    """The 52-week figures in one line, saying which denominator a rate used."""
    if figures.denominator is not None and figures.done_per_person_per_year is not None:
        # Translators: part of the headline figures of the last 52 weeks: ideas done, and how many per person
        done = n_(
            "{count} idea done ({per_person} per person)",
            "{count} ideas done ({per_person} per person)",
            figures.done,
            per_person=one_decimal(figures.done_per_person_per_year),
        )
    else:
        # Translators: part of the headline figures of the last 52 weeks
        done = n_("{count} idea done", "{count} ideas done", figures.done)
    parts = [done, _took_part(figures)]
    # Translators: part of the headline figures: the share of decisions that approved the idea
    parts.append(_("{percent} of decisions were a yes", percent=_percent(figures.approval_rate)))
    if figures.median_days_to_decision is not None:
        # Translators: part of the headline figures: the median days from raising an idea to its decision ("1.5")
        parts.append(_("a decision took {days} days (median)", days=one_decimal(figures.median_days_to_decision)))
    # Translators: between two of the headline figures, e.g. "5 ideas done, 2 people took part"
    separator = _(", ")
    # Translators: the headline figures of a chart's summary: {figures} lists them ("5 ideas done, 2 people took
    # part, 50% of decisions were a yes")
    return _("Last 52 weeks: {figures}.", figures=separator.join(parts))
