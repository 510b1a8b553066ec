"""Charts draw Japanese text with the font the project installs itself (IPAexGothic from the `matplotlib-fontja`
package, after DejaVu Sans by per-glyph fallback): no glyph is missing, no system font is needed, and the process's
own matplotlib settings are left as they were. Charts asked for from many threads are drawn on one, each in its
reader's language, so the process keeps one set of fonts."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from matplotlib.backends import backend_agg

from bot.i18n import reading
from bot.measures.chart_series import ChartSeries
from bot.measures.chart_style import JAPANESE_FONT, font_families
from bot.measures.charts import render_png
from bot.measures.xmr import xmr_chart

REPO = Path(__file__).resolve().parent.parent
VALUES: list[float | None] = [5, 6, 4, 7, 5, 6, 5, 8, 6, 5, 7, 6]


def japanese_series() -> ChartSeries:
    starts = [date(2026, 9, 7) + timedelta(weeks=n) for n in range(len(VALUES))]
    return ChartSeries(
        title="週ごとの提案数（アイデア）", period="week", starts=starts, values=VALUES, chart=xmr_chart(VALUES, []),
        first_index=0, current_start=None, current_value=None, count=True,
    )  # fmt: skip


def test_a_japanese_chart_draws_every_glyph_with_the_installed_font(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING)
    family_before = list(matplotlib.rcParams["font.family"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_png([japanese_series()], title="#病棟7 · カイゼン、過去12週間")
    assert png.startswith(b"\x89PNG")
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [line for line in said if "Glyph" in line or "missing from font" in line], said
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")], "no font warnings in logs"
    assert list(matplotlib.rcParams["font.family"]) == family_before, "no global font change"
    assert JAPANESE_FONT in font_families(["#病棟7"]), "a CJK title draws with the Japanese font"
    assert font_families(["#ward-7"]) == ["DejaVu Sans"], "a Latin chart never loads it"
    with reading("ja"):
        assert JAPANESE_FONT in font_families(["#ward-7"]), "a Japanese reader's chart has Japanese words"


def test_charts_asked_for_from_many_threads_at_once_are_each_in_their_readers_language() -> None:
    series = [japanese_series()]
    alone = {}
    for language in ("en", "ja", "de"):
        with reading(language):
            alone[language] = render_png(series, title="#ward-7")
    assert len(set(alone.values())) == 3, "the legend and ticks are in each reader's words"
    drawn: dict[str, bytes] = {}

    def draw(language: str) -> None:
        with reading(language):
            drawn[language] = render_png(series, title="#ward-7")

    threads = [threading.Thread(target=draw, args=(language,)) for language in alone for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert drawn == alone


def test_charts_are_drawn_on_one_thread_whichever_thread_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    # matplotlib caches its FreeType fonts per drawing thread (each holds its whole font file): charts drawn on
    # every request or job thread kept up to 64 of them in memory (`python -m bench memory`).
    fonts_for: set[int] = set()
    get_font = backend_agg.get_font

    def recorded(*args: Any, **kwargs: Any) -> Any:
        fonts_for.add(threading.get_ident())
        return get_font(*args, **kwargs)

    monkeypatch.setattr(backend_agg, "get_font", recorded)
    threads = [threading.Thread(target=render_png, args=([japanese_series()],), kwargs={"title": "#ward-7"})
               for _ in range(3)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    render_png([japanese_series()], title="#ward-7")
    assert len(fonts_for) == 1
    assert fonts_for.isdisjoint({threading.get_ident(), *(thread.ident for thread in threads)})


def test_a_chart_asked_for_while_the_bot_stops_is_still_drawn() -> None:
    # A huddle still being posted when the process is told to stop gets its chart: thread pools refuse new work
    # once the main thread has ended (the bench's stop logged 300+ "cannot schedule new futures after shutdown").
    script = """
import threading, time
from bot.measures.charts import render_png
from tests.test_chart_fonts import japanese_series

def after_main():
    threading.main_thread().join()
    time.sleep(0.5)  # past the interpreter's exit hooks (concurrent.futures' among them)
    print(render_png([japanese_series()], title="#ward-7")[:4] == b"\\x89PNG", flush=True)

threading.Thread(target=after_main).start()
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout == "True\n", done.stderr
