"""The measures, in SQL: counts per period, the waiting stock, the first decisions, and what tells a computation
that the past changed, filtered and grouped by the database. What people record for the measures (limit steps,
headcounts) is `storage.measure_records`.

Periods (weeks, fortnights, months) are given as consecutive UTC instants (the caller turns the team's local
periods into them, daylight saving included); each count is one pass over the rows of the whole range, each
row's period found by a CASE over the period ends, which works the same on SQLite and PostgreSQL and uses the
(scope, time) indexes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FunctionElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler

from storage.models import EventKind, Idea, IdeaEvent, IdeaStatus, Team, UtcDateTime

DECISIONS = (IdeaStatus.APPROVED, IdeaStatus.NOT_NOW)


@dataclass(frozen=True)
class Scope:
    """Which ideas count: one team's, or a whole workspace's."""

    workspace_id: str
    team_id: int | None = None

    @property
    def key(self) -> str:
        """How stored steps name this scope: "team:<id>" or "workspace"."""
        return "workspace" if self.team_id is None else f"team:{self.team_id}"

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions on `Idea` that select the scope's ideas."""
        # A team is in one workspace: its id alone, so that the planner takes the (team, time) indexes.
        if self.team_id is not None:
            return [Idea.team_id == self.team_id]
        return [Idea.workspace_id == self.workspace_id]


def _first_at_or_after(
    column: ColumnElement[Any], limits: Sequence[datetime], *, strict: bool, first: int = 0
) -> ColumnElement[int]:
    """The index of the first of the increasing `limits` that `column` is below (`strict`) or at most, as a CASE
    nested as a binary search: about log2(n) comparisons a row instead of n (two years of weeks: 7, not 105)."""
    if len(limits) == 1:
        return literal(first)
    middle = len(limits) // 2
    limit = literal(limits[middle - 1], UtcDateTime())
    return case(
        (column < limit if strict else column <= limit, _first_at_or_after(column, limits[:middle], strict=strict,
                                                                           first=first)),
        else_=_first_at_or_after(column, limits[middle:], strict=strict, first=first + middle),
    )  # fmt: skip


def _period_of(column: ColumnElement[Any], bounds: Sequence[tuple[datetime, datetime]]) -> ColumnElement[int]:
    """The index of the period a time in the range falls in (periods are consecutive)."""
    return _first_at_or_after(column, [end for _start, end in bounds], strict=True)


def _in_periods(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], bounds: Sequence[tuple[datetime, datetime]]
) -> ColumnElement[bool]:
    return and_(column >= literal(bounds[0][0], UtcDateTime()), column < literal(bounds[-1][1], UtcDateTime()))


def _per_period(
    session: Session, query: Select[Any], bounds: Sequence[tuple[datetime, datetime]], *, distinct: str | None = None
) -> dict[int, int]:
    """Count rows of `query` (which has a column `at`) per period; `distinct` counts distinct values instead."""
    if not bounds:
        return {}
    rows = query.subquery()
    counted = func.count(func.distinct(rows.c[distinct])) if distinct is not None else func.count()
    period = _period_of(rows.c.at, bounds).label("period")
    result = session.execute(select(period, counted).where(_in_periods(rows.c.at, bounds)).group_by(period))
    return {int(period): int(count) for period, count in result}


def raised_per_period(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    """Ideas raised per period: {index into `bounds`: count}, periods without any left out. `bounds` are consecutive
    (start, end) UTC instants, end exclusive."""
    query = select(Idea.created_at.label("at")).where(*scope.where(), _in_periods(Idea.created_at, bounds))
    return _per_period(session, query, bounds)


def done_per_period(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    """Ideas done per period, by when they were done: {index into `bounds`: count}, periods without any left out."""
    query = select(Idea.done_at.label("at")).where(
        *scope.where(), Idea.status == IdeaStatus.DONE, _in_periods(Idea.done_at, bounds)
    )
    return _per_period(session, query, bounds)


def _participation(scope: Scope, since: datetime, until: datetime) -> Select[Any]:
    """Who took part, when: raising an idea, or completing one (as its owner)."""
    raised = select(Idea.author_id.label("person"), Idea.created_at.label("at")).where(
        *scope.where(), Idea.created_at >= since, Idea.created_at < until
    )
    completed = select(Idea.owner_id.label("person"), Idea.done_at.label("at")).where(
        *scope.where(), Idea.status == IdeaStatus.DONE, Idea.owner_id.is_not(None), Idea.done_at >= since,
        Idea.done_at < until,
    )  # fmt: skip
    return select(union_all(raised, completed).subquery())


def participants_per_period(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> dict[int, int]:
    """People taking part per period (raising an idea, or completing one as its owner), each person counted once a
    period: {index into `bounds`: count}, empty periods left out."""
    if not bounds:
        return {}
    return _per_period(session, _participation(scope, bounds[0][0], bounds[-1][1]), bounds, distinct="person")


def participants_since(session: Session, scope: Scope, since: datetime) -> int:
    """How many people took part (raised an idea, or completed one as its owner) at or after `since`."""
    rows = _participation(scope, since, datetime.max.replace(tzinfo=UTC)).subquery()
    return int(session.execute(select(func.count(func.distinct(rows.c.person)))).scalar_one())


def done_since(session: Session, scope: Scope, since: datetime) -> int:
    """How many of the scope's ideas were done at or after `since` (and are done still)."""
    return int(
        session.execute(
            select(func.count()).where(*scope.where(), Idea.status == IdeaStatus.DONE, Idea.done_at >= since)
        ).scalar_one()
    )


def _first_decisions(scope: Scope, since: datetime | None = None) -> Subquery:
    """Each idea's first decision (approved or not now): when, its outcome, and when the idea was raised.
    `since`: only those made at or after it (the ideas are found by their decisions since then, so that a short
    span reads only its own ideas' events)."""
    conditions = [*scope.where(), IdeaEvent.kind == EventKind.STATUS, IdeaEvent.to_status.in_(DECISIONS)]
    if since is not None:
        recent = aliased(IdeaEvent)
        decided_since = (
            select(recent.idea_id)
            .join(Idea, Idea.id == recent.idea_id)
            .where(
                *scope.where(),
                recent.kind == EventKind.STATUS,
                recent.to_status.in_(DECISIONS),
                recent.at >= literal(since, UtcDateTime()),
            )
        )
        conditions.append(IdeaEvent.idea_id.in_(decided_since))
    first = (
        select(IdeaEvent.idea_id.label("idea_id"), func.min(IdeaEvent.at).label("at"))
        .join(Idea, Idea.id == IdeaEvent.idea_id)
        .where(*conditions)
        .group_by(IdeaEvent.idea_id)
        .subquery()
    )
    outcome = (
        select(func.min(IdeaEvent.to_status))
        .where(IdeaEvent.idea_id == first.c.idea_id, IdeaEvent.at == first.c.at, IdeaEvent.kind == EventKind.STATUS)
        .where(IdeaEvent.to_status.in_(DECISIONS))
        .scalar_subquery()
    )
    return (
        select(first.c.at.label("at"), outcome.label("to_status"), Idea.created_at.label("created_at"))
        .join(Idea, Idea.id == first.c.idea_id)
        .subquery()
    )


class days_between(FunctionElement[float]):
    """`later − earlier` in days, to the millisecond, as a float, in SQL (SQLite and PostgreSQL)."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) / 86400000.0)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(ROUND(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000 AS NUMERIC)) / 86400000.0)"


def _medians(rows: Subquery, group: ColumnElement[Any], days: ColumnElement[float]) -> Select[Any]:
    """(group, median of days, how many) per group: the middle value, or the mean of the two middle ones,
    found by numbering each group's rows in order (window functions: the same on SQLite and PostgreSQL)."""
    values = select(group.label("grp"), days.label("days")).select_from(rows).subquery()  # each computed once
    ranked = select(
        values.c.grp,
        values.c.days,
        func.row_number().over(partition_by=values.c.grp, order_by=values.c.days).label("position"),
        func.count().over(partition_by=values.c.grp).label("size"),
    ).subquery()
    middle = or_(ranked.c.position == (ranked.c.size + 1) // 2, ranked.c.position == (ranked.c.size + 2) // 2)
    return select(ranked.c.grp, func.avg(ranked.c.days), func.max(ranked.c.size)).where(middle).group_by(ranked.c.grp)


def _decision_days(rows: Subquery) -> ColumnElement[float]:
    days = days_between(rows.c.at, rows.c.created_at)
    return case((days < 0, literal(0.0)), else_=days)  # a clock step back never makes a negative wait


def decision_days_per_period(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> dict[int, tuple[float, int]]:
    """For each period with first decisions: (median days from raising to the first decision, how many)."""
    if not bounds:
        return {}
    decisions = _first_decisions(scope, since=bounds[0][0])
    rows = select(decisions).where(_in_periods(decisions.c.at, bounds)).subquery()
    result = session.execute(_medians(rows, _period_of(rows.c.at, bounds), _decision_days(rows)))
    return {int(period): (float(median), int(size)) for period, median, size in result}


def decisions_since(session: Session, scope: Scope, since: datetime) -> tuple[int, int, float | None]:
    """(approved, not now, median days to the first decision) of the first decisions made since `since`, in one
    pass: the decisions numbered in order of days, with their totals alongside, keep only the middle one or two."""
    rows = _first_decisions(scope)  # a year of a workspace's decisions: no narrower by "since" first
    recent = (
        select(_decision_days(rows).label("days"), rows.c.to_status.label("to_status"))
        .where(rows.c.at >= since)
        .subquery()
    )
    ranked = select(
        recent.c.days,
        func.row_number().over(order_by=recent.c.days).label("position"),
        func.count().over().label("size"),
        func.sum(case((recent.c.to_status == IdeaStatus.APPROVED, 1), else_=0)).over().label("approved"),
    ).subquery()
    middle = or_(ranked.c.position == (ranked.c.size + 1) // 2, ranked.c.position == (ranked.c.size + 2) // 2)
    found = session.execute(
        select(func.avg(ranked.c.days), func.max(ranked.c.size), func.max(ranked.c.approved)).where(middle)
    ).one()
    median, size, approved = found
    if not size:
        return 0, 0, None
    return int(approved), int(size) - int(approved), float(median)


def first_raised(session: Session, scope: Scope) -> datetime | None:
    """When the scope's first idea was raised: where its series begin. None when it has no ideas."""
    first: datetime | None = session.execute(select(func.min(Idea.created_at)).where(*scope.where())).scalar_one()
    return first


def waiting_per_period(session: Session, scope: Scope, moments: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    """The traffic jam as a stock: for each (moment, threshold), both increasing, how many ideas were waiting for
    a decision (status new) at `moment` and had been since before `threshold` (longer than the nudge days, as the
    leaders' digest counts them). An idea waits from when it is raised as new (not one raised done, "just did
    it"), or reopened, or its approval taken back (any change to new), until its next status change: a spell.

    SQL groups the spells by the first moment they count at and the first they no longer do; the stock at each
    moment is then the sum of the groups whose span covers it."""
    if not moments:
        return {}
    # Joins and groups, not correlated subqueries: a subquery in a column is evaluated again wherever the outer
    # query names that column (the CASE below names it many times), and SQLite may look it up by the wrong index.
    last_threshold = literal(moments[-1][1], UtcDateTime())
    # Outer joins from the scope's ideas, so that each idea's events are found by the (idea, kind, time) index.
    left_new = aliased(IdeaEvent)
    raised_done = aliased(IdeaEvent)
    since_raised = (
        select(Idea.created_at.label("since"), func.min(left_new.at).label("until"))
        .select_from(Idea)
        .outerjoin(left_new, and_(left_new.idea_id == Idea.id, left_new.kind == EventKind.STATUS))
        .outerjoin(
            raised_done,
            and_(
                raised_done.idea_id == Idea.id,
                raised_done.kind == EventKind.CREATED,
                raised_done.to_status != IdeaStatus.NEW,
            ),
        )
        .where(*scope.where(), Idea.created_at < last_threshold, raised_done.id.is_(None))
        .group_by(Idea.id, Idea.created_at)
    )
    change = aliased(IdeaEvent)
    following = aliased(IdeaEvent)
    since_changed = (
        select(change.at.label("since"), func.min(following.at).label("until"))
        .join(Idea, Idea.id == change.idea_id)
        .outerjoin(
            following,
            and_(
                following.idea_id == change.idea_id,
                following.kind == EventKind.STATUS,
                or_(following.at > change.at, and_(following.at == change.at, following.id > change.id)),
            ),
        )
        .where(
            *scope.where(),
            change.kind == EventKind.STATUS,
            change.to_status == IdeaStatus.NEW,
            change.at < last_threshold,
        )
        .group_by(change.id, change.at)
    )
    spells = union_all(since_raised, since_changed).subquery()
    first_moment = literal(moments[0][0], UtcDateTime())
    last_moment = literal(moments[-1][0], UtcDateTime())
    # From the first moment whose threshold the spell began before; until the first moment it had ended by.
    counts_from = _first_at_or_after(spells.c.since, [threshold for _moment, threshold in moments], strict=True)
    ended = case(
        (or_(spells.c.until.is_(None), spells.c.until > last_moment), literal(len(moments))),
        else_=_first_at_or_after(spells.c.until, [moment for moment, _threshold in moments], strict=False),
    )
    rows = session.execute(
        select(counts_from.label("counts_from"), ended.label("ended"), func.count())
        .where(or_(spells.c.until.is_(None), spells.c.until > first_moment))
        .group_by(counts_from, ended)
    )
    changes = [0] * (len(moments) + 1)
    for begins, ends, count in rows:
        if int(begins) < int(ends):
            changes[int(begins)] += int(count)
            changes[int(ends)] -= int(count)
    stock = list(itertools.accumulate(changes[:-1]))
    return {index: value for index, value in enumerate(stock) if value}


def waiting_now(session: Session, scope: Scope, now: datetime, threshold: datetime) -> int:
    """The stock of `waiting_per_period` at one moment, `now`, read from the ideas waiting now: those whose status
    is new and who entered it (raised, or their last status change) before `threshold`."""
    change = aliased(IdeaEvent)
    last_change = (
        select(func.max(change.at))
        .where(change.idea_id == Idea.id, change.kind == EventKind.STATUS, change.at <= literal(now, UtcDateTime()))
        .correlate(Idea)
        .scalar_subquery()
    )
    since = func.coalesce(last_change, Idea.created_at)
    return int(
        session.execute(
            select(func.count()).where(
                *scope.where(),
                Idea.status == IdeaStatus.NEW,
                Idea.created_at < literal(threshold, UtcDateTime()),
                since < literal(threshold, UtcDateTime()),
            )
        ).scalar_one()
    )


def team_ids(session: Session, scope: Scope) -> list[int]:
    """The teams a scope covers: its one team, or every team of its workspace."""
    if scope.team_id is not None:
        return [scope.team_id]
    return list(session.scalars(select(Team.id).where(Team.workspace_id == scope.workspace_id).order_by(Team.id)))


def marks(session: Session) -> tuple[int, int]:
    """The newest idea id and idea event id (0 when none): what a computation saw, to find later writes."""
    idea = session.execute(select(func.max(Idea.id))).scalar_one()
    event = session.execute(select(func.max(IdeaEvent.id))).scalar_one()
    return int(idea or 0), int(event or 0)


def ideas_up_to(session: Session, scope: Scope, idea_mark: int) -> tuple[int, int]:
    """How many of the scope's ideas have an id up to `idea_mark`, and how many of those have an owner: fewer
    (deleted, a name taken off, which writes no event) or more (moved in) later means the past changed."""
    total, owned = session.execute(
        select(func.count(), func.count(Idea.owner_id)).where(*scope.where(), Idea.id <= idea_mark)
    ).one()
    return int(total), int(owned)


LATE_ROWS_READ = 1000


def past_changed(session: Session, scope: Scope, idea_mark: int, event_mark: int, until: datetime) -> bool:
    """Whether anything written after the marks may change the scope's measures before `until`: an idea or an
    event dated before it anywhere (data told late: an import, a test's clock; rare, so any scope's counts), or a
    done idea of the scope reopened (its done week no longer counts it). Reads only rows written after the marks,
    found by their ids."""
    before = literal(until, UtcDateTime())
    late_idea = select(Idea.id).where(Idea.id > idea_mark, Idea.created_at < before).exists()
    if session.execute(select(late_idea)).scalar_one():
        return True
    touched = list(
        session.scalars(
            select(IdeaEvent.idea_id)
            .where(IdeaEvent.id > event_mark, or_(IdeaEvent.at < before, IdeaEvent.from_status == IdeaStatus.DONE))
            .limit(LATE_ROWS_READ + 1)
        )
    )
    if len(touched) > LATE_ROWS_READ:
        return True
    if not touched:
        return False
    return bool(
        session.execute(select(select(Idea.id).where(*scope.where(), Idea.id.in_(touched)).exists())).scalar_one()
    )
