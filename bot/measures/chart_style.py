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

DPI = 100  # 1 pt is 1.4 px: 10 pt text is 14 px, readable when a phone shrinks the image to its width

INK = "#33414e"
CENTRAL = "#5b7083"
LIMITS = "#8c9aa8"
SIGNAL = "#1f5f8b"
NOTE = "#5f6b78"
STEP = "#9aa5b1"
PAPER = "white"

FONT_SIZE = 10  # tick labels and notes; titles are a point or two larger
FIRM_DASHES: tuple[float, tuple[float, float]] = (0, (6, 3))
TRIAL_DASHES: tuple[float, tuple[float, float]] = (0, (2, 2.5))

PERIODS = ("week", "fortnight", "month")
PERIOD_ADJECTIVES = {"week": "weekly", "fortnight": "fortnightly", "month": "monthly"}
SO_FAR = "so far"  # beside the period in progress
PROCESS_LIMITS = "natural process limits"

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
        Line2D([], [], color=CENTRAL, linewidth=1.4, label="central line"),
    ]
    if firm or not trial:
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=FIRM_DASHES, label=PROCESS_LIMITS))
    if trial:
        label = "trial limits" if firm else f"{PROCESS_LIMITS} (trial)"
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=TRIAL_DASHES, label=label))
    handles.append(
        Line2D([], [], color=SIGNAL, marker="o", markersize=10, fillstyle="none", linewidth=0, label="signal")
    )
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=len(handles),
        frameon=False,
        fontsize=FONT_SIZE,
        labelcolor=INK,
        handlelength=2.2,
        columnspacing=1.4,
    )
