"""The words drawn in a chart's row besides its title and its steps' labels, in the reader's language: the numbers
under the title (the usual range and the average, `limits_text`), or why there are none (`not_enough`, `too_few`),
what the middle of a row without any period says (`no_periods_yet`), and the numbers along the y axis, with the
reader's decimal sign (`y_numbers`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import get_decimal_symbol

from bot.i18n import _, current
from bot.measures.chart_labels import say_number, usual_range
from bot.measures.xmr import Limits

if TYPE_CHECKING:
    from matplotlib.ticker import ScalarFormatter


def not_enough(period: str) -> str:
    """Under the title of a row whose latest limits are not there yet."""
    if period == "fortnight":
        # Translators: under a chart's title (fortnights: periods of two weeks)
        return _("not enough fortnights yet to know the usual range")
    if period == "month":
        # Translators: under a chart's title
        return _("not enough months yet to know the usual range")
    # Translators: under a chart's title
    return _("not enough weeks yet to know the usual range")


def no_periods_yet(period: str) -> str:
    """In the middle of a row that has no period at all yet."""
    if period == "fortnight":
        # Translators: in the middle of an empty chart (fortnights: periods of two weeks)
        return _("no fortnights yet")
    if period == "month":
        # Translators: in the middle of an empty chart
        return _("no months yet")
    # Translators: in the middle of an empty chart
    return _("no weeks yet")


def too_few(period: str) -> str:
    """Under the title of a row of a count too rare for a usual range."""
    if period == "fortnight":
        # Translators: under a chart's title: a count too rare for a usual range (fortnight: two weeks)
        return _("too few to judge (under 1 a fortnight)")
    if period == "month":
        # Translators: under a chart's title: a count too rare for a usual range
        return _("too few to judge (under 1 a month)")
    # Translators: under a chart's title: a count too rare for a usual range
    return _("too few to judge (under 1 a week)")


def limits_text(limits: Limits, *, count: bool) -> str:
    """The numbers under a row's title, in words people read: the latest segment's usual range and average."""
    span, average = usual_range(limits, count=count), say_number(limits.center)
    if limits.trial:
        # Translators: under a chart's title: the range values usually fall in ("2–9"), their average, and that
        # the range is a first estimate (from fewer than 20 periods); the words match the chart's legend
        return _("usual range {range} · average {average} · first estimate", range=span, average=average)
    # Translators: under a chart's title: the range values usually fall in ("2–9") and their average; the words
    # match the chart's legend
    return _("usual range {range} · average {average}", range=span, average=average)


def y_numbers() -> ScalarFormatter:
    """matplotlib's own labels of the y ticks (as many decimals as the ticks need: "0.0", "2.5", "5.0") with the
    reader's decimal sign: "2,5" in German and Spanish. The sign is the one of whoever reads when it is made."""
    from matplotlib.ticker import ScalarFormatter

    sign = get_decimal_symbol(current().locale)

    class LocalNumbers(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", sign)

    return LocalNumbers()
