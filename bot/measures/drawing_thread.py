"""One thread that draws every chart, in turn.

matplotlib keeps a FreeType font per thread that draws (its font cache is keyed by thread id, up to 64 fonts, each
holding its whole font file): drawn from the many request and job threads, charts held up to 64 of them (`python
-m bench memory`). Every chart is drawn on this one thread instead.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[contextvars.Context, Callable[..., Any], tuple[Any, ...], "Future[Any]"]


class DrawingThread:
    """Runs functions on one daemon thread of its own, in turn, each in its caller's context (so the reader's
    language goes with it), started when first needed and again in a forked child (whose copy has no thread).

    A daemon thread, not a concurrent.futures pool: pools refuse work once the interpreter begins to stop, and a
    huddle still being posted while the bot stops must get its chart."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._reset()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` run on the thread; waits for it and returns what it returned. Raises what it raised.
        Called on the thread itself (from a function it runs), it runs `function` there and then."""
        if threading.current_thread() is self._thread:
            return function(*args)
        done: Future[T] = Future()
        self._jobs.put((contextvars.copy_context(), function, args, done))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                self._thread.start()
        return done.result()

    def _work(self) -> None:
        while True:
            context, function, args, done = self._jobs.get()
            try:
                done.set_result(context.run(function, *args))
            except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it; the thread goes on
                done.set_exception(error)
            # Nothing of a finished job stays referenced while the thread waits for the next (a chart's figure).
            del context, function, args, done
