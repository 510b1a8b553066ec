"""Indexes for the measures: ideas by (team or workspace, time), status events by target status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDEA_INDEXES = {
    "ix_ideas_team_created": ["team_id", "created_at"],
    "ix_ideas_workspace_created": ["workspace_id", "created_at"],
    "ix_ideas_team_done": ["team_id", "done_at"],
    "ix_ideas_workspace_done": ["workspace_id", "done_at"],
}


def upgrade() -> None:
    for name, columns in IDEA_INDEXES.items():
        op.create_index(name, "ideas", columns)
    op.create_index("ix_idea_events_decisions", "idea_events", ["kind", "to_status", "idea_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_idea_events_decisions", table_name="idea_events")
    for name in IDEA_INDEXES:
        op.drop_index(name, table_name="ideas")
