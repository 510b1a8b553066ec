"""The App Home tab: my ideas, ideas waiting for my decision (leaders), my teams' boards and figures.

Published when the person opens the tab and after changes that concern them. Each person sees only teams
whose channels they are in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import reading
from bot.measures.figures import denominator, headline
from bot.render.home import HomeContent, HomeTeam, home_view
from bot.settings import Settings
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.access import ChannelAccess
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from storage import escalations, queries
from storage.db import Database
from storage.measures import Scope
from storage.models import Idea, IdeaStatus, Team

log = logging.getLogger(__name__)

ARCHIVES = re.compile(r"^https://[^/|>]+/archives/")  # a permalink's start, the same for every message
MY_IDEAS = 10
WAITING = 10
TEAMS = 5
TEAMS_CHECKED = 50  # membership is looked up per team channel: bounded


def card_links(
    gateway: SlackGateway, workspace_id: str, ideas: Iterable[Idea], channel_id: str | None = None
) -> dict[int, str]:
    """Each idea's card link, by idea id. One chat.getPermalink gives the workspace's archive address; the others
    are made from it the way Slack makes them (".../archives/<channel>/p<ts without the dot>"), so that a long list
    costs one call. `channel_id`, when given, is every idea's channel (else each idea's team's). An idea without a
    card is left out (its number then shows unlinked), all are when Slack refuses the one call."""
    cards = [idea for idea in ideas if idea.card_ts]
    if not cards:
        return {}

    def channel(idea: Idea) -> str:
        return channel_id or idea.team.channel_id

    first = cards[0]
    try:
        link = gateway.workspace(workspace_id).permalink(channel(first), str(first.card_ts))
    except SlackError as error:
        log.warning("No link for the card of idea %s: %s", first.id, error.code)
        return {}
    archives = ARCHIVES.search(link)
    if archives is None:
        return {first.id: link}
    base = link[: archives.end()]
    return {idea.id: f"{base}{channel(idea)}/p{str(idea.card_ts).replace('.', '')}" for idea in cards}


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
        languages: Languages,
    ) -> None:
        self._languages = languages
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        self._access = access
        self._leaders = leaders

    def _teams(self, workspace_id: str) -> list[Team]:
        with self._db.read() as session:
            return queries.teams_of_workspace(session, workspace_id, TEAMS_CHECKED)

    def compose(self, workspace_id: str, user_id: str, notice: str | None = None) -> HomeContent:
        """What the person's tab shows: their latest MY_IDEAS ideas (and how many in all), up to WAITING ideas
        waiting for their decision (oldest first; teams they lead; and how many in all) and up to TEAMS of their
        teams' counts and figures, among the first TEAMS_CHECKED teams of the workspace whose channels they are
        in; `notice` (our own words, e.g. why their last press here changed nothing) shows at the top."""
        now = self._clock.now()
        with self._db.read() as session:
            mine, total = queries.ideas_of_person(session, workspace_id, user_id, MY_IDEAS)
        my_teams: list[HomeTeam] = []
        waiting: list[Idea] = []
        waiting_total = 0
        for team in self._teams(workspace_id):
            if not self._access.can_see(workspace_id, team.channel_id, user_id):
                continue
            with self._db.read() as session:
                counts = queries.count_by_status(session, team.id)
                if self._leaders.is_leader(workspace_id, team, user_id):
                    # Theirs to decide: the team's waiting ideas but those a team above holds, and those teams below
                    # escalated to it.
                    hops = escalations.waiting_hops(session, team.id)
                    held = {item.idea.id for item in hops if item.hop.to_team_id != team.id}
                    sent = [item.idea for item in hops if item.hop.to_team_id == team.id]
                    waiting_total += counts.get(IdeaStatus.NEW, 0) - len(held) + len(sent)
                    if len(waiting) < WAITING:
                        board = queries.team_board(session, team.id, [IdeaStatus.NEW], WAITING + len(held))
                        waiting += [idea for idea in board[IdeaStatus.NEW] if idea.id not in held] + sent
            if len(my_teams) < TEAMS:
                scope = Scope(workspace_id, team.id)
                zone = ZoneInfo(team.timezone or self._settings.kaizen_timezone)
                per = denominator(self._db, scope, now.astimezone(zone).date(), None)
                figures = headline(self._db, scope, now, per)
                my_teams.append(HomeTeam(team, counts, figures))
        waiting.sort(key=lambda idea: idea.created_at)
        waiting = waiting[:WAITING]
        links = card_links(self._gateway, workspace_id, [*waiting, *mine])
        return HomeContent(mine, total, waiting, my_teams, now, links, notice, waiting_total)

    def after_change(self, idea: Idea) -> None:
        """Publish again the tabs a change to `idea` alters: its author's (their ideas) and, after a decision
        (approved, not now), the deciding leader's (their waiting list), so that a press on the Home shows at once."""
        people = [idea.author_id]
        if idea.status in (IdeaStatus.APPROVED, IdeaStatus.NOT_NOW) and idea.decided_by not in (None, idea.author_id):
            people.append(str(idea.decided_by))
        for user_id in people:
            self.publish(idea.workspace_id, user_id)

    def publish(self, workspace_id: str, user_id: str, notice: str | None = None) -> None:
        """Put the person's tab up to date (views.publish), with `notice` at the top when given. Slack's refusals
        are logged, not raised; no answer (`SlackUnreachable`) propagates."""
        with reading(self._languages.of_person(workspace_id, user_id)):  # the tab is theirs alone
            view = home_view(self.compose(workspace_id, user_id, notice))
        try:
            self._gateway.workspace(workspace_id).publish_home(user_id, view)
        except SlackError as error:
            log.warning("Could not publish the Home tab of %s: %s", user_id, error.code)
