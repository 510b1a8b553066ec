"""Where limits start anew, anchored in time: a leader's rebase (every series of a team or of the workspace,
from a date, with a note), or an automatic shift (one series, after 8 points in a row on one side: new trial
limits from the first of them, Graban). Both are stored as history; a leader can undo the latest one. An undone
shift is remembered so it is not found again.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import limits
from bot.measures.series import Series
from bot.measures.xmr import REBASE, SHIFT, Step, XmRChart, xmr_chart
from storage import measure_records
from storage.db import Database
from storage.measures import Scope
from storage.models_measures import MeasureStep

EVERY_SERIES = "*"
RARE_COUNT = 1.0  # a count averaging under 1 a period even by month is too rare for limits


@dataclass(frozen=True)
class StepRecord:
    """A stored step, as history: kind "rebase" | "shift"; series a series name or "*" (a rebase: every one);
    starts_on the local date the new limits start from; created_by None when the bot found it (a shift)."""

    kind: str
    series: str
    starts_on: date
    note: str | None
    side: str | None
    created_by: str | None
    created_at: datetime
    undone_at: datetime | None
    undone_by: str | None

    @property
    def active(self) -> bool:
        """Whether the step is in force (not undone)."""
        return self.undone_at is None


def _record(row: MeasureStep) -> StepRecord:
    return StepRecord(
        kind=row.kind,
        series=row.series,
        starts_on=row.starts_on,
        note=row.note,
        side=row.side,
        created_by=row.created_by,
        created_at=row.created_at,
        undone_at=row.undone_at,
        undone_by=row.undone_by,
    )


def history(db: Database, scope: Scope) -> list[StepRecord]:
    """Every step of the scope, undone ones included, in the order they were made."""
    with db.read() as session:
        return [_record(row) for row in measure_records.steps(session, scope)]


def rebase(db: Database, scope: Scope, starts_on: date, note: str, by: str, at: datetime) -> StepRecord:
    """A leader's new baseline for every series of `scope` from `starts_on` (a local date), with `note` (plain
    text, clipped to 200 characters). Made again for the same date, it replaces the note (and revives it)."""
    with db.write() as session:
        row = measure_records.save_step(
            session,
            MeasureStep(
                workspace_id=scope.workspace_id, scope=scope.key, series=EVERY_SERIES, kind=REBASE,
                starts_on=starts_on, note=note.strip()[: limits.MEASURE_NOTE_MAX] or None, created_by=by, created_at=at,
            ),
        )  # fmt: skip
        return _record(row)


def undo(db: Database, scope: Scope, by: str, at: datetime) -> StepRecord | None:
    """Undo the latest step of `scope` not undone yet (a rebase or a shift); None when there is none."""
    with db.write() as session:
        row = measure_records.undo_latest_step(session, scope, at, by)
        return _record(row) if row is not None else None


def _index(series: Series, day: date) -> int:
    """The position of the period holding `day`: 0 before the series, len(values) in or after the current one."""
    if day >= series.current_start:
        return len(series.values)
    return max(0, bisect.bisect_right(series.starts, day) - 1)


def judge(series: Series, records: Sequence[StepRecord]) -> XmRChart:
    """The XmR chart of `series` with the scope's stored steps: active rebases are steps; shifts are found
    afresh from the data each time (so the run that started one stays a signal), except undone ones."""
    steps = [
        Step(_index(series, record.starts_on), REBASE, record.note)
        for record in records
        if record.kind == REBASE and record.active and record.series in (EVERY_SERIES, series.name)
    ]
    skipped = [
        _index(series, record.starts_on)
        for record in records
        if record.kind == SHIFT and not record.active and record.series == series.name
    ]
    # Of two rebases in one period, the later made wins: its note is the one to show.
    return xmr_chart(
        series.values,
        {step.index: step for step in steps}.values(),
        skip_shifts=skipped,
        rare_below=RARE_COUNT if series.count else 0.0,
    )


def record_shifts(
    db: Database, scope: Scope, series: Series, chart: XmRChart, records: Sequence[StepRecord], at: datetime
) -> list[StepRecord]:
    """Store the shifts `chart` found that are not stored yet, as history; returns the ones added."""
    known = {(record.series, record.starts_on) for record in records if record.kind == SHIFT}
    found = [
        (series.starts[run.start], run.side)
        for run in chart.shifts
        if (series.name, series.starts[run.start]) not in known
    ]
    added: list[StepRecord] = []
    if not found:
        return added
    with db.write() as session:
        for starts_on, side in found:
            row = MeasureStep(
                workspace_id=scope.workspace_id, scope=scope.key, series=series.name, kind=SHIFT,
                starts_on=starts_on, side=side, created_at=at,
            )  # fmt: skip
            if measure_records.add_found_shift(session, row):
                added.append(_record(row))
    return added
