"""The measures PNG: one XmR chart per series, drawn server-side, safe from several threads, matplotlib on demand."""

from __future__ import annotations

import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.charts import DPI, FRAME_PX, ROW_HEIGHT_PX, WIDTH_PX, ChartSeries, image_size, render_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parent.parent


def weeks(n: int) -> list[date]:
    return [date(2026, 1, 5) + timedelta(weeks=i) for i in range(n)]  # Mondays


def png_size(png: bytes) -> tuple[int, int]:
    # The IHDR chunk comes first: 4 bytes length, b"IHDR", then width and height as big-endian 32-bit integers.
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


RAISED = ChartSeries(
    "Ideas raised per week",
    weeks(30),
    [4, 6, 5, 7, 5, 6, 4, 6, 5, 5, 7, 4, 6, 5, 6, 4, 5, 7, 6, 5, 9, 9, 10, 9, 11, 9, 10, 12, 9, 10],
    count=True,
)
DAYS_TO_DECISION = ChartSeries(
    "Median days to decision",
    weeks(14),
    [2.5, None, 3.0, 4.5, None, None, 2.0, 3.5, 1.5, None, 4.0, 2.5, 3.0, 6.5],
    count=False,
)
PEOPLE = ChartSeries("People taking part", weeks(4), [3, None, 2, 4], count=True)


def test_one_row_per_series_at_the_chosen_size() -> None:
    png = render_png([RAISED, DAYS_TO_DECISION, PEOPLE], title="Team Alpha")
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == image_size(3) == (900, FRAME_PX + 3 * 250)
    assert (WIDTH_PX, ROW_HEIGHT_PX, DPI) == (900, 250, 100)


def test_a_series_with_gaps_renders() -> None:
    png = render_png([DAYS_TO_DECISION], title="Decisions")
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == image_size(1)


@pytest.mark.parametrize(
    "series",
    [
        pytest.param(PEOPLE, id="too few weeks for limits"),
        pytest.param(ChartSeries("Ideas done per week", weeks(3), [None, None, None], count=True), id="only gaps"),
        pytest.param(ChartSeries("Ideas done per week", [], [], count=True), id="no weeks"),
        pytest.param(ChartSeries("Ideas done per week", weeks(10), [0] * 10, count=True), id="all zero"),
    ],
)
def test_a_series_without_limits_still_renders(series: ChartSeries) -> None:
    png = render_png([series], title="Early days")
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == image_size(1)


def test_rendering_from_four_threads_at_once() -> None:
    jobs = [[RAISED], [DAYS_TO_DECISION, PEOPLE], [RAISED, DAYS_TO_DECISION], [PEOPLE]] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        pngs = list(pool.map(lambda series: render_png(series, title="Concurrent"), jobs))
    for series, png in zip(jobs, pngs, strict=True):
        assert png.startswith(PNG_SIGNATURE)
        assert png_size(png) == image_size(len(series))
    # Each drawing is its own: the same input gives the same picture, whichever thread drew it.
    assert pngs[0] == pngs[4]


def test_a_mismatched_series_is_refused() -> None:
    with pytest.raises(ValueError, match="3 week starts for 2 values"):
        render_png([ChartSeries("Ideas raised per week", weeks(3), [1, 2], count=True)], title="Broken")


def test_nothing_to_draw_is_refused() -> None:
    with pytest.raises(ValueError, match="no series"):
        render_png([], title="Empty")


@pytest.mark.slow
def test_importing_the_charts_does_not_import_matplotlib() -> None:
    probe = "import sys, bot.charts, bot.xmr; print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
