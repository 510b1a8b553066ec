"""The complete periods of a scope's series, kept in the store (`MeasurePeriods`) so that every process (serving and
worker) and every restart finds them counted: read one, store one, forget them. What they hold and when they still
hold is `bot.measures.series`'s business; here they are rows.

Storing is an upsert (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike): two processes that count the
same scope at once both succeed, and the row written last stays; both were valid when counted. What tells whether
they still hold (`marks`, `ideas_up_to`, `past_changed`) reads the ideas and events written since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import changed_rows
from storage.measures import Scope
from storage.models import Idea, IdeaEvent, IdeaStatus, UtcDateTime
from storage.models_measures import MeasurePeriods
from storage.models_tiers import Escalation

_KEY = ("workspace_id", "scope", "period")


@dataclass(frozen=True)
class KeptPeriods:
    """One scope's complete periods of one kind, as counted with the store at `marks` (newest idea id, newest idea
    event id) when the scope had `ideas` (ideas up to the idea mark, how many of them with an owner).

    `zone` (an IANA name) and `nudge_days` are what they were counted for; `version` how; `calendar` a digest of the
    periods' UTC bounds; `first_start` the first period's local start (None: no complete period); `values` {series
    name: one value per period, None for a gap}; `decisions` the first decisions per period. Every list has
    `periods` items."""

    zone: str
    nudge_days: int
    version: int
    calendar: str
    first_start: date | None
    periods: int
    marks: tuple[int, int]
    ideas: tuple[int, int]
    values: dict[str, list[float | None]]
    decisions: list[int]


def load(session: Session, workspace_id: str, scope: str, period: str) -> KeptPeriods | None:
    """The kept periods of (`workspace_id`, `scope` as `Scope.key` names it, `period` kind); None when none are kept
    or the row is not whole (a list of another length than its period count: then it is counted again)."""
    row = session.execute(
        select(MeasurePeriods).where(
            MeasurePeriods.workspace_id == workspace_id, MeasurePeriods.scope == scope, MeasurePeriods.period == period
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    counts: dict[str, Any] = row.counts if isinstance(row.counts, dict) else {}
    values, decisions = counts.get("values"), counts.get("decisions")
    if not isinstance(values, dict) or not isinstance(decisions, list) or len(decisions) != row.periods:
        return None
    if any(not isinstance(one, list) or len(one) != row.periods for one in values.values()):
        return None
    return KeptPeriods(
        zone=row.zone,
        nudge_days=row.nudge_days,
        version=row.version,
        calendar=row.calendar,
        first_start=row.first_start,
        periods=row.periods,
        marks=(row.idea_mark, row.event_mark),
        ideas=(row.ideas, row.owned),
        values={str(name): [None if v is None else float(v) for v in one] for name, one in values.items()},
        decisions=[int(one) for one in decisions],
    )


def store(session: Session, workspace_id: str, scope: str, period: str, kept: KeptPeriods, at: datetime) -> None:
    """Keep `kept` as the periods of (`workspace_id`, `scope`, `period`), replacing whatever was kept there (any
    zone, nudge days or version): one row per key. `at` (aware) is when, for people reading the table."""
    row: dict[str, Any] = {
        "workspace_id": workspace_id,
        "scope": scope,
        "period": period,
        "zone": kept.zone,
        "nudge_days": kept.nudge_days,
        "version": kept.version,
        "calendar": kept.calendar,
        "first_start": kept.first_start,
        "periods": kept.periods,
        "idea_mark": kept.marks[0],
        "event_mark": kept.marks[1],
        "ideas": kept.ideas[0],
        "owned": kept.ideas[1],
        "counts": {"values": kept.values, "decisions": kept.decisions},
        "stored_at": at,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MeasurePeriods).values(row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(_KEY),
            set_={name: statement.excluded[name] for name in row if name not in _KEY},
        )
    )


def forget(session: Session, workspace_id: str | None = None) -> int:
    """Drop the kept periods of one workspace (None: of every workspace), so they are counted again from the
    start; how many rows went."""
    statement = delete(MeasurePeriods)
    if workspace_id is not None:
        statement = statement.where(MeasurePeriods.workspace_id == workspace_id)
    return changed_rows(session.execute(statement))


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
    done idea of the scope reopened (its done week no longer counts it), or an event dated before it of an idea
    escalated to one of the scope's teams (the escalated ideas waiting). Reads only rows written after the marks,
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
    held = select(Escalation.idea_id).where(Escalation.idea_id.in_(touched), scope.holds(Escalation.to_team_id))
    mine = select(Idea.id).where(*scope.where(), Idea.id.in_(touched))
    return bool(session.execute(select(union_all(mine, held).exists())).scalar_one())
