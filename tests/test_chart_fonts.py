"""Charts draw Japanese text with the font the project installs itself (IPAexGothic from the `matplotlib-fontja`
package, after DejaVu Sans by per-glyph fallback): no glyph is missing, no system font is needed, and the process's
own matplotlib settings are left as they were."""

from __future__ import annotations

import logging
import warnings
from datetime import date, timedelta

import matplotlib
import pytest

from bot.i18n import reading
from bot.measures.chart_series import ChartSeries
from bot.measures.chart_style import JAPANESE_FONT, font_families
from bot.measures.charts import render_png
from bot.measures.xmr import xmr_chart

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
