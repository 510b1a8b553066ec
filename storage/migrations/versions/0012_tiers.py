"""Tiers (issue 20): each team may name the team one tier up (`/kaizen tier up #channel`), who named it and when

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (in place on SQLite, see 0007): no foreign key constraint, which SQLite cannot add
    # to a table in place; teams are never deleted, and the writer (storage.tiers) links only teams it has read.
    op.add_column("teams", sa.Column("upper_team_id", sa.Integer(), nullable=True))
    op.add_column("teams", sa.Column("upper_set_by", sa.String(length=32), nullable=True))
    op.add_column("teams", sa.Column("upper_set_at", storage.models.UtcDateTime(), nullable=True))
    op.create_index("ix_teams_upper_team", "teams", ["upper_team_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_teams_upper_team", table_name="teams")
    op.drop_column("teams", "upper_set_at")
    op.drop_column("teams", "upper_set_by")
    op.drop_column("teams", "upper_team_id")
