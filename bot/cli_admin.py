"""`kaizen-bot manifest` and `kaizen-bot workspace`: the app's manifest, and a workspace's own settings."""

from __future__ import annotations

import json
import sys

from bot.clock import SystemClock
from bot.composition import manifest
from bot.settings import Settings, load_settings
from storage import migrate, queries
from storage.db import Database
from storage.models import Workspace


def cmd_manifest(http_base: str | None) -> int:
    """Print the Slack app manifest as JSON (HTTP and OAuth when `http_base` is given); 0."""
    if http_base is not None and not http_base.startswith("https://"):
        print("kaizen-bot: --http needs the public https:// base URL Slack will call, e.g. https://kaizen.example.org",
              file=sys.stderr)  # fmt: skip
        return 2
    print(json.dumps(manifest(http_base), indent=2))
    return 0


def cmd_workspace(
    settings: Settings, workspace_id: str, leaders: str | None, group: str | None, emoji: str | None
) -> int:
    """Show or set a workspace's own leaders, leader group and approve emoji; 0."""
    # The same rules (and one-line errors) as the KAIZEN_* settings they stand in for.
    checked = load_settings(
        **({"kaizen_leaders": leaders} if leaders else {}),
        **({"kaizen_leader_group": group} if group else {}),
        **({"kaizen_approve_emoji": emoji} if emoji else {}),
    )
    db = Database(settings.database_url)
    migrate.upgrade(db)
    with db.write() as session:
        queries.ensure_workspace(session, workspace_id, SystemClock().now())
        row = session.get(Workspace, workspace_id)
        assert row is not None
        if leaders is not None:
            row.leaders = list(checked.kaizen_leaders) if leaders else []
        if group is not None:
            row.leader_group = checked.kaizen_leader_group if group else None
        if emoji is not None:
            row.approve_emoji = checked.kaizen_approve_emoji if emoji else None
        own = ",".join(row.leaders) or "(none of its own)"
        print(f"{workspace_id}: leaders {own}; leader group {row.leader_group or '(none)'}; "
              f"approve emoji {row.approve_emoji or '(default)'}")  # fmt: skip
    return 0
