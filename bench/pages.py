"""How much memory several processes take together: each physical page counted once.

The sum of their RSS counts a page two processes share (a forked worker shares the serving process's imported
modules; both map the same libraries) twice. Read as root, /proc/<pid>/pagemap names the physical frame behind
each resident page, so the frames of all the processes can be counted once ("joint"). Without root the kernel
hides the frames (Linux 4.2+), and the Pss sum (each shared page split between the processes that map it, other
programs included) stands in; `Sampler.method` says which was measured.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import numpy as np

from bench.common import process_tree

PAGE = 4096
_PRESENT = np.uint64(1 << 63)
_FRAME = np.uint64((1 << 55) - 1)


def frames(pid: int) -> np.ndarray | None:
    """The physical frame numbers of `pid`'s resident pages (sorted, unique), or None when the kernel hides them
    (not root) or the process is gone."""
    found: list[np.ndarray] = []
    try:
        maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
        with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
            for line in maps:
                span = line.split(maxsplit=1)[0]
                start, end = (int(part, 16) for part in span.split("-"))
                if start >= 1 << 47:  # [vsyscall]: not in pagemap
                    continue
                pagemap.seek(start // PAGE * 8)
                entries = np.frombuffer(pagemap.read((end - start) // PAGE * 8), dtype=np.uint64)
                present = entries[(entries & _PRESENT) != 0] & _FRAME
                if present.size:
                    found.append(present)
    except (OSError, ValueError):
        return None
    if not found:
        return None
    every = np.unique(np.concatenate(found))
    return None if every.size and not every.any() else every  # all zero: hidden


def rollup(pid: int) -> dict[str, int]:
    """/proc/<pid>/smaps_rollup in kB (Rss, Pss, Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty,
    Anonymous, ...); empty once the process is gone."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0])
    return values


def breakdown(pid: int) -> str:
    """One process's memory as a phrase: private (its own pages) and shared (with any other process), in MB."""
    values = rollup(pid)
    private = (values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)) / 1024
    shared = (values.get("Shared_Clean", 0) + values.get("Shared_Dirty", 0)) / 1024
    return f"{private:.0f} MB private + {shared:.0f} MB shared"


class Sampler:
    """Samples how much memory the process `root` and its descendants (read again each time: a worker started
    again is counted) take together, every `interval` seconds on a thread of its own, keeping the peak (bytes):
    physical frames counted once when they can be read, else the Pss sum. `method` says which gave the samples."""

    def __init__(self, root: int, interval: float = 1.0) -> None:
        self._root = root
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self.samples = 0
        self.by_pss = 0  # samples taken as a Pss sum
        self._thread = threading.Thread(target=self._run, name="bench-pages", daemon=True)

    @property
    def method(self) -> str:
        """How the samples were taken, in words."""
        if self.by_pss == 0:
            return "distinct physical pages (pagemap)"
        if self.by_pss == self.samples:
            return "Pss sum (the kernel hides physical pages from non-root)"
        return f"distinct physical pages, {self.by_pss} of {self.samples} samples a Pss sum (a process was exiting)"

    def start(self) -> Sampler:
        """Start sampling; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (after one last sample, if it was between samples)."""
        self._stop.set()
        self._thread.join()

    def sample(self) -> int:
        """The processes' memory together now, in bytes."""
        pids = process_tree(self._root)
        every = [frames(pid) for pid in pids]
        if all(found is not None for found in every):
            return int(np.unique(np.concatenate([f for f in every if f is not None])).size) * PAGE
        self.by_pss += 1
        return sum(rollup(pid).get("Pss", 0) for pid in pids) * 1024

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self.sample())
            self.samples += 1
            if self._stop.wait(self._interval):
                return
