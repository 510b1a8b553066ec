"""XmR process behavior charts the way Wheeler and Graban teach them: limits from an anchored baseline, new
limits only at a step (a leader's rebase, or an automatic one after a sustained shift), three signal rules.

A series is one value per *complete* period, oldest first; `None` is a period with nothing to measure (a gap, e.g.
a week with no decisions), never a zero. The period in progress is never given to this module: it is not
comparable (Wheeler: subgroups must come from essentially the same conditions).

Sources (see ../shared/spc.md): Wheeler, "Understanding Variation" (2.66 and 3.268 for individual values and
two-point moving ranges); Graban, "Measures of Success" (the three rules; a baseline of up to 20 points, trial
limits from as few as 6; recalculate only after a sustained shift, starting at its first point); NHS England
"Making Data Count" and NHSRplotthedots (`screen_outliers`: moving ranges above the upper range limit are left
out of the average moving range; no moving range across a rebase).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BASELINE_MAX = 20  # Graban: up to 20 points; limits from fewer are "trial" limits
BASELINE_MIN = 6  # the fewest points that give useful trial limits
LIMIT_FACTOR = 2.66  # 3 / d2 for two-point moving ranges (Wheeler)
RANGE_LIMIT_FACTOR = 3.268  # D4 for two-point moving ranges (Wheeler; NHS tools print 3.267)
RUN_LENGTH = 8  # rule 2
RULE_3_WINDOW = 4  # rule 3: 3 of 4 ...
RULE_3_NEEDED = 3

ABOVE = "above"
BELOW = "below"
START = "start"  # the series' first limits
REBASE = "rebase"  # a leader's new baseline at a date, with a note
SHIFT = "shift"  # automatic, after a rule-2 run: new limits from the run's first point


@dataclass(frozen=True)
class Step:
    """Where new limits begin, before any point of the segment is judged.

    index: position in the series of the first period of the new limits. kind: REBASE or SHIFT. note: the
    leader's words for a rebase (None for a shift)."""

    index: int
    kind: str
    note: str | None = None


@dataclass(frozen=True)
class Limits:
    """The limits of one segment, from its baseline.

    center = mean of the baseline points; upper/lower = center ± 2.66 × average moving range; `lower` is None
    when the computed value is below zero (there is no lower limit; `computed_lower` keeps it for rule 3).
    `average_moving_range` is after screening: moving ranges above `upper_range_limit` (3.268 × the unscreened
    average) are left out. trial: fewer than 20 baseline points."""

    center: float
    upper: float
    lower: float | None
    computed_lower: float
    average_moving_range: float
    upper_range_limit: float
    baseline_points: int
    baseline_end: int  # index after the last baseline point
    screened: int  # how many moving ranges the screening left out

    @property
    def trial(self) -> bool:
        """Whether the limits are trial limits: computed from fewer than BASELINE_MAX (20) points."""
        return self.baseline_points < BASELINE_MAX


@dataclass(frozen=True)
class Segment:
    """Consecutive periods `start` ≤ i < `end` judged against the same limits (None: too few points for them yet).
    kind and note say why the segment began (START, REBASE with the leader's note, SHIFT)."""

    start: int
    end: int
    kind: str
    note: str | None
    limits: Limits | None


@dataclass(frozen=True)
class Signal:
    """One point's verdict under one rule: rule 1 (beyond a limit), 2 (a run of 8 on one side of the central
    line) or 3 (3 of 4 closer to the same limit than to the central line); side "above" or "below"."""

    index: int
    rule: int
    side: str


@dataclass(frozen=True)
class Episode:
    """One occurrence of a rule: the point for rule 1, the whole run for rule 2, the cluster for rule 3."""

    rule: int
    side: str
    indices: tuple[int, ...]

    @property
    def start(self) -> int:
        """The index of the episode's first point."""
        return self.indices[0]

    @property
    def end(self) -> int:
        """The index of the episode's last point."""
        return self.indices[-1]


@dataclass(frozen=True)
class Jump:
    """A moving range above its segment's upper range limit: an unusual jump from `previous` to `index`."""

    previous: int
    index: int
    size: float


@dataclass(frozen=True)
class XmRChart:
    """A whole series judged: its segments (in order, covering every index), the signals and episodes of the
    three rules, and the unusual jumps. `shifts` are the rule-2 runs that started automatic new limits: each
    stays a signal of the limits it broke, whatever the new limits say about its points."""

    values: tuple[float | None, ...]
    segments: tuple[Segment, ...]
    signals: tuple[Signal, ...]
    episodes: tuple[Episode, ...]
    jumps: tuple[Jump, ...]
    shifts: tuple[Episode, ...]

    def segment_of(self, index: int) -> Segment:
        """The segment that holds `index`; ValueError when it is outside the series."""
        for segment in self.segments:
            if segment.start <= index < segment.end:
                return segment
        raise ValueError(f"{index} is outside a series of {len(self.values)} points")


def xmr_chart(
    values: Sequence[float | None],
    steps: Iterable[Step] = (),
    *,
    auto_shift: bool = True,
    skip_shifts: Iterable[int] = (),
    rare_below: float = 0.0,
) -> XmRChart:
    """Judge a series of complete periods.

    rare_below: a segment whose baseline averages under this gets no limits (counts of rare events: mostly zeros,
    whose limits would flag the zeros themselves; Wheeler, "Working with rare events").

    values: one per period, None for a gap; every value finite and ≥ 0 (all our measures are counts, people or
    days), else ValueError. steps: leaders' rebases; a step at index 0 or beyond the series is ignored. (A SHIFT
    step passed in starts new limits but is no run: its points lose their rule-2 signals. Let shifts be found
    afresh from the data each time, and pass the undone ones in `skip_shifts`.) auto_shift: after a rule-2 run of
    8 that starts after its segment's first point, new limits start at the run's first point (Graban), unless
    that index is in `skip_shifts` (a shift a leader undid). Verdicts before a step depend only on the points
    before it.
    """
    series = tuple(_checked(value) for value in values)
    fixed = sorted({step.index: step for step in steps if 0 < step.index < len(series)}.values(), key=_at)
    skipped = set(skip_shifts)
    boundaries = [Step(0, START), *fixed]
    segments: list[Segment] = []
    shifts: list[Episode] = []
    for position, step in enumerate(boundaries):
        end = boundaries[position + 1].index if position + 1 < len(boundaries) else len(series)
        start, kind, note = step.index, step.kind, step.note
        while True:
            limits = _limits(series, start, end, rare_below)
            run = _first_shift(series, start, end, limits, skipped) if auto_shift and limits else None
            if run is None:
                segments.append(Segment(start, end, kind, note, limits))
                break
            segments.append(Segment(start, run.start, kind, note, _limits(series, start, run.start, rare_below)))
            shifts.append(run)
            start, kind, note = run.start, SHIFT, None
    episodes = sorted(
        (episode for segment in segments for episode in _episodes(series, segment)), key=lambda e: (e.start, e.rule)
    )
    marked = {Signal(i, episode.rule, episode.side) for episode in (*episodes, *shifts) for i in episode.indices}
    return XmRChart(
        values=series,
        segments=tuple(segments),
        signals=tuple(sorted(marked, key=lambda signal: (signal.index, signal.rule, signal.side))),
        episodes=tuple(episodes),
        jumps=tuple(jump for segment in segments for jump in _jumps(series, segment)),
        shifts=tuple(shifts),
    )


def _at(step: Step) -> int:
    return step.index


def _checked(value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"a measure must be a finite number ≥ 0, or None for a gap, not {value!r}")
    return float(value)


def _ranges(series: Sequence[float | None], start: int, end: int) -> list[tuple[int, int, float]]:
    """(previous index, index, |difference|) of neighbouring present points in [start, end): none across a gap
    (the periods around it are not neighbours) and none across a segment boundary (NHSRplotthedots)."""
    return [
        (i - 1, i, abs(value - previous))
        for i in range(start + 1, end)
        if (value := series[i]) is not None and (previous := series[i - 1]) is not None
    ]


def _limits(series: Sequence[float | None], start: int, end: int, rare_below: float = 0.0) -> Limits | None:
    present = [i for i in range(start, end) if series[i] is not None]
    if len(present) < BASELINE_MIN:
        return None
    baseline = present[:BASELINE_MAX]
    baseline_end = baseline[-1] + 1
    ranges = [size for _previous, _index, size in _ranges(series, start, baseline_end)]
    if not ranges:
        return None  # no two neighbouring points: no variation to measure
    # statistics.mean is exact before its one rounding, so a flat series gets a centre equal to its values.
    center = float(statistics.mean(series[i] or 0.0 for i in baseline))
    if center < rare_below:
        return None  # mostly zeros: limits would flag the zeros themselves (Wheeler, rare events)
    unscreened = float(statistics.mean(ranges))
    range_limit = RANGE_LIMIT_FACTOR * unscreened
    kept = [size for size in ranges if size <= range_limit]
    average = float(statistics.mean(kept))  # never empty: not every value can exceed 3.268 × their mean
    if average == 0 < unscreened:
        # Screening the one jump of an otherwise flat baseline would leave limits of no width that flag every
        # ordinary point: keep the jump in the average then.
        kept, average = ranges, unscreened
    spread = LIMIT_FACTOR * average
    lower = center - spread
    return Limits(
        center=center,
        upper=center + spread,
        lower=lower if lower >= 0 else None,
        computed_lower=lower,
        average_moving_range=average,
        upper_range_limit=range_limit,
        baseline_points=len(baseline),
        baseline_end=baseline_end,
        screened=len(ranges) - len(kept),
    )


def _side(value: float, center: float) -> str | None:
    return ABOVE if value > center else BELOW if value < center else None


def _runs(series: Sequence[float | None], start: int, end: int, center: float) -> list[Episode]:
    """Runs of 8 or more present points strictly on one side of the central line; a gap does not break a run,
    a point on the line does."""
    present = [(i, value) for i in range(start, end) if (value := series[i]) is not None]
    runs = []
    for side, points in itertools.groupby(present, key=lambda point: _side(point[1], center)):
        indices = tuple(i for i, _ in points)
        if side is not None and len(indices) >= RUN_LENGTH:
            runs.append(Episode(2, side, indices))
    return runs


def _first_shift(
    series: Sequence[float | None], start: int, end: int, limits: Limits, skipped: set[int]
) -> Episode | None:
    first_present = next(i for i in range(start, end) if series[i] is not None)
    for run in _runs(series, start, end, limits.center):
        if run.start > first_present and run.start not in skipped:
            # The 8 points that showed the shift; later ones are judged against the new limits they started.
            return Episode(run.rule, run.side, run.indices[:RUN_LENGTH])
    return None


def _episodes(series: Sequence[float | None], segment: Segment) -> list[Episode]:
    limits = segment.limits
    if limits is None:
        return []
    present = [(i, value) for i in range(segment.start, segment.end) if (value := series[i]) is not None]
    episodes = []
    for i, value in present:  # rule 1
        if value > limits.upper:
            episodes.append(Episode(1, ABOVE, (i,)))
        elif limits.lower is not None and value < limits.lower:
            episodes.append(Episode(1, BELOW, (i,)))
    episodes += _runs(series, segment.start, segment.end, limits.center)  # rule 2
    for side, limit in ((ABOVE, limits.upper), (BELOW, limits.computed_lower)):  # rule 3, unclamped below
        beyond = [
            _side(value, limits.center) == side and abs(value - limit) < abs(value - limits.center)
            for _, value in present
        ]
        starts = [
            first
            for first in range(len(present) - RULE_3_WINDOW + 1)
            if sum(beyond[first : first + RULE_3_WINDOW]) >= RULE_3_NEEDED
        ]
        # Overlapping qualifying windows are one occurrence, so that "since" points to where it began.
        for cluster in _clusters(starts):
            positions = range(cluster[0], cluster[-1] + RULE_3_WINDOW)
            episodes.append(Episode(3, side, tuple(present[p][0] for p in positions if beyond[p])))
    return episodes


def _clusters(starts: list[int]) -> list[list[int]]:
    clusters: list[list[int]] = []
    for first in starts:
        if clusters and first <= clusters[-1][-1] + RULE_3_WINDOW - 1:
            clusters[-1].append(first)
        else:
            clusters.append([first])
    return clusters


def _jumps(series: Sequence[float | None], segment: Segment) -> list[Jump]:
    if segment.limits is None:
        return []
    limit = segment.limits.upper_range_limit
    return [
        Jump(previous, i, size) for previous, i, size in _ranges(series, segment.start, segment.end) if size > limit
    ]


def latest_episode(chart: XmRChart) -> Episode | None:
    """The occurrence that reaches the most recent point; of several, the lowest rule (the plainest evidence)."""
    candidates = [*chart.episodes, *chart.shifts]
    if not candidates:
        return None
    return max(candidates, key=lambda episode: (episode.end, -episode.rule))
