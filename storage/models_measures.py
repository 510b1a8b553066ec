"""The measures' records: where limits start anew (rebases and shifts), each team's headcount history, and the
complete periods of each scope's series kept for every process (`bot.measures`). Times are UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class MeasureStep(Base):
    """Where a measure's limits start anew: a leader's rebase (all series of a team, or of the workspace, from a
    date, with a note) or an automatic shift (one series, after 8 points in a row on one side), kept as history.
    Undoing sets `undone_at`; the row stays so the history is whole and an undone shift is not redetected."""

    __tablename__ = "measure_steps"
    __table_args__ = (
        UniqueConstraint("workspace_id", "scope", "series", "kind", "starts_on", name="uq_measure_steps_step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.id"))
    scope: Mapped[str] = mapped_column(String(32))  # "team:<id>", "tree:<id>:<digest>" or "workspace"
    series: Mapped[str] = mapped_column(String(32))  # a series name, or "*" (every series) for a rebase
    kind: Mapped[str] = mapped_column(String(16))  # "rebase" | "shift"
    starts_on: Mapped[date] = mapped_column(Date)  # the team's local date the new limits start from
    side: Mapped[str | None] = mapped_column(String(8))  # a shift's side: "above" | "below"
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))  # None: found by the bot (a shift)
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(32))


class TeamHeadcount(Base):
    """A team's headcount from a (local) date on, as a history, so a past rate keeps its denominator."""

    __tablename__ = "team_headcounts"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True)
    headcount: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime]


class MeasurePeriods(Base):
    """The complete periods of one scope's series, counted once and kept for every process (`bot.measures.series`):
    derived data, recounted whenever it no longer holds. One row per (workspace, scope, period kind): the zone and
    nudge days it was counted for are columns, so a team's new time zone replaces its row and the table stays as
    small as the scopes. Valid while nothing written after `idea_mark`/`event_mark` changed the past and the idea
    counts agree (`storage.measure_periods.past_changed`); `version` names how it was counted (rows of another
    version are recounted)."""

    __tablename__ = "measure_periods"

    workspace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)  # "team:<id>", "tree:<id>:<digest>", "workspace"
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # "week" | "fortnight" | "month"
    zone: Mapped[str] = mapped_column(String(64))
    nudge_days: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(64))  # a digest of the periods' UTC bounds (tz data changes)
    first_start: Mapped[date | None] = mapped_column(Date)  # the first complete period's local start
    periods: Mapped[int] = mapped_column(Integer)  # how many complete periods the values hold
    idea_mark: Mapped[int] = mapped_column(Integer)
    event_mark: Mapped[int] = mapped_column(Integer)
    ideas: Mapped[int] = mapped_column(Integer)  # the scope's ideas up to idea_mark
    owned: Mapped[int] = mapped_column(Integer)  # how many of those had an owner
    # {series name: [value or null (a gap) per period], "decisions": [first decisions per period]}
    counts: Mapped[dict[str, list[float | None]]] = mapped_column(JSON)
    stored_at: Mapped[datetime]
