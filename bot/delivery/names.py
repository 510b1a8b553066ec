"""People's display names, for showing who did something without pinging them (a <@mention> notifies)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot import cache
from bot.clock import Clock
from bot.render.words import fill_names
from bot.slack.gateway import WorkspaceSlack

log = logging.getLogger(__name__)

NAME_TTL = timedelta(hours=6)
NAMES_CACHED = 10_000  # people whose names are remembered at once, across workspaces (least recently shown out)
UNKNOWN = "a colleague"  # when Slack cannot say


class Names:
    """Display names, cached NAME_TTL."""

    def __init__(self, clock: Clock) -> None:
        self._names: cache.Cached[tuple[str, str], str] = cache.timed(clock, NAME_TTL, NAMES_CACHED)

    def name(self, slack: WorkspaceSlack, workspace_id: str, user_id: str) -> str:
        """The person's display name (else real name, else user name); UNKNOWN when Slack cannot say."""
        cached = self._names.get((workspace_id, user_id))
        if cached is not None:
            return cached
        try:
            user = slack.user(user_id)
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user["name"]
        except Exception:
            log.warning("Could not look up the name of %s", user_id, exc_info=True)
            return UNKNOWN
        self._names.put((workspace_id, user_id), str(name))
        return str(name)

    def fill(self, slack: WorkspaceSlack, workspace_id: str, value: Any) -> Any:
        """`value` (a text, or blocks as JSON-ready dicts and lists) with each plain name filled in."""
        if isinstance(value, str):
            return fill_names(value, lambda user_id: self.name(slack, workspace_id, user_id))
        if isinstance(value, list):
            return [self.fill(slack, workspace_id, item) for item in value]
        if isinstance(value, dict):
            return {key: self.fill(slack, workspace_id, item) for key, item in value.items()}
        return value
