"""Giving a drawn chart's memory back as soon as its PNG is written.

A chart is drawn into an Agg renderer, a pixel buffer of the whole picture (720 × 1,740 px for a report's five
rows, 4 bytes a pixel: 5 MB), and into a second one when a title or the legend took more lines than planned (the
first measured the texts at the planned size). Every text keeps the renderer that last measured or drew it, and a
figure's artists refer to each other in cycles, so the buffers stayed alive until Python's collector next looked
at its oldest objects. In a process of a thousand modules that is seldom: the worker held the buffers of up to
four charts at once while it posted a Monday's huddles (`python -m bench memory`). `release` lets go of them when
the PNG is written; `trim` then hands the freed pages back to the system, which glibc's malloc keeps in its heap
otherwise (where buffers of other sizes fragment it).
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def release(figure: Figure) -> None:
    """Drop every reference `figure` holds to a renderer: its texts' and its Agg canvas's. Once the caller's own
    references are gone, the pixel buffers are freed at once (by reference counting, not the collector); the
    figure cannot be drawn or saved again."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        # matplotlib's own cache of the renderer that last measured or drew the text (no public way to clear it).
        text._renderer = None  # type: ignore[attr-defined]
    canvas = figure.canvas
    if isinstance(canvas, FigureCanvasAgg):
        canvas.__dict__.pop("renderer", None)  # the one the PNG was drawn into
        canvas._lastKey = None  # so that `get_renderer` would make a new one, not hand back the one dropped


def trim() -> None:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`); nothing where malloc is not glibc's."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The C library the interpreter links (ctypes.util.find_library would run ldconfig in a subprocess).
        function: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return function
