"""Which scopes `kaizen-bot stats` reports on: a team channel's team, or a workspace, and with `--tree` the tiers
below them (a team's whole tree; a workspace's every team, each with its tree)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.measures.report import WORKSPACE
from storage import queries, tiers
from storage.db import Database
from storage.measures import Scope
from storage.models import Team, Workspace

TREE_TEAMS = 10_000


class NotFound(Exception):
    """No such team or workspace in the store; str(error) says which."""


@dataclass(frozen=True)
class Place:
    """A scope and how to name it and read its dates."""

    scope: Scope
    where: str
    zone: ZoneInfo


def places(
    db: Database, default_zone: str, *, channel_id: str | None, workspace_id: str | None, tree: bool
) -> list[Place]:
    """The scopes to report on: a team channel's team, or a workspace. With `tree`, a team's is followed by its whole
    tier tree (itself and every team below it, when it has any), and a workspace's by every team (by name), each
    with its tree. NotFound when the channel has no team or the workspace is unknown."""
    with db.read() as session:
        if channel_id:
            team = queries.team_of_channel(session, channel_id)
            if team is None or (workspace_id and team.workspace_id != workspace_id):
                raise NotFound(
                    f"no Kaizen team in channel {channel_id}" + (f" of {workspace_id}" if workspace_id else "")
                )
            return _team_places(session, team, default_zone, tree=tree)
        assert workspace_id is not None
        teams = queries.teams_of_workspace(session, workspace_id, TREE_TEAMS)
        if not teams and session.get(Workspace, workspace_id) is None:
            raise NotFound(f"no workspace {workspace_id} in the store")
        found = [Place(Scope(workspace_id), WORKSPACE, ZoneInfo(default_zone))]
        if tree:
            uppers = {team.upper_team_id for team in teams}  # the teams with a team below: one query for each
            for team in sorted(teams, key=lambda team: (team.name, team.channel_id)):
                found += _team_places(session, team, default_zone, tree=team.id in uppers)
        return found


def _team_places(session: Session, team: Team, default_zone: str, *, tree: bool) -> list[Place]:
    """The team's place, and with `tree` its tier tree's when teams are below it."""
    zone, name = ZoneInfo(team.timezone or default_zone), _team_name(team)
    found = [Place(Scope(team.workspace_id, team.id), name, zone)]
    below = tiers.subtree_ids(session, team.id) if tree else []
    if len(below) > 1:
        found.append(Place(Scope(team.workspace_id, team.id, tuple(below)), name, zone))
    return found


def _team_name(team: Team) -> str:
    return f"#{team.name}" if team.name else team.channel_id
