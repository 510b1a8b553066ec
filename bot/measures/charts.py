"""One PNG of XmR process behavior charts, a row per series, drawn server-side for `files_upload_v2`.

Each row shows a window of complete periods judged over the series' whole history (`bot.measures.xmr`): the
values, the central line ("average") and natural process limits ("usual range", the words people read) of every
segment that reaches into the window (drawn only across that segment's periods, so a rebase or a shift shows as a
step), a thin mark with a short label where a step begins, and a ring around each signal ("worth a look"). The
period in progress is drawn apart, hollow and labelled "so far": it is never judged. Calm, neutral colours: a
signal is something to look into, not good or bad news, so never red or green, no trend lines and no targets.

matplotlib is imported inside `render_png` so that starting the bot does not pay for it, and only its object API
is used (a Figure and an Agg canvas per call, never pyplot's global figure registry). A person's words (a
leader's rebase note, a team's name) are drawn as plain text: never parsed as mathtext or TeX. How the charts look
is `chart_style`; the steps' labels and their layout are `chart_labels`; the other words drawn in a row are
`chart_words`, the dates along the x axis `chart_dates`, and what a row is given `chart_series`. A title or a line
of numbers wider than the picture (German and Spanish words are longer) takes more lines (`chart_fit`), the legend
fewer columns, and the PNG grows taller for them.

Every word and date drawn is in the reader's language (`bot.i18n`), looked up while drawing: nothing drawn is kept
from one chart to the next, so a chart drawn `with reading("ja"):` is Japanese throughout.
"""

from __future__ import annotations

import gc
import io
import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from bot.i18n import _
from bot.measures import chart_dates, chart_fit, chart_labels, chart_memory, chart_style
from bot.measures.chart_labels import StepMark
from bot.measures.chart_series import ChartSeries, check
from bot.measures.chart_style import (
    CENTRAL,
    DPI,
    FIRM_DASHES,
    FONT_SIZE,
    INK,
    LIMITS,
    NOTE,
    PAPER,
    PLAIN,
    SIGNAL,
    SO_FAR,
    STEP,
    TRIAL_DASHES,
    text_width,
)
from bot.measures.chart_words import limits_text, no_periods_yet, not_enough, too_few, y_numbers
from bot.measures.drawing_thread import DrawingThread
from bot.measures.xmr import BASELINE_MIN, REBASE, SHIFT, Segment

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

WIDTH_PX = 720  # a phone shows it about 360 px wide: half size (the font sizes are in `chart_style`)
AXES_PX = 200  # the height of one row's axes

NUMBERS = "numbers"  # the gid of the line of numbers under a row's title

FEW_PERIODS = 6  # up to this many periods, each gets a dated tick

SO_FAR_GAP_PX = 10  # from the hollow marker's centre to its label
POINT_ROOM_PX = 9  # room above a point for its ring
LIMIT_ROOM_PX = 4  # ... and above a limit line
BOTTOM_ROOM_PX = 8  # below the base of the y axis, so that a point or a ring at zero is not cut

T = TypeVar("T")

# Every chart is drawn on one thread: matplotlib keeps a copy of each font for every thread that draws.
_DRAWER = DrawingThread("kaizen-charts")

# matplotlib documents only that separate figures "may" work from separate threads: whoever draws a figure outside
# `_DRAWER` (the tests do) takes this lock, as `_DRAWER` does, so that its shared caches never race.
_RENDER_LOCK = threading.Lock()


def _new_render_lock() -> None:
    global _RENDER_LOCK
    _RENDER_LOCK = threading.Lock()  # a child forked while a chart was drawn would find the lock held, for ever


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_render_lock)


def image_size(rows: int) -> tuple[int, int]:
    """Width and height in pixels of the PNG for `rows` series, when every title, line of numbers and the legend fit
    the width as they do in English (longer words are drawn on more lines: a taller PNG)."""
    return WIDTH_PX, TOP_PX + BOTTOM_PX + AXES_PX * rows + GAP_PX * (rows - 1)


def render_png(series: Sequence[ChartSeries], *, title: str) -> bytes:
    """One PNG with an XmR chart per series, one row each, under `title`, with a legend below.

    ValueError: no series; or a series with an unknown period, not one value per start, starts out of order, a
    current value without a current period or a current period not after the others, a negative first_index,
    or a chart whose values do not match the window."""
    if not series:
        raise ValueError("there is no series to draw")
    for one in series:
        check(one)
    return _DRAWER.run(_png, series, title)


def draw_apart(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` drawing some other picture with matplotlib (the walk-up form's poster), on the charts' one
    drawing thread and under their lock (see `_DRAWER`); returns what it returns, raises what it raises."""

    def locked() -> T:
        with _RENDER_LOCK:
            return function(*args)

    return _DRAWER.run(locked)


def _png(series: Sequence[ChartSeries], title: str) -> bytes:
    """`render_png` of checked series, on the drawing thread."""
    from matplotlib import rc_context

    families = chart_style.font_families([title, *(one.title for one in series)])
    with _RENDER_LOCK, rc_context({"font.family": families}):
        figure = _figure(series, title)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, facecolor=PAPER)
        # The pixel buffers go now, not when the collector next looks at the oldest objects (seldom in a process
        # of a thousand modules), so a morning of huddle charts does not pile up (`chart_memory`); the artists'
        # own cycles go with the next collection, or here while they are young.
        chart_memory.release(figure)
        figure.clear()
        del figure
        gc.collect(1)
    chart_memory.trim()
    return buffer.getvalue()


# A fixed layout in pixels (a constrained layout measured every tick label twice: over half a chart's time), for
# text of FONT_SIZE: a line of it is about LINE_PX high.
LINE_PX = round(FONT_SIZE * DPI / 72 * 1.25)
TOP_PX = 12 + 4 * LINE_PX  # the figure's title, then the first row's title and its usual range
GAP_PX = 8 + 4 * LINE_PX  # between rows: the x tick labels of one row, the title and usual range of the next
BOTTOM_PX = 24 + 4 * LINE_PX  # the last row's x tick labels, then two rows of the legend
LEFT_PX = 44  # the y tick labels; widened when a row's are wider
RIGHT_PX = 14
NUMBERS_GAP_PX = 6  # from the top of the axes to the line of numbers under a row's title


def _place(figure: Figure, left_px: float, above: list[int], below: int) -> int:
    """The rows' axes, AXES_PX high, from `left_px` to RIGHT_PX from the right, `above[n]` pixels above row n (the
    titles, and the x tick labels of the row before) and `below` under the last; the figure as high as they take
    (returned, in pixels)."""
    height = sum(above) + AXES_PX * len(above) + below
    if round(figure.bbox.height) != height:
        figure.set_size_inches(WIDTH_PX / DPI, height / DPI)
    top = height
    for ax, room in zip(figure.axes, above, strict=True):
        top -= room + AXES_PX
        ax.set_position(
            (left_px / WIDTH_PX, top / height, (WIDTH_PX - left_px - RIGHT_PX) / WIDTH_PX, AXES_PX / height)
        )
    return height


def _figure(series: Sequence[ChartSeries], title: str) -> Figure:
    """The drawn figure of checked series; only under `_RENDER_LOCK`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = image_size(len(series))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=PAPER)
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    heading = figure.suptitle(
        title, y=1 - 8 / height, va="top", fontsize=FONT_SIZE + 4, color=INK, fontweight="bold", **PLAIN
    )
    axes = figure.subplots(len(series), 1, squeeze=False)[:, 0]
    _place(figure, LEFT_PX, [TOP_PX] + [GAP_PX] * (len(series) - 1), BOTTOM_PX)
    rows = [_Row(ax, one) for ax, one in zip(axes, series, strict=True)]
    for row in rows:
        row.draw()
    below = BOTTOM_PX + math.ceil(_legend(figure, renderer, series))  # more rows of a legend of longer words
    # The y range, "so far" and the step labels are placed in pixels, once the rows have their size.
    for row in rows:
        row.finish(renderer)
    left = max(LEFT_PX, max(_y_labels_width(row.ax, renderer) for row in rows) + 6)
    # Titles and numbers wider than the room they have now take more lines, and the rows move down for them.
    heads = [math.ceil(row.head(WIDTH_PX - left - RIGHT_PX, renderer)) for row in rows]
    heads[0] += TOP_PX + math.ceil(chart_fit.wrap(heading, WIDTH_PX - 2 * RIGHT_PX, renderer))
    height = _place(figure, left, [heads[0]] + [GAP_PX + head for head in heads[1:]], below)
    heading.set_y(1 - 8 / height)
    return figure


def _y_labels_width(ax: Axes, renderer: RendererBase) -> float:
    """How far the y tick labels reach left of the axes, in pixels."""
    box = ax.yaxis.get_tightbbox(renderer)
    return 0.0 if box is None else float(ax.get_window_extent(renderer).x0 - box.x0)


def _legend(figure: Figure, renderer: RendererBase, series: Sequence[ChartSeries]) -> float:
    periods = {one.period for one in series}
    drawn = [segment.limits for one in series for segment in _window_segments(one) if segment.limits is not None]
    return chart_style.legend(
        figure,
        renderer,
        period=periods.pop() if len(periods) == 1 else None,
        trial=any(limits.trial for limits in drawn),
        firm=any(not limits.trial for limits in drawn),
    )


def _window_segments(one: ChartSeries) -> list[Segment]:
    """The segments of the chart that reach into the window, oldest first."""
    if one.chart is None:
        return []
    first, end = one.first_index, one.first_index + len(one.values)
    return [segment for segment in one.chart.segments if segment.start < end and segment.end > first]


class _Row:
    """One axes: drawn in `draw`; its y range, "so far" and step labels finished in `finish`, once the figure's
    layout has settled, because they are placed in pixels; its title and numbers fitted to its width in `head`."""

    def __init__(self, ax: Axes, one: ChartSeries) -> None:
        self.ax = ax
        self.one = one
        self.empty = False
        self.labels: list[StepMark] = []
        self.needs: list[tuple[float, float]] = []  # (y, pixels of room it needs above it)
        self.current_x: float | None = None  # the period in progress
        self.current: tuple[float, float] | None = None  # its hollow marker
        self.base = 0.0  # the bottom of the y range, before a few pixels of room below it
        self.title: Text | None = None
        self.numbers: Text | None = None  # the line of numbers under the title

    def draw(self) -> None:
        from matplotlib.dates import AutoDateLocator, num2date
        from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

        ax, one = self.ax, self.one
        ax.set_facecolor(PAPER)
        self._title(one.title, LINE_PX)
        ax.tick_params(labelsize=FONT_SIZE, colors=NOTE)
        ax.tick_params(which="minor", length=2.5, colors=STEP)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        for spine in ("left", "bottom"):
            ax.spines[spine].set_color(STEP)

        xs = [chart_dates.to_x(start) for start in one.starts]
        current_x = chart_dates.to_x(one.current_start) if one.current_start is not None else None
        positions = xs + ([current_x] if current_x is not None else [])
        if not positions:
            self.empty = True
            ax.text(
                0.5, 0.5, no_periods_yet(one.period), transform=ax.transAxes, ha="center", va="center",
                color=NOTE, fontsize=FONT_SIZE, **PLAIN,
            )  # fmt: skip
            ax.set_xticks([])
            ax.set_yticks([])
            return
        edges = chart_dates.edges(positions, chart_dates.PERIOD_DAYS[one.period])
        ax.set_xlim(edges[0], edges[-1])
        self.current_x = current_x

        # NaN breaks the line, so a gap shows as a gap instead of a drop to zero.
        ys = [math.nan if value is None else float(value) for value in one.values]
        if xs:
            ax.plot(xs, ys, color=INK, marker="o", markersize=4, linewidth=1.4, zorder=4, clip_on=False)
        self.needs += [(y, POINT_ROOM_PX) for y in ys if not math.isnan(y)]
        if current_x is not None and one.current_value is not None:
            self._draw_current(xs, ys, current_x, float(one.current_value))

        segments = _window_segments(one)
        for segment in segments:
            self._draw_segment(segment, edges)
        self._draw_signals(xs, ys)
        self._title_numbers(segments)

        if len(positions) <= FEW_PERIODS:  # a tick and a date per period
            days = [*one.starts, *([one.current_start] if one.current_start is not None else [])]
            ax.xaxis.set_major_locator(FixedLocator(positions))
            ax.xaxis.set_major_formatter(FixedFormatter([chart_dates.tick(day, one.period) for day in days]))
        else:  # months or years, and a small tick per period
            locator = AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
            # Ticks only over the periods (not in the room made for "so far"); no year under every row (a line of
            # a phone's height): the year shows at a January tick.
            span = num2date(edges[0]), num2date(edges[-1])  # type: ignore[no-untyped-call]
            found = locator.tick_values(*span)  # type: ignore[no-untyped-call]
            ticks = [t for t in found if edges[0] <= t <= edges[-1]]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_major_formatter(chart_dates.concise_dates(locator))
            ax.xaxis.set_minor_locator(FixedLocator(positions))
        ax.xaxis.get_offset_text().set(fontsize=FONT_SIZE, color=NOTE)
        ax.yaxis.set_major_locator(MaxNLocator(integer=one.count, nbins=5, min_n_ticks=2))
        ax.yaxis.set_major_formatter(y_numbers())
        ax.grid(axis="y", color="#eef1f4", linewidth=0.8)
        ax.set_axisbelow(True)

        # From 0 for counts, and wherever no lower limit is drawn (zero is within the process's natural range).
        lows = [y for y in ys if not math.isnan(y)]
        lowers = [segment.limits.lower for segment in segments if segment.limits is not None]
        if one.count or not lowers or any(lower is None for lower in lowers):
            self.base = 0.0
        else:
            lows += [lower for lower in lowers if lower is not None]
            highs = [y for y, _room in self.needs]
            self.base = max(0.0, min(lows) - 0.08 * (max(highs) - min(lows)))
        top = max([y for y, _room in self.needs] + [self.base])
        ax.set_ylim(self.base, top if top > self.base else self.base + 1.0)

    def _draw_current(self, xs: list[float], ys: list[float], x: float, y: float) -> None:
        ax = self.ax
        if xs and not math.isnan(ys[-1]):
            ax.plot([xs[-1], x], [ys[-1], y], color=INK, linewidth=1.2, linestyle=(0, (1, 2)), zorder=3)
        ax.plot(
            [x], [y], marker="o", markersize=6, color=INK, markerfacecolor=PAPER, markeredgewidth=1.4, zorder=5,
            clip_on=False,
        )  # fmt: skip
        self.current = (x, y)
        self.needs.append((y, POINT_ROOM_PX))

    def _draw_segment(self, segment: Segment, edges: list[float]) -> None:
        one, ax = self.one, self.ax
        first = max(segment.start, one.first_index) - one.first_index
        last = min(segment.end, one.first_index + len(one.values)) - one.first_index
        left, right = edges[first], edges[last]
        if segment.kind in (REBASE, SHIFT) and segment.start >= one.first_index:
            ax.axvline(left, color=STEP, linewidth=1.0, linestyle=(0, (3, 2)), zorder=1)
            self.labels.append(StepMark(left, segment))
        limits = segment.limits
        if limits is None:
            return
        ax.hlines(limits.center, left, right, color=CENTRAL, linewidth=1.4, zorder=2)
        dashes = TRIAL_DASHES if limits.trial else FIRM_DASHES
        bounds = [limits.upper] + ([limits.lower] if limits.lower is not None else [])
        ax.hlines(bounds, left, right, color=LIMITS, linewidth=1.4, linestyles=dashes, zorder=2)
        self.needs.append((limits.upper, LIMIT_ROOM_PX))

    def _draw_signals(self, xs: list[float], ys: list[float]) -> None:
        one = self.one
        if one.chart is None:
            return
        shown = range(one.first_index, one.first_index + len(one.values))
        marked = sorted({signal.index - one.first_index for signal in one.chart.signals if signal.index in shown})
        if marked:
            self.ax.plot(
                [xs[i] for i in marked],
                [ys[i] for i in marked],
                linestyle="none",
                marker="o",
                markersize=11,
                markeredgewidth=1.6,
                fillstyle="none",
                color=SIGNAL,
                zorder=6,
                clip_on=False,
            )

    def _title_numbers(self, segments: list[Segment]) -> None:
        """The numbers under the title, so a reader can quote them and they never cover a point."""
        latest = segments[-1].limits if segments else None
        text = not_enough(self.one.period) if latest is None else limits_text(latest, count=self.one.count)
        chart = self.one.chart
        if latest is None and self.one.count and chart is not None and chart.segments:
            newest = [value for value in chart.values[chart.segments[-1].start :] if value is not None]
            if len(newest) >= BASELINE_MIN:  # enough periods: no limits because the count is rare
                text = too_few(self.one.period)
        self.numbers = self.ax.annotate(
            text, (0, 1), xycoords="axes fraction", xytext=(0, NUMBERS_GAP_PX), textcoords="offset pixels",
            ha="left", va="bottom", fontsize=FONT_SIZE, color=NOTE, annotation_clip=False, gid=NUMBERS, **PLAIN,
        )  # fmt: skip
        self.numbers.set_in_layout(False)

    def _title(self, text: str, numbers_px: float) -> None:
        """The row's title, above `numbers_px` of numbers (their lines)."""
        pad = (NUMBERS_GAP_PX + numbers_px) * 72 / DPI  # points
        self.title = self.ax.set_title(text, loc="left", fontsize=FONT_SIZE + 2, color=INK, pad=pad, **PLAIN)

    def head(self, width: float, renderer: RendererBase) -> float:
        """The title and the numbers under it in lines no wider than `width` pixels; returns how many pixels taller
        than a line each they are now."""
        grown = chart_fit.wrap(self.numbers, width, renderer) if self.numbers is not None else 0.0
        if grown and self.title is not None:
            self._title(self.title.get_text(), LINE_PX + grown)
        return grown + (chart_fit.wrap(self.title, width, renderer) if self.title is not None else 0.0)

    def finish(self, renderer: RendererBase) -> None:
        if self.empty:
            return
        height = float(self.ax.get_window_extent(renderer).height)
        self._widen_for_current(renderer)
        placed = chart_labels.lay_out(self.ax, self.labels, renderer)
        self._fit_y(height, chart_labels.band(placed))
        self._label_current()
        chart_labels.draw(self.ax, placed)

    def _fit_y(self, height: float, band: float) -> None:
        """A y range that keeps every point, ring and limit below the band of step labels, with a few pixels of
        room below the base so that a point or ring at zero is not cut by the axis."""
        below = BOTTOM_ROOM_PX / height
        _bottom, top = self.ax.get_ylim()
        span = (top - self.base) / (1 - below)
        for y, room in self.needs:
            fraction = 1 - below - (band + room) / height
            if fraction > 0.2:
                span = max(span, (y - self.base) / fraction)
        low = self.base - below * span
        self.ax.set_ylim(low, low + span)

    def _widen_for_current(self, renderer: RendererBase) -> None:
        """Room for "so far" to the right of the hollow marker, where nothing else is drawn; whenever there is a
        period in progress, with a value or not, so that rows of the same periods stay aligned."""
        if self.current_x is None:
            return
        ax = self.ax
        width = float(ax.get_window_extent(renderer).width)
        need = (SO_FAR_GAP_PX + text_width(ax, renderer, _(SO_FAR), FONT_SIZE) + 2) / width
        left, right = ax.get_xlim()
        ax.set_xlim(left, max(right, (self.current_x - left * need) / (1 - need)))

    def _label_current(self) -> None:
        if self.current is None:
            return
        self.ax.annotate(
            _(SO_FAR), self.current, xytext=(SO_FAR_GAP_PX, 0), textcoords="offset pixels", ha="left", va="center",
            fontsize=FONT_SIZE, color=NOTE, annotation_clip=False, **PLAIN,
        ).set_in_layout(False)  # fmt: skip
