"""The series of the product page, from the raw data of each period, for a team or a workspace.

raised: ideas raised in the period; done: ideas that reached done; people: distinct people who raised or
completed an idea; days_to_decision: the median days from raising to the first decision, over ideas decided in
the period (no decision: a gap, not a zero); waiting: ideas waiting for a decision longer than the nudge days at
the period's end (a stock). Every value comes from its own period's rows, never summed from weeks.

A count series that averages under 2 a week over its baseline is counted by fortnight, and under 2 a fortnight
by month (Wheeler, "Working with rare events": mostly-zero counts hide every signal). Days to decision follows
the number of decisions the same way. Waiting is a stock, which a longer period would not make larger: it stays
weekly. SQL filters and groups (storage/measures.py); here we lay out the periods
and SQL takes the medians too.
"""

from __future__ import annotations

import math
import statistics
import threading
import weakref
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import cachetools
from sqlalchemy.orm import Session

from bot.measures.periods import FORTNIGHT, MONTH, WEEK, Calendar, Period, calendar
from bot.measures.xmr import BASELINE_MAX, BASELINE_MIN
from storage import measures as sql
from storage.db import Database
from storage.measures import Scope

RAISED = "raised"
DONE = "done"
PEOPLE = "people"
DAYS_TO_DECISION = "days_to_decision"
WAITING = "waiting"
SERIES_NAMES = (RAISED, DONE, PEOPLE, DAYS_TO_DECISION, WAITING)
RARE_BELOW = 2.0  # events per period, averaged over the baseline


@dataclass(frozen=True)
class Series:
    """One measure over the scope's whole history: a value per complete period (`starts`, oldest first), and the
    period in progress ("so far", never judged). Counts are floats of whole numbers; days are days."""

    name: str
    period: str  # "week" | "fortnight" | "month"
    starts: tuple[date, ...]
    values: tuple[float | None, ...]
    current_start: date
    current_value: float | None

    @property
    def count(self) -> bool:
        """Whether the values are counts (every series but days to a decision), which decides which rules apply."""
        return self.name != DAYS_TO_DECISION


@dataclass(frozen=True)
class _Counted:
    """Everything measured over one calendar: values per period, complete ones then the current one."""

    calendar: Calendar
    values: dict[str, list[float | None]]
    decisions: list[int]


@dataclass
class _Remembered:
    """The complete periods of one (scope, period kind, zone, nudge days), as computed with the store at `marks`
    (newest idea id, newest event id) when the scope had `ideas` ideas up to that idea id."""

    marks: tuple[int, int]
    ideas: tuple[int, int]  # ideas up to the idea mark, and how many of them have an owner
    first: date | None  # the first complete period's start; the others follow from it
    periods: int  # how many complete periods are remembered
    values: dict[str, array[float]]  # NaN for a gap
    decisions: array[int]


# A complete period's values never change when people use Kaizen (everything they do is dated now), so they are
# computed once per process and only the new periods after them are asked of the database; data dated in the
# past, a reopened done idea or a deleted idea make a scope count again from the start (`past_changed`).
REMEMBERED_SCOPES = 512  # a few hundred floats each: a big hospital's teams and more
_memory: weakref.WeakKeyDictionary[Database, cachetools.LRUCache[tuple[object, ...], _Remembered]] = (
    weakref.WeakKeyDictionary()
)
_memory_lock = threading.Lock()


def _remembered(db: Database) -> cachetools.LRUCache[tuple[object, ...], _Remembered]:
    with _memory_lock:
        if db not in _memory:
            _memory[db] = cachetools.LRUCache(maxsize=REMEMBERED_SCOPES)
        return _memory[db]


def _count(db: Database, scope: Scope, cal: Calendar, zone: ZoneInfo, now: datetime, nudge_days: int) -> _Counted:
    key = (scope.workspace_id, scope.key, cal.kind, zone.key, nudge_days)
    memory = _remembered(db)
    with _memory_lock:
        known = memory.get(key)
    with db.read() as session:
        marks = sql.marks(session)
        idea_mark, event_mark = known.marks if known is not None else marks
        ideas_then = sql.ideas_up_to(session, scope, idea_mark)  # fewer: deleted; more: moved in
        if known is not None and (
            known.periods > len(cal.complete)
            or (known.periods and known.first != cal.complete[0].start)
            or ideas_then != known.ideas
            or (
                known.marks != marks
                and sql.past_changed(session, scope, idea_mark, event_mark, _until(cal, known.periods))
            )
        ):
            known = None
        ideas = ideas_then if marks[0] == idea_mark else sql.ideas_up_to(session, scope, marks[0])
        kept = known.periods if known is not None else 0
        fresh = _fresh(session, scope, [*cal.complete[kept:], cal.current], cal.current, now, nudge_days)
    values = {name: [*(_unpacked(known.values[name]) if known else []), *fresh[0][name]] for name in SERIES_NAMES}
    decisions = [*(list(known.decisions) if known else []), *fresh[1]]
    complete = len(cal.complete)
    remembered = _Remembered(
        marks=marks,
        ideas=ideas,
        first=cal.complete[0].start if cal.complete else None,
        periods=complete,
        values={name: _packed(column[:complete]) for name, column in values.items()},
        decisions=array("l", decisions[:complete]),
    )
    with _memory_lock:
        memory[key] = remembered
    return _Counted(calendar=cal, values=values, decisions=decisions)


def _packed(values: Sequence[float | None]) -> array[float]:
    # 8 bytes a value instead of a float object and a list slot (32): a thousand teams' years stay small.
    return array("d", (math.nan if value is None else value for value in values))


def _unpacked(values: array[float]) -> list[float | None]:
    return [None if math.isnan(value) else value for value in values]


def _until(cal: Calendar, kept: int) -> datetime:
    return cal.complete[kept - 1].end_utc if kept else cal.current.start_utc


def _fresh(
    session: Session, scope: Scope, periods: Sequence[Period], current: Period, now: datetime, nudge_days: int
) -> tuple[dict[str, list[float | None]], list[int]]:
    """The values of consecutive `periods` (the last is `current`, measured to `now`), and the decisions in each."""
    bounds = [(one.start_utc, one.end_utc) for one in periods]
    nudge = timedelta(days=nudge_days)
    # The stock at each complete period's end; for the period in progress, now.
    moments = [(one.end_utc, one.end_utc - nudge) for one in periods if one != current] + [(now, now - nudge)]
    raised = sql.raised_per_period(session, scope, bounds)
    done = sql.done_per_period(session, scope, bounds)
    people = sql.participants_per_period(session, scope, bounds)
    if len(periods) == 1:  # only the period in progress: the ideas waiting now (the usual case, all else known)
        waiting = {0: sql.waiting_now(session, scope, now, now - nudge)}
    else:
        waiting = sql.waiting_per_period(session, scope, moments)
    decided = sql.decision_days_per_period(session, scope, bounds)
    size = len(periods)
    values: dict[str, list[float | None]] = {
        RAISED: [float(raised.get(i, 0)) for i in range(size)],
        DONE: [float(done.get(i, 0)) for i in range(size)],
        PEOPLE: [float(people.get(i, 0)) for i in range(size)],
        WAITING: [float(waiting.get(i, 0)) for i in range(size)],
        DAYS_TO_DECISION: [decided[i][0] if i in decided else None for i in range(size)],
    }
    return values, [decided[i][1] if i in decided else 0 for i in range(size)]


def rare(events: Sequence[float]) -> bool:
    """Whether a count over complete periods averages under 2 over its baseline (its first up to 20 periods);
    False while fewer than 6 periods are complete (too soon to tell)."""
    baseline = list(events[:BASELINE_MAX])
    return len(baseline) >= BASELINE_MIN and statistics.fmean(baseline) < RARE_BELOW


def measure_series(db: Database, scope: Scope, zone: ZoneInfo, now: datetime, nudge_days: int) -> list[Series]:
    """Each series of SERIES_NAMES, in that order, from the scope's first idea to now, in the period it reads
    best in. `now` is an aware instant; periods are local to `zone`."""
    with db.read() as session:
        first = sql.first_raised(session, scope)
    first_day = first.astimezone(zone).date() if first is not None else None
    counted: dict[str, _Counted] = {}

    def counts(kind: str) -> _Counted:
        if kind not in counted:
            counted[kind] = _count(db, scope, calendar(kind, zone, first_day, now), zone, now, nudge_days)
        return counted[kind]

    result = []
    for name in SERIES_NAMES:
        kind = WEEK
        # A stock is not made larger by a longer period: waiting stays weekly, as the product page says.
        for longer in () if name == WAITING else (FORTNIGHT, MONTH):
            measured = counts(kind)
            complete = len(measured.calendar.complete)
            events = measured.decisions if name == DAYS_TO_DECISION else measured.values[name]
            if not rare([float(value or 0) for value in events[:complete]]):
                break
            kind = longer
        measured = counts(kind)
        cal, values = measured.calendar, measured.values[name]
        result.append(
            Series(
                name=name,
                period=kind,
                starts=tuple(one.start for one in cal.complete),
                values=tuple(values[:-1]),
                current_start=cal.current.start,
                current_value=values[-1],
            )
        )
    return result
