"""The labels of a chart's steps: what a step says (`step_label`) and where it goes (`lay_out`), in lanes at the
top of the axes so that none covers another, and drawing them (`draw`).

A step is marked by a thin line where new limits begin; its label is "shift: new range", or the leader's note of
a rebase (clipped to `limits.CHART_NOTE`, shorter still when there is no room), or "new baseline", in the reader's
language (`bot.i18n`), as are the numbers people read (`say_number`, `usual_range`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.numbers import format_percent, get_decimal_symbol

from bot import limits
from bot.i18n import N_, _, current
from bot.measures.chart_style import DPI, FONT_SIZE, NOTE, PAPER, PLAIN, text_width
from bot.measures.xmr import SHIFT, Limits, Segment

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

# Translators: a short label on a chart where the bot started a new usual range by itself, after 8 periods in a
# row on one side of the average
SHIFT_LABEL = N_("shift: new range")
# Translators: a short label on a chart where a leader started a new baseline (new usual range) without a note
REBASE_LABEL = N_("new baseline")

LANES = 3  # rows of step labels at the top of an axes
LANE_GAP_PX = 10  # the least horizontal room between two labels in one lane
LABEL_PAD_PX = 4  # between a step's mark and its label
LINE_PX = (FONT_SIZE + 4) * DPI / 72  # one lane of step labels


def say_number(value: float) -> str:
    """A value as people say it: whole when it is (or from 10 up), else one decimal: "3", "2.8", "14" ("2,8" in
    German: the reader's decimal sign)."""
    if abs(value - round(value)) < 0.05 or abs(value) >= 10:
        return f"{round(value)}"
    return one_decimal(value)


def one_decimal(value: float) -> str:
    """`value` with one decimal, rounded as Python's `f"{value:.1f}"` does, with the reader's decimal sign: "2.8",
    "2,8"."""
    return f"{value:.1f}".replace(".", get_decimal_symbol(current().locale))


def percent(value: float) -> str:
    """A share 0–1 as a whole percentage, rounded as Python's `f"{value:.0%}"` does, written the reader's way:
    "50%", "50 %"."""
    whole = int(f"{value:.0%}".removesuffix("%"))
    return format_percent(whole / 100, locale=current().locale)


def usual_range(limits: Limits, *, count: bool) -> str:
    """The usual range (the natural process limits) as people say it: "2–9"; whole numbers inside the limits for a
    count; from 0 when there is no lower limit."""
    lower = limits.lower if limits.lower is not None else 0.0
    if count:
        least, most = math.ceil(lower - 1e-9), math.floor(limits.upper + 1e-9)
        return f"{least}–{most}" if least < most else f"{most}" if least == most else say_number(limits.center)
    low, high = say_number(lower), say_number(limits.upper)
    return f"{low}–{high}" if low != high else high


def clip(text: str, chars: int) -> str:
    """One line of at most `chars` characters, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= chars else line[: chars - 1].rstrip() + "…"


def step_label(segment: Segment, chars: int = limits.CHART_NOTE) -> str:
    """The label at a step: "shift: new range", or the leader's note of a rebase, clipped."""
    if segment.kind == SHIFT:
        return _(SHIFT_LABEL)
    note = clip(segment.note or "", chars)
    return note or _(REBASE_LABEL)


@dataclass
class StepMark:
    """A step to label: where its mark is (x, data coordinates) and the segment it begins."""

    x: float
    segment: Segment


@dataclass
class Placed:
    """A step label laid out: its mark (x, data coordinates), from the mark to the label's left end (pixels), its
    text and its lane (0 the top one)."""

    x: float
    offset: float
    text: str
    lane: int


def lay_out(ax: Axes, marks: list[StepMark], renderer: RendererBase) -> list[Placed]:
    """Step labels at the top of the axes, in lanes so that none covers another, the newest first: right of the
    mark, else left of it, else shortened, else left out (the mark stays)."""
    box = ax.get_window_extent(renderer)
    placed: list[Placed] = []
    lanes: list[list[tuple[float, float]]] = [[] for _lane in range(LANES)]
    for mark in sorted(marks, key=lambda mark: mark.x, reverse=True):  # the newest first
        pixel = float(ax.transData.transform((mark.x, 0.0))[0])
        for text, x0 in _candidates(ax, mark, pixel, box.x0, box.x1, renderer):
            x1 = x0 + text_width(ax, renderer, text)
            free = (
                n
                for n, taken in enumerate(lanes)
                if all(x1 + LANE_GAP_PX <= a or x0 >= b + LANE_GAP_PX for a, b in taken)
            )
            lane = next(free, None)
            if lane is not None:
                lanes[lane].append((x0, x1))
                placed.append(Placed(mark.x, x0 - pixel, text, lane))
                break
    return placed


def _candidates(
    ax: Axes, mark: StepMark, pixel: float, left: float, right: float, renderer: RendererBase
) -> list[tuple[str, float]]:
    """Where a label may go, best first, as (text, left end in pixels): whole right of the mark (at `pixel`), whole
    left of it, then shortened the same ways, and last shortened and pushed inside the axes."""
    candidates = []
    for chars in (limits.CHART_NOTE, limits.CHART_NOTE_SHORT):
        text = step_label(mark.segment, chars)
        width = text_width(ax, renderer, text)
        for x0 in (pixel + LABEL_PAD_PX, pixel - LABEL_PAD_PX - width):
            if left <= x0 and x0 + width <= right:
                candidates.append((text, x0))
    text = step_label(mark.segment, limits.CHART_NOTE_SHORT)
    width = text_width(ax, renderer, text)
    candidates.append((text, max(left, min(pixel + LABEL_PAD_PX, right - width))))
    return candidates


def band(placed: list[Placed]) -> float:
    """The height in pixels the placed labels take at the top of the axes (0 for none)."""
    return (1 + max(label.lane for label in placed)) * LINE_PX + 4 if placed else 0.0


def draw(ax: Axes, placed: list[Placed]) -> None:
    """Draw the placed labels at the top of `ax`: a note in italics, on paper so that a line under it stops."""
    for label in placed:
        ax.annotate(
            label.text,
            xy=(label.x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(label.offset, -2 - label.lane * LINE_PX),
            textcoords="offset pixels",
            ha="left",
            va="top",
            fontsize=FONT_SIZE,
            color=NOTE,
            fontstyle="italic" if _is_note(label.text) else "normal",
            annotation_clip=False,
            bbox={"facecolor": PAPER, "edgecolor": "none", "pad": 1.0},
            zorder=7,
            **PLAIN,
        ).set_in_layout(False)


def _is_note(text: str) -> bool:
    return text not in (_(SHIFT_LABEL), _(REBASE_LABEL))
