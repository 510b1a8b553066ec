"""One team per channel (Slack Connect), installations keyed as Slack's requests carry them, paused teams

Before this revision a request from the other organisation in a Slack Connect channel was filed under that
organisation's workspace: a second team row for the same channel, ideas numbered from #1 again. This revision
re-files every such team and its ideas under the installation that first set the channel up, numbering the moved
ideas after that workspace's last number (no number is ever reused), and then makes the channel unique.

It also stores installations saved with an empty key under NULL, the key slack_sdk looks them up by; and it
adds the columns that pause a team whose channel Slack will no longer post to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("kaizen.migrations")


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", storage.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    for line in refile(bind) + rekey_installations(bind):
        log.warning("Migration 0005: %s", line)
    op.create_index("uq_teams_channel", "teams", ["channel_id"], unique=True)
    # SQLite can drop a table's constraint only by copying the table, which its foreign keys forbid inside the
    # upgrade's transaction; there the old (workspace, channel) constraint stays, implied by the new one.
    if bind.dialect.name != "sqlite":
        op.drop_constraint("uq_teams_workspace_channel", "teams", type_="unique")


def downgrade() -> None:
    op.drop_index("uq_teams_channel", table_name="teams")
    if op.get_bind().dialect.name != "sqlite":
        op.create_unique_constraint("uq_teams_workspace_channel", "teams", ["workspace_id", "channel_id"])
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("paused_reason")
        batch_op.drop_column("paused_at")


def _installed_workspaces(bind: sa.Connection) -> set[str]:
    """Workspace ids that are installations (OAuth): their teams are kept when a channel is filed twice."""
    if not sa.inspect(bind).has_table("slack_bots"):
        return set()
    rows = bind.execute(sa.text("SELECT team_id, enterprise_id, is_enterprise_install FROM slack_bots")).all()
    return {str(enterprise if org_wide else team) for team, enterprise, org_wide in rows if (team or enterprise)}


def refile(bind: sa.Connection) -> list[str]:
    """Merge every channel's team rows into the one that first set it up; move ideas filed under another
    workspace than their team's. Returns one line per change, for the log."""
    said: list[str] = []
    installed = _installed_workspaces(bind)
    channels = bind.execute(
        sa.text("SELECT channel_id FROM teams GROUP BY channel_id HAVING COUNT(*) > 1 ORDER BY channel_id")
    ).scalars()
    for channel_id in list(channels):
        teams = bind.execute(
            sa.text("SELECT id, workspace_id FROM teams WHERE channel_id = :c ORDER BY created_at, id"),
            {"c": channel_id},
        ).all()
        keeper = next((t for t in teams if t.workspace_id in installed), teams[0])
        for other in teams:
            if other.id != keeper.id:
                said += _merge_team(bind, channel_id, other.id, other.workspace_id, keeper.id, keeper.workspace_id)
    # An idea filed under another workspace than its team's (the same mistake, where the team was not doubled).
    strays = bind.execute(
        sa.text(
            "SELECT ideas.id, ideas.workspace_id AS from_ws, teams.workspace_id AS to_ws, teams.channel_id "
            "FROM ideas JOIN teams ON teams.id = ideas.team_id WHERE ideas.workspace_id <> teams.workspace_id "
            "ORDER BY ideas.created_at, ideas.id"
        )
    ).all()
    for stray in strays:
        number = _renumber(bind, stray.id, stray.to_ws, None)
        said.append(f"idea {stray.id} of channel {stray.channel_id} re-filed from {stray.from_ws} as #{number}")
    return said


def _merge_team(
    bind: sa.Connection, channel_id: str, team_id: int, from_ws: str, keeper_id: int, to_ws: str
) -> list[str]:
    ideas = bind.execute(
        sa.text("SELECT id, number FROM ideas WHERE team_id = :t ORDER BY created_at, id"), {"t": team_id}
    ).all()
    moves = [(idea.number, _renumber(bind, idea.id, to_ws, keeper_id)) for idea in ideas]
    # Table and column names below are this file's constants, never input.
    ids = {"t": team_id, "k": keeper_id}
    for table, key in (("team_leaders", "user_id"), ("huddle_skips", "day")):
        kept = f"SELECT {key} FROM {table} WHERE team_id = :k"  # noqa: S608
        bind.execute(sa.text(f"DELETE FROM {table} WHERE team_id = :t AND {key} IN ({kept})"), ids)  # noqa: S608
        bind.execute(sa.text(f"UPDATE {table} SET team_id = :k WHERE team_id = :t"), ids)  # noqa: S608
    # A huddle slot the keeper already holds stays the keeper's; the other's record of it goes.
    bind.execute(
        sa.text(
            "DELETE FROM huddle_posts WHERE team_id = :t AND EXISTS (SELECT 1 FROM huddle_posts AS k "
            "WHERE k.team_id = :k AND k.local_date = huddle_posts.local_date AND k.slot = huddle_posts.slot)"
        ),
        {"t": team_id, "k": keeper_id},
    )
    bind.execute(sa.text("UPDATE huddle_posts SET team_id = :k WHERE team_id = :t"), {"t": team_id, "k": keeper_id})
    bind.execute(
        sa.text("UPDATE outbox SET workspace_id = :w WHERE channel_id = :c AND workspace_id = :f"),
        {"w": to_ws, "c": channel_id, "f": from_ws},
    )
    bind.execute(sa.text("DELETE FROM teams WHERE id = :t"), {"t": team_id})
    renumbered = ", ".join(f"#{old}→#{new}" for old, new in moves) or "no ideas"
    merged = f"team {team_id} of workspace {from_ws} merged into team {keeper_id} of {to_ws}"
    return [f"channel {channel_id}: {merged} ({renumbered})"]


def _renumber(bind: sa.Connection, idea_id: int, to_ws: str, team_id: int | None) -> int:
    """Give an idea the next number of `to_ws` (never one used before) and file it there; its card is re-drawn."""
    last = bind.execute(sa.text("SELECT last_idea_number FROM workspaces WHERE id = :w"), {"w": to_ws}).scalar_one()
    number = int(last or 0) + 1
    bind.execute(sa.text("UPDATE workspaces SET last_idea_number = :n WHERE id = :w"), {"n": number, "w": to_ws})
    row = bind.execute(sa.text("SELECT source_channel, source_ts FROM ideas WHERE id = :i"), {"i": idea_id}).one()
    values: dict[str, Any] = {"i": idea_id, "w": to_ws, "n": number}
    clash = (
        row.source_ts is not None
        and bind.execute(
            sa.text("SELECT 1 FROM ideas WHERE workspace_id = :w AND source_channel = :c AND source_ts = :s"),
            {"w": to_ws, "c": row.source_channel, "s": row.source_ts},
        ).first()
    )
    source = ", source_channel = NULL, source_ts = NULL" if clash else ""
    team = ", team_id = :t" if team_id is not None else ""
    if team_id is not None:
        values["t"] = team_id
    bind.execute(
        sa.text(
            f"UPDATE ideas SET workspace_id = :w, number = :n, card_version = card_version + 1{team}{source} "  # noqa: S608
            "WHERE id = :i"
        ),
        values,
    )
    bind.execute(sa.text("UPDATE outbox SET workspace_id = :w WHERE idea_id = :i"), {"w": to_ws, "i": idea_id})
    return number


def rekey_installations(bind: sa.Connection) -> list[str]:
    """Installations stored with an empty key ('' for "no organisation" or "no workspace") are stored with NULL,
    the key slack_sdk's stores look them up by (`IS NULL`), so that each is found under the keys Slack's
    requests carry."""
    said: list[str] = []
    if not sa.inspect(bind).has_table("slack_bots"):
        return said
    for table in ("slack_bots", "slack_installations"):
        for column in ("enterprise_id", "team_id"):
            statement = sa.text(f"UPDATE {table} SET {column} = NULL WHERE {column} = ''")  # noqa: S608 (constants)
            changed = bind.execute(statement).rowcount
            if changed:
                said.append(f"{table}: {changed} empty {column} stored as NULL")
    return said
