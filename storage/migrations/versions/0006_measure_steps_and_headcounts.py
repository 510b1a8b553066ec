"""Measures: stored limit steps (rebases and automatic shifts, with undo), team headcounts from a date, and an
index of each idea's events by kind and time (when it left or re-entered "new", for the waiting stock), and
one of a workspace's ideas by status (its ideas waiting now)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("undone_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_measure_steps_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_steps")),
        sa.UniqueConstraint("workspace_id", "scope", "series", "kind", "starts_on", name="uq_measure_steps_step"),
    )
    op.create_table(
        "team_headcounts",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_team_headcounts_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", "starts_on", name=op.f("pk_team_headcounts")),
    )

    op.create_index("ix_idea_events_idea_kind_at", "idea_events", ["idea_id", "kind", "at", "to_status"])
    op.create_index("ix_ideas_workspace_status", "ideas", ["workspace_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_ideas_workspace_status", table_name="ideas")
    op.drop_index("ix_idea_events_idea_kind_at", table_name="idea_events")
    op.drop_table("team_headcounts")
    op.drop_table("measure_steps")
