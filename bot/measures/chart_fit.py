"""Fitting the reader's words into a chart's width: a title or a line of numbers wider than its room is broken into
lines at spaces (`wrap`), measured as the renderer draws it, never cut. German and Spanish words run longer than
English ones; a word wider than a whole line (Japanese has no spaces) is broken between characters. A text that
fits is left exactly as it was, so a picture whose words fit is drawn as before. matplotlib is named here only
for typing: never imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text

BREAKS = "-_./"  # where a word too wide for a line is best broken
BALANCING_STEPS = 8  # halvings of the room searched for even lines: within 1/256 of it


def wrap(text: Text, width: float, renderer: RendererBase) -> float:
    """Break `text` (one line) into lines no wider than `width` pixels: as few as can be, and as even as those few
    allow (no last word alone on a line). Returns how many pixels taller it is drawn now (0 when it fits as it is,
    untouched)."""
    before = text.get_window_extent(renderer)
    if before.width <= width:
        return 0.0
    words = text.get_text()
    widths: dict[str, float] = {}

    def measure(line: str) -> float:
        if line not in widths:
            text.set_text(line)
            widths[line] = float(text.get_window_extent(renderer).width)
        return widths[line]

    def within(room: float) -> list[str]:
        return lines(words, lambda line: measure(line) <= room)

    count = len(within(width))
    # The narrowest width that takes no more lines, down to the widest word that fits (never broken further).
    low = max([width / count] + [measure(word) for word in words.split() if measure(word) <= width])
    high = width
    for _step in range(BALANCING_STEPS):
        middle = (low + high) / 2
        if len(within(middle)) <= count:
            high = middle
        else:
            low = middle
    text.set_text("\n".join(within(high)))
    return float(text.get_window_extent(renderer).height - before.height)


def lines(words: str, fits: Callable[[str], bool]) -> list[str]:
    """`words` in as few lines as `fits` allows, filled greedily and broken at spaces; a word that does not fit a
    line alone is broken between characters, after one of BREAKS where one fits (one character a line at least)."""
    found: list[str] = []
    line = ""
    for word in words.split():
        joined = f"{line} {word}" if line else word
        if fits(joined):
            line = joined
            continue
        if line:
            found.append(line)
        line = word
        while len(line) > 1 and not fits(line):
            cuts = [n for n in range(len(line) - 1, 0, -1) if fits(line[:n])] or [1]
            # After a hyphen, a dot or an underscore that fits past half the line ("#ward-7b-night-" of a channel).
            cut = next((n for n in cuts if line[n - 1] in BREAKS and 2 * n > cuts[0]), cuts[0])
            found.append(line[:cut])
            line = line[cut:]
    return [*found, line] if line else found
