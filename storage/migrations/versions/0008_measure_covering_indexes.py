"""Indexes that serve the measures alone (issue 16): ideas by (team or workspace, time) carry who raised or completed
them and the status, the waiting ideas by (workspace, status, time), status events by (kind, status, time)

Each replaces an index it extends (the same leading columns), so no query loses an index and a write maintains as
many as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the new index, its columns, the index it replaces, that one's columns)
REPLACED = (
    ("ideas", "ix_ideas_team_created_author", ["team_id", "created_at", "author_id"],
     "ix_ideas_team_created", ["team_id", "created_at"]),
    ("ideas", "ix_ideas_workspace_created_author", ["workspace_id", "created_at", "author_id"],
     "ix_ideas_workspace_created", ["workspace_id", "created_at"]),
    ("ideas", "ix_ideas_team_done_owner", ["team_id", "done_at", "status", "owner_id"],
     "ix_ideas_team_done", ["team_id", "done_at"]),
    ("ideas", "ix_ideas_workspace_done_owner", ["workspace_id", "done_at", "status", "owner_id"],
     "ix_ideas_workspace_done", ["workspace_id", "done_at"]),
    ("ideas", "ix_ideas_workspace_status_created", ["workspace_id", "status", "created_at"],
     "ix_ideas_workspace_status", ["workspace_id", "status"]),
    ("idea_events", "ix_idea_events_status_at", ["kind", "to_status", "at", "idea_id"],
     "ix_idea_events_decisions", ["kind", "to_status", "idea_id", "at"]),
)  # fmt: skip


def upgrade() -> None:
    # One transaction (storage.migrate): the tables take no writes while the indexes build, seconds at 200,000 ideas.
    for table, name, columns, old, _old_columns in REPLACED:
        op.create_index(name, table, columns)
        op.drop_index(old, table_name=table)


def downgrade() -> None:
    for table, name, _columns, old, old_columns in reversed(REPLACED):
        op.create_index(old, table, old_columns)
        op.drop_index(name, table_name=table)
