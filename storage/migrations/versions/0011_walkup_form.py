"""The walk-up form (issue 19): each team's form addresses (hashed tokens), what waits for a leader's Accept, the
store's own secrets, and the name an idea is credited to when no Slack user raised it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE: a column of no index or constraint is added in place on SQLite (see 0007).
    op.add_column("ideas", sa.Column("credited_name", sa.String(length=80), nullable=True))
    op.create_table(
        "walkup_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", storage.models.UtcDateTime(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_walkup_forms_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walkup_forms")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_walkup_forms_token_hash")),
    )
    op.create_index("ix_walkup_forms_team", "walkup_forms", ["team_id", "revoked_at"], unique=False)
    op.create_table(
        "walkup_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("idea", sa.Text(), nullable=True),
        sa.Column("credited_name", sa.String(length=80), nullable=True),
        sa.Column("vouched", sa.Boolean(), nullable=False),
        sa.Column("received_at", storage.models.UtcDateTime(), nullable=False),
        sa.Column("taken_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_walkup_submissions_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walkup_submissions")),
    )
    op.create_index("ix_walkup_submissions_team", "walkup_submissions", ["team_id"], unique=False)
    op.create_table(
        "walkup_spent_tokens",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("spent_at", storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_walkup_spent_tokens")),
    )
    op.create_index("ix_walkup_spent_tokens_at", "walkup_spent_tokens", ["spent_at"], unique=False)
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
    op.drop_index("ix_walkup_spent_tokens_at", table_name="walkup_spent_tokens")
    op.drop_table("walkup_spent_tokens")
    op.drop_index("ix_walkup_submissions_team", table_name="walkup_submissions")
    op.drop_table("walkup_submissions")
    op.drop_index("ix_walkup_forms_team", table_name="walkup_forms")
    op.drop_table("walkup_forms")
    op.drop_column("ideas", "credited_name")
