"""Privacy, part 2 (issue 18): when retention removed an idea's text, replies in Slack still to be updated,
people's requests to be forgotten, and the daily retention run's claim

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE: a column of no index or constraint is added in place on SQLite (see 0007).
    op.add_column("ideas", sa.Column("text_removed_at", storage.models.UtcDateTime(), nullable=True))
    op.add_column("outbox", sa.Column("stale_since", storage.models.UtcDateTime(), nullable=True))
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("delete_text", sa.Boolean(), nullable=False),
        sa.Column("requested_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("carried_out_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index("ix_erasure_requests_user", "erasure_requests", ["user_id"], unique=False)
    op.create_table(
        "retention_runs",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claim", sa.String(length=64), nullable=True),
        sa.Column("claim_until", storage.models.UtcDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("finished_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_retention_runs")),
    )


def downgrade() -> None:
    op.drop_table("retention_runs")
    op.drop_index("ix_erasure_requests_user", table_name="erasure_requests")
    op.drop_table("erasure_requests")
    op.drop_column("outbox", "stale_since")
    op.drop_column("ideas", "text_removed_at")
