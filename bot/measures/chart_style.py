"""How the charts look: size of a point, colours, the font, line dashes, the legend, and how wide a text is drawn.

Calm, neutral colours: a signal is something to look into, not good or bad news, so never red or green. Every text
is drawn as plain text (`PLAIN`): a `$` in a person's note must not switch to mathtext, nor anything to TeX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure

# A phone shows the PNG about 360 px wide, so at WIDTH_PX = 720 (bot.measures.charts) every pixel is drawn half
# size. At 100 dpi 1 pt is 1.39 px: FONT_SIZE 16 pt is 22 px in the PNG and 11 px on the phone (ticks, notes, the
# numbers under a title, the legend), a row's title 18 pt is 12.5 px and the figure's title 20 pt 14 px: the
# smallest text a phone shows as body text, never the 5.6 px of 10 pt in a 900 px image.
PHONE_WIDTH_PX = 360
DPI = 100

INK = "#33414e"
CENTRAL = "#5b7083"
LIMITS = "#8c9aa8"
SIGNAL = "#1f5f8b"
NOTE = "#5f6b78"
STEP = "#9aa5b1"
PAPER = "white"

FONT_SIZE = 16  # tick labels, notes and the legend; titles are two and four points larger
FIRM_DASHES: tuple[float, tuple[float, float]] = (0, (6, 3))
TRIAL_DASHES: tuple[float, tuple[float, float]] = (0, (2, 2.5))

PERIODS = ("week", "fortnight", "month")
PERIOD_ADJECTIVES = {"week": "weekly", "fortnight": "fortnightly", "month": "monthly"}
SO_FAR = "so far"  # beside the period in progress
USUAL_RANGE = "usual range"  # the natural process limits, in the words people read (the README names the method)
AVERAGE = "average"  # the central line
FIRST_ESTIMATE = "first estimate"  # trial limits: from fewer than 20 periods
WORTH_A_LOOK = "worth a look"  # a signal's ring

LEGEND_COLUMNS = 3  # two rows of the legend fit a phone's width

# Keyword arguments of every Text drawn: plain text, never mathtext or TeX.
PLAIN: dict[str, Any] = {"parse_math": False, "usetex": False}


def text_width(ax: Axes, renderer: RendererBase, text: str, size: float = FONT_SIZE) -> float:
    """How wide `text` is drawn on `ax` in italics of `size` points, in pixels."""
    probe = ax.text(0, 0, text, fontsize=size, fontstyle="italic", transform=None, **PLAIN)
    width = float(probe.get_window_extent(renderer).width)
    probe.remove()
    return width


def legend(figure: Figure, *, period: str | None, trial: bool, firm: bool) -> None:
    """The legend below the rows: a value (of `period`, one of PERIODS, when every row has the same; else None),
    "so far", the central line, the limits drawn (`firm` ones, `trial` ones, or both) and a signal's ring."""
    from matplotlib.lines import Line2D

    value = f"{PERIOD_ADJECTIVES[period]} value" if period is not None else "value"
    handles = [
        Line2D([], [], color=INK, marker="o", markersize=4, linewidth=1.4, label=value),
        Line2D([], [], color=INK, marker="o", markersize=6, markerfacecolor=PAPER, linewidth=0, label=SO_FAR),
        Line2D([], [], color=CENTRAL, linewidth=1.4, label=AVERAGE),
    ]
    if firm or not trial:
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=FIRM_DASHES, label=USUAL_RANGE))
    if trial:
        # Beside firm limits the trial dashes are "first estimate"; alone they are the usual range (each row's
        # numbers say "first estimate"). "usual range, first estimate" made three columns wider than the picture.
        label = FIRST_ESTIMATE if firm else USUAL_RANGE
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=TRIAL_DASHES, label=label))
    handles.append(
        Line2D([], [], color=SIGNAL, marker="o", markersize=10, fillstyle="none", linewidth=0, label=WORTH_A_LOOK)
    )
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=LEGEND_COLUMNS,
        frameon=False,
        fontsize=FONT_SIZE,
        labelcolor=INK,
        handlelength=2.2,
        columnspacing=1.2,
        handletextpad=0.5,
    )
