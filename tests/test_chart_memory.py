"""A drawn chart gives its memory back when its PNG is written (`bot.measures.chart_memory`), not when Python's
collector next looks at the oldest objects: in a process of a thousand modules that was seldom, and a morning of
huddle charts held the pixel buffers of up to four charts at once (`python -m bench memory`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from matplotlib.backends.backend_agg import RendererAgg

from bot.i18n import reading
from bot.measures import chart_memory
from bot.measures.charts import render_png
from tests.flows import PNG_SIGNATURE
from tests.test_measure_charts import ALL


@pytest.fixture
def collector_as_in_a_big_process() -> Iterator[None]:
    """What survives a little drawing reaches the oldest generation, which is never collected while the test runs:
    as in the bot, where a full collection over its million objects comes seldom."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(700, 1, 1_000_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def renderers() -> list[RendererAgg]:
    return [found for found in gc.get_objects() if isinstance(found, RendererAgg)]


@pytest.mark.usefixtures("collector_as_in_a_big_process")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_pixel_buffer_of_a_chart_outlives_its_png(language: str) -> None:
    before = renderers()
    with reading(language):
        pngs = [render_png(ALL, title="#ward-7") for _ in range(3)]
    left = [renderer for renderer in renderers() if not any(renderer is old for old in before)]
    assert all(png.startswith(PNG_SIGNATURE) for png in pngs)
    assert left == [], f"{len(left)} Agg renderers of finished charts are still alive"


def test_a_chart_drawn_after_the_memory_was_handed_back_is_the_same() -> None:
    first = render_png(ALL, title="#ward-7")
    chart_memory.trim()
    assert render_png(ALL, title="#ward-7") == first
