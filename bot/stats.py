"""`/kaizen stats`: the team's (or workspace's) measures as process behavior charts, one PNG, with a short
summary in words; sent privately by DM, or shared in the channel. Also the chart in the first huddle of a week."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.charts import ChartSeries, render_png
from bot.measures import DEFAULT_WEEKS, Headline, WeeklySeries, headline, weekly_series
from bot.services import Services
from bot.xmr import xmr_chart
from storage.measures import Scope
from storage.models import Team

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(hours=1)
MAX_MEMBERS_CHECKED = 2000


@dataclass(frozen=True)
class StatsReport:
    title: str
    png: bytes
    summary: str
    series: WeeklySeries
    headline: Headline


SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class _Account:
    bot: bool  # a bot or an app (users.info `is_bot`), or Slackbot
    deleted: bool  # deactivated


class HumanMembers:
    """Who is a person: the one place that decides it (`is_person`), from users.info, cached per user for an hour.
    Also how many people (not bots, not deactivated) are in a channel: the denominator of participation."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._lock = threading.Lock()
        self._accounts: dict[tuple[str, str], tuple[datetime, _Account]] = {}

    def is_person(self, workspace_id: str, user_id: str) -> bool:
        """False when `user_id` (a U… or W… id) is a bot or an app: users.info says `is_bot` (other apps' bots
        react and write with ordinary user ids), or it is Slackbot. A deactivated person is still a person (what
        they did stands). When Slack cannot say (an error, an unknown user) the answer is True, uncached: a
        person is never ignored because of a passing fault. At most one users.info call per user an hour."""
        account = self._account(workspace_id, user_id)
        return account is None or not account.bot

    def count(self, workspace_id: str, channel_id: str) -> int | None:
        """People in the channel now: members that are neither bots nor deactivated; None if Slack can't say."""
        client = self._services.web(workspace_id)
        members: list[str] = []
        cursor: str | None = None
        try:
            while len(members) < MAX_MEMBERS_CHECKED:
                response = client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
                members += response.get("members", [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as error:
            log.warning("Could not count the members of %s: %s", channel_id, error.response.get("error"))
            return None
        return sum(self._is_human(client, workspace_id, user) for user in members)

    def _is_human(self, client: WebClient, workspace_id: str, user_id: str) -> bool:
        account = self._account(workspace_id, user_id, client)
        return account is None or not (account.bot or account.deleted)  # unknown: count them, not flatter the rate

    def _account(self, workspace_id: str, user_id: str, client: WebClient | None = None) -> _Account | None:
        if user_id == SLACKBOT:
            return _Account(bot=True, deleted=False)
        now = self._services.clock.now()
        with self._lock:
            cached = self._accounts.get((workspace_id, user_id))
        if cached and cached[0] > now:
            return cached[1]
        try:
            user = (client or self._services.web(workspace_id)).users_info(user=user_id)["user"]
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
            return None
        account = _Account(bot=bool(user.get("is_bot")), deleted=bool(user.get("deleted")))
        with self._lock:
            self._accounts[(workspace_id, user_id)] = (now + MEMBERS_TTL, account)
        return account


def _charts(series: WeeklySeries) -> list[ChartSeries]:
    weeks = series.week_starts
    return [
        ChartSeries("Ideas raised per week", weeks, [float(v) for v in series.raised], True),
        ChartSeries("Ideas done per week", weeks, [float(v) for v in series.done], True),
        ChartSeries("People taking part per week", weeks, [float(v) for v in series.participants], True),
        ChartSeries("Days to a decision (median per week)", weeks, series.days_to_decision, False),
    ]


def build_report(services: Services, workspace_id: str, team: Team | None, weeks: int | None) -> StatsReport:
    """The measures for a team (or, outside a team channel, the whole workspace)."""
    weeks = weeks or DEFAULT_WEEKS
    now = services.clock.now()
    zone = ZoneInfo((team.timezone if team else None) or services.settings.kaizen_timezone)
    scope = Scope(workspace_id, team.id if team else None)
    series = weekly_series(services.db, scope, zone, now, weeks)
    members = services.members.count(workspace_id, team.channel_id) if team else None
    figures = headline(services.db, scope, now, members)
    charts = _charts(series)
    where = f"#{team.name}" if team and team.name else ("this team" if team else "the workspace")
    title = f"Kaizen in {where}: the last {weeks} weeks"
    summary = render.stats_summary(
        [(chart.title, xmr_chart(chart.values, count=chart.count), chart.week_starts) for chart in charts], figures
    )
    return StatsReport(title, render_png(charts, title=title), summary, series, figures)


def send_report(
    services: Services, workspace_id: str, report: StatsReport, channel_id: str, thread_ts: str | None = None
) -> None:
    services.web(workspace_id).files_upload_v2(
        channel=channel_id,
        thread_ts=thread_ts,
        content=report.png,
        filename="kaizen-stats.png",
        title=report.title,
        initial_comment=report.summary,
    )


def send_privately(services: Services, workspace_id: str, report: StatsReport, user_id: str) -> None:
    dm = services.web(workspace_id).conversations_open(users=user_id)["channel"]["id"]
    send_report(services, workspace_id, report, str(dm))
