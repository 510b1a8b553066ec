"""The measures, in SQL: counts per period, the waiting stock, the first decisions, and what tells a computation
that the past changed, filtered and grouped by the database. What people record for the measures (limit steps,
headcounts) is `storage.measure_records`.

Periods (weeks, fortnights, months) are given as consecutive UTC instants (the caller turns the team's local
periods into them, daylight saving included). Counts of ideas (raised, done, people) read each period's rows by
a range scan of a (scope, time, …) index that holds every column they need; the first decisions and the waiting
stock, which need each idea's events, make one pass over the range, each row's period found by a CASE over the
period ends. All of it works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    FunctionElement,
    Integer,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    column,
    func,
    literal,
    or_,
    select,
    union_all,
    values,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler

from storage.models import WALKUP_UNNAMED, EventKind, Idea, IdeaEvent, IdeaStatus, Team, UtcDateTime

DECISIONS = (IdeaStatus.APPROVED, IdeaStatus.NOT_NOW)


@dataclass(frozen=True)
class Scope:
    """Which ideas count: one team's, a tier's whole tree (the team and every team below it at any depth), or a
    whole workspace's."""

    workspace_id: str
    team_id: int | None = None
    # With `team_id`: the ids of its tier tree, itself included (`storage.tiers.subtree_ids`); empty: the team alone.
    tree: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """How stored steps and kept periods name this scope: "team:<id>", "workspace", or "tree:<id>:<digest of
        the tree's team ids>" (a tree that gains or loses a team is another tree, counted and judged anew)."""
        if self.team_id is None:
            return "workspace"
        if self.tree:
            members = ",".join(str(one) for one in sorted(self.tree)).encode()
            return f"tree:{self.team_id}:{hashlib.blake2b(members, digest_size=6).hexdigest()}"
        return f"team:{self.team_id}"

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions on `Idea` that select the scope's ideas."""
        # A team is in one workspace: its id alone, so that the planner takes the (team, time) indexes.
        if self.team_id is not None:
            return [Idea.team_id.in_(self.tree) if self.tree else Idea.team_id == self.team_id]
        return [Idea.workspace_id == self.workspace_id]

    def holds(self, team_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """Whether a team id (a column) is one of the scope's teams."""
        if self.team_id is not None:
            return team_id.in_(self.tree) if self.tree else team_id == self.team_id
        return team_id.in_(select(Team.id).where(Team.workspace_id == self.workspace_id))


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


def _periods(bounds: Sequence[tuple[datetime, datetime]]) -> CTE:
    """The periods as rows (i, s, e): index, start, end (exclusive), for queries that count each period apart."""
    rows = [(index, start, end) for index, (start, end) in enumerate(bounds)]
    return (
        values(column("i", Integer), column("s", UtcDateTime()), column("e", UtcDateTime()), name="periods")
        .data(rows)
        .cte("periods")
    )


def _each_period(
    session: Session, bounds: Sequence[tuple[datetime, datetime]], count: Callable[[CTE], ScalarSelect[Any]]
) -> dict[int, int]:
    """{index into `bounds`: count(periods) for that period}, zeros left out. Each period is counted by its own
    index range scan (a subquery correlated to the period's row): only the rows in range are read, with no
    per-row CASE and no grouping."""
    if not bounds:
        return {}
    periods = _periods(bounds)
    return {int(index): int(found) for index, found in session.execute(select(periods.c.i, count(periods))) if found}


def raised_per_period(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    """Ideas raised per period: {index into `bounds`: count}, periods without any left out. `bounds` are consecutive
    (start, end) UTC instants, end exclusive."""
    return _each_period(
        session, bounds, lambda p: _raised_in(scope, p).with_only_columns(func.count()).scalar_subquery()
    )


def done_per_period(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    """Ideas done per period, by when they were done: {index into `bounds`: count}, periods without any left out."""
    return _each_period(session, bounds, lambda p: _done_in(scope, p).with_only_columns(func.count()).scalar_subquery())


def _raised_in(scope: Scope, period: CTE) -> Select[Any]:
    """Who raised each of the scope's ideas raised in `period`'s row (served by the (scope, created, author) index)."""
    return (
        select(Idea.author_id.label("person"))
        .where(*scope.where(), Idea.created_at >= period.c.s, Idea.created_at < period.c.e)
        .correlate(period)
    )


def _done_in(scope: Scope, period: CTE) -> Select[Any]:
    """Who owns each of the scope's ideas done in `period`'s row (the (scope, done, status, owner) index)."""
    return (
        select(Idea.owner_id.label("person"))
        .where(*scope.where(), Idea.done_at >= period.c.s, Idea.done_at < period.c.e, Idea.status == IdeaStatus.DONE)
        .correlate(period)
    )


def _participation(scope: Scope, since: datetime, until: datetime) -> Select[Any]:
    """Who took part, when: raising an idea, or completing one (as its owner)."""
    raised = select(Idea.author_id.label("person"), Idea.created_at.label("at")).where(
        *scope.where(), Idea.created_at >= since, Idea.created_at < until, Idea.author_id != WALKUP_UNNAMED
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

    def people(period: CTE) -> ScalarSelect[Any]:
        completed = _done_in(scope, period).where(Idea.owner_id.is_not(None))
        raised = _raised_in(scope, period).where(Idea.author_id != WALKUP_UNNAMED)  # nobody to count
        both = union_all(raised, completed).subquery()
        return select(func.count(func.distinct(both.c.person))).scalar_subquery()

    return _each_period(session, bounds, people)


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


def _first_decisions(scope: Scope, start: datetime, end: datetime | None = None) -> Subquery:
    """The scope's ideas whose first decision (approved or not now) was made in [start, end) (`end` None: to
    this day): (idea_id, at, approved_at, created_at): `at` the first decision's time, `approved_at` the first
    approval's in the span (equal to `at` when the first decision approved: of two at one instant, approved
    wins, the first by name), `created_at` the idea's. An idea's first decision is in the span when it has a
    decision there and none before `start`: the span's decisions are found by time ((kind, status, time) index),
    so a short span reads only its own events; a team's among its own ideas' events only (found by idea), where
    a workspace's are most of them."""
    span = [IdeaEvent.kind == EventKind.STATUS, IdeaEvent.at >= literal(start, UtcDateTime())]
    if end is not None:
        span.append(IdeaEvent.at < literal(end, UtcDateTime()))
    if scope.team_id is not None:
        span.append(IdeaEvent.idea_id.in_(select(Idea.id).where(*scope.where())))
    first = (
        select(
            IdeaEvent.idea_id,
            func.min(IdeaEvent.at).label("at"),
            func.min(case((IdeaEvent.to_status == IdeaStatus.APPROVED, IdeaEvent.at))).label("approved_at"),
        )
        .where(*span, IdeaEvent.to_status.in_(DECISIONS))
        .group_by(IdeaEvent.idea_id)
        .subquery()
    )
    earlier = aliased(IdeaEvent)
    decided_before = select(earlier.id).where(
        earlier.idea_id == first.c.idea_id,
        earlier.kind == EventKind.STATUS,
        earlier.at < literal(start, UtcDateTime()),
        earlier.to_status.in_(DECISIONS),
    )
    return (
        select(first.c.idea_id, first.c.at, first.c.approved_at, Idea.created_at)
        .join(Idea, Idea.id == first.c.idea_id)
        .where(*scope.where(), ~decided_before.exists())
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
    rows = _first_decisions(scope, bounds[0][0], bounds[-1][1])
    result = session.execute(_medians(rows, _period_of(rows.c.at, bounds), _decision_days(rows)))
    return {int(period): (float(median), int(size)) for period, median, size in result}


def decisions_since(session: Session, scope: Scope, since: datetime) -> tuple[int, int, float | None]:
    """(approved, not now, median days to the first decision) of the first decisions made since `since`, in one
    pass: the decisions numbered in order of days, with their totals alongside, keep only the middle one or two."""
    rows = _first_decisions(scope, since)
    approved = case((rows.c.approved_at == rows.c.at, 1), else_=0)
    recent = select(_decision_days(rows).label("days"), approved.label("approved")).subquery()
    ranked = select(
        recent.c.days,
        func.row_number().over(order_by=recent.c.days).label("position"),
        func.count().over().label("size"),
        func.sum(recent.c.approved).over().label("approved"),
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
    # Each idea's first change is looked up once, by the (idea, kind, time) index, inside the UNION ALL (which
    # neither database merges into the CASE below: a correlated subquery merged there would run for each mention).
    last_threshold = literal(moments[-1][1], UtcDateTime())
    left_new = aliased(IdeaEvent)
    raised_done = aliased(IdeaEvent)
    # Raised done ("just did it") is rare: those ideas are listed once, not looked for idea by idea.
    done_when_raised = select(raised_done.idea_id).where(
        raised_done.kind == EventKind.CREATED, raised_done.to_status != IdeaStatus.NEW
    )
    first_change = (
        select(func.min(left_new.at))
        .where(left_new.idea_id == Idea.id, left_new.kind == EventKind.STATUS)
        .correlate(Idea)
        .scalar_subquery()
    )
    since_raised = select(Idea.created_at.label("since"), first_change.label("until")).where(
        *scope.where(), Idea.created_at < last_threshold, Idea.id.not_in(done_when_raised)
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
    last_moment = literal(moments[-1][0], UtcDateTime())
    # From the first moment whose threshold the spell began before; until the first moment it had ended by.
    counts_from = _first_at_or_after(spells.c.since, [threshold for _moment, threshold in moments], strict=True)
    ended = case(
        (or_(spells.c.until.is_(None), spells.c.until > last_moment), literal(len(moments))),
        else_=_first_at_or_after(spells.c.until, [moment for moment, _threshold in moments], strict=False),
    )
    # Spells that ended by the first moment come out with `ended` 0 and are skipped below; a WHERE on `until` here
    # would be pushed into the spells' subqueries and look each idea's first change up again.
    rows = session.execute(
        select(counts_from.label("counts_from"), ended.label("ended"), func.count()).group_by(counts_from, ended)
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
    """The teams a scope covers: its one team, its tier tree's teams, or every team of its workspace."""
    if scope.team_id is not None:
        return list(scope.tree) if scope.tree else [scope.team_id]
    return list(session.scalars(select(Team.id).where(Team.workspace_id == scope.workspace_id).order_by(Team.id)))
