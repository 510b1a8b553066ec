"""Workspace settings and OAuth installations

Per-workspace leaders, leader group and approve emoji; the tables slack_sdk's SQLAlchemy installation and OAuth
state stores read and write (slack_installations, slack_bots, slack_oauth_states). Their schema is written out here,
frozen as slack_sdk 3.48's table builders define it, so that this migration creates the same tables whatever
slack_sdk is installed later (storage/ imports nothing of Slack). tests/test_migrations_0002.py compares them with
what slack_sdk's builders make today.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:37:27
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Widths slack_sdk gives its text columns.
SLACK_ID = 32  # ids of apps, organisations, workspaces, users and bots, the app's client id, the token type
TEXT = 200  # names, tokens, URLs, OAuth state values
SCOPES = 1000  # comma-separated scope lists


def _id() -> sa.Column[Any]:
    """The row's own key, an integer the database numbers."""
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _text(name: str, width: int, *, required: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(width), nullable=not required)


def _when(name: str, *, required: bool = False) -> sa.Column[Any]:
    """A time without time zone (slack_sdk stores naive UTC)."""
    return sa.Column(name, sa.DateTime(), nullable=not required)


def _app() -> list[sa.Column[Any]]:
    return [_text("client_id", SLACK_ID, required=True), _text("app_id", SLACK_ID, required=True)]


def _organisation(*, with_url: bool) -> list[sa.Column[Any]]:
    columns = [_text("enterprise_id", SLACK_ID), _text("enterprise_name", TEXT)]
    return [*columns, _text("enterprise_url", TEXT)] if with_url else columns


def _workspace() -> list[sa.Column[Any]]:
    return [_text("team_id", SLACK_ID), _text("team_name", TEXT)]


def _bot() -> list[sa.Column[Any]]:
    """The bot user and its token, with the token's refresh token and expiry (token rotation)."""
    return [
        _text("bot_token", TEXT),
        _text("bot_id", SLACK_ID),
        _text("bot_user_id", SLACK_ID),
        _text("bot_scopes", SCOPES),
        _text("bot_refresh_token", TEXT),
        _when("bot_token_expires_at"),
    ]


def _installer() -> list[sa.Column[Any]]:
    """The user who installed, and the user token granted if user scopes were asked for."""
    return [
        _text("user_id", SLACK_ID, required=True),
        _text("user_token", TEXT),
        _text("user_scopes", SCOPES),
        _text("user_refresh_token", TEXT),
        _when("user_token_expires_at"),
    ]


def _incoming_webhook() -> list[sa.Column[Any]]:
    names = ("url", "channel", "channel_id", "configuration_url")
    return [_text(f"incoming_webhook_{name}", TEXT) for name in names]


# slack_sdk also gives is_enterprise_install and installed_at defaults (False and now()), but on its side, in
# Python, when it inserts: they are not in its tables' DDL, so there is no server default to freeze here.
def _org_wide() -> sa.Column[Any]:
    return sa.Column("is_enterprise_install", sa.Boolean(), nullable=False)


def _installed_at() -> sa.Column[Any]:
    return _when("installed_at", required=True)


def _oauth_metadata() -> sa.MetaData:
    """The three tables, in slack_sdk's column order, each lookup index named after its table like slack_sdk's."""
    metadata = sa.MetaData()
    sa.Table(
        "slack_installations",
        metadata,
        _id(),
        *_app(),
        *_organisation(with_url=True),
        *_workspace(),
        *_bot(),
        *_installer(),
        *_incoming_webhook(),
        _org_wide(),
        _text("token_type", SLACK_ID),
        _installed_at(),
        sa.Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
    )
    sa.Table(
        "slack_bots",
        metadata,
        _id(),
        *_app(),
        *_organisation(with_url=False),
        *_workspace(),
        *_bot(),
        _org_wide(),
        _installed_at(),
        sa.Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
    )
    sa.Table(
        "slack_oauth_states",
        metadata,
        _id(),
        _text("state", TEXT, required=True),
        _when("expire_at", required=True),
    )
    return metadata


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaders", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("leader_group", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("approve_emoji", sa.String(length=100), nullable=True))
    # As before: create_all and drop_all check first, so a table already there (made by slack_sdk's own
    # create_tables, say) is left as it is, and downgrade drops only those that exist.
    _oauth_metadata().create_all(bind=op.get_bind())


def downgrade() -> None:
    _oauth_metadata().drop_all(bind=op.get_bind())
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("approve_emoji")
        batch_op.drop_column("leader_group")
        batch_op.drop_column("leaders")
