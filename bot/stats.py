"""`/kaizen stats`: the team's (or workspace's) measures as process behavior charts, one PNG, with a short
summary in words; sent privately by DM, or shared in the channel. Also the chart in the first huddle of a week.

What people read is in the reader's language (`bot.i18n`): the caller says who reads (`with reading(…)`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import _, number
from bot.measures import baselines
from bot.measures.report import DEFAULT_WEEKS, THIS_TEAM, WORKSPACE, Report, measure, png
from bot.measures.words import summary
from bot.privacy.identifiers import PatientIdGuard
from bot.privacy.screening import PatientDetails, screen
from bot.render import stats as stats_words
from bot.settings import Settings
from bot.slack.gateway import SlackError, SlackGateway, SlackUnreachable
from bot.teams.leaders import Leaders
from bot.teams.members import HumanMembers
from bot.text import escape
from storage import measure_records as sql
from storage import tiers
from storage.db import Database
from storage.measures import Scope
from storage.models import Team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatsReport:
    """A report with its picture and its words, ready to upload."""

    report: Report
    png: bytes
    summary: str

    @property
    def title(self) -> str:
        """The report's title: the PNG's heading and the uploaded file's title."""
        return self.report.title


def scope_of(workspace_id: str, team: Team | None) -> Scope:
    """A team's measures, or (outside a team channel) the whole workspace's."""
    return Scope(workspace_id, team.id if team else None)


def _whose(team: Team | None) -> str:
    """Whose charts, as `bot.render.stats.steps_text` is told (in English: it picks its own words by it)."""
    return "this team's" if team else "the workspace's"


def _headcount_needs_a_team() -> str:
    # Translators: `/kaizen team headcount` used outside a team's channel
    return _("A headcount belongs to a team: use `/kaizen team headcount` in the team's channel.")


class Stats:
    """The measures of a team (or, outside a team channel, the whole workspace): drawn, put in words and sent; and
    the leaders' changes to them (new limits, headcounts). Sending raises the gateway's `SlackError` /
    `SlackUnreachable`; the rest answers in words (mrkdwn) what to tell the person."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        gateway: SlackGateway,
        leaders: Leaders,
        members: HumanMembers,
        guard: PatientIdGuard | None = None,
    ) -> None:
        """`guard` screens a rebase's note for patient identifiers (the settings' kinds without one)."""
        self._guard = guard or PatientIdGuard.from_settings(settings)
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        self._leaders = leaders
        self._members = members

    def build_report(self, workspace_id: str, team: Team | None, weeks: int | None) -> StatsReport:
        """The measures for a team (or, outside a team channel, the whole workspace), drawn and put in words, over
        `weeks` weeks (None: DEFAULT_WEEKS). A team's participation counts its channel's people (users.info)."""
        now = self._clock.now()
        zone = self._zone(team)
        report = measure(
            self._db,
            scope_of(workspace_id, team),
            where=self._where(workspace_id, team),
            zone=zone,
            now=now,
            weeks=weeks or DEFAULT_WEEKS,
            nudge_days=self._settings.kaizen_nudge_days,
            members=self._members.count(workspace_id, team.channel_id) if team else None,
        )
        return StatsReport(report, png(report), summary(report))

    def build_tree_report(self, workspace_id: str, team: Team, weeks: int | None) -> StatsReport | None:
        """The measures of `team`'s whole tier tree (it and every team below it, at any depth) as `build_report`
        draws a team's; None when no team is below it. Rates need every team's headcount (channel members of many
        channels are not counted)."""
        with self._db.read() as session:
            tree = tiers.subtree_ids(session, team.id)
        if len(tree) < 2:
            return None
        report = measure(
            self._db, Scope(workspace_id, team.id, tuple(tree)), where=self._where(workspace_id, team),
            zone=self._zone(team), now=self._clock.now(), weeks=weeks or DEFAULT_WEEKS,
            nudge_days=self._settings.kaizen_nudge_days, members=None,
        )  # fmt: skip
        return StatsReport(report, png(report), summary(report))

    def _where(self, workspace_id: str, team: Team | None) -> str:
        """The team's name as the chart's title leads with it: "#ward-7"; Slack's name of the channel when the team
        has none stored, else "this team"; "the workspace" outside a team."""
        if team is None:
            return WORKSPACE
        if team.name:
            return f"#{team.name}"
        try:
            name = self._gateway.workspace(workspace_id).conversation(team.channel_id).get("name")
        except (SlackError, SlackUnreachable):
            name = None
        return f"#{name}" if isinstance(name, str) and name else THIS_TEAM

    def send_report(
        self, workspace_id: str, report: StatsReport, channel_id: str, thread_ts: str | None = None
    ) -> None:
        """Upload the PNG to `channel_id` (or the thread of `thread_ts`) with the summary as its message."""
        self._gateway.workspace(workspace_id).upload(
            channel_id, report.png, "kaizen-stats.png", report.title, report.summary, thread_ts=thread_ts
        )

    def send_privately(self, workspace_id: str, report: StatsReport, user_id: str) -> None:
        """Upload the PNG to the person's DM with Kaizen."""
        dm = self._gateway.workspace(workspace_id).open_dm(user_id)
        self.send_report(workspace_id, report, dm)

    def _zone(self, team: Team | None) -> ZoneInfo:
        return ZoneInfo((team.timezone if team else None) or self._settings.kaizen_timezone)

    def _leads(self, workspace_id: str, team: Team | None, user_id: str) -> bool:
        # A team's limits are its leaders' to move; the workspace's, the leaders of every team (KAIZEN_LEADERS...).
        return self._leaders.is_leader(workspace_id, team, user_id)

    def rebase(self, workspace_id: str, team: Team | None, user_id: str, day: date, note: str) -> str:
        """A leader starts new limits for every series of the team (or, outside a team channel, the workspace) from
        `day`, a local date not after today, with `note`. Returns what to tell them (mrkdwn)."""
        if not self._leads(workspace_id, team, user_id):
            if team is None:
                return _(
                    "Only the workspace's leaders can start a new usual range. `/kaizen leaders` shows who they are."
                )
            return _("Only this team's leaders can start a new usual range. `/kaizen leaders` shows who they are.")
        today = self._clock.now().astimezone(self._zone(team)).date()
        if day > today:
            # Translators: {date} is a date in the future, as the leader typed it (YYYY-MM-DD)
            return _("{date} is still to come: start the new baseline once the change has begun.", date=day.isoformat())
        try:
            screen(self._guard, {"note": note}, vouched=False)  # shown on every chart: no override for a note
        except PatientDetails as found:
            log.info("Refused a rebase note: %s", found)  # kinds only, never the text
            return escape(found.flags[0].request_for_a_note())
        record = baselines.rebase(self._db, scope_of(workspace_id, team), day, note, user_id, self._clock.now())
        when, said = record.starts_on.isoformat(), escape(record.note or "")
        if team is None:
            # Translators: {note} is the leader's note (their own words) on what changed
            return _(
                "A new usual range for the workspace's charts from {date}: {note}. It shows as a step on the charts "
                "(`/kaizen stats`); `/kaizen stats rebase undo` takes it back.",
                date=when,
                note=said,
            )
        # Translators: {note} is the leader's note (their own words) on what changed
        return _(
            "A new usual range for this team's charts from {date}: {note}. It shows as a step on the charts "
            "(`/kaizen stats`); `/kaizen stats rebase undo` takes it back.",
            date=when,
            note=said,
        )

    def undo_step(self, workspace_id: str, team: Team | None, user_id: str) -> str:
        """A leader takes back the latest step (a rebase or an automatic shift). Returns what to tell them."""
        if not self._leads(workspace_id, team, user_id):
            if team is None:
                return _(
                    "Only the workspace's leaders can take back a new usual range. "
                    "`/kaizen leaders` shows who they are."
                )
            return _("Only this team's leaders can take back a new usual range. `/kaizen leaders` shows who they are.")
        record = baselines.undo(self._db, scope_of(workspace_id, team), user_id, self._clock.now())
        if record is None:
            if team is None:
                return _("There is no new usual range to take back on the workspace's charts.")
            return _("There is no new usual range to take back on this team's charts.")
        return stats_words.taken_back_text(record)

    def step_history(self, workspace_id: str, team: Team | None) -> str:
        """The steps of the team's (or workspace's) charts, newest first, with who made and undid them."""
        return stats_words.steps_text(baselines.history(self._db, scope_of(workspace_id, team)), _whose(team))

    def set_headcount(
        self, workspace_id: str, team: Team | None, user_id: str, headcount: int, starts_on: date | None
    ) -> str:
        """A leader sets the team's headcount from `starts_on` (default: today, local), kept as a history so past
        rates keep their denominator. Returns what to tell them."""
        if team is None:
            return _headcount_needs_a_team()
        if not self._leads(workspace_id, team, user_id):
            return _("Only this team's leaders can set its headcount. `/kaizen leaders` shows who they are.")
        now = self._clock.now()
        day = starts_on or now.astimezone(self._zone(team)).date()
        with self._db.write() as session:
            sql.set_headcount(session, team.id, day, headcount, user_id, now)
        return _(
            "This team's headcount is {headcount} from {date}. Participation rates now count per headcount instead of "
            "channel members, and say so.",
            headcount=number(headcount),
            date=day.isoformat(),
        )

    def headcount_text(self, team: Team | None) -> str:
        """The team's headcount history, or how to set one."""
        if team is None:
            return _headcount_needs_a_team()
        with self._db.read() as session:
            rows = sql.headcounts(session, [team.id])
        return stats_words.headcounts_text(rows)
