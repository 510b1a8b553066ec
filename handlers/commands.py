"""`/kaizen`: acknowledge at once, parse the grammar in `bot.grammar`, reply privately or open the modal."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import limits
from bot.clock import Clock
from bot.delivery.inbox import Inbox
from bot.grammar import (
    Command,
    Export,
    ForgetMe,
    Headcount,
    Help,
    HuddleAt,
    HuddleHolidays,
    HuddleNow,
    HuddleOff,
    HuddleSkip,
    LeadersAdd,
    LeadersRemove,
    ListIdeas,
    Mine,
    MyData,
    Raise,
    SetHeadcount,
    SetTeamLanguage,
    Show,
    StatsRebase,
    StatsRebaseUndo,
    StatsSteps,
    TeamLanguage,
    Tier,
    TierOff,
    TierUp,
    Usage,
    WalkUp,
    parse_command,
)
from bot.grammar import Leaders as LeadersList
from bot.grammar import Stats as StatsCharts
from bot.huddles.daily import Huddles
from bot.huddles.schedule import ScheduleError, describe_schedule
from bot.huddles.setup import HuddleSetup
from bot.i18n import LANGUAGES, _, join, language_name, n_, reading
from bot.ideas.channels import TeamChannels
from bot.ideas.export import TeamExport
from bot.ideas.home import card_links
from bot.ideas.raising import Raising
from bot.ideas.workflow import Workflow
from bot.render import card, replies
from bot.render.help import HELP_TEXT, help_blocks, usage_blocks
from bot.settings import Settings
from bot.slack.blockkit import escape_clipped
from bot.slack.gateway import SlackError, SlackGateway
from bot.stats import Stats
from bot.teams.appointments import Appointments
from bot.teams.emojis import ApproveEmojis
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from handlers import charts, forms
from handlers.personal_data import PersonalData
from handlers.tenancy import channel_of, user_of, workspace_of
from handlers.tier_links import TierCommands
from handlers.walkup_commands import WalkUpCommands
from storage.models import Team

log = logging.getLogger(__name__)

COMMAND = "/kaizen"
BOARD_PER_STATUS = 15
MINE_LIMIT = 30


def register(app: App, kaizen: KaizenCommand) -> None:
    """Register `/kaizen`, answered by `kaizen` (built by the composition root)."""

    @app.command(COMMAND)
    def on_kaizen(ack: Ack, command: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        kaizen.handle(command, context, respond)


def reply(respond: Respond, blocks: Sequence[Any], text: str) -> None:
    """A private answer to the person who typed the command (`blocks` Block Kit, `text` its fallback)."""
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def notice(respond: Respond, text: str) -> None:
    """A private answer of one notice (`text` mrkdwn we wrote)."""
    reply(respond, replies.notice_blocks(text), text)


@dataclass(frozen=True)
class Asked:
    """One `/kaizen`: who typed it, in which channel, and the workspace it is filed under."""

    workspace_id: str
    user_id: str
    channel_id: str
    channel_name: str
    trigger_id: str
    response_url: str | None


class KaizenCommand:
    """Answers `/kaizen …` (Slack's command payload): each subcommand asks `bot` and renders what it says."""

    def __init__(
        self,
        *,
        tenancy: Tenancy,
        clock: Clock,
        settings: Settings,
        workflow: Workflow,
        permissions: Permissions,
        appointments: Appointments,
        team_channels: TeamChannels,
        leaders: Leaders,
        emojis: ApproveEmojis,
        huddles: Huddles,
        huddle_setup: HuddleSetup,
        stats: Stats,
        raising: Raising,
        exports: TeamExport,
        gateway: SlackGateway,
        languages: Languages,
        inbox: Inbox,
        personal_data: PersonalData,
        walkup: WalkUpCommands,
        tiers: TierCommands,
    ) -> None:
        self._tiers = tiers
        self._personal_data = personal_data
        self._walkup = walkup
        self._inbox = inbox
        self._languages = languages
        self._tenancy = tenancy
        self._clock = clock
        self._settings = settings
        self._workflow = workflow
        self._permissions = permissions
        self._appointments = appointments
        self._team_channels = team_channels
        self._leaders = leaders
        self._emojis = emojis
        self._huddles = huddles
        self._huddle_setup = huddle_setup
        self._stats = stats
        self._raising = raising
        self._exports = exports
        self._gateway = gateway

    def handle(self, command: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        """Answer one `/kaizen`. Slack's team_id is the person's own workspace (a partner's, in a Slack Connect
        channel): the command is filed under the workspace its channel belongs to (bot.teams.tenancy), looked up
        only by the subcommands that need one."""
        parsed = parse_command(command.get("text") or "")
        channel_id = channel_of(context, command) or ""
        workspace_id = workspace_of(self._tenancy, context, channel_id)
        user_id = user_of(context)
        # What only they see is in their language; a form must open before Slack's trigger expires, so it opens in
        # what is known (the team's language for someone new) and their language is learned once it is open.
        wait = not isinstance(parsed, Raise)
        with reading(self._languages.of_person(workspace_id, user_id, channel_id=channel_id, wait=wait)):
            self._answer(parsed, command, workspace_id, user_id, channel_id, respond)

    def _answer(
        self,
        parsed: Command,
        command: dict[str, Any],
        workspace_id: str,
        user_id: str,
        channel_id: str,
        respond: Respond,
    ) -> None:
        if isinstance(parsed, Help):
            reply(respond, help_blocks(), _(HELP_TEXT))
            return
        if isinstance(parsed, Usage):
            # Translators: the fallback text of a reply to a mistyped `/kaizen` command; {usage} is how it is written
            reply(respond, usage_blocks(parsed), _("Usage: {usage}", usage=parsed.usage))
            return
        asked = Asked(
            workspace_id=workspace_id,
            user_id=user_id,
            channel_id=channel_id,
            channel_name=str(command.get("channel_name") or ""),
            trigger_id=str(command.get("trigger_id") or ""),
            response_url=command.get("response_url"),
        )
        match parsed:
            case Raise(text=text):
                forms.open_raise_modal(
                    self._raising,
                    self._gateway,
                    workspace_id=asked.workspace_id,
                    user_id=asked.user_id,
                    channel_id=asked.channel_id,
                    trigger_id=asked.trigger_id,
                    prefill=text,
                    response_url=asked.response_url,
                )
            case ListIdeas(filter=list_filter):
                board = self._workflow.board(asked.channel_id, list_filter, BOARD_PER_STATUS)
                now = self._clock.now()
                links = card_links(self._gateway, asked.workspace_id, chain.from_iterable(board.groups.values()))
                blocks = replies.board_blocks(board, asked.channel_id, now, list_filter, links)
                reply(respond, blocks, replies.board_text(board))
            case Mine():
                ideas, total = self._workflow.ideas_of_person(asked.workspace_id, asked.user_id, MINE_LIMIT)
                links = card_links(self._gateway, asked.workspace_id, ideas)
                blocks = replies.mine_blocks(ideas, total, self._clock.now(), links)
                reply(respond, blocks, replies.mine_text(ideas, total))
            case Show(number=number):
                self.show(asked, respond, number)
            case LeadersList():
                team = self._workflow.find_team(asked.channel_id)
                listing = self._leaders.listing(asked.workspace_id, team)
                blocks = replies.leaders_blocks(listing, self._emojis.for_team(team))
                reply(respond, blocks, replies.leaders_text(listing))
            case LeadersAdd(user_ids=users) | LeadersRemove(user_ids=users):
                self.change_leaders(asked, respond, users, add=isinstance(parsed, LeadersAdd))
            case HuddleNow():
                self.huddle_now(asked, respond)
            case HuddleAt() | HuddleOff() | HuddleSkip() | HuddleHolidays():
                self.change_huddle(asked, respond, parsed)
            case StatsCharts(weeks=weeks, share=share, tree=tree):
                self.send_stats(asked, respond, weeks, share, tree=tree)
            case StatsRebase() | StatsRebaseUndo() | StatsSteps() | Headcount() | SetHeadcount():
                self.change_measures(asked, respond, parsed)
            case TeamLanguage() | SetTeamLanguage():
                self.team_language(asked, respond, parsed)
            case Export():
                self.send_export(asked, respond)
            case MyData():
                self._personal_data.send_my_data(asked.workspace_id, asked.user_id, respond)
            case ForgetMe():
                self._personal_data.offer_forget_me(respond)
            case Tier() | TierUp() | TierOff():
                self._tiers.answer(parsed, asked.workspace_id, asked.channel_id, asked.channel_name, asked.user_id,
                                   respond)  # fmt: skip
            case WalkUp(action=action):
                self._walkup.answer(action, asked.workspace_id, asked.channel_id, asked.channel_name, asked.user_id,
                                    respond)  # fmt: skip

    def team_language(self, asked: Asked, respond: Respond, parsed: TeamLanguage | SetTeamLanguage) -> None:
        """`/kaizen team language [CODE|default]`: which language the team's channel posts are in (asking sets
        nothing up); leaders change it. The answer is in the person's own language."""
        if isinstance(parsed, TeamLanguage):
            team = self._workflow.find_team(asked.channel_id)
        else:
            team = self._team_channels.set_up(asked.workspace_id, asked.channel_id, asked.channel_name)
        if team is None:
            notice(
                respond,
                _("A team's language belongs to a team channel with Kaizen in it: invite it with `/invite @Kaizen` "
                  "first, then try again there."),
            )  # fmt: skip
            return
        if isinstance(parsed, TeamLanguage):
            text = _(
                "This team's cards, huddles and thread replies are in {language}. Each person's own replies, forms "
                "and App Home follow their Slack language. A leader can change the team's with "
                "`/kaizen team language {codes}`.",
                language=language_name(self._languages.of_team(team)), codes="|".join((*LANGUAGES, "default")),
            )  # fmt: skip
            notice(respond, text)
            return
        if not self._permissions.may_change_language(asked.workspace_id, team, asked.user_id):
            notice(respond, _("Only this team's leaders can change its language. `/kaizen leaders` shows who."))
            return
        self._languages.set_team(team, parsed.language)
        language = parsed.language or self._languages.default
        notice(
            respond,
            _("From now on this team's cards, huddles and thread replies are in {language}.",
              language=language_name(language)),
        )  # fmt: skip

    def show(self, asked: Asked, respond: Respond, number: int) -> None:
        """`/kaizen show N`: the idea with its history, if it is the person's to see."""
        found = self._workflow.idea_shown_to(asked.workspace_id, asked.user_id, number, here=asked.channel_id)
        if found is None:
            # The same words whether it does not exist or is not theirs to see: no leak either way.
            text = _(
                "I can't find idea #{number} in a channel you're in. `/kaizen list` shows this channel's.",
                number=number,
            )
            notice(respond, text)
            return
        idea, events = found
        reply(respond, replies.show_blocks(idea, events, *self._workflow.spread_of(idea)), card.card_text(idea))

    def change_measures(
        self,
        asked: Asked,
        respond: Respond,
        parsed: StatsRebase | StatsRebaseUndo | StatsSteps | Headcount | SetHeadcount,
    ) -> None:
        """`/kaizen stats rebase …` and `/kaizen team headcount …`: the measures' own words."""
        workspace_id, user_id = asked.workspace_id, asked.user_id
        team = self._workflow.find_team(asked.channel_id)
        match parsed:
            case StatsRebase(day=day, note=note):
                text = self._stats.rebase(workspace_id, team, user_id, day, note)
            case StatsRebaseUndo():
                text = self._stats.undo_step(workspace_id, team, user_id)
            case StatsSteps():
                text = self._stats.step_history(workspace_id, team)
            case Headcount():
                text = self._stats.headcount_text(team)
            case SetHeadcount(headcount=headcount, starts_on=starts_on):
                text = self._stats.set_headcount(workspace_id, team, user_id, headcount, starts_on)
        reply(respond, replies.lines_blocks(text), text)

    def change_leaders(self, asked: Asked, respond: Respond, users: tuple[str, ...], *, add: bool) -> None:
        """`/kaizen leaders add|remove @a …`: adding sets the channel up as a team when Kaizen is in it."""
        if add:
            team = self._team_channels.set_up(asked.workspace_id, asked.channel_id, asked.channel_name)
        else:
            team = self._workflow.find_team(asked.channel_id)
        if team is None:
            notice(
                respond,
                _("Leaders belong to a team channel with Kaizen in it: invite it with `/invite @Kaizen` first."),
            )
            return
        if not self._permissions.may_change_leaders(asked.workspace_id, team, asked.user_id):
            notice(
                respond,
                _("Only this team's leaders or a workspace admin can change its leaders. `/kaizen leaders` shows who."),
            )
            return
        names, count = join([f"<@{u}>" for u in users]), len(users)
        if add:
            change = self._appointments.add(team, users, asked.user_id)
            if change.changed:
                text = n_("{names} leads this team now.", "{names} lead this team now.", count, names=names)
            else:
                text = n_("{names} already leads this team.", "{names} already lead this team.", count, names=names)
        else:
            change = self._appointments.remove(team, users)
            if change.changed:
                text = _("Removed {names} from this team's leaders.", names=names)
            else:
                text = n_(
                    "{names} wasn't a leader of this team.", "{names} weren't leaders of this team.", count, names=names
                )
        notice(respond, text)

    def team_here(self, asked: Asked, respond: Respond) -> Team | None:
        """The team of the channel the command was typed in, set up on first use; None (and the person told) when
        Kaizen is not in that channel."""
        team = self._team_channels.set_up(asked.workspace_id, asked.channel_id, asked.channel_name)
        if team is None:
            notice(
                respond,
                _("Huddles happen in a team channel with Kaizen in it: invite it with `/invite @Kaizen` first."),
            )
        return team

    def huddle_now(self, asked: Asked, respond: Respond) -> None:
        """`/kaizen huddle now`: a huddle posted at once; Slack's refusal is told."""
        team = self.team_here(asked, respond)
        if team is None:
            return
        try:
            self._huddles.post_now(team)
        except SlackError as error:
            log.warning("Could not post a huddle in %s: %s", team.channel_id, error.code, exc_info=True)
            # Translators: {code} is Slack's error name, e.g. `not_in_channel`
            text = _("Slack didn't let me post the huddle here (`{code}`). Please try again.", code=error.code)
            notice(respond, text)

    def change_huddle(
        self, asked: Asked, respond: Respond, parsed: HuddleAt | HuddleOff | HuddleSkip | HuddleHolidays
    ) -> None:
        """`/kaizen huddle at|off|skip|holidays …`, for the team's leaders."""
        team = self.team_here(asked, respond)
        if team is None:
            return
        if not self._permissions.may_change_huddle(asked.workspace_id, team, asked.user_id):
            notice(respond, _("Only this team's leaders can change its huddle. `/kaizen leaders` shows who they are."))
            return
        try:
            match parsed:
                case HuddleAt(times=times, days=days, zone=zone):
                    taken = self._huddle_setup.taken_slots(team)  # before the scheduler can see the new times
                    team = self._huddles.schedules.set_schedule(team, times, days, zone, leader_id=asked.user_id)
                    self._huddle_setup.confirm(team, taken)  # the team sees it set, as when the form is saved
                    text = describe_schedule(team, self._settings)
                case HuddleOff():
                    self._huddles.schedules.turn_off(team)
                    text = _("The daily huddle is off. `/kaizen huddle at 08:30` turns it on again.")
                case HuddleSkip(day=day):
                    self._huddles.schedules.skip_day(team, day)
                    text = _("No huddle on {day}.", day=day.isoformat())
                case HuddleHolidays(country=country):
                    self._huddles.schedules.set_holidays(team, country)
                    if country:
                        # Translators: {country} is a country code, e.g. DE or JP
                        text = _("No huddles on {country} public holidays.", country=country)
                    else:
                        text = _("Huddles on public holidays too.")
        except ScheduleError as error:
            text = str(error)
        reply(respond, replies.notice_blocks(escape_clipped(text, limits.NOTICE_TEXT)), text)

    def send_stats(self, asked: Asked, respond: Respond, weeks: int | None, share: bool, *, tree: bool) -> None:
        """`/kaizen stats [weeks] [share] [tree]`: the charts in a DM, or shared in the team's channel, drawn by the
        process doing the background work (`handlers.charts`), which then says where they went."""
        if (share or tree) and self._workflow.find_team(asked.channel_id) is None:
            notice(respond, charts.needs_a_team(tree=tree))
            return
        asked_for = charts.ChartsAsked(
            workspace_id=asked.workspace_id, user_id=asked.user_id, channel_id=asked.channel_id, weeks=weeks,
            share=share, tree=tree, trigger_id=asked.trigger_id, response_url=asked.response_url,
        )  # fmt: skip
        trouble = charts.queue_charts(self._inbox, asked_for)
        if trouble is not None:
            notice(respond, trouble)

    def send_export(self, asked: Asked, respond: Respond) -> None:
        """`/kaizen export`: the team's ideas as a CSV file in a DM, for the team's leaders."""
        workspace_id, user_id, channel_id = asked.workspace_id, asked.user_id, asked.channel_id
        team = self._workflow.find_team(channel_id)
        if team is None or not self._permissions.may_export(workspace_id, team, user_id):
            notice(respond, _("Only a leader of this team can export its ideas, from the team's channel."))
            return
        try:
            self._exports.send_privately(workspace_id, team, user_id)
            text = _("Sent you the team's ideas as a CSV file in a direct message.")
        except SlackError as error:
            log.warning("Could not send the export: %s", error.code, exc_info=True)
            text = _("Slack didn't take the file (`{code}`). Please try again.", code=error.code)
        notice(respond, text)
