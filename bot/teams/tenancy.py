"""Which workspace a request is filed under: the one rule, for every kind of request.

A team (a channel) belongs to the installation that first set it up. In a Slack Connect channel people from
another organisation act on the same channel id; their requests carry their own workspace's `team_id` (and
Slack truncates `authorizations` to one installation), so neither says where the channel is filed. The store
does: once a channel is a team, everything about it is filed under that team's workspace. Before that, the
installation that received the request (Bolt's authorization) is the one setting it up. The person's own
organisation says only who they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import cache
from storage import queries
from storage.db import Database


@dataclass(frozen=True)
class Installation:
    """An installation of Kaizen, by the keys Slack's requests carry.

    `team_id` is the workspace (T…), None for an org-wide install; `enterprise_id` the Enterprise Grid
    organisation (E…), None outside one; `is_enterprise_install` whether the install covers the whole
    organisation.
    """

    team_id: str | None
    enterprise_id: str | None = None
    is_enterprise_install: bool = False

    @property
    def workspace_id(self) -> str:
        """The store's workspace key for this installation: the organisation's id for an org-wide install, else
        the workspace's; "" when the request named neither (an org-level event of an unknown install)."""
        if self.is_enterprise_install and self.enterprise_id:
            return self.enterprise_id
        return self.team_id or self.enterprise_id or ""


class Tenancy:
    """Files requests under workspaces (`workspace_for`), remembering where each team channel is filed: a team
    never moves to another workspace, so what was read once stays true (bounded to `CACHE_SIZE` channels, least
    recently used out). A channel that is no team yet is read again every time: it may become one."""

    CACHE_SIZE = 10_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._homes: cache.Cached[str, str] = cache.lasting(self.CACHE_SIZE)  # channel id → workspace key

    def workspace_for(self, installed: str, channel_id: str | None) -> str:
        """The workspace a request about `channel_id` (None or "" when it names none) is filed under: the
        workspace of the team that channel already is, else `installed`, the workspace key of the installation
        that received the request (`Installation.workspace_id`)."""
        if not channel_id:
            return installed
        home = self._homes.get(channel_id)
        if home is not None:
            return home
        with self._db.read() as session:
            team = queries.team_of_channel(session, channel_id)
        if team is None:
            return installed
        self._homes.put(channel_id, team.workspace_id)
        return team.workspace_id
