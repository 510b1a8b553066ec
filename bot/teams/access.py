"""Who may see what: people see only ideas of channels they are in.

Membership comes from Slack (`conversations.members`, the bot being a member of every team channel) and is
cached briefly, so `/kaizen show` does not page through a large channel on every call.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import cache
from bot.clock import Clock
from bot.slack.gateway import MEMBERS_PAGE_SIZE, SlackError, SlackGateway

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(minutes=5)
MAX_PAGES = 50  # 50 × 1000 members is past any ward
MAX_MEMBERS = MAX_PAGES * MEMBERS_PAGE_SIZE
# Member ids remembered at once, over all channels (an entry weighs as many as its channel has, at least 1): every
# team channel of a large deployment, a few MB at most, and room for several channels of MAX_MEMBERS.
MEMBER_IDS_CACHED = 500_000


def _weight(members: frozenset[str]) -> int:
    return max(1, len(members))


class ChannelAccess:
    """Whether a person is in a channel, from conversations.members cached per channel for MEMBERS_TTL."""

    def __init__(self, clock: Clock, gateway: SlackGateway) -> None:
        self._gateway = gateway
        self._members: cache.Cached[tuple[str, str], frozenset[str]] = cache.timed(
            clock, MEMBERS_TTL, MEMBER_IDS_CACHED, getsizeof=_weight
        )

    def can_see(self, workspace_id: str, channel_id: str, user_id: str, *, here: str = "") -> bool:
        """Whether `user_id` is in `channel_id`. `here` is where they typed ("" for nowhere): being there proves
        membership. False when Slack answers an error (not in the channel, archived, gone); `SlackUnreachable`
        (no answer) propagates."""
        if channel_id == here:
            return True
        members = self._channel_members(workspace_id, channel_id)
        return members is not None and user_id in members

    def _channel_members(self, workspace_id: str, channel_id: str) -> frozenset[str] | None:
        key = (workspace_id, channel_id)
        cached = self._members.get(key)
        if cached is not None:
            return cached
        try:
            members = self._gateway.workspace(workspace_id).members(channel_id, limit=MAX_MEMBERS, pages=MAX_PAGES)
        except SlackError as error:
            # Not in the channel, archived, gone: nobody can be shown that it is theirs to see.
            log.warning("Could not read the members of %s: %s", channel_id, error.code)
            return None
        result = frozenset(members)
        self._members.put(key, result)
        return result
