"""Buttons on our messages: "raise this instead" on a usage reply, the welcome's set-up buttons, and Undo /
Make anonymous on the private note after a :bulb: capture."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.models.views import View

from bot import render
from bot.ideas import capture
from bot.huddles import daily as huddles
from bot.ideas.lifecycle import NotAllowed
from bot.render import (
    BULB_ANONYMOUS_ACTION,
    BULB_UNDO_ACTION,
    RAISE_INSTEAD_ACTION,
    WELCOME_HUDDLE_ACTION,
    WELCOME_LEADERS_ACTION,
)
from bot.services import Services
from bot.settings import parse_days
from handlers import forms
from handlers.card_actions import idea_id_of
from handlers.commands import open_raise_modal
from handlers.tenancy import channel_of, workspace_of
from storage.models import Source

log = logging.getLogger(__name__)

ACTIONS = (
    RAISE_INSTEAD_ACTION,
    WELCOME_HUDDLE_ACTION,
    WELCOME_LEADERS_ACTION,
    BULB_UNDO_ACTION,
    BULB_ANONYMOUS_ACTION,
)


def _channel(body: dict[str, Any]) -> str:
    return channel_of(body) or ""


def _private(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def _open(services: Services, body: dict[str, Any], context: BoltContext, view: View) -> None:
    channel_id = _channel(body)
    forms.open_form(
        services, workspace_id=workspace_of(services, context, channel_id), trigger_id=body["trigger_id"], view=view,
        user_id=body["user"]["id"], channel_id=channel_id or None, response_url=body.get("response_url"),
        again=forms.AGAIN_BUTTON,
    )  # fmt: skip


def register(app: App, services: Services) -> None:
    @app.action(RAISE_INSTEAD_ACTION)
    def raise_instead(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        ack()
        open_raise_modal(
            services,
            workspace_id=workspace_of(services, context, _channel(body)),
            user_id=body["user"]["id"],
            channel_id=_channel(body),
            trigger_id=body["trigger_id"],
            prefill=str(action.get("value") or ""),
            response_url=body.get("response_url"),
            again=forms.AGAIN_BUTTON,
            source=Source.COMMAND,
        )

    @app.action(WELCOME_HUDDLE_ACTION)
    def set_up_huddle(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        settings = services.settings
        view = render.huddle_setup_modal(
            _channel(body),
            time_text=settings.kaizen_huddle_time,
            days=parse_days(settings.kaizen_huddle_days),
            zone=huddles.leader_zone(
                services, workspace_of(services, context, _channel(body)), body["user"]["id"], quick=True
            ),
        )
        _open(services, body, context, view)

    @app.action(WELCOME_LEADERS_ACTION)
    def add_leaders(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        _open(services, body, context, render.add_leaders_modal(_channel(body)))

    @app.action(BULB_UNDO_ACTION)
    def bulb_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        on_capture_choice(services, body, action, respond, capture.undo, "Undone: your reply is just a reply again.")

    @app.action(BULB_ANONYMOUS_ACTION)
    def bulb_anonymous(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        done = "Done: your name is off the idea everywhere it shows."
        on_capture_choice(services, body, action, respond, capture.make_anonymous, done)


def on_capture_choice(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    choice: Callable[[Services, int, str], None],
    done: str,
) -> None:
    """Undo or Make anonymous on the private note after a :bulb: capture: the note is replaced by the outcome."""
    idea_id = idea_id_of(action.get("value"))
    try:
        if idea_id is None:
            raise NotAllowed("That button doesn't name an idea; nothing was changed.")
        choice(services, idea_id, body["user"]["id"])
    except NotAllowed as refusal:
        _private(respond, str(refusal))
        return
    respond(text=done, replace_original=True)
