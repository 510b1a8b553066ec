"""The series of the product page, from the raw data of each period, for a team or a workspace.

raised: ideas raised in the period; done: ideas that reached done; people: distinct people who raised or
completed an idea; days_to_decision: the median days from raising to the first decision, over ideas decided in
the period (no decision: a gap, not a zero); waiting: ideas waiting for a decision longer than the nudge days at
the period's end (a stock); escalated_waiting: ideas escalated to the scope's teams and waiting there for a
decision at the period's end (a stock, only for scopes whose teams receive escalations). Every value comes from its
own period's rows, never summed from weeks.

A count series that averages under 2 a week over its baseline is counted by fortnight, and under 2 a fortnight
by month (Wheeler, "Working with rare events": mostly-zero counts hide every signal). Days to decision follows
the number of decisions the same way. Waiting is a stock, which a longer period would not make larger: it stays
weekly, and so do the escalated ideas waiting. SQL filters and groups (storage/measures.py and, for escalations,
storage/measures_escalated.py); here we lay out the periods and SQL takes the medians too. Complete periods are
counted once and kept in the store (`storage.measure_periods`) for every process, for as long as nothing written
changes them.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.measures.periods import FORTNIGHT, MONTH, WEEK, Calendar, Period, calendar, period_start
from bot.measures.xmr import BASELINE_MAX, BASELINE_MIN
from storage import measure_periods
from storage import measures as sql
from storage import measures_escalated as escalation
from storage.db import Database
from storage.measure_periods import KeptPeriods
from storage.measures import Scope

log = logging.getLogger(__name__)

RAISED = "raised"
DONE = "done"
PEOPLE = "people"
DAYS_TO_DECISION = "days_to_decision"
WAITING = "waiting"
ESCALATED = "escalated_waiting"
SERIES_NAMES = (RAISED, DONE, PEOPLE, DAYS_TO_DECISION, WAITING, ESCALATED)
STOCKS = (WAITING, ESCALATED)  # counted at each period's end, weekly whatever their size
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


# A complete period's values never change when people use Kaizen (everything they do is dated now), so they are
# counted once and kept in the store (`storage.measure_periods`), for every process and across restarts; only the
# periods after them are asked of the database. Data dated in the past, a reopened done idea, a deleted idea or a
# name taken off make a scope count again from the start (`_still_holds`). Steps and headcounts are not in them:
# they are applied when a series is judged or a rate is worked out.
MEASURES_VERSION = 2  # how the values are counted: raise it when a count changes, and kept ones are counted again


def _calendar_digest(periods: Sequence[Period]) -> str:
    """The periods' UTC bounds in a few bytes: new time zone rules (tz data) for past dates change them."""
    digest = hashlib.blake2b(digest_size=16)
    for one in periods:
        digest.update(f"{one.start_utc.isoformat()}/{one.end_utc.isoformat()};".encode())
    return digest.hexdigest()


def _counted_alike(kept: KeptPeriods, cal: Calendar, zone: ZoneInfo, nudge_days: int) -> bool:
    """Whether `kept` was counted for these periods, zone and nudge days, the way this code counts."""
    return (
        kept.version == MEASURES_VERSION
        and kept.zone == zone.key
        and kept.nudge_days == nudge_days
        and kept.periods <= len(cal.complete)
        and (kept.first_start == (cal.complete[0].start if kept.periods else None))
        and set(kept.values) == set(SERIES_NAMES)
        and kept.calendar == _calendar_digest(cal.complete[: kept.periods])
    )


def _still_holds(session: Session, scope: Scope, cal: Calendar, kept: KeptPeriods, marks: tuple[int, int]) -> bool:
    """Whether nothing written since `kept` was counted changed its periods: the scope's ideas up to its idea mark
    are as many, with as many owners (none deleted, moved or made anonymous), and nothing written after its marks
    is dated in them or reopened a done idea (`storage.measure_periods.past_changed`)."""
    idea_mark, event_mark = kept.marks
    if measure_periods.ideas_up_to(session, scope, idea_mark) != kept.ideas:
        return False
    return kept.marks == marks or not measure_periods.past_changed(
        session, scope, idea_mark, event_mark, _until(cal, kept.periods)
    )


def _count(
    db: Database, scope: Scope, cal: Calendar, zone: ZoneInfo, now: datetime, nudge_days: int, *, escalated: bool
) -> _Counted:
    """Every period of `cal`: the kept complete periods that still hold, and the rest counted now; what is counted
    anew or more is kept for the next chart, in any process."""
    with db.read() as session:  # one transaction: the marks, the kept periods and the new counts agree
        marks = measure_periods.marks(session)
        known = measure_periods.load(session, scope.workspace_id, scope.key, cal.kind)
        if known is not None and not (
            _counted_alike(known, cal, zone, nudge_days) and _still_holds(session, scope, cal, known, marks)
        ):
            known = None
        kept = known.periods if known is not None else 0
        complete = len(cal.complete)
        # Kept again only when it holds more or anew; the marks of a row that still holds are left as they are.
        keep = known is None or kept < complete
        ideas = measure_periods.ideas_up_to(session, scope, marks[0]) if keep else (0, 0)
        fresh = _fresh(session, scope, [*cal.complete[kept:], cal.current], cal.current, now, nudge_days, escalated)
    values = {name: [*(known.values[name] if known else []), *fresh[0][name]] for name in SERIES_NAMES}
    decisions = [*(known.decisions if known else []), *fresh[1]]
    if keep:
        _keep(db, scope, cal, now, KeptPeriods(
            zone=zone.key, nudge_days=nudge_days, version=MEASURES_VERSION, calendar=_calendar_digest(cal.complete),
            first_start=cal.complete[0].start if cal.complete else None, periods=complete, marks=marks, ideas=ideas,
            values={name: column[:complete] for name, column in values.items()}, decisions=decisions[:complete],
        ))  # fmt: skip
    return _Counted(calendar=cal, values=values, decisions=decisions)


def _keep(db: Database, scope: Scope, cal: Calendar, now: datetime, kept: KeptPeriods) -> None:
    """Store `kept`; a store that cannot take it now (locked, read-only) costs a recount later, never the chart."""
    try:
        with db.write() as session:
            measure_periods.store(session, scope.workspace_id, scope.key, cal.kind, kept, now)
    except SQLAlchemyError as error:
        log.warning("Could not keep the %s periods of %s: %s", cal.kind, scope.key, type(error).__name__)


def _until(cal: Calendar, kept: int) -> datetime:
    return cal.complete[kept - 1].end_utc if kept else cal.current.start_utc


def _fresh(
    session: Session,
    scope: Scope,
    periods: Sequence[Period],
    current: Period,
    now: datetime,
    nudge_days: int,
    escalations: bool,
) -> tuple[dict[str, list[float | None]], list[int]]:
    """The values of consecutive `periods` (the last is `current`, measured to `now`), and the decisions in each;
    `escalations`: whether the scope ever received one (else none is looked for)."""
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
    # A scope that never received an escalation has none waiting, in any period: its values are zeros, uncounted.
    escalated = (
        escalation.escalated_waiting_per_period(session, scope, [moment for moment, _threshold in moments])
        if escalations
        else {}
    )
    size = len(periods)
    values: dict[str, list[float | None]] = {
        RAISED: [float(raised.get(i, 0)) for i in range(size)],
        DONE: [float(done.get(i, 0)) for i in range(size)],
        PEOPLE: [float(people.get(i, 0)) for i in range(size)],
        WAITING: [float(waiting.get(i, 0)) for i in range(size)],
        ESCALATED: [float(escalated.get(i, 0)) for i in range(size)],
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
    best in; the escalated ideas waiting only when the scope's teams ever received one. `now` is an aware instant;
    periods are local to `zone`."""
    with db.read() as session:
        # A team above may have no ideas of its own, only escalated ones: its series begin with the first to arrive.
        raised, escalated = sql.first_raised(session, scope), escalation.first_escalated(session, scope)
    first = min(when for when in (raised, escalated) if when) if raised or escalated else None
    names = [name for name in SERIES_NAMES if name != ESCALATED or escalated is not None]
    first_day = first.astimezone(zone).date() if first is not None else None
    counted: dict[str, _Counted] = {}

    def counts(kind: str) -> _Counted:
        if kind not in counted:
            cal = calendar(kind, zone, first_day, now)
            counted[kind] = _count(db, scope, cal, zone, now, nudge_days, escalated=escalated is not None)
        return counted[kind]

    result = []
    for name in names:
        kind = WEEK
        # A stock is not made larger by a longer period: waiting stays weekly, as the product page says.
        for longer in () if name in STOCKS else (FORTNIGHT, MONTH):
            measured = counts(kind)
            complete = len(measured.calendar.complete)
            events = measured.decisions if name == DAYS_TO_DECISION else measured.values[name]
            if not rare([float(value or 0) for value in events[:complete]]):
                break
            kind = longer
        measured = counts(kind)
        cal, values = measured.calendar, measured.values[name]
        if name == ESCALATED and escalated is not None:
            # Before the first escalation came, there was nothing to wait: gaps, not zeros, so that the baseline
            # is the weeks since (a baseline of zeros would have no usual range, ever).
            began = period_start(escalated.astimezone(zone).date(), kind)
            starts = [one.start for one in cal.complete] + [cal.current.start]
            values = [None if start < began else value for start, value in zip(starts, values, strict=True)]
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
