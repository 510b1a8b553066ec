"""Buttons on our messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.render import RAISE_INSTEAD_ACTION
from bot.services import Services
from handlers.commands import open_raise_modal
from storage.models import Source

ACTIONS = (RAISE_INSTEAD_ACTION,)


def register(app: App, services: Services) -> None:
    @app.action(RAISE_INSTEAD_ACTION)
    def raise_instead(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        open_raise_modal(
            services,
            workspace_id=body["team"]["id"],
            channel_id=channel_id,
            trigger_id=body["trigger_id"],
            prefill=str(action.get("value") or ""),
            response_url=body.get("response_url"),
            respond=respond,
            source=Source.COMMAND,
        )
