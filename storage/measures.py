"""The measures, in SQL: counts per week and the first decisions, filtered and grouped by the database.

Weeks are given as UTC instants (the caller turns the team's local ISO weeks into them, daylight saving
included); each count is one pass over the rows of the whole range, each row's week found by a CASE over the
week ends, which works the same on SQLite and PostgreSQL and uses the (scope, time) indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from storage.models import EventKind, Idea, IdeaEvent, IdeaStatus, UtcDateTime

DECISIONS = (IdeaStatus.APPROVED, IdeaStatus.NOT_NOW)


@dataclass(frozen=True)
class Scope:
    """Which ideas count: one team's, or a whole workspace's."""

    workspace_id: str
    team_id: int | None = None

    def where(self) -> list[ColumnElement[bool]]:
        conditions = [Idea.workspace_id == self.workspace_id]
        if self.team_id is not None:
            conditions.append(Idea.team_id == self.team_id)
        return conditions


def _week_of(column: Any, bounds: Sequence[tuple[datetime, datetime]]) -> Any:
    """The index of the week a time falls in (weeks are consecutive): one pass over the rows of the range."""
    return case(*[(column < literal(end, UtcDateTime()), index) for index, (_start, end) in enumerate(bounds)])


def _in_weeks(column: Any, bounds: Sequence[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    return and_(column >= literal(bounds[0][0], UtcDateTime()), column < literal(bounds[-1][1], UtcDateTime()))


def _per_week(
    session: Session, query: Select[Any], bounds: Sequence[tuple[datetime, datetime]], *, distinct: str | None = None
) -> dict[int, int]:
    """Count rows of `query` (which has a column `at`) per week; `distinct` counts distinct values instead."""
    if not bounds:
        return {}
    rows = query.subquery()
    counted = func.count(func.distinct(rows.c[distinct])) if distinct is not None else func.count()
    week = _week_of(rows.c.at, bounds).label("week")
    result = session.execute(select(week, counted).where(_in_weeks(rows.c.at, bounds)).group_by(week))
    return {int(week): int(count) for week, count in result}


def raised_per_week(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    query = select(Idea.created_at.label("at")).where(*scope.where(), _in_weeks(Idea.created_at, bounds))
    return _per_week(session, query, bounds)


def done_per_week(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    query = select(Idea.done_at.label("at")).where(
        *scope.where(), Idea.status == IdeaStatus.DONE, _in_weeks(Idea.done_at, bounds)
    )
    return _per_week(session, query, bounds)


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


def participants_per_week(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> dict[int, int]:
    if not bounds:
        return {}
    return _per_week(session, _participation(scope, bounds[0][0], bounds[-1][1]), bounds, distinct="person")


def participants_since(session: Session, scope: Scope, since: datetime) -> int:
    rows = _participation(scope, since, datetime.max.replace(tzinfo=UTC)).subquery()
    return int(session.execute(select(func.count(func.distinct(rows.c.person)))).scalar_one())


def done_since(session: Session, scope: Scope, since: datetime) -> int:
    return int(
        session.execute(
            select(func.count()).where(*scope.where(), Idea.status == IdeaStatus.DONE, Idea.done_at >= since)
        ).scalar_one()
    )


def _first_decisions(scope: Scope) -> Any:
    """Each idea's first decision (approved or not now): when, its outcome, and when the idea was raised."""
    first = (
        select(IdeaEvent.idea_id.label("idea_id"), func.min(IdeaEvent.at).label("at"))
        .where(IdeaEvent.kind == EventKind.STATUS, IdeaEvent.to_status.in_(DECISIONS))
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
        .where(*scope.where())
        .subquery()
    )


def decisions_per_week(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> list[tuple[int, datetime, datetime]]:
    """(week, decided at, created at) of each first decision in the weeks: the caller takes the medians."""
    if not bounds:
        return []
    rows = _first_decisions(scope)
    week = _week_of(rows.c.at, bounds)
    result = session.execute(select(week, rows.c.at, rows.c.created_at).where(_in_weeks(rows.c.at, bounds)))
    return [(int(week), at, created) for week, at, created in result]


def decisions_since(session: Session, scope: Scope, since: datetime) -> list[tuple[str, datetime, datetime]]:
    """(outcome, decided at, created at) of the first decisions made since `since`."""
    rows = _first_decisions(scope)
    result = session.execute(select(rows.c.to_status, rows.c.at, rows.c.created_at).where(rows.c.at >= since))
    return [(str(status), at, created) for status, at, created in result]
