"""A team's language: the language its channel posts (cards, huddles, thread replies) are written in; NULL for the
bot's default (KAIZEN_LANGUAGE)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: SQLite (3.35+) adds and drops a column of no index or constraint in place, where a
# batch would copy and drop `teams`, which ideas and leaders point at (refused while foreign keys are enforced).
def upgrade() -> None:
    op.add_column("teams", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("teams", "language")
