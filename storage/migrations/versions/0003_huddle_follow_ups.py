"""Huddle follow-ups (digest, weekly chart) tracked per posted slot

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("huddle_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_until", storage.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("followed_up_at", storage.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("huddle_posts", schema=None) as batch_op:
        batch_op.drop_column("followed_up_at")
        batch_op.drop_column("follow_up_until")
