"""The App Home tab: my ideas, ideas waiting for my decision (leaders), my teams' boards and figures.

Published when the person opens the tab and after changes that concern them. Each person sees only teams
whose channels they are in."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot import render
from bot.measures.figures import denominator, headline
from bot.services import Services
from storage import queries
from storage.measures import Scope
from storage.models import Idea, IdeaStatus, Team

log = logging.getLogger(__name__)

MY_IDEAS = 10
WAITING = 10
TEAMS = 5
TEAMS_CHECKED = 50  # membership is looked up per team channel: bounded


def _teams(services: Services, workspace_id: str) -> list[Team]:
    with services.db.read() as session:
        return queries.teams_of_workspace(session, workspace_id, TEAMS_CHECKED)


def compose(services: Services, workspace_id: str, user_id: str) -> render.HomeContent:
    now = services.clock.now()
    with services.db.read() as session:
        mine, total = queries.ideas_of_person(session, workspace_id, user_id, MY_IDEAS)
    client = services.web(workspace_id)
    my_teams: list[render.HomeTeam] = []
    waiting: list[Idea] = []
    for team in _teams(services, workspace_id):
        if not services.access.can_see(client, workspace_id, user_id, team.channel_id, here=""):
            continue
        with services.db.read() as session:
            counts = queries.count_by_status(session, team.id)
            if len(waiting) < WAITING and services.leaders.is_leader(workspace_id, team, user_id):
                waiting += queries.team_board(session, team.id, [IdeaStatus.NEW], WAITING)[IdeaStatus.NEW]
        if len(my_teams) < TEAMS:
            scope = Scope(workspace_id, team.id)
            zone = ZoneInfo(team.timezone or services.settings.kaizen_timezone)
            per = denominator(services.db, scope, now.astimezone(zone).date(), None)
            figures = headline(services.db, scope, now, per)
            my_teams.append(render.HomeTeam(team, counts, figures))
    waiting.sort(key=lambda idea: idea.created_at)
    return render.HomeContent(mine, total, waiting[:WAITING], my_teams, now)


def publish(services: Services, workspace_id: str, user_id: str) -> None:
    view = render.home_view(compose(services, workspace_id, user_id))
    try:
        services.web(workspace_id).views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("Could not publish the Home tab of %s: %s", user_id, error.response.get("error"))
