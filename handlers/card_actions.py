"""Buttons on an idea's card, and the "share this reason" button on a not-now note.

Every button shows to everyone; who may press which is decided in `bot.ideas.lifecycle`, per press. Approve, Start,
Reopen and Share change the idea at once; Not now…, Done…, Edit and Redact check first, then open their form
(submitted in `handlers.card_views`). A refusal is told to the presser only, and nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.models.views import View

from bot import render
from bot.ideas.lifecycle import REASON_MAX, RESULT_MAX, Actor, NotAllowed, Stale
from bot.render import SHARE_REASON_ACTION, CardAction
from bot.services import Services
from handlers import forms
from handlers.tenancy import channel_of, workspace_of
from storage.models import Idea, Source

log = logging.getLogger(__name__)

ID_DIGITS = 18  # an idea id is a database integer: anything longer (or not a number) is not one of ours


@dataclass(frozen=True)
class Press:
    """One person's click on a button that names an idea."""

    workspace_id: str
    user_id: str
    channel_id: str | None
    trigger_id: str
    idea: Idea
    actor: Actor
    response_url: str | None = None  # none when the button is not on a message (a modal, the App Home)


def idea_id_of(value: Any) -> int | None:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None


def read_press(services: Services, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> Press:
    workspace_id = workspace_of(services, context, channel_of(body))
    user_id = body["user"]["id"]
    idea_id = idea_id_of(action.get("value"))
    if idea_id is None:
        raise NotAllowed("That button doesn't point to an idea I know, so nothing was changed.")
    idea = services.lifecycle.load_in(workspace_id, idea_id)
    channel_id = channel_of(body)
    return Press(
        workspace_id=workspace_id,
        user_id=user_id,
        channel_id=channel_id,
        trigger_id=str(body.get("trigger_id") or ""),
        idea=idea,
        actor=Actor(user_id, is_leader=services.leaders.is_leader(workspace_id, idea.team, user_id)),
        response_url=body.get("response_url") or None,
    )


def tell(respond: Respond, text: str) -> None:
    """A private reply to the presser, under the message they clicked (which stays as it is)."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def open_form(services: Services, press: Press, view: View) -> str | None:
    """Open a card button's form; when Slack won't, the presser has been told (handlers.forms). Returns None."""
    forms.open_form(
        services, workspace_id=press.workspace_id, trigger_id=press.trigger_id, view=view, user_id=press.user_id,
        channel_id=press.channel_id, response_url=press.response_url, again=forms.AGAIN_BUTTON,
    )  # fmt: skip
    return None


# --- what each button does: returns words for the presser, if any ---------------------------------------------


def approve(services: Services, press: Press) -> str | None:
    services.deliver(services.lifecycle.approve(press.idea.id, press.actor, source=Source.BUTTON))
    return None


def not_now(services: Services, press: Press) -> str | None:
    services.lifecycle.check_may_decline(press.idea, press.actor)
    return open_form(services, press, render.not_now_modal(press.idea, press.channel_id, reason_max=REASON_MAX))


def start(services: Services, press: Press) -> str | None:
    services.deliver(services.lifecycle.start(press.idea.id, press.actor, press.idea.team))
    return None


def done(services: Services, press: Press) -> str | None:
    services.lifecycle.check_may_finish(press.idea, press.actor)
    return open_form(services, press, render.done_modal(press.idea, press.channel_id, text_max=RESULT_MAX))


def reopen(services: Services, press: Press) -> str | None:
    services.deliver(services.lifecycle.reopen(press.idea.id, press.actor))
    return None


def edit(services: Services, press: Press) -> str | None:
    services.lifecycle.check_may_edit(press.idea, press.actor)
    return open_form(services, press, render.edit_modal(press.idea, press.channel_id))


def redact(services: Services, press: Press) -> str | None:
    services.lifecycle.check_may_redact(press.idea, press.actor)
    return open_form(services, press, render.redact_modal(press.idea, press.channel_id))


def share_reason(services: Services, press: Press) -> str | None:
    change = services.lifecycle.share_reason(press.idea.id, press.user_id)
    if not change.message_ids:
        return f"The reason for #{press.idea.number} is already shared in its thread."
    services.deliver(change)
    return f"Thank you for sharing it: the reason is now in the thread of #{press.idea.number}."


BUTTONS: dict[str, Callable[[Services, Press], str | None]] = {
    CardAction.APPROVE: approve,
    CardAction.NOT_NOW: not_now,
    CardAction.START: start,
    CardAction.DONE: done,
    CardAction.REOPEN: reopen,
    CardAction.EDIT: edit,
    CardAction.REDACT: redact,
    SHARE_REASON_ACTION: share_reason,
}
ACTIONS: tuple[str, ...] = tuple(BUTTONS)


def register(app: App, services: Services) -> None:
    for action_id, press_button in BUTTONS.items():
        app.action(action_id)(listener(services, press_button))


def listener(
    services: Services, press_button: Callable[[Services, Press], str | None]
) -> Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext, Respond], None]:
    def on_press(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        try:
            words = press_button(services, read_press(services, body, action, context))
        except (NotAllowed, Stale) as refusal:
            words = str(refusal)
        if words:
            tell(respond, words)

    return on_press
