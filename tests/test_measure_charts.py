"""The measures PNG: a row per series, steps and notes drawn, the period in progress apart, plain text only."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.i18n import LANGUAGES, _, n_, reading
from bot.limits import CHART_NOTE as NOTE_CHARS
from bot.limits import CHART_NOTE_SHORT
from bot.measures import chart_fit, chart_style, charts
from bot.measures.chart_labels import SHIFT_LABEL, step_label
from bot.measures.chart_series import ChartSeries
from bot.measures.chart_style import CENTRAL, DPI, FONT_SIZE, LIMITS, PERIODS, PHONE_WIDTH_PX, SIGNAL, SO_FAR
from bot.measures.charts import (
    AXES_PX,
    BOTTOM_PX,
    GAP_PX,
    NUMBERS,
    TOP_PX,
    WIDTH_PX,
    image_size,
    render_png,
)
from bot.measures.xmr import REBASE, SHIFT, Segment, Step, xmr_chart
from tests.flows import PNG_SIGNATURE, png_size

ROOT = Path(__file__).resolve().parent.parent

# mathtext would refuse this (an unknown symbol) and turn `$x^2$` into a superscript: it must stay text.
NOTE = r"New rota $\undefinedsymbol$ and $x^2$ <!channel>, huddle after the handover"


def mondays(n: int, first: date = date(2025, 6, 2)) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(n + 1)]  # one more: the period in progress


# Weekly, over 44 weeks: a firm baseline (0-25), a leader's rebase at 26 with a note, and a run of 8 above its
# central line from 34 that starts automatic new limits; the window shows 16-43, after the first segment began.
TEAM_HISTORY: list[float | None] = [4, 6, 5, 7, 5, 6, 4, 6, 5, 5, 7, 4, 6, 5, 6, 4, 5, 7, 6, 5, 5, 6, 4, 6, 5, 5]
TEAM_HISTORY += [6, 7, 5, 6, 7, 6, 7, 5]  # after the rebase
TEAM_HISTORY += [9, 10, 9, 11, 10, 9, 10, 11, 10, 9]  # the shift
TEAM_CHART = xmr_chart(TEAM_HISTORY, [Step(26, REBASE, NOTE)])
TEAM_WEEKS = mondays(len(TEAM_HISTORY))
RAISED = ChartSeries(
    title="Ideas raised per week",
    period="week",
    starts=TEAM_WEEKS[16:-1],
    values=TEAM_HISTORY[16:],
    chart=TEAM_CHART,
    first_index=16,
    current_start=TEAM_WEEKS[-1],
    current_value=3,
    count=True,
)

# Gaps, no lower limit (trial), not a count; a period in progress with nothing to show yet.
DAYS_HISTORY: list[float | None] = [2.5, None, 3.0, 4.5, None, None, 2.0, 3.5, 1.5, None, 4.0, 2.5, 3.0, 6.5]
DAYS_WEEKS = mondays(len(DAYS_HISTORY))
DAYS = ChartSeries(
    title="Median days to decision per week",
    period="week",
    starts=DAYS_WEEKS[:-1],
    values=DAYS_HISTORY,
    chart=xmr_chart(DAYS_HISTORY),
    first_index=0,
    current_start=DAYS_WEEKS[-1],
    current_value=None,
    count=False,
)

# By fortnight: trial limits without a lower limit, then a rebase without a note whose 2 points have no limits.
FORTNIGHT_HISTORY: list[float | None] = [1, 3, 2, 4, 2, 3, 1, 3, 2, 4]
FORTNIGHTS = [date(2025, 9, 1) + timedelta(weeks=2 * i) for i in range(len(FORTNIGHT_HISTORY))]
FORTNIGHT = ChartSeries(
    title="Ideas done per fortnight",
    period="fortnight",
    starts=FORTNIGHTS,
    values=FORTNIGHT_HISTORY,
    chart=xmr_chart(FORTNIGHT_HISTORY, [Step(8, REBASE, None)]),
    first_index=0,
    current_start=None,
    current_value=None,
    count=True,
)

# By month, too few for any chart.
MONTH = ChartSeries(
    title="Ideas waiting too long per month",
    period="month",
    starts=[date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)],
    values=[0, 2, 1, 0],
    chart=None,
    first_index=0,
    current_start=date(2026, 2, 1),
    current_value=1,
    count=True,
)

ALL = [RAISED, DAYS, FORTNIGHT, MONTH]


def test_the_examples_cover_every_draw_path() -> None:
    segments = [(s.start, s.end, s.kind) for s in TEAM_CHART.segments]
    assert segments == [(0, 26, "start"), (26, 34, REBASE), (34, 44, SHIFT)]
    assert [s.limits is not None and s.limits.trial for s in TEAM_CHART.segments] == [False, True, True]
    assert DAYS.chart is not None and DAYS.chart.segments[-1].limits is not None
    assert DAYS.chart.segments[-1].limits.lower is None
    assert FORTNIGHT.chart is not None and FORTNIGHT.chart.segments[-1].limits is None


@pytest.fixture(scope="module")
def everything() -> bytes:
    return render_png(ALL, title="Ward 7B $5 <!here>")


@pytest.fixture(scope="module")
def figure() -> Figure:
    return drawn(ALL, "Ward 7B $5 <!here>")


def texts(artist: Figure | Axes) -> list[str]:
    found = artist.findobj(Text)
    return [text.get_text() for text in found if text.get_text() and text.get_visible()]


def numbers(ax: Axes) -> str:
    """The line of numbers under a row's title."""
    [text] = [text for text in ax.findobj(Text) if text.get_gid() == NUMBERS]
    return text.get_text()


def test_one_row_per_series_at_the_chosen_size(everything: bytes) -> None:
    assert everything.startswith(PNG_SIGNATURE)
    assert png_size(everything) == image_size(4) == (WIDTH_PX, TOP_PX + BOTTOM_PX + 4 * AXES_PX + 3 * GAP_PX)
    assert (WIDTH_PX, AXES_PX, DPI) == (720, 200, 100)


def test_every_text_is_at_least_11_px_high_on_a_phone(figure: Figure) -> None:
    """A phone shows the PNG about 360 px wide: a text's font size there is at least 11 px (its capitals 8)."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    scale = PHONE_WIDTH_PX / WIDTH_PX
    drawn = [text for text in figure.findobj(Text) if text.get_text() and text.get_visible()]
    assert min(text.get_fontsize() for text in drawn) == FONT_SIZE
    assert FONT_SIZE * DPI / 72 * scale >= 11
    capital = figure.text(0, 0, "H", fontsize=FONT_SIZE)
    assert capital.get_window_extent(renderer).height * scale >= 8
    capital.remove()


def test_the_png_decodes_to_its_size_and_has_no_red_or_green(everything: bytes) -> None:
    image = pytest.importorskip("PIL.Image")
    with image.open(io.BytesIO(everything)) as png:
        assert png.size == image_size(4)
        rgb = png.convert("RGB").tobytes()
    pixels = list(zip(rgb[0::3], rgb[1::3], rgb[2::3], strict=True))
    assert len(pixels) == image_size(4)[0] * image_size(4)[1]
    assert any(pixel != (255, 255, 255) for pixel in pixels)
    # A signal is something to look into, never good or bad news: no pixel leans to red or to green.
    assert not [p for p in pixels if p[0] - max(p[1], p[2]) > 40 or p[1] - max(p[0], p[2]) > 40]


def test_a_persons_words_are_drawn_as_they_were_written(figure: Figure) -> None:
    shown = texts(figure)
    assert "Ward 7B $5 <!here>" in shown
    clipped = step_label(TEAM_CHART.segments[1])
    assert clipped == NOTE[: NOTE_CHARS - 1] + "…"
    # At a phone's text size the whole label has no room beside its step: it is shortened further.
    assert step_label(TEAM_CHART.segments[1], CHART_NOTE_SHORT) in shown
    assert all(not text.get_parse_math() for text in figure.findobj(Text) if "$" in text.get_text())


def test_each_row_says_its_latest_limits_or_that_there_are_none_yet(figure: Figure) -> None:
    raised, days, fortnight, month = figure.axes
    latest = TEAM_CHART.segments[-1].limits
    assert latest is not None and latest.lower is not None
    assert numbers(raised) == (
        f"usual range {math.ceil(latest.lower)}–{math.floor(latest.upper)} · average {latest.center:.1f} · "
        "first estimate"
    )
    assert numbers(days).startswith("usual range 0–"), "no lower limit: from 0"
    assert numbers(days).endswith("· first estimate")
    assert numbers(fortnight) == "not enough fortnights yet to know the usual range"
    assert numbers(month) == "not enough months yet to know the usual range"
    assert [ax.get_title("left") for ax in figure.axes] == [one.title for one in ALL]


def test_steps_inside_the_window_are_marked_and_labelled(figure: Figure) -> None:
    raised, days, fortnight, _month = figure.axes
    assert SHIFT_LABEL in texts(raised)
    assert step_label(TEAM_CHART.segments[1], CHART_NOTE_SHORT) in texts(raised)
    assert "new baseline" in texts(fortnight)  # a rebase without a note
    assert not {SHIFT_LABEL, "new baseline"} & set(texts(days))


def lines(ax: Axes, colour: str) -> Iterator[tuple[float, float, float]]:
    """(left, right, y) of each horizontal line of `colour` drawn with hlines."""
    for collection in ax.findobj(LineCollection):
        if np.allclose(np.asarray(collection.get_colors(), dtype=float)[0], to_rgba(colour)):
            for (x0, y0), (x1, _y1) in collection.get_segments():
                yield x0, x1, y0


def test_limits_are_drawn_only_across_their_segment(figure: Figure) -> None:
    raised, days, fortnight, month = figure.axes
    centres = sorted(lines(raised, CENTRAL))
    # The first segment (from before the window), the rebase and the shift: three steps end to end.
    assert len(centres) == 3
    assert [round(y, 6) for *_x, y in centres] == [round(s.limits.center, 6) for s in TEAM_CHART.segments if s.limits]
    for (_left, right, _y), (left, _right, _y2) in itertools.pairwise(centres):
        assert right == left
    # Upper and lower limits per segment; no lower limit drawn where there is none; no lines without limits.
    assert len(list(lines(raised, LIMITS))) == 6
    assert len(list(lines(days, LIMITS))) == 1
    assert len(list(lines(fortnight, CENTRAL))) == 1 and len(list(lines(fortnight, LIMITS))) == 1
    assert not list(lines(month, CENTRAL)) and not list(lines(month, LIMITS))


def ydata(line: Line2D) -> list[float]:
    return [float(y) for y in np.asarray(line.get_ydata(), dtype=float)]


def rings(ax: Axes) -> list[Line2D]:
    return [
        line
        for line in ax.findobj(Line2D)
        if line.get_fillstyle() == "none" and to_hex(str(line.get_color())) == SIGNAL and ydata(line)
    ]


def test_signals_in_the_window_are_ringed(figure: Figure) -> None:
    raised, days, _fortnight, month = figure.axes
    expected = sorted({signal.index for signal in TEAM_CHART.signals if signal.index >= RAISED.first_index})
    assert expected == list(range(34, 42))  # the 8 points that showed the shift at 34
    (ring,) = rings(raised)
    assert ydata(ring) == [TEAM_HISTORY[i] for i in expected]
    assert not rings(days) and not rings(month)


def test_gaps_break_the_line_and_the_period_in_progress_stands_apart(figure: Figure) -> None:
    raised, days, fortnight, month = figure.axes
    (values,) = [line for line in days.get_lines() if len(ydata(line)) == len(DAYS_HISTORY)]
    assert [math.isnan(y) for y in ydata(values)] == [value is None for value in DAYS_HISTORY]
    assert texts(raised).count(SO_FAR) == 1 and texts(month).count(SO_FAR) == 1
    assert SO_FAR not in texts(days)  # in progress, nothing so far
    assert SO_FAR not in texts(fortnight)  # no period in progress given
    (hollow,) = [line for line in raised.get_lines() if ydata(line) == [3]]
    assert hollow.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))


def test_counts_start_from_zero_with_whole_ticks(figure: Figure) -> None:
    raised, _days, fortnight, month = figure.axes
    for ax in (raised, fortnight, month):
        bottom, top = ax.get_ylim()
        assert bottom < 0 < top  # zero is on the axis, with a few pixels below it so a point there is whole
        ticks = [tick for tick in ax.get_yticks() if bottom <= tick <= top]
        assert ticks[0] == 0 and all(float(tick).is_integer() for tick in ticks)


def test_the_legend_names_what_is_drawn(figure: Figure) -> None:
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "value",
        SO_FAR,
        "average",
        "usual range",
        "first estimate",  # the trial limits' dashes, beside firm ones
        "worth a look",
    ]
    assert not {"natural process limits", "central line", "signal"} & set(texts(figure)), "words people read"


def test_a_window_of_one_period_kind_names_it_in_the_legend() -> None:
    with charts._RENDER_LOCK:
        figure = charts._figure([FORTNIGHT], "Small team")
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()][:1] == ["fortnightly value"]
    labels = [text.get_text() for text in legend.get_texts()]
    assert "usual range" in labels or "first estimate" in labels


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("period", [*PERIODS, None])
@pytest.mark.parametrize(("trial", "firm"), [(True, False), (True, True), (False, True)])
def test_the_legend_fits_the_picture_whatever_limits_are_drawn(
    language: str, period: str | None, trial: bool, firm: bool
) -> None:
    # A new team's charts have only trial limits: "usual range, first estimate" once made the legend 820 px wide.
    figure = Figure(figsize=(WIDTH_PX / DPI, 3), dpi=DPI)
    renderer = FigureCanvasAgg(figure).get_renderer()
    with reading(language), rc_context({"font.family": chart_style.font_families([])}):
        taller = chart_style.legend(figure, renderer, period=period, trial=trial, firm=firm)
        usual, first = _(chart_style.USUAL_RANGE), _(chart_style.FIRST_ESTIMATE)
    figure.canvas.draw()  # German and Spanish words take fewer columns, more rows (more height); English three
    (drawn,) = figure.legends
    box = drawn.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= WIDTH_PX, (round(box.x0), round(box.x1))
    columns = len({round(text.get_window_extent(renderer).x0) for text in drawn.get_texts()})
    assert (taller == 0) == (columns == chart_style.LEGEND_COLUMNS) and (taller == 0 or language in ("de", "es"))
    labels = [text.get_text() for text in drawn.get_texts()]
    assert usual in labels and (first in labels) == (trial and firm), labels


def drawn(series: list[ChartSeries], title: str) -> Figure:
    """The figure `render_png` saves, drawn (the ticks' labels are written as they are drawn)."""
    with charts._RENDER_LOCK, rc_context({"font.family": chart_style.font_families([title])}):
        figure = charts._figure(series, title)
        figure.canvas.draw()
    return figure


def headed(language: str) -> list[ChartSeries]:
    """ALL with the longest titles the product draws, in `language`; the second row's y ticks are 0.25 apart."""
    values: list[float | None] = [0.5, 1.25, 0.75, 1.0, 1.5, 0.75, 1.25, 1.0]
    days = replace(DAYS, starts=mondays(8)[:-1], values=values, chart=xmr_chart(values), current_start=mondays(8)[-1])
    with reading(language):
        waiting = n_(
            "Ideas waiting over {count} day for a decision", "Ideas waiting over {count} days for a decision", 2
        )
        days = replace(days, title=_("Days to a decision (median per week)"))
    return [replace(RAISED, title=waiting), days, *ALL[2:]]


def in_the_figure(figure: Figure, renderer: RendererBase) -> list[tuple[str, Bbox]]:
    """(what, box) of every text drawn: titles, numbers, notes, tick labels (of the ticks in view) and the legend."""
    found = [(text.get_text(), text.get_window_extent(renderer)) for text in figure.texts]
    for ax in figure.axes:
        shown = [child for child in ax.get_children() if isinstance(child, Text) and child.get_visible()]
        found += [(text.get_text(), text.get_window_extent(renderer)) for text in shown if text.get_text()]
        for axis in (ax.xaxis, ax.yaxis):
            found.append((f"{axis.axis_name} ticks", axis.get_tightbbox(renderer) or Bbox.null()))
    for drawn in figure.legends:
        found += [(text.get_text(), text.get_window_extent(renderer)) for text in drawn.get_texts()]
        found.append(("the legend", drawn.get_window_extent(renderer)))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_fits_the_picture_in_every_language_and_ticks_have_its_decimal_sign(language: str) -> None:
    channel = "#ward-7b-night-shift-surgical-admissions-and-discharge-lounge · Kaizen, the last 52 weeks"
    with reading(language):
        figure = drawn(headed(language), channel)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    height = figure.bbox.height
    assert figure.bbox.width == WIDTH_PX and height >= image_size(4)[1]
    found = in_the_figure(figure, renderer)
    outside = [(what, box) for what, box in found if min(box.x0, box.y0) < 0 or box.x1 > WIDTH_PX or box.y1 > height]
    assert len(found) > 20 and not outside, (language, outside)
    # Titles on more lines push their row down: nothing of a row's head covers the row above, nor the title.
    heading = figure.texts[0].get_window_extent(renderer)
    for n, ax in enumerate(figure.axes):
        [title] = [box for what, box in found if what == ax.get_title("left")]
        [under] = [box for what, box in found if what == numbers(ax)]
        above = heading if n == 0 else figure.axes[n - 1].xaxis.get_tightbbox(renderer)
        assert above is not None and title.y1 < above.y0 and under.y1 < title.y0 + 4, (language, n)  # 4: a descent
    # Numbers on the y axis are written the reader's way: "0,75" in German and Spanish.
    sign, other = (",", ".") if language in ("de", "es") else (".", ",")
    ticks = [label.get_text() for label in figure.axes[1].get_yticklabels()]
    assert any(sign in tick for tick in ticks) and not any(other in tick for tick in ticks), ticks


def test_long_titles_are_broken_at_spaces_as_evenly_as_their_lines_allow() -> None:
    # At spaces; a word wider than a line after a hyphen that fits, else between any characters.
    for words, lines in [("a bb ccc dddd", ["a bb ccc", "dddd"]), ("#ward-7b-night", ["#ward-7b-", "night"])]:
        assert chart_fit.lines(words, lambda line: len(line) <= 10) == lines
    assert chart_fit.lines("abcdefghijkl", lambda line: len(line) <= 10) == ["abcdefghij", "kl"]
    with reading("de"):
        title = drawn(headed("de")[:1], "Ideen").axes[0].get_title("left")
    first, second = title.split("\n")
    assert f"{first} {second}" == headed("de")[0].title and abs(len(first) - len(second)) < 20, "none alone"


def test_step_labels() -> None:
    shift = Segment(3, 10, SHIFT, None, None)
    assert step_label(shift) == SHIFT_LABEL
    assert step_label(Segment(3, 10, REBASE, "  new\nrota  ", None)) == "new rota"
    assert step_label(Segment(3, 10, REBASE, "", None)) == "new baseline"
    long = step_label(Segment(3, 10, REBASE, "x" * 100, None))
    assert len(long) == NOTE_CHARS and long.endswith("…")


@pytest.mark.parametrize(
    "one",
    [
        pytest.param(replace(MONTH, starts=[], values=[], current_start=None, current_value=None), id="no periods"),
        pytest.param(replace(MONTH, starts=[], values=[]), id="only the period in progress"),
        pytest.param(replace(RAISED, period="fortnight", current_start=None, current_value=None), id="no current"),
    ],
)
def test_small_and_odd_windows_still_render(one: ChartSeries) -> None:
    png = render_png([one], title="Early days")
    assert png.startswith(PNG_SIGNATURE) and png_size(png) == image_size(1)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        pytest.param([], "no series", id="nothing"),
        pytest.param([replace(MONTH, values=[1, 2])], "4 starts for 2 values", id="lengths"),
        pytest.param([replace(MONTH, period="day")], "period", id="period"),
        pytest.param([replace(MONTH, starts=MONTH.starts[::-1])], "in order", id="order"),
        pytest.param([replace(MONTH, current_start=None)], "current value", id="current without start"),
        pytest.param([replace(MONTH, current_start=date(2025, 12, 1))], "after", id="current too early"),
        pytest.param([replace(RAISED, first_index=-1)], "first_index", id="negative index"),
        pytest.param([replace(RAISED, first_index=15)], "the chart has", id="shifted window"),
        pytest.param([replace(RAISED, values=[*RAISED.values[:-1], 8])], "the chart has", id="different value"),
        pytest.param([replace(DAYS, values=[0.0, *DAYS.values[1:]])], "the chart has", id="zero for a gap"),
        pytest.param([replace(RAISED, first_index=17)], "window up to index 45", id="past the chart"),
    ],
)
def test_a_wrong_series_is_refused(series: list[ChartSeries], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_png(series, title="Broken")


def test_rendering_from_two_threads_at_once() -> None:
    jobs = [[FORTNIGHT], [MONTH], [FORTNIGHT], [MONTH]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pngs = list(pool.map(lambda series: render_png(series, title="Concurrent"), jobs))
    assert all(png_size(png) == image_size(1) for png in pngs)
    # Each drawing is its own: the same input gives the same picture, whichever thread drew it.
    assert pngs[0] == pngs[2] and pngs[1] == pngs[3] and pngs[0] != pngs[1]


@pytest.mark.slow
def test_importing_the_charts_does_not_import_matplotlib() -> None:
    probe = "import sys, bot.measures.charts; print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
