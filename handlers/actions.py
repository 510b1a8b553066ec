"""Buttons on our messages: "raise this instead" on a usage reply, "Raise a problem" (App Home, help), the
welcome's set-up buttons, and Undo / Make anonymous on the private note after a :bulb: capture."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.huddles.setup import HuddleSetup
from bot.i18n import N_, Words, _
from bot.ideas.capture import Capture
from bot.ideas.lifecycle import NotAllowed
from bot.ideas.raising import Raising
from bot.render.ids import ActionId
from bot.render.welcome import add_leaders_modal
from bot.slack.gateway import SlackGateway
from bot.teams.languages import Languages
from bot.teams.tenancy import Tenancy
from handlers import forms
from handlers.card_actions import idea_id_of
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of
from storage.models import Source

log = logging.getLogger(__name__)

ACTIONS: tuple[str, ...] = (
    ActionId.RAISE_INSTEAD,
    ActionId.RAISE,
    ActionId.WELCOME_HUDDLE,
    ActionId.WELCOME_LEADERS,
    ActionId.BULB_UNDO,
    ActionId.BULB_ANONYMOUS,
    ActionId.BULB_NOT_PATIENT_INFO,
)
# The private note after a :bulb: capture, once its writer pressed Undo or Make anonymous.
UNDONE = N_("Undone: your reply is just a reply again.")
ANONYMOUS = N_("Done: your name is off the idea everywhere it shows.")
# The private note after a :bulb: reply was held for what looked like patient details, once its writer raised it.
RAISED_AFTER_ALL = N_("Raised: your reply is now idea #{number}.")
NOT_RAISED = N_("Kaizen couldn't raise it: the reply is gone, or it is an idea already.")


def _private(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def register(
    app: App,
    *,
    tenancy: Tenancy,
    raising: Raising,
    huddle_setup: HuddleSetup,
    capture: Capture,
    gateway: SlackGateway,
    languages: Languages,
) -> None:
    """Register the buttons of ACTIONS. Each answers the person in their language (`person_reading`)."""

    def person(context: BoltContext, body: dict[str, Any], *, wait: bool = True) -> AbstractContextManager[Words]:
        return person_reading(languages, tenancy, context, body, wait=wait)

    def open_form(body: dict[str, Any], context: BoltContext, channel_id: str, view: Any) -> None:
        forms.open_form(
            gateway, workspace_id=workspace_of(tenancy, context, channel_id), trigger_id=body["trigger_id"],
            view=view, user_id=user_of(context), channel_id=channel_id or None, response_url=body.get("response_url"),
            again=forms.AGAIN_BUTTON,
        )  # fmt: skip

    @app.action(ActionId.RAISE_INSTEAD)
    def raise_instead(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        ack()
        with person(context, body, wait=False):
            open_raise(body, context, prefill=str(action.get("value") or ""))

    @app.action(ActionId.RAISE)
    def raise_problem(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        with person(context, body, wait=False):
            open_raise(body, context, prefill="")

    def open_raise(body: dict[str, Any], context: BoltContext, *, prefill: str) -> None:
        """The raise modal, the way /kaizen opens it (from the App Home, with no channel: the team picker)."""
        channel_id = channel_of(context, body) or ""
        forms.open_raise_modal(
            raising,
            gateway,
            workspace_id=workspace_of(tenancy, context, channel_id),
            user_id=user_of(context),
            channel_id=channel_id,
            trigger_id=body["trigger_id"],
            prefill=prefill,
            response_url=body.get("response_url"),
            again=forms.AGAIN_BUTTON,
            source=Source.COMMAND,
        )

    @app.action(ActionId.WELCOME_HUDDLE)
    def set_up_huddle(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        channel_id = channel_of(context, body) or ""
        workspace_id = workspace_of(tenancy, context, channel_id)
        with person(context, body, wait=False):
            refusal = huddle_setup.refusal(workspace_id, channel_id, user_of(context)) if channel_id else None
            if refusal:
                _private(respond, refusal)
                return
            open_form(body, context, channel_id, huddle_setup.modal(workspace_id, channel_id, user_of(context)))

    @app.action(ActionId.WELCOME_LEADERS)
    def add_leaders(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        channel_id = channel_of(context, body) or ""
        with person(context, body, wait=False):
            open_form(body, context, channel_id, add_leaders_modal(channel_id))

    @app.action(ActionId.BULB_UNDO)
    def bulb_undo(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with person(context, body):
            on_capture_choice(action, user_of(context), respond, capture.undo, UNDONE)

    @app.action(ActionId.BULB_ANONYMOUS)
    def bulb_anonymous(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with person(context, body):
            on_capture_choice(action, user_of(context), respond, capture.make_anonymous, ANONYMOUS)

    @app.action(ActionId.BULB_NOT_PATIENT_INFO)
    def bulb_not_patient_info(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        channel_id, ts = channel_of(context, body), action.get("value")
        with person(context, body):
            if not channel_id or not isinstance(ts, str) or not ts:
                _private(respond, _("That button doesn't name a reply; nothing was changed."))
                return
            try:
                captured = capture.capture_reply(
                    workspace_of(tenancy, context, channel_id), channel_id, ts, vouched_by=user_of(context)
                )
            except NotAllowed as refusal:
                _private(respond, str(refusal))
                return
            if captured is None:
                _private(respond, _(NOT_RAISED))
                return
            respond(text=_(RAISED_AFTER_ALL, number=captured.idea.number), replace_original=True)


def on_capture_choice(
    action: dict[str, Any], user_id: str, respond: Respond, choice: Callable[[int, str], None], done: str
) -> None:
    """Undo or Make anonymous on the private note after a :bulb: capture (`choice(idea_id, user_id)`, refusing
    with NotAllowed): the note is replaced by `done` (a message marked with N_, said in the reader's words), or the
    refusal is told privately."""
    idea_id = idea_id_of(action.get("value"))
    try:
        if idea_id is None:
            raise NotAllowed(_("That button doesn't name an idea; nothing was changed."))
        choice(idea_id, user_id)
    except NotAllowed as refusal:
        _private(respond, str(refusal))
        return
    respond(text=_(done), replace_original=True)
