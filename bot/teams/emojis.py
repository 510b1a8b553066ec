"""Which emoji approves an idea: a team's own, else its workspace's, else KAIZEN_APPROVE_EMOJI; and reading an
emoji's name from a reaction."""

from __future__ import annotations

from datetime import timedelta

from bot import cache
from bot.clock import Clock
from storage import queries
from storage.db import Database
from storage.models import Team, Workspace

EMOJI_CACHE_TTL = timedelta(seconds=30)
_IN_USE = "in_use"  # the one entry of the cache: every approve emoji in use


def emoji_name(reaction: str) -> str:
    """`white_check_mark::skin-tone-3` → `white_check_mark`."""
    return reaction.split("::", 1)[0]


class ApproveEmojis:
    """Which emoji approves: a team's own, else its workspace's, else `default_emoji` (KAIZEN_APPROVE_EMOJI)."""

    def __init__(self, db: Database, clock: Clock, default_emoji: str) -> None:
        self._db = db
        self._default = default_emoji
        self._cache: cache.Cached[str, frozenset[str]] = cache.timed(clock, EMOJI_CACHE_TTL, maxsize=1)

    def for_team(self, team: Team | None) -> str:
        """The team's own approve emoji (a name without colons), else its workspace's, else the default."""
        if team is not None and team.approve_emoji:
            return team.approve_emoji
        if team is not None:
            with self._db.read() as session:
                workspace = session.get(Workspace, team.workspace_id)
            if workspace is not None and workspace.approve_emoji:
                return workspace.approve_emoji
        return self._default

    def in_use(self) -> frozenset[str]:
        """Every approve emoji in use: the default and teams' own (cached for EMOJI_CACHE_TTL; reactions are
        frequent)."""
        cached = self._cache.get(_IN_USE)
        if cached is None:
            with self._db.read() as session:
                own = queries.team_approve_emojis(session)
            cached = frozenset({self._default, *own})
            self._cache.put(_IN_USE, cached)
        return cached
