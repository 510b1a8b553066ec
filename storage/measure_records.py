"""What people record for the measures, as opposed to what is measured: the limit steps of a scope's charts (a
leader's rebase, a shift found in the data, either undone later) and teams' headcounts over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import changed_rows
from storage.measures import Scope
from storage.models_measures import MeasureStep, TeamHeadcount


def steps(session: Session, scope: Scope) -> list[MeasureStep]:
    """Every stored step of the scope, undone ones included, oldest first."""
    return list(
        session.scalars(
            select(MeasureStep)
            .where(MeasureStep.workspace_id == scope.workspace_id, MeasureStep.scope == scope.key)
            .order_by(MeasureStep.created_at, MeasureStep.id)
        )
    )


def save_step(session: Session, step: MeasureStep) -> MeasureStep:
    """Store `step`; the same step (scope, series, kind, start) stored before is revived with the new note
    instead (one row per step, so a rebase can be made again after an undo). Returns the stored row."""
    existing = session.scalars(
        select(MeasureStep).where(
            MeasureStep.workspace_id == step.workspace_id,
            MeasureStep.scope == step.scope,
            MeasureStep.series == step.series,
            MeasureStep.kind == step.kind,
            MeasureStep.starts_on == step.starts_on,
        )
    ).one_or_none()
    if existing is None:
        try:
            with session.begin_nested():
                session.add(step)
            return step
        except IntegrityError:  # stored by a concurrent request in between: revive that one
            return save_step(session, step)
    existing.note, existing.side = step.note, step.side
    existing.created_by, existing.created_at = step.created_by, step.created_at
    existing.undone_at = existing.undone_by = None
    return existing


def add_found_shift(session: Session, step: MeasureStep) -> bool:
    """Record an automatic shift unless that step is stored already (undone or not); True when added."""
    try:
        with session.begin_nested():
            session.add(step)
        return True
    except IntegrityError:
        return False


def undo_latest_step(session: Session, scope: Scope, at: datetime, by: str) -> MeasureStep | None:
    """Mark the scope's most recently made step that is not undone as undone; None when there is none."""
    latest = session.scalars(
        select(MeasureStep)
        .where(
            MeasureStep.workspace_id == scope.workspace_id,
            MeasureStep.scope == scope.key,
            MeasureStep.undone_at.is_(None),
        )
        .order_by(MeasureStep.created_at.desc(), MeasureStep.id.desc())
        .limit(1)
    ).one_or_none()
    if latest is None:
        return None
    done = session.execute(
        update(MeasureStep)
        .where(MeasureStep.id == latest.id, MeasureStep.undone_at.is_(None))
        .values(undone_at=at, undone_by=by)
    )
    return latest if changed_rows(done) else None


def headcounts(session: Session, team_ids: Sequence[int]) -> list[TeamHeadcount]:
    """The headcount history of the teams, by team then start date."""
    if not team_ids:
        return []
    return list(
        session.scalars(
            select(TeamHeadcount)
            .where(TeamHeadcount.team_id.in_(team_ids))
            .order_by(TeamHeadcount.team_id, TeamHeadcount.starts_on)
        )
    )


def set_headcount(session: Session, team_id: int, starts_on: date, headcount: int, by: str, at: datetime) -> None:
    """The team's headcount from `starts_on` on (replacing one set for the same date)."""
    row = session.get(TeamHeadcount, (team_id, starts_on))
    if row is None:
        session.add(TeamHeadcount(team_id=team_id, starts_on=starts_on, headcount=headcount, set_by=by, set_at=at))
    else:
        row.headcount, row.set_by, row.set_at = headcount, by, at
