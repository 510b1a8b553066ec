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
from bot.i18n import _, join, reading
from bot.render.replies import first_leaders_text
from bot.render.words import mention
from bot.settings import Settings
from bot.slack import refusals
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.languages import Languages
from storage import queries
from storage.db import Database
from storage.models import OutboxKind, Team, Workspace

log = logging.getLogger(__name__)

GROUP_TTL = timedelta(minutes=5)
ADMIN_TTL = timedelta(minutes=10)
GROUPS_CACHED = 1_000  # leader groups remembered: one per workspace (each holds its members)
ADMINS_CACHED = 10_000  # people whose admin rights are remembered, across workspaces


# Slack's refusals to read the leader group that last (remembered for GROUP_TTL, told to leaders by `_group_problem`).
_LASTING_GROUP_REFUSALS = frozenset({refusals.PAID_PLAN_NEEDED, refusals.NO_SUCH_USER_GROUP, refusals.MISSING_SCOPE})


def _group_problem(refused: str, group: str) -> str:
    """Why the leader group `group` cannot be read, in the reader's words, from Slack's lasting refusal `refused`."""
    if refused == refusals.PAID_PLAN_NEEDED:
        return _(
            "KAIZEN_LEADER_GROUP is set, but user groups need a paid Slack plan (Slack answered {code}); list leaders "
            "with /kaizen leaders add instead.",
            code=refusals.PAID_PLAN_NEEDED,
        )
    if refused == refusals.NO_SUCH_USER_GROUP:
        return _("KAIZEN_LEADER_GROUP names a user group Slack does not know ({group}).", group=group)
    return _("Reading the leader user group needs the usergroups:read scope; reinstall the app.")


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

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, gateway: SlackGateway, languages: Languages
    ) -> None:
        self._languages = languages
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        # (workspace, group) → (members, Slack's refusal): a lasting refusal is remembered too, a passing fault is not.
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
        members, _refused = self._group_members(workspace_id)
        return members is not None and user_id in members

    def everyone_leading(self, workspace_id: str, team: Team) -> list[str]:
        """Every person who leads `team`: its own leaders, those of every team, and the leader group's members."""
        with self._db.read() as session:
            people = list(queries.team_leader_ids(session, team.id))
        everywhere, _group = self._everywhere(workspace_id)
        members, _refused = self._group_members(workspace_id)
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
        """The team's own leaders, those of every team, and the leader group with what keeps it from being read (in
        the reader's words)."""
        own: tuple[str, ...] = ()
        if team is not None:
            with self._db.read() as session:
                own = tuple(queries.team_leader_ids(session, team.id))
        everywhere, group = self._everywhere(workspace_id)
        _members, refused = self._group_members(workspace_id) if group else (None, None)
        problem = _group_problem(refused, group or "") if refused else None
        return LeaderList(own, everywhere, group, problem)

    def describe(self, workspace_id: str, team: Team | None) -> str:
        """Who can approve, in the reader's words (mentions render as names): the people and the leader group's
        members, listed as the reader's language lists them; or how to add the first leaders."""
        listing = self.listing(workspace_id, team)
        people = [*listing.team, *[u for u in listing.everywhere if u not in listing.team]]
        who = [mention(user) for user in people]
        if listing.group_id and not listing.group_problem:
            # Translators: the last of the list of who can approve ideas (after the leaders named, if any), e.g.
            # "<@U1>, <@U2> and members of the leader user group (S123)"
            who.append(_("members of the leader user group ({group})", group=listing.group_id))
        if not who:
            # Translators: who can approve ideas, where a team has no leaders yet (said in parentheses after "Only
            # this team's leaders can approve ideas")
            return _("no one yet — any member can add the first leaders with `/kaizen leaders add @name`")
        return join(who)

    # --- changing ------------------------------------------------------------------------------------------

    def add(self, team: Team, user_ids: Sequence[str], by: str, approve_emoji: str) -> LeadersChange:
        """Add leaders; the first ones of a team are announced in its channel (queued with the change)."""
        now = self._clock.now()
        with self._db.write() as session:
            first = not queries.team_leader_ids(session, team.id)
            added = queries.add_leaders(session, team.id, user_ids, by, now)
            ids: list[int] = []
            if first and added:
                with reading(self._languages.of_team(team)):  # told in the team's channel
                    text = first_leaders_text(by, added, approve_emoji)
                message = new_message(
                    kind=OutboxKind.CHANNEL, dedupe_key=f"first-leaders:{team.id}:{now.isoformat()}",
                    workspace_id=team.workspace_id, channel_id=team.channel_id, now=now,
                    text=text,
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
        """The leader group's members, or None and Slack's lasting refusal to read it (one of the codes
        `_group_problem` words); (None, None) when there is no group."""
        _everywhere, group = self._everywhere(workspace_id)
        if not group:
            return None, None
        key = (workspace_id, group)
        cached = self._groups.get(key)
        if cached is not None:
            return cached
        members: frozenset[str] | None
        refused: str | None
        try:
            members, refused = frozenset(self._gateway.workspace(workspace_id).usergroup_members(group)), None
        except SlackError as error:
            if error.code not in _LASTING_GROUP_REFUSALS:
                raise  # a passing fault: let the caller's retry try again, do not cache it
            # Cached as Slack's code, not in words: whoever reads the listing next may read another language.
            log.error("Leader group %s unavailable: Slack answered %s", group, error.code)
            members, refused = None, error.code
        self._groups.put(key, (members, refused))
        return members, refused

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
