"""`/kaizen stats`: the team's (or workspace's) measures as process behavior charts, one PNG, with a short
summary in words; sent privately by DM, or shared in the channel. Also the chart in the first huddle of a week."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.measures import baselines
from bot.measures.baselines import EVERY_SERIES
from bot.measures.report import DEFAULT_WEEKS, Report, measure, png
from bot.measures.words import step_words, summary
from bot.services import Services
from bot.text import escape
from storage import measures as sql
from storage.measures import Scope
from storage.models import Team

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(hours=1)
MAX_MEMBERS_CHECKED = 2000
HISTORY_LINES = 20
SERIES_WORDS = {
    "raised": "ideas raised",
    "done": "ideas done",
    "people": "people taking part",
    "days_to_decision": "days to a decision",
    "waiting": "ideas waiting for a decision",
}


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


@dataclass(frozen=True)
class StatsReport:
    """A report with its picture and its words, ready to upload."""

    report: Report
    png: bytes
    summary: str

    @property
    def title(self) -> str:
        return self.report.title


def scope_of(workspace_id: str, team: Team | None) -> Scope:
    """A team's measures, or (outside a team channel) the whole workspace's."""
    return Scope(workspace_id, team.id if team else None)


def build_report(services: Services, workspace_id: str, team: Team | None, weeks: int | None) -> StatsReport:
    """The measures for a team (or, outside a team channel, the whole workspace), drawn and put in words."""
    now = services.clock.now()
    zone = ZoneInfo((team.timezone if team else None) or services.settings.kaizen_timezone)
    report = measure(
        services.db,
        scope_of(workspace_id, team),
        where=f"#{team.name}" if team and team.name else ("this team" if team else "the workspace"),
        zone=zone,
        now=now,
        weeks=weeks or DEFAULT_WEEKS,
        nudge_days=services.settings.kaizen_nudge_days,
        members=services.members.count(workspace_id, team.channel_id) if team else None,
    )
    return StatsReport(report, png(report), summary(report))


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


def _zone(services: Services, team: Team | None) -> ZoneInfo:
    return ZoneInfo((team.timezone if team else None) or services.settings.kaizen_timezone)


def _leads(services: Services, workspace_id: str, team: Team | None, user_id: str) -> bool:
    # A team's limits are its leaders' to move; the workspace's, the leaders of every team (KAIZEN_LEADERS...).
    return services.leaders.is_leader(workspace_id, team, user_id)


def _whose(team: Team | None) -> str:
    return "this team's" if team else "the workspace's"


def rebase(services: Services, workspace_id: str, team: Team | None, user_id: str, day: date, note: str) -> str:
    """A leader starts new limits for every series of the team (or, outside a team channel, the workspace) from
    `day`, a local date not after today, with `note`. Returns what to tell them (mrkdwn)."""
    if not _leads(services, workspace_id, team, user_id):
        return f"Only {_whose(team)} leaders can start new limits. `/kaizen leaders` shows who they are."
    today = services.clock.now().astimezone(_zone(services, team)).date()
    if day > today:
        return f"{day.isoformat()} is still to come: start the new baseline once the change has begun."
    record = baselines.rebase(services.db, scope_of(workspace_id, team), day, note, user_id, services.clock.now())
    return (
        f"New limits for {_whose(team)} charts from {record.starts_on.isoformat()}: {escape(record.note or '')}. "
        "They show as a step on the charts (`/kaizen stats`); `/kaizen stats rebase undo` takes them back."
    )


def undo_step(services: Services, workspace_id: str, team: Team | None, user_id: str) -> str:
    """A leader takes back the latest step (a rebase or an automatic shift). Returns what to tell them."""
    if not _leads(services, workspace_id, team, user_id):
        return f"Only {_whose(team)} leaders can take back new limits. `/kaizen leaders` shows who they are."
    record = baselines.undo(services.db, scope_of(workspace_id, team), user_id, services.clock.now())
    if record is None:
        return f"There are no new limits to take back on {_whose(team)} charts."
    what = step_words(record.kind, record.starts_on, record.note)
    if record.series != EVERY_SERIES:  # an automatic shift is one chart's: say which, or the leader can't tell
        what += f" on the chart of {SERIES_WORDS.get(record.series, record.series.replace('_', ' '))}"
    return f"Took back {what}. The history keeps it (`/kaizen stats rebase`)."


def step_history(services: Services, workspace_id: str, team: Team | None) -> str:
    """The steps of the team's (or workspace's) charts, newest first, with who made and undid them."""
    records = baselines.history(services.db, scope_of(workspace_id, team))
    if not records:
        return (
            f"No new limits on {_whose(team)} charts yet: they come from the first weeks of data. "
            "A leader can start new ones after a change: `/kaizen stats rebase 2026-03-02 started daily huddles`."
        )
    lines = [f"*New limits on {_whose(team)} charts*"]
    for record in reversed(records[-HISTORY_LINES:]):
        who = f"<@{record.created_by}>" if record.created_by else "found by Kaizen"
        line = f"• {record.created_at:%Y-%m-%d}: {step_words(record.kind, record.starts_on, record.note)}"
        line += f" ({'all series' if record.series == EVERY_SERIES else record.series.replace('_', ' ')}, {who})"
        if record.undone_at is not None:
            line += f", taken back {record.undone_at:%Y-%m-%d} by <@{record.undone_by}>"
        lines.append(line)
    return "\n".join(lines)


def set_headcount(
    services: Services, workspace_id: str, team: Team | None, user_id: str, headcount: int, starts_on: date | None
) -> str:
    """A leader sets the team's headcount from `starts_on` (default: today, local), kept as a history so past
    rates keep their denominator. Returns what to tell them."""
    if team is None:
        return "A headcount belongs to a team: use `/kaizen team headcount` in the team's channel."
    if not _leads(services, workspace_id, team, user_id):
        return "Only this team's leaders can set its headcount. `/kaizen leaders` shows who they are."
    now = services.clock.now()
    day = starts_on or now.astimezone(_zone(services, team)).date()
    with services.db.write() as session:
        sql.set_headcount(session, team.id, day, headcount, user_id, now)
    return (
        f"This team's headcount is {headcount} from {day.isoformat()}. Participation rates now count per "
        "headcount instead of channel members, and say so."
    )


def headcount_text(services: Services, team: Team | None) -> str:
    """The team's headcount history, or how to set one."""
    if team is None:
        return "A headcount belongs to a team: use `/kaizen team headcount` in the team's channel."
    with services.db.read() as session:
        rows = sql.headcounts(session, [team.id])
    if not rows:
        return (
            "No headcount set: rates count the channel's members. A leader can set one: "
            "`/kaizen team headcount 42` (or `… from 2026-12-01`)."
        )
    return "\n".join(
        ["*This team's headcount*", *(f"• from {row.starts_on.isoformat()}: {row.headcount}" for row in rows)]
    )
