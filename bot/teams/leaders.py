"""Who leads a team: its own leaders (`/kaizen leaders add`), the global `KAIZEN_LEADERS`, and members of the
optional `KAIZEN_LEADER_GROUP` user group. `is_leader` is the one function that decides."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot import cache
from bot.clock import Clock
from bot.delivery.outbox import new_message
from bot.domain import LeaderList
from bot.render.replies import first_leaders_text
from bot.settings import Settings
from bot.slack import refusals
from bot.slack.gateway import SlackError, SlackGateway
from storage import queries
from storage.db import Database
from storage.models import OutboxKind, Team, Workspace

log = logging.getLogger(__name__)

GROUP_TTL = timedelta(minutes=5)
ADMIN_TTL = timedelta(minutes=10)
GROUPS_CACHED = 1_000  # leader groups remembered: one per workspace (each holds its members)
ADMINS_CACHED = 10_000  # people whose admin rights are remembered, across workspaces


class LeaderGroupUnavailable(Exception):
    """The leader user group cannot be read; str(error) says why in plain words."""


@dataclass(frozen=True)
class LeadersChange:
    """What `add` or `remove` did: the people whose leading changed (user ids), and the announcement queued."""

    changed: tuple[str, ...]
    first_leaders: bool  # the team had none before: the channel is told
    message_ids: tuple[int, ...] = ()  # the announcement, queued in the outbox


class Leaders:
    """Who leads a team, and changing a team's own leaders. The leader group (usergroups.users.list) is cached for
    GROUP_TTL, whether someone is a workspace admin (users.info) for ADMIN_TTL. A passing Slack fault reading the
    group raises the gateway's `SlackError` (or `SlackUnreachable`) from the deciding methods."""

    def __init__(self, db: Database, clock: Clock, settings: Settings, gateway: SlackGateway) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        # (workspace, group) → (members, problem): a lasting refusal is remembered too, a passing fault is not.
        self._groups: cache.Cached[tuple[str, str], tuple[frozenset[str] | None, str | None]] = cache.timed(
            clock, GROUP_TTL, GROUPS_CACHED
        )
        self._admins: cache.Cached[tuple[str, str], bool] = cache.timed(clock, ADMIN_TTL, ADMINS_CACHED)

    # --- deciding ------------------------------------------------------------------------------------------

    def _everywhere(self, workspace_id: str) -> tuple[tuple[str, ...], str | None]:
        """Leaders of every team and the leader group: the workspace's own, else KAIZEN_LEADERS/_GROUP."""
        with self._db.read() as session:
            workspace = session.get(Workspace, workspace_id)
        leaders = tuple(dict.fromkeys([*self._settings.kaizen_leaders, *(workspace.leaders if workspace else [])]))
        group = (workspace.leader_group if workspace else None) or self._settings.kaizen_leader_group
        return leaders, group

    def is_leader(self, workspace_id: str, team: Team | None, user_id: str) -> bool:
        """The one function that decides whether `user_id` leads `team`."""
        everywhere, _group = self._everywhere(workspace_id)
        if user_id in everywhere:
            return True
        if team is not None:
            with self._db.read() as session:
                if user_id in queries.team_leader_ids(session, team.id):
                    return True
        members, _problem = self._group_members(workspace_id)
        return members is not None and user_id in members

    def everyone_leading(self, workspace_id: str, team: Team) -> list[str]:
        """Every person who leads `team`: its own leaders, those of every team, and the leader group's members."""
        with self._db.read() as session:
            people = list(queries.team_leader_ids(session, team.id))
        everywhere, _group = self._everywhere(workspace_id)
        members, _problem = self._group_members(workspace_id)
        for user in [*everywhere, *sorted(members or ())]:
            if user not in people:
                people.append(user)
        return people

    def may_manage(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Who may change a team's leaders: anyone while it has none, else its leaders and workspace admins."""
        with self._db.read() as session:
            if not queries.team_leader_ids(session, team.id):
                return True
        return self.is_leader(workspace_id, team, user_id) or self._is_admin(workspace_id, user_id)

    def listing(self, workspace_id: str, team: Team | None) -> LeaderList:
        """The team's own leaders, those of every team, and the leader group with what keeps it from being read."""
        own: tuple[str, ...] = ()
        if team is not None:
            with self._db.read() as session:
                own = tuple(queries.team_leader_ids(session, team.id))
        everywhere, group = self._everywhere(workspace_id)
        _members, problem = self._group_members(workspace_id) if group else (None, None)
        return LeaderList(own, everywhere, group, problem)

    def describe(self, workspace_id: str, team: Team | None) -> str:
        """Who can approve, in words (mentions render as names)."""
        listing = self.listing(workspace_id, team)
        people = [*listing.team, *[u for u in listing.everywhere if u not in listing.team]]
        parts = [", ".join(f"<@{user}>" for user in people)] if people else []
        if listing.group_id and not listing.group_problem:
            parts.append(f"members of the leader user group ({listing.group_id})")
        if not parts:
            return "no one yet — any member can add the first leaders with `/kaizen leaders add @name`"
        return " and ".join(parts)

    # --- changing ------------------------------------------------------------------------------------------

    def add(self, team: Team, user_ids: Sequence[str], by: str, approve_emoji: str) -> LeadersChange:
        """Add leaders; the first ones of a team are announced in its channel (queued with the change)."""
        now = self._clock.now()
        with self._db.write() as session:
            first = not queries.team_leader_ids(session, team.id)
            added = queries.add_leaders(session, team.id, user_ids, by, now)
            ids: list[int] = []
            if first and added:
                message = new_message(
                    kind=OutboxKind.CHANNEL, dedupe_key=f"first-leaders:{team.id}:{now.isoformat()}",
                    workspace_id=team.workspace_id, channel_id=team.channel_id, now=now,
                    text=first_leaders_text(by, added, approve_emoji),
                )  # fmt: skip
                message_id = queries.add_outbox(session, message)
                ids = [message_id] if message_id is not None else []
        return LeadersChange(tuple(added), first and bool(added), tuple(ids))

    def remove(self, team: Team, user_ids: Sequence[str]) -> LeadersChange:
        """Remove leaders of the team; `changed` names those who were leaders."""
        with self._db.write() as session:
            current = set(queries.team_leader_ids(session, team.id))
            queries.remove_leaders(session, team.id, user_ids)
        return LeadersChange(tuple(u for u in user_ids if u in current), False)

    # --- Slack look-ups, cached ----------------------------------------------------------------------------

    def _group_members(self, workspace_id: str) -> tuple[frozenset[str] | None, str | None]:
        _everywhere, group = self._everywhere(workspace_id)
        if not group:
            return None, None
        key = (workspace_id, group)
        cached = self._groups.get(key)
        if cached is not None:
            return cached
        members: frozenset[str] | None
        problem: str | None
        try:
            members, problem = frozenset(self._gateway.workspace(workspace_id).usergroup_members(group)), None
        except SlackError as error:
            code = error.code
            if code == refusals.PAID_PLAN_NEEDED:
                problem = (
                    "KAIZEN_LEADER_GROUP is set, but user groups need a paid Slack plan "
                    f"(Slack answered {refusals.PAID_PLAN_NEEDED}); list leaders with /kaizen leaders add instead."
                )
            elif code == refusals.NO_SUCH_USER_GROUP:
                problem = f"KAIZEN_LEADER_GROUP names a user group Slack does not know ({group})."
            elif code == refusals.MISSING_SCOPE:
                problem = "Reading the leader user group needs the usergroups:read scope; reinstall the app."
            else:
                raise  # a passing fault: let the caller's retry try again, do not cache it
            log.error("Leader group unavailable: %s", problem)
            members = None
        self._groups.put(key, (members, problem))
        return members, problem

    def _is_admin(self, workspace_id: str, user_id: str) -> bool:
        key = (workspace_id, user_id)
        cached = self._admins.get(key)
        if cached is not None:
            return cached
        try:
            user = self._gateway.workspace(workspace_id).user(user_id)
            admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        except SlackError as error:
            log.warning("users.info for %s failed: %s", user_id, error.code)
            return False
        self._admins.put(key, admin)
        return admin
