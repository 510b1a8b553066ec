"""How the charts look: size of a point, colours, the font, line dashes, the legend, and how wide a text is drawn.

Calm, neutral colours: a signal is something to look into, not good or bad news, so never red or green. Every text
is drawn as plain text (`PLAIN`): a `$` in a person's note must not switch to mathtext, nor anything to TeX.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.i18n import N_, _, current

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
# The legend's words, marked for the catalogs and translated where they are drawn (`_(SO_FAR)`).
VALUE_LABELS = {
    # Translators: a chart's legend: the line of values, one per week
    "week": N_("weekly value"),
    # Translators: a chart's legend: the line of values, one per fortnight (two weeks)
    "fortnight": N_("fortnightly value"),
    # Translators: a chart's legend: the line of values, one per month
    "month": N_("monthly value"),
}
# Translators: a chart's legend: the line of values (of weeks, fortnights or months mixed)
VALUE = N_("value")
# Translators: on a chart, beside the value of the week (or month) in progress, not complete yet
SO_FAR = N_("so far")
# Translators: a chart's legend and numbers: the range a value usually falls in (the natural process limits, in
# everyday words)
USUAL_RANGE = N_("usual range")
# Translators: a chart's legend: the line of the average (the central line)
AVERAGE = N_("average")
# Translators: a chart's legend: the usual range computed from fewer than 20 periods, still a first estimate
FIRST_ESTIMATE = N_("first estimate")
# Translators: a chart's legend: the ring around a point that is unusual, something to look into (never good or bad)
WORTH_A_LOOK = N_("worth a look")

LEGEND_COLUMNS = 3  # two rows of the legend fit a phone's width in English; fewer columns where words are longer

# The charts' fonts, in fallback order per glyph: matplotlib's own DejaVu Sans for Latin text, then IPAexGothic
# (shipped in the `matplotlib-fontja` package, a dependency: no system font needed) for Japanese.
LATIN_FONT = "DejaVu Sans"
JAPANESE_FONT = "IPAexGothic"
JAPANESE_FONT_FILE = ("fonts", "ipaexg.ttf")  # inside the matplotlib_fontja package


def font_families(texts: Iterable[str]) -> list[str]:
    """The `font.family` list a chart is drawn with: DejaVu Sans alone, unless the reader reads Japanese or one of
    `texts` (titles: they may carry a channel's name) has a CJK character. Then IPAexGothic follows, per glyph,
    registered with matplotlib on first use. A chart drawn without it never loads that font's 4 MB. Raises
    RuntimeError when matplotlib-fontja is missing (a broken install: it is a dependency)."""
    if current().language == "ja" or any(_CJK.search(text) for text in texts):
        return [LATIN_FONT, _japanese_font()]
    return [LATIN_FONT]


_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")  # CJK, kana, Hangul, full width


@functools.cache
def _japanese_font() -> str:
    """Register IPAexGothic with matplotlib, once. The package's own import would set that font for the whole
    process (`japanize()`), so its file is found without importing it."""
    from matplotlib import font_manager

    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib-fontja is not installed: reinstall kaizen-bot (`make install`)")
    font_manager.fontManager.addfont(str(Path(spec.submodule_search_locations[0]).joinpath(*JAPANESE_FONT_FILE)))
    # IPAexGothic has one weight: a bold title's Japanese glyphs are drawn regular, as wanted, and matplotlib
    # would say so in a WARNING for every chart. Only that line is dropped.
    logging.getLogger("matplotlib.font_manager").addFilter(_no_bold_face_warning)
    return JAPANESE_FONT


def _no_bold_face_warning(record: logging.LogRecord) -> bool:
    return not (
        record.getMessage().startswith("findfont: Failed to find font weight") and JAPANESE_FONT in record.getMessage()
    )


# Keyword arguments of every Text drawn: plain text, never mathtext or TeX.
PLAIN: dict[str, Any] = {"parse_math": False, "usetex": False}


def text_width(ax: Axes, renderer: RendererBase, text: str, size: float = FONT_SIZE) -> float:
    """How wide `text` is drawn on `ax` in italics of `size` points, in pixels."""
    probe = ax.text(0, 0, text, fontsize=size, fontstyle="italic", transform=None, **PLAIN)
    width = float(probe.get_window_extent(renderer).width)
    probe.remove()
    return width


def legend(figure: Figure, renderer: RendererBase, *, period: str | None, trial: bool, firm: bool) -> float:
    """The legend below the rows, in the reader's language: a value (of `period`, one of PERIODS, when every row has
    the same; else None), "so far", the central line, the limits drawn (`firm` ones, `trial` ones, or both) and a
    signal's ring. In LEGEND_COLUMNS columns, or fewer where the reader's words are wider than the figure (more
    rows). Returns how many pixels taller than two rows it is drawn (0 in LEGEND_COLUMNS columns)."""
    from matplotlib.lines import Line2D

    value = _(VALUE_LABELS[period]) if period is not None else _(VALUE)
    handles = [
        Line2D([], [], color=INK, marker="o", markersize=4, linewidth=1.4, label=value),
        Line2D([], [], color=INK, marker="o", markersize=6, markerfacecolor=PAPER, linewidth=0, label=_(SO_FAR)),
        Line2D([], [], color=CENTRAL, linewidth=1.4, label=_(AVERAGE)),
    ]
    if firm or not trial:
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=FIRM_DASHES, label=_(USUAL_RANGE)))
    if trial:
        # Beside firm limits the trial dashes are "first estimate"; alone they are the usual range (each row's
        # numbers say "first estimate"). "usual range, first estimate" made three columns wider than the picture.
        label = _(FIRST_ESTIMATE) if firm else _(USUAL_RANGE)
        handles.append(Line2D([], [], color=LIMITS, linewidth=1.4, linestyle=TRIAL_DASHES, label=label))
    handles.append(
        Line2D([], [], color=SIGNAL, marker="o", markersize=10, fillstyle="none", linewidth=0, label=_(WORTH_A_LOOK))
    )
    two_rows = 0.0
    for columns in range(LEGEND_COLUMNS, 0, -1):
        drawn = figure.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=columns,
            frameon=False,
            fontsize=FONT_SIZE,
            labelcolor=INK,
            handlelength=2.2,
            columnspacing=1.2,
            handletextpad=0.5,
        )
        box = drawn.get_window_extent(renderer)
        two_rows = two_rows or float(box.height)  # LEGEND_COLUMNS columns of 5 or 6 entries: two rows
        if columns == 1 or (box.x0 >= 0 and box.x1 <= figure.bbox.width):
            break
        drawn.remove()
    return max(0.0, float(box.height) - two_rows)
