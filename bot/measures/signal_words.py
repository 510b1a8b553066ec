"""How a signal is said in a chart's summary, one whole message per rule, period (week, fortnight, month) and
side (above, below), so that each language can give the period its own gender and word order: the latest period
beyond the usual range, in a run on one side of the average, or near a limit (`BEYOND_NOW`, `run_now`, `NEAR_NOW`),
and an earlier such signal, after "earlier, " (`WAS_BEYOND`, `run_earlier`, `WERE_NEAR`)."""

from __future__ import annotations

from bot.i18n import N_, n_
from bot.measures.periods import FORTNIGHT, MONTH, WEEK
from bot.measures.xmr import ABOVE, BELOW

# The latest period beyond a limit; the three points near one (rule 3).
BEYOND_NOW = {
    # Translators: part of a chart's summary: the latest value is above its usual range
    ABOVE: N_("above the usual range, worth a look"),
    # Translators: part of a chart's summary: the latest value is below its usual range
    BELOW: N_("below the usual range, worth a look"),
}
NEAR_NOW = {
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart)
    (WEEK, ABOVE): N_("3 of the last 4 weeks near the top of the usual range, worth a look"),
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart)
    (WEEK, BELOW): N_("3 of the last 4 weeks near the bottom of the usual range, worth a look"),
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart; fortnights: two weeks)
    (FORTNIGHT, ABOVE): N_("3 of the last 4 fortnights near the top of the usual range, worth a look"),
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart; fortnights: two weeks)
    (FORTNIGHT, BELOW): N_("3 of the last 4 fortnights near the bottom of the usual range, worth a look"),
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart)
    (MONTH, ABOVE): N_("3 of the last 4 months near the top of the usual range, worth a look"),
    # Translators: part of a chart's summary (rule 3 of a process behaviour chart)
    (MONTH, BELOW): N_("3 of the last 4 months near the bottom of the usual range, worth a look"),
}
# An earlier signal, after "earlier, ".
WAS_BEYOND = {
    # Translators: part of a chart's summary, after "earlier,": the week that started on {date}
    (WEEK, ABOVE): N_("the week of {date} was above the usual range"),
    # Translators: part of a chart's summary, after "earlier,": the week that started on {date}
    (WEEK, BELOW): N_("the week of {date} was below the usual range"),
    # Translators: part of a chart's summary, after "earlier,": the fortnight (two weeks) that started on {date}
    (FORTNIGHT, ABOVE): N_("the fortnight of {date} was above the usual range"),
    # Translators: part of a chart's summary, after "earlier,": the fortnight (two weeks) that started on {date}
    (FORTNIGHT, BELOW): N_("the fortnight of {date} was below the usual range"),
    # Translators: part of a chart's summary, after "earlier,": the month that started on {date}
    (MONTH, ABOVE): N_("the month of {date} was above the usual range"),
    # Translators: part of a chart's summary, after "earlier,": the month that started on {date}
    (MONTH, BELOW): N_("the month of {date} was below the usual range"),
}
WERE_NEAR = {
    # Translators: part of a chart's summary, after "earlier," (rule 3 of a process behaviour chart)
    (WEEK, ABOVE): N_("3 of 4 weeks near the top of the usual range from {date}"),
    # Translators: part of a chart's summary, after "earlier," (rule 3 of a process behaviour chart)
    (WEEK, BELOW): N_("3 of 4 weeks near the bottom of the usual range from {date}"),
    # Translators: part of a chart's summary, after "earlier," (rule 3; fortnights: two weeks)
    (FORTNIGHT, ABOVE): N_("3 of 4 fortnights near the top of the usual range from {date}"),
    # Translators: part of a chart's summary, after "earlier," (rule 3; fortnights: two weeks)
    (FORTNIGHT, BELOW): N_("3 of 4 fortnights near the bottom of the usual range from {date}"),
    # Translators: part of a chart's summary, after "earlier," (rule 3 of a process behaviour chart)
    (MONTH, ABOVE): N_("3 of 4 months near the top of the usual range from {date}"),
    # Translators: part of a chart's summary, after "earlier," (rule 3 of a process behaviour chart)
    (MONTH, BELOW): N_("3 of 4 months near the bottom of the usual range from {date}"),
}


def run_now(period: str, side: str, count: int) -> str:
    """The latest period ends a run on one side of the average (rule 2), in words."""
    if period == FORTNIGHT:
        if side == ABOVE:
            # Translators: part of a chart's summary (rule 2): the latest fortnights (two weeks each) were all above
            # the average
            return n_(
                "{count} fortnight in a row above average: something has changed, worth a look",
                "{count} fortnights in a row above average: something has changed, worth a look",
                count,
            )
        # Translators: part of a chart's summary (rule 2): the latest fortnights (two weeks each) were all below the
        # average
        return n_(
            "{count} fortnight in a row below average: something has changed, worth a look",
            "{count} fortnights in a row below average: something has changed, worth a look",
            count,
        )
    if period == MONTH:
        if side == ABOVE:
            # Translators: part of a chart's summary (rule 2): the latest months were all above the average
            return n_(
                "{count} month in a row above average: something has changed, worth a look",
                "{count} months in a row above average: something has changed, worth a look",
                count,
            )
        # Translators: part of a chart's summary (rule 2): the latest months were all below the average
        return n_(
            "{count} month in a row below average: something has changed, worth a look",
            "{count} months in a row below average: something has changed, worth a look",
            count,
        )
    if side == ABOVE:
        # Translators: part of a chart's summary (rule 2): the latest weeks were all above the average
        return n_(
            "{count} week in a row above average: something has changed, worth a look",
            "{count} weeks in a row above average: something has changed, worth a look",
            count,
        )
    # Translators: part of a chart's summary (rule 2): the latest weeks were all below the average
    return n_(
        "{count} week in a row below average: something has changed, worth a look",
        "{count} weeks in a row below average: something has changed, worth a look",
        count,
    )


def run_earlier(period: str, side: str, count: int, start: str) -> str:
    """An earlier run on one side of the average (rule 2) from `start`, after "earlier, "."""
    if period == FORTNIGHT:
        if side == ABOVE:
            # Translators: part of a chart's summary, after "earlier," (rule 2; fortnights: two weeks)
            return n_(
                "{count} fortnight in a row above average from {date}",
                "{count} fortnights in a row above average from {date}",
                count,
                date=start,
            )
        # Translators: part of a chart's summary, after "earlier," (rule 2; fortnights: two weeks)
        return n_(
            "{count} fortnight in a row below average from {date}",
            "{count} fortnights in a row below average from {date}",
            count,
            date=start,
        )
    if period == MONTH:
        if side == ABOVE:
            # Translators: part of a chart's summary, after "earlier," (rule 2 of a process behaviour chart)
            return n_(
                "{count} month in a row above average from {date}",
                "{count} months in a row above average from {date}",
                count,
                date=start,
            )
        # Translators: part of a chart's summary, after "earlier," (rule 2 of a process behaviour chart)
        return n_(
            "{count} month in a row below average from {date}",
            "{count} months in a row below average from {date}",
            count,
            date=start,
        )
    if side == ABOVE:
        # Translators: part of a chart's summary, after "earlier," (rule 2 of a process behaviour chart)
        return n_(
            "{count} week in a row above average from {date}",
            "{count} weeks in a row above average from {date}",
            count,
            date=start,
        )
    # Translators: part of a chart's summary, after "earlier," (rule 2 of a process behaviour chart)
    return n_(
        "{count} week in a row below average from {date}",
        "{count} weeks in a row below average from {date}",
        count,
        date=start,
    )
