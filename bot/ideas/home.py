"""The App Home tab: my ideas, ideas waiting for my decision (leaders), my teams' boards and figures.

Published when the person opens the tab and after changes that concern them. Each person sees only teams
whose channels they are in."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.measures.figures import denominator, headline
from bot.render.home import HomeContent, HomeTeam, home_view
from bot.settings import Settings
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.access import ChannelAccess
from bot.teams.leaders import Leaders
from storage import queries
from storage.db import Database
from storage.measures import Scope
from storage.models import Idea, IdeaStatus, Team

log = logging.getLogger(__name__)

MY_IDEAS = 10
WAITING = 10
TEAMS = 5
TEAMS_CHECKED = 50  # membership is looked up per team channel: bounded


class Home:
    """One person's Home tab in one workspace: what it shows (`compose`) and putting it there (`publish`)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        gateway: SlackGateway,
        access: ChannelAccess,
        leaders: Leaders,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        self._access = access
        self._leaders = leaders

    def _teams(self, workspace_id: str) -> list[Team]:
        with self._db.read() as session:
            return queries.teams_of_workspace(session, workspace_id, TEAMS_CHECKED)

    def compose(self, workspace_id: str, user_id: str) -> HomeContent:
        """What the person's tab shows: their latest MY_IDEAS ideas (and how many in all), up to WAITING ideas
        waiting for their decision (oldest first; teams they lead) and up to TEAMS of their teams' counts and
        figures, among the first TEAMS_CHECKED teams of the workspace whose channels they are in."""
        now = self._clock.now()
        with self._db.read() as session:
            mine, total = queries.ideas_of_person(session, workspace_id, user_id, MY_IDEAS)
        my_teams: list[HomeTeam] = []
        waiting: list[Idea] = []
        for team in self._teams(workspace_id):
            if not self._access.can_see(workspace_id, team.channel_id, user_id):
                continue
            with self._db.read() as session:
                counts = queries.count_by_status(session, team.id)
                if len(waiting) < WAITING and self._leaders.is_leader(workspace_id, team, user_id):
                    waiting += queries.team_board(session, team.id, [IdeaStatus.NEW], WAITING)[IdeaStatus.NEW]
            if len(my_teams) < TEAMS:
                scope = Scope(workspace_id, team.id)
                zone = ZoneInfo(team.timezone or self._settings.kaizen_timezone)
                per = denominator(self._db, scope, now.astimezone(zone).date(), None)
                figures = headline(self._db, scope, now, per)
                my_teams.append(HomeTeam(team, counts, figures))
        waiting.sort(key=lambda idea: idea.created_at)
        return HomeContent(mine, total, waiting[:WAITING], my_teams, now)

    def publish(self, workspace_id: str, user_id: str) -> None:
        """Put the person's tab up to date (views.publish). Slack's refusals are logged, not raised; no answer
        (`SlackUnreachable`) propagates."""
        view = home_view(self.compose(workspace_id, user_id))
        try:
            self._gateway.workspace(workspace_id).publish_home(user_id, view)
        except SlackError as error:
            log.warning("Could not publish the Home tab of %s: %s", user_id, error.code)
