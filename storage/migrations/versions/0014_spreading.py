"""Spreading what works (issue 21): a done idea offered to other teams, their answers and the copies they try

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ideas", sa.Column("spread_at", storage.models.UtcDateTime(), nullable=True))
    # An idea's id, without a constraint (SQLite cannot add one to a table; like teams.upper_team_id).
    op.add_column("ideas", sa.Column("copied_from_id", sa.Integer(), nullable=True))
    op.create_table(
        "spreads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("offered_by", sa.String(length=32), nullable=False),
        sa.Column("offered_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("card_synced_version", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("answered_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("copy_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_spreads_idea_id_ideas")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_spreads_team_id_teams")),
        sa.ForeignKeyConstraint(["copy_id"], ["ideas.id"], name=op.f("fk_spreads_copy_id_ideas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spreads")),
        sa.UniqueConstraint("idea_id", "team_id", name="uq_spreads_idea_team"),
    )
    op.create_index("ix_spreads_copy", "spreads", ["copy_id"], unique=False)
    op.create_index("ix_spreads_card_ts", "spreads", ["card_ts"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_spreads_card_ts", table_name="spreads")
    op.drop_index("ix_spreads_copy", table_name="spreads")
    op.drop_table("spreads")
    op.drop_column("ideas", "copied_from_id")
    op.drop_column("ideas", "spread_at")
