"""Workspace settings and OAuth installations

Per-workspace leaders, leader group and approve emoji; slack_sdk's installation, bot and OAuth state tables
(their own schema, built by slack_sdk's table builders so they match what its stores expect).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:37:27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _oauth_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(
        metadata, SQLAlchemyInstallationStore.default_installations_table_name
    )
    SQLAlchemyInstallationStore.build_bots_table(metadata, SQLAlchemyInstallationStore.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, SQLAlchemyOAuthStateStore.default_table_name)
    return metadata


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaders", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("leader_group", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("approve_emoji", sa.String(length=100), nullable=True))
    _oauth_metadata().create_all(bind=op.get_bind())


def downgrade() -> None:
    _oauth_metadata().drop_all(bind=op.get_bind())
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("approve_emoji")
        batch_op.drop_column("leader_group")
        batch_op.drop_column("leaders")
