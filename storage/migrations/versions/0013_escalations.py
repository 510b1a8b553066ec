"""Escalations (issue 20): each hop of an idea up the tiers, with its reason, how it ended and its card in the upper
channel

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ideas", sa.Column("escalated_at", storage.models.UtcDateTime(), nullable=True))
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("from_team_id", sa.Integer(), nullable=False),
        sa.Column("to_team_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("escalated_by", sa.String(length=32), nullable=False),
        sa.Column("escalated_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("ended_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(length=32), nullable=True),
        sa.Column("ended_how", sa.String(length=16), nullable=True),
        sa.Column("end_note", sa.Text(), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("card_synced_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_escalations_idea_id_ideas")),
        sa.ForeignKeyConstraint(["from_team_id"], ["teams.id"], name=op.f("fk_escalations_from_team_id_teams")),
        sa.ForeignKeyConstraint(["to_team_id"], ["teams.id"], name=op.f("fk_escalations_to_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index("ix_escalations_idea", "escalations", ["idea_id", "ended_at"], unique=False)
    op.create_index("ix_escalations_to_team", "escalations", ["to_team_id", "ended_at"], unique=False)
    op.create_index("ix_escalations_card_ts", "escalations", ["card_ts"], unique=False)
    # At most one open hop per idea: two leaders escalating it at once make one hop.
    op.create_index(
        "uq_escalations_open_hop", "escalations", ["idea_id"], unique=True,
        sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_escalations_open_hop", table_name="escalations")
    op.drop_index("ix_escalations_card_ts", table_name="escalations")
    op.drop_index("ix_escalations_to_team", table_name="escalations")
    op.drop_index("ix_escalations_idea", table_name="escalations")
    op.drop_table("escalations")
    op.drop_column("ideas", "escalated_at")
