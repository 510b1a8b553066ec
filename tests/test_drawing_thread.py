"""bot.measures.drawing_thread: the one thread every chart is drawn on. Whatever a function does there, its caller
hears of it and the thread goes on; a function run there may ask it again; nothing of a finished job is kept."""

from __future__ import annotations

import contextvars
import sys
import threading
import time
import weakref

import pytest

from bot.measures.drawing_thread import DrawingThread

SAY = contextvars.ContextVar("SAY", default="nothing")


def test_the_function_runs_on_the_thread_in_its_callers_context() -> None:
    drawer = DrawingThread("test-drawer")
    token = SAY.set("hello")
    try:
        name, said = drawer.run(lambda: (threading.current_thread().name, SAY.get()))
    finally:
        SAY.reset(token)
    assert (name, said) == ("test-drawer", "hello")


def test_what_a_function_raises_reaches_its_caller_and_the_thread_goes_on() -> None:
    drawer = DrawingThread("test-drawer")
    with pytest.raises(ZeroDivisionError):
        drawer.run(lambda: 1 / 0)
    with pytest.raises(SystemExit):  # not an Exception: it once ended the thread, and the next caller waited for ever
        drawer.run(sys.exit, 3)
    assert drawer.run(lambda: 5) == 5


def test_a_function_on_the_thread_may_ask_it_again() -> None:
    drawer = DrawingThread("test-drawer")
    answers: list[int] = []
    asking = threading.Thread(target=lambda: answers.append(drawer.run(lambda: drawer.run(lambda: 7))), daemon=True)
    asking.start()
    asking.join(10)
    assert answers == [7], "a call from the thread to itself waited on itself"


class Big:
    """Stands for a chart's figure."""


def test_nothing_of_a_finished_job_stays_referenced() -> None:
    drawer = DrawingThread("test-drawer")
    big = Big()
    kept = weakref.ref(big)
    drawer.run(id, big)
    del big
    deadline = time.monotonic() + 5
    while kept() is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # the thread lets go of a job just after handing back its result
    assert kept() is None
