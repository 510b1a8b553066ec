"""Who may see what: people see only ideas of channels they are in.

Membership comes from Slack (`conversations.members`, the bot being a member of every team channel) and is
cached briefly, so `/kaizen show` does not page through a large channel on every call.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(minutes=5)
MAX_PAGES = 50  # 50 × 1000 members is past any ward


class ChannelAccess:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._members: dict[tuple[str, str], tuple[datetime, frozenset[str]]] = {}

    def can_see(self, client: WebClient, workspace_id: str, user_id: str, channel_id: str, *, here: str) -> bool:
        """Whether `user_id` is in `channel_id`. `here` is where they typed: being there proves membership."""
        if channel_id == here:
            return True
        members = self._channel_members(client, workspace_id, channel_id)
        return members is not None and user_id in members

    def _channel_members(self, client: WebClient, workspace_id: str, channel_id: str) -> frozenset[str] | None:
        key = (workspace_id, channel_id)
        now = self._clock.now()
        with self._lock:
            cached = self._members.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        members: set[str] = set()
        cursor: str | None = None
        try:
            for _ in range(MAX_PAGES):
                response = client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
                members.update(response.get("members", []))
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as error:
            # Not in the channel, archived, gone: nobody can be shown that it is theirs to see.
            log.warning("Could not read the members of %s: %s", channel_id, error.response.get("error"))
            return None
        result = frozenset(members)
        with self._lock:
            self._members[key] = (now + MEMBERS_TTL, result)
        return result
