"""The message shortcut "Raise as Kaizen idea": the raise modal filled from that message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.ideas.raising import Raising
from bot.slack.gateway import SlackGateway
from bot.teams.languages import Languages
from bot.teams.tenancy import Tenancy
from bot.text import decode_slack_text
from handlers import forms
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of
from storage.models import Source

RAISE_FROM_MESSAGE = "raise_from_message"
SHORTCUTS = (RAISE_FROM_MESSAGE,)


def register(app: App, *, tenancy: Tenancy, raising: Raising, gateway: SlackGateway, languages: Languages) -> None:
    """Register the message shortcut: it opens the raise modal, filled with the message's text."""

    @app.shortcut(RAISE_FROM_MESSAGE)
    def raise_from_message(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        message = body.get("message") or {}
        channel_id = channel_of(context, body) or ""
        with person_reading(languages, tenancy, context, body, wait=False):
            _open(body, context, message, channel_id)

    def _open(body: dict[str, Any], context: BoltContext, message: dict[str, Any], channel_id: str) -> None:
        forms.open_raise_modal(
            raising,
            gateway,
            workspace_id=workspace_of(tenancy, context, channel_id),
            user_id=user_of(context),
            channel_id=channel_id,
            trigger_id=body["trigger_id"],
            prefill=decode_slack_text(str(message.get("text") or "")),
            response_url=body.get("response_url"),
            again=forms.AGAIN_SHORTCUT,
            source=Source.SHORTCUT,
            source_message=(channel_id, str(message.get("ts") or body.get("message_ts") or "")),
            # An app's message has no person to vouch for it: its bot (or "app") stands as someone else.
            source_writer=str(message.get("user") or message.get("bot_id") or "app"),
        )
