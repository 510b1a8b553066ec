"""The complete periods of a scope's series, kept in the store (`MeasurePeriods`) so that every process (serving and
worker) and every restart finds them counted: read one, store one, forget them. What they hold and when they still
hold is `bot.measures.series`'s business; here they are rows.

Storing is an upsert (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike): two processes that count the
same scope at once both succeed, and the row written last stays; both were valid when counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import changed_rows
from storage.models_measures import MeasurePeriods

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
