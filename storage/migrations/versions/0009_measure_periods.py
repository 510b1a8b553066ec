"""The measures' complete periods kept in the store (issue 16): one row per (workspace, scope, period kind), so the
first `/kaizen stats` after a restart, and every process, finds them counted

Derived data only: downgrading drops the table, and the periods are counted again when needed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_periods",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("nudge_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("calendar", sa.String(length=64), nullable=False),
        sa.Column("first_start", sa.Date(), nullable=True),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("idea_mark", sa.Integer(), nullable=False),
        sa.Column("event_mark", sa.Integer(), nullable=False),
        sa.Column("ideas", sa.Integer(), nullable=False),
        sa.Column("owned", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("stored_at", storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "scope", "period", name=op.f("pk_measure_periods")),
    )


def downgrade() -> None:
    op.drop_table("measure_periods")
