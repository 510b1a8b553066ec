"""bench/pages.py: the memory several processes take together, each physical page counted once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.common import process_tree
from bench.pages import PAGE, Sampler, frames, rollup

MB = 1024 * 1024

# A child that allocates 40 MB of its own and waits: its pages are not the test process's.
CHILD = (
    "import sys, time; block = bytearray(40 * 1024 * 1024); block[::4096] = b'x' * (len(block) // 4096); "
    "print('ready', flush=True); time.sleep(60)"
)


def test_together_counts_each_page_once_and_a_childs_own_pages_in_full():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        # This process and its children: the child above, and whatever an earlier test in this worker left running.
        # Their RSS first: one that ends before the sample only makes the sample smaller.
        rss = sum(rollup(pid).get("Rss", 0) for pid in process_tree(os.getpid()))
        together = Sampler(os.getpid()).sample()
        assert together <= rss * 1024, "never more than the RSS sum"
        own = frames(os.getpid())
        if own is not None:  # root: the physical pages themselves
            assert together >= own.size * PAGE + 40 * MB * 0.9, "the child's own 40 MB counted in full"
            assert together < rss * 1024, "the pages both map (the interpreter's) once"
        else:
            assert together >= 40 * MB * 0.9
    finally:
        child.kill()
        child.wait()


def test_the_sampler_keeps_the_peak_and_stops():
    sampler = Sampler(os.getpid(), interval=0.05).start()
    time.sleep(0.3)
    sampler.stop()
    assert sampler.samples >= 2
    assert sampler.peak >= rollup(os.getpid())["Rss"] * 1024 * 0.5
