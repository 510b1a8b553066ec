"""`/kaizen`: acknowledge at once, parse the grammar in `bot.grammar`, reply privately or open the modal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.errors import SlackApiError

from bot import render
from bot.ideas import export
from bot.huddles import daily as huddles
from bot.measures import stats
from bot.ideas import workflow
from bot.grammar import (
    Export,
    Headcount,
    Help,
    HuddleAt,
    HuddleHolidays,
    HuddleNow,
    HuddleOff,
    HuddleSkip,
    Leaders,
    LeadersAdd,
    LeadersRemove,
    ListIdeas,
    Mine,
    Raise,
    SetHeadcount,
    Show,
    Stats,
    StatsRebase,
    StatsRebaseUndo,
    StatsSteps,
    Usage,
    parse_command,
)
from bot.huddles.daily import ScheduleError
from bot.ideas.raising import bot_is_member, raise_modal_for
from bot.render import RaiseContext
from bot.services import Services
from bot.text import is_blank
from handlers import forms
from handlers.tenancy import workspace_of
from storage.export import export_rows
from storage.models import Source, Team

log = logging.getLogger(__name__)

COMMAND = "/kaizen"
BOARD_PER_STATUS = 15
MINE_LIMIT = 30
WORKSPACE = "kaizen_workspace_id"  # set on the command by `handle_kaizen`: the workspace it is filed under


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def kaizen(ack: Ack, command: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        # Slack's team_id is the person's own workspace (a partner's, in a Slack Connect channel): the command is
        # filed under the workspace the channel belongs to, looked up only when the command needs it.
        handle_kaizen(services, command, respond, lambda: workspace_of(services, context, command.get("channel_id")))


def reply(respond: Respond, blocks: list[Any], text: str) -> None:
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def open_raise_modal(
    services: Services,
    *,
    workspace_id: str,
    user_id: str,
    channel_id: str,
    trigger_id: str,
    prefill: str,
    response_url: str | None,
    again: str = forms.AGAIN_COMMAND,
    source: Source = Source.COMMAND,
    source_message: tuple[str, str] | None = None,
) -> None:
    """Open the raise modal, the problem filled with `prefill` unless that shows nothing; if Slack won't open it
    the person is told privately, with `again` saying how to try again (see `handlers.forms.open_form`)."""
    context = RaiseContext(
        channel_id=channel_id,
        response_url=response_url,
        source=source,
        source_channel=source_message[0] if source_message else None,
        source_ts=source_message[1] if source_message else None,
    )
    prefill = "" if is_blank(prefill) else prefill  # invisible characters are no problem to start from
    view = raise_modal_for(services, workspace_id, channel_id, prefill, context)
    forms.open_form(
        services, workspace_id=workspace_id, trigger_id=trigger_id, view=view, user_id=user_id,
        channel_id=channel_id, response_url=response_url, again=again,
    )  # fmt: skip


def handle_kaizen(
    services: Services, command: dict[str, Any], respond: Respond, workspace_of_command: Callable[[], str]
) -> None:
    """Answer one `/kaizen` (Slack's command payload); `workspace_of_command` says which workspace it is filed
    under (bot.teams.tenancy), asked only by the commands that need one."""
    parsed = parse_command(command.get("text") or "")
    if isinstance(parsed, Help):
        reply(respond, render.help_blocks(), "Kaizen help")
        return
    if isinstance(parsed, Usage):
        reply(respond, render.usage_blocks(parsed), f"Usage: {parsed.usage}")
        return
    command = {**command, WORKSPACE: workspace_of_command()}
    workspace_id, user_id, channel_id = command[WORKSPACE], command["user_id"], command["channel_id"]
    now = services.clock.now()
    match parsed:
        case Raise(text=text):
            open_raise_modal(
                services,
                workspace_id=workspace_id,
                user_id=user_id,
                channel_id=channel_id,
                trigger_id=command["trigger_id"],
                prefill=text,
                response_url=command.get("response_url"),
            )
        case ListIdeas(filter=list_filter):
            board = workflow.team_board(services.db, channel_id, list_filter, BOARD_PER_STATUS)
            reply(respond, render.board_blocks(board, channel_id, now, list_filter), "Kaizen board")
        case Mine():
            ideas, total = workflow.ideas_of_person(services.db, workspace_id, user_id, MINE_LIMIT)
            reply(respond, render.mine_blocks(ideas, total, now), "Your Kaizen ideas")
        case Show(number=number):
            found = workflow.idea_with_history(services.db, workspace_id, number)
            visible = found is not None and services.access.can_see(
                services.web(workspace_id), workspace_id, user_id, found[0].team.channel_id, here=channel_id
            )
            if found is None or not visible:
                # The same words whether it does not exist or is not theirs to see: no leak either way.
                text = f"I can't find idea #{number} in a channel you're in. `/kaizen list` shows this channel's."
                reply(respond, render.notice_blocks(text), text)
            else:
                idea, events = found
                reply(respond, render.show_blocks(idea, events), render.card_text(idea))
        case Leaders():
            team = workflow.find_team(services.db, channel_id)
            listing = services.leaders.listing(workspace_id, team)
            blocks = render.leaders_blocks(listing, services.approve_emoji(team))
            reply(respond, blocks, "Kaizen leaders")
        case LeadersAdd(user_ids=users) | LeadersRemove(user_ids=users):
            change_leaders(services, command, respond, users, add=isinstance(parsed, LeadersAdd))
        case HuddleNow():
            huddle_now(services, command, respond)
        case HuddleAt() | HuddleOff() | HuddleSkip() | HuddleHolidays():
            change_huddle(services, command, respond, parsed)
        case Stats(weeks=weeks, share=share):
            send_stats(services, command, respond, weeks, share)
        case StatsRebase() | StatsRebaseUndo() | StatsSteps() | Headcount() | SetHeadcount():
            change_measures(services, command, respond, parsed)
        case Export():
            send_export(services, command, respond)


def change_measures(
    services: Services,
    command: dict[str, Any],
    respond: Respond,
    parsed: StatsRebase | StatsRebaseUndo | StatsSteps | Headcount | SetHeadcount,
) -> None:
    workspace_id, user_id = command[WORKSPACE], command["user_id"]
    team = workflow.find_team(services.db, command["channel_id"])
    match parsed:
        case StatsRebase(day=day, note=note):
            text = stats.rebase(services, workspace_id, team, user_id, day, note)
        case StatsRebaseUndo():
            text = stats.undo_step(services, workspace_id, team, user_id)
        case StatsSteps():
            text = stats.step_history(services, workspace_id, team)
        case Headcount():
            text = stats.headcount_text(services, team)
        case SetHeadcount(headcount=headcount, starts_on=starts_on):
            text = stats.set_headcount(services, workspace_id, team, user_id, headcount, starts_on)
    reply(respond, render.bk.line_sections(text.split("\n")), text)


def change_leaders(
    services: Services, command: dict[str, Any], respond: Respond, users: tuple[str, ...], *, add: bool
) -> None:
    workspace_id, user_id, channel_id = command[WORKSPACE], command["user_id"], command["channel_id"]
    team = workflow.find_team(services.db, channel_id)
    if team is None:
        if not add or bot_is_member(services, workspace_id, channel_id) is not True:
            text = "Leaders belong to a team channel with Kaizen in it: invite it with `/invite @Kaizen` first."
            reply(respond, render.notice_blocks(text), text)
            return
        team = workflow.ensure_team(
            services.db, services.clock, workspace_id, channel_id, command.get("channel_name", "")
        )
    if not services.leaders.may_manage(workspace_id, team, user_id):
        text = "Only this team's leaders or a workspace admin can change its leaders. `/kaizen leaders` shows who."
        reply(respond, render.notice_blocks(text), text)
        return
    names = ", ".join(f"<@{u}>" for u in users)
    if add:
        change = services.leaders.add(team, users, user_id, services.approve_emoji(team))
        for message_id in change.message_ids:
            services.outbox.send(message_id)
        text = (
            f"{names} {'lead' if len(users) > 1 else 'leads'} this team now."
            if change.changed
            else f"{names} already lead this team."
        )
    else:
        change = services.leaders.remove(team, users)
        text = (
            f"Removed {names} from this team's leaders." if change.changed else f"{names} weren't leaders of this team."
        )
    reply(respond, render.notice_blocks(text), text)


def team_here(services: Services, command: dict[str, Any], respond: Respond) -> Team | None:
    """The team of the channel the command was typed in, set up on first use; None (and the person told) when
    Kaizen is not in that channel."""
    workspace_id, channel_id = command[WORKSPACE], command["channel_id"]
    team = workflow.find_team(services.db, channel_id)
    if team is not None:
        return team
    if bot_is_member(services, workspace_id, channel_id) is not True:
        text = "Huddles happen in a team channel with Kaizen in it: invite it with `/invite @Kaizen` first."
        reply(respond, render.notice_blocks(text), text)
        return None
    return workflow.ensure_team(services.db, services.clock, workspace_id, channel_id, command.get("channel_name", ""))


def huddle_now(services: Services, command: dict[str, Any], respond: Respond) -> None:
    team = team_here(services, command, respond)
    if team is None:
        return
    try:
        services.huddles.post_now(team)
    except SlackApiError as error:
        log.warning("Could not post a huddle in %s: %s", team.channel_id, error.response.get("error"), exc_info=True)
        text = f"Slack didn't let me post the huddle here (`{error.response.get('error')}`). Please try again."
        reply(respond, render.notice_blocks(text), text)


def change_huddle(
    services: Services,
    command: dict[str, Any],
    respond: Respond,
    parsed: HuddleAt | HuddleOff | HuddleSkip | HuddleHolidays,
) -> None:
    workspace_id, user_id = command[WORKSPACE], command["user_id"]
    team = team_here(services, command, respond)
    if team is None:
        return
    if not services.leaders.is_leader(workspace_id, team, user_id):
        text = "Only this team's leaders can change its huddle. `/kaizen leaders` shows who they are."
        reply(respond, render.notice_blocks(text), text)
        return
    settings = services.settings
    try:
        match parsed:
            case HuddleAt(times=times, days=days, zone=zone):
                team = huddles.set_schedule(services, team, times, days, zone, leader_id=user_id)
                text = huddles.describe_schedule(team, settings)
            case HuddleOff():
                huddles.turn_off(services, team)
                text = "The daily huddle is off. `/kaizen huddle at 08:30` turns it on again."
            case HuddleSkip(day=day):
                huddles.skip_day(services, team, day)
                text = f"No huddle on {day.isoformat()}."
            case HuddleHolidays(country=country):
                huddles.set_holidays(services, team, country)
                text = f"No huddles on {country} public holidays." if country else "Huddles on public holidays too."
    except ScheduleError as error:
        text = str(error)
    reply(respond, render.notice_blocks(render.bk.escape_clipped(text, 2900)), text)


def send_stats(services: Services, command: dict[str, Any], respond: Respond, weeks: int | None, share: bool) -> None:
    workspace_id, user_id, channel_id = command[WORKSPACE], command["user_id"], command["channel_id"]
    team = workflow.find_team(services.db, channel_id)
    if share and team is None:
        text = "`share` posts the charts in a team channel: use it in one that raises ideas."
        reply(respond, render.notice_blocks(text), text)
        return
    report = stats.build_report(services, workspace_id, team, weeks)
    try:
        if share:
            stats.send_report(services, workspace_id, report, channel_id)
            text = "Shared the charts in this channel."
        else:
            stats.send_privately(services, workspace_id, report, user_id)
            text = "Sent you the charts in a direct message."
    except SlackApiError as error:
        log.warning("Could not send the stats: %s", error.response.get("error"), exc_info=True)
        text = f"Slack didn't take the charts (`{error.response.get('error')}`). Please try again."
    reply(respond, render.notice_blocks(text), text)


def send_export(services: Services, command: dict[str, Any], respond: Respond) -> None:
    workspace_id, user_id, channel_id = command[WORKSPACE], command["user_id"], command["channel_id"]
    team = workflow.find_team(services.db, channel_id)
    if team is None or not services.leaders.is_leader(workspace_id, team, user_id):
        text = "Only a leader of this team can export its ideas, from the team's channel."
        reply(respond, render.notice_blocks(text), text)
        return
    with services.db.read() as session:
        content = export.csv_bytes(export_rows(session, workspace_id=workspace_id, channel_id=channel_id))
    client = services.web(workspace_id)
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=dm, content=content, filename=f"kaizen-{team.name or channel_id}.csv",
            title=f"Kaizen ideas of #{team.name or channel_id}",
            initial_comment="Here are the team's ideas as a CSV file.",
        )  # fmt: skip
        text = "Sent you the team's ideas as a CSV file in a direct message."
    except SlackApiError as error:
        log.warning("Could not send the export: %s", error.response.get("error"), exc_info=True)
        text = f"Slack didn't take the file (`{error.response.get('error')}`). Please try again."
    reply(respond, render.notice_blocks(text), text)
