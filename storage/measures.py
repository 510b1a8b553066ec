"""The measures, in SQL: counts per week and the first decisions, filtered and grouped by the database.

Weeks are given as UTC instants (the caller turns the team's local ISO weeks into them, daylight saving
included) and joined as a small table, which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

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


def _weeks(bounds: Sequence[tuple[datetime, datetime]]) -> Any:
    rows = [
        select(
            literal(index).label("week"),
            literal(start, UtcDateTime()).label("start"),
            literal(end, UtcDateTime()).label("end"),
        )
        for index, (start, end) in enumerate(bounds)
    ]
    return union_all(*rows).cte("weeks")


def _per_week(session: Session, query: Select[Any], weeks: Any, at: Any, *, distinct: Any = None) -> dict[int, int]:
    """Count rows of `query` (which has a column `at`) per week; `distinct` counts distinct values instead."""
    rows = query.subquery()
    counted = func.count(func.distinct(rows.c[distinct])) if distinct is not None else func.count()
    result = session.execute(
        select(weeks.c.week, counted)
        .select_from(rows)
        .join(weeks, and_(rows.c[at] >= weeks.c.start, rows.c[at] < weeks.c.end))
        .group_by(weeks.c.week)
    )
    return {int(week): int(count) for week, count in result}


def raised_per_week(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    weeks = _weeks(bounds)
    return _per_week(session, select(Idea.created_at.label("at")).where(*scope.where()), weeks, "at")


def done_per_week(session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]) -> dict[int, int]:
    weeks = _weeks(bounds)
    query = select(Idea.done_at.label("at")).where(*scope.where(), Idea.status == IdeaStatus.DONE)
    return _per_week(session, query, weeks, "at")


def _participation(scope: Scope) -> Select[Any]:
    """Who took part, when: raising an idea, or completing one (as its owner)."""
    raised = select(Idea.author_id.label("person"), Idea.created_at.label("at")).where(*scope.where())
    completed = select(Idea.owner_id.label("person"), Idea.done_at.label("at")).where(
        *scope.where(), Idea.status == IdeaStatus.DONE, Idea.owner_id.is_not(None)
    )
    return select(union_all(raised, completed).subquery())


def participants_per_week(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> dict[int, int]:
    weeks = _weeks(bounds)
    return _per_week(session, _participation(scope), weeks, "at", distinct="person")


def participants_since(session: Session, scope: Scope, since: datetime) -> int:
    rows = _participation(scope).subquery()
    return int(session.execute(select(func.count(func.distinct(rows.c.person))).where(rows.c.at >= since)).scalar_one())


def done_since(session: Session, scope: Scope, since: datetime) -> int:
    return int(
        session.execute(
            select(func.count()).where(*scope.where(), Idea.status == IdeaStatus.DONE, Idea.done_at >= since)
        ).scalar_one()
    )


def _first_decisions(scope: Scope) -> Select[Any]:
    """Each idea's first decision (approved or not now): its time, its outcome and when the idea was raised."""
    earlier = aliased(IdeaEvent)
    first = IdeaEvent
    return (
        select(first.at.label("at"), first.to_status.label("to_status"), Idea.created_at.label("created_at"))
        .join(Idea, Idea.id == first.idea_id)
        .where(
            *scope.where(),
            first.kind == EventKind.STATUS,
            first.to_status.in_(DECISIONS),
            ~exists().where(
                earlier.idea_id == first.idea_id,
                earlier.kind == EventKind.STATUS,
                earlier.to_status.in_(DECISIONS),
                (earlier.at < first.at) | ((earlier.at == first.at) & (earlier.id < first.id)),
            ),
        )
    )


def decisions_per_week(
    session: Session, scope: Scope, bounds: Sequence[tuple[datetime, datetime]]
) -> list[tuple[int, datetime, datetime]]:
    """(week, decided at, created at) of each first decision in the weeks: the caller takes the medians."""
    weeks = _weeks(bounds)
    rows = _first_decisions(scope).subquery()
    result = session.execute(
        select(weeks.c.week, rows.c.at, rows.c.created_at).join(
            weeks, and_(rows.c.at >= weeks.c.start, rows.c.at < weeks.c.end)
        )
    )
    return [(int(week), at, created) for week, at, created in result]


def decisions_since(session: Session, scope: Scope, since: datetime) -> list[tuple[str, datetime, datetime]]:
    """(outcome, decided at, created at) of the first decisions made since `since`."""
    rows = _first_decisions(scope).subquery()
    result = session.execute(select(rows.c.to_status, rows.c.at, rows.c.created_at).where(rows.c.at >= since))
    return [(str(status), at, created) for status, at, created in result]
