"""`/kaizen`: acknowledge at once, parse the grammar in `bot.commands`, reply privately or open the modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot import render, workflow
from bot.commands import Help, ListIdeas, Mine, Raise, Show, Usage, parse_command
from bot.raising import raise_modal_for
from bot.render import RaiseContext
from bot.services import Services
from storage.models import Source

log = logging.getLogger(__name__)

COMMAND = "/kaizen"
BOARD_PER_STATUS = 15
MINE_LIMIT = 30


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def kaizen(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        handle_kaizen(services, command, respond)


def reply(respond: Respond, blocks: list[Any], text: str) -> None:
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def open_raise_modal(
    services: Services,
    *,
    workspace_id: str,
    channel_id: str,
    trigger_id: str,
    prefill: str,
    response_url: str | None,
    respond: Respond | None,
    source: Source = Source.COMMAND,
) -> None:
    context = RaiseContext(channel_id=channel_id, response_url=response_url, source=source)
    view = raise_modal_for(services, workspace_id, channel_id, prefill, context)
    try:
        services.quick(workspace_id).views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed: %s", error.response.get("error"), exc_info=True)
        if respond is not None:
            text = "Slack didn't let me open the form in time. Please try `/kaizen` again."
            reply(respond, render.notice_blocks(text), text)


def handle_kaizen(services: Services, command: dict[str, Any], respond: Respond) -> None:
    workspace_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
    parsed = parse_command(command.get("text") or "")
    now = services.clock.now()
    match parsed:
        case Raise(text=text):
            open_raise_modal(
                services,
                workspace_id=workspace_id,
                channel_id=channel_id,
                trigger_id=command["trigger_id"],
                prefill=text,
                response_url=command.get("response_url"),
                respond=respond,
            )
        case Help():
            reply(respond, render.help_blocks(), "Kaizen help")
        case ListIdeas(filter=list_filter):
            board = workflow.team_board(services.db, workspace_id, channel_id, list_filter, BOARD_PER_STATUS)
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
        case Usage() as usage:
            reply(respond, render.usage_blocks(usage), f"Usage: {usage.usage}")
        case _:
            text = (
                f"`/kaizen {(command.get('text') or '').split()[0]}` isn't available in this version of Kaizen yet. "
                "`/kaizen help` lists what is."
            )
            reply(respond, render.notice_blocks(render.bk.escape_clipped(text, 3000)), text)
