"""One PNG with a small XmR chart per weekly series, drawn server-side for `files_upload_v2`.

matplotlib is imported inside `render_png` so that starting the bot does not pay for it, and only its object API
is used (a Figure and an Agg canvas per call, never pyplot's global figure registry).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.xmr import XmRChart, xmr_chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX = 900
ROW_HEIGHT_PX = 250
FRAME_PX = 60  # the title above the rows and the legend below them
DPI = 100  # 9 pt text is about 12 px: readable in Slack's preview without zooming

# Calm, neutral colours: a signal is something to look into, not good or bad news.
INK = "#33414e"
CENTRAL = "#5b7083"
LIMITS = "#8c9aa8"
SIGNAL = "#1f5f8b"
NOTE = "#6b7785"
FONT_SIZE = 9

NOT_ENOUGH_WEEKS = "not enough weeks for limits yet"

# matplotlib documents only that separate figures "may" work from separate threads; charts are drawn rarely,
# so a lock costs nothing that matters and rules out its shared caches racing.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartSeries:
    title: str  # e.g. "Ideas raised per week"
    week_starts: Sequence[date]  # one per value
    values: Sequence[float | None]  # None: a week with nothing to measure, drawn as a break in the line
    count: bool


def image_size(rows: int) -> tuple[int, int]:
    """Width and height in pixels of the PNG for `rows` series."""
    return WIDTH_PX, FRAME_PX + ROW_HEIGHT_PX * rows


def render_png(series: Sequence[ChartSeries], *, title: str) -> bytes:
    """One PNG with an XmR chart per series, one row each, under `title`."""
    if not series:
        raise ValueError("there is no series to draw")
    for one in series:
        if len(one.week_starts) != len(one.values):
            raise ValueError(f"{one.title!r}: {len(one.week_starts)} week starts for {len(one.values)} values")
    charts = [xmr_chart(one.values, count=one.count) for one in series]

    with _RENDER_LOCK:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D

        width, height = image_size(len(series))
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(title, fontsize=FONT_SIZE + 2, color=INK)
        axes = figure.subplots(len(series), 1, squeeze=False)[:, 0]
        for ax, one, chart in zip(axes, series, charts, strict=True):
            _draw(ax, one, chart)

        legend = [
            Line2D([], [], color=INK, marker="o", markersize=3, linewidth=1.2, label="weekly value"),
            Line2D([], [], color=CENTRAL, linewidth=1.2, label="central line"),
            Line2D([], [], color=LIMITS, linewidth=1, linestyle="--", label="natural process limits"),
            Line2D([], [], color=SIGNAL, marker="o", markersize=9, fillstyle="none", linewidth=0, label="signal"),
        ]
        figure.legend(
            handles=legend, loc="outside lower center", ncols=len(legend), frameon=False, fontsize=FONT_SIZE - 1
        )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _draw(ax: Axes, one: ChartSeries, chart: XmRChart | None) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    ax.set_title(one.title, loc="left", fontsize=FONT_SIZE + 1, color=INK)
    ax.tick_params(labelsize=FONT_SIZE - 1, colors=NOTE)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    if not one.values:
        ax.text(0.5, 0.5, "no weeks yet", transform=ax.transAxes, ha="center", va="center", color=NOTE)
        ax.set_xticks([])
        ax.set_yticks([])
        return

    weeks = list(one.week_starts)
    # NaN breaks the line, so a gap shows as a gap instead of a drop to zero.
    ys = [float("nan") if value is None else float(value) for value in one.values]
    ax.plot(weeks, ys, color=INK, marker="o", markersize=3, linewidth=1.2, zorder=3)

    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.xaxis.get_offset_text().set(fontsize=FONT_SIZE - 1, color=NOTE)
    if one.count:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    if chart is None:
        # Beside the title, where it never covers a point.
        ax.set_title(NOT_ENOUGH_WEEKS, loc="right", fontsize=FONT_SIZE, color=NOTE)
    else:
        ax.axhline(chart.center, color=CENTRAL, linewidth=1.2, zorder=2)
        for limit in (chart.upper, chart.lower):
            ax.axhline(limit, color=LIMITS, linewidth=1, linestyle="--", zorder=2)
        # The numbers beside the title, so a reader can quote them and they never collide with each other.
        ax.set_title(
            f"centre {chart.center:.1f} · limits {chart.lower:.1f} to {chart.upper:.1f}",
            loc="right",
            fontsize=FONT_SIZE,
            color=NOTE,
        )
        marked = sorted({signal.index for signal in chart.signals})
        if marked:
            ax.plot(
                [weeks[index] for index in marked],
                [ys[index] for index in marked],
                linestyle="none",
                marker="o",
                markersize=9,
                markeredgewidth=1.4,
                fillstyle="none",
                color=SIGNAL,
                zorder=4,
            )
    if one.count:
        # From zero, and at least up to one, so a run of zeros still gets whole-number ticks.
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
