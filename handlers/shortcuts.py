"""The message shortcut "Raise as Kaizen idea": the raise modal filled from that message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.text import decode_slack_text
from handlers.commands import open_raise_modal
from storage.models import Source

RAISE_FROM_MESSAGE = "raise_from_message"
SHORTCUTS = (RAISE_FROM_MESSAGE,)


def register(app: App, services: Services) -> None:
    @app.shortcut(RAISE_FROM_MESSAGE)
    def raise_from_message(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = body.get("message") or {}
        channel_id = (body.get("channel") or {}).get("id") or ""
        open_raise_modal(
            services,
            workspace_id=(body.get("team") or {}).get("id") or body["user"]["team_id"],
            channel_id=channel_id,
            trigger_id=body["trigger_id"],
            prefill=decode_slack_text(str(message.get("text") or "")),
            response_url=body.get("response_url"),
            respond=None,
            source=Source.SHORTCUT,
            source_message=(channel_id, str(message.get("ts") or body.get("message_ts") or "")),
        )
