"""The forms opened from an idea's card: Not now, Done, Edit and Redact.

On submit the server decides again who may (a form can be open while things change). The change is committed
before the form closes, so a refusal or a problem shows in the form itself and nothing typed is lost; then the
messages it owes are sent and the card brought up to date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError

from bot.ideas.lifecycle import Actor, Change, NotAllowed, Stale
from bot.render import (
    DONE_CALLBACK,
    EDIT_CALLBACK,
    NOT_NOW_CALLBACK,
    REDACT_CALLBACK,
    Field,
    IdeaModalContext,
    LifecycleField,
)
from bot.services import Services
from bot.text import plain
from handlers.tenancy import workspace_of
from storage.models import Idea

log = logging.getLogger(__name__)

SORRY = "Sorry, I couldn't save this just now. Please try again."
REDACT_INCOMPLETE = (
    "#{number} is redacted on its card and in the store, but Slack didn't let me change some of the thread "
    "replies that quoted it. Please press Redact once more to try them again."
)

Values = dict[str, dict[str, Any]]


def _entry(values: Values, field: str) -> dict[str, Any]:
    return (values.get(field) or {}).get(field) or {}


def _text(values: Values, field: str) -> str | None:
    """A text input's value as Slack sends it (plain text: no decoding needed)."""
    value = _entry(values, field).get("value")
    return plain(value) if isinstance(value, str) else None


def _selected(values: Values, field: str) -> str | None:
    value = (_entry(values, field).get("selected_option") or {}).get("value")
    return value if isinstance(value, str) else None


# --- what each form does: the change, made as the submitter ----------------------------------------------------


def not_now(services: Services, idea: Idea, actor: Actor, values: Values) -> Change:
    return services.lifecycle.not_now(idea.id, actor, _text(values, LifecycleField.REASON) or "")


def done(services: Services, idea: Idea, actor: Actor, values: Values) -> Change:
    return services.lifecycle.done(
        idea.id,
        actor,
        outcome=_selected(values, LifecycleField.OUTCOME) or "",
        result=_text(values, LifecycleField.RESULT) or "",
        learned=_text(values, LifecycleField.LEARNED) or "",
        effect=_text(values, LifecycleField.EFFECT),
    )


def edit(services: Services, idea: Idea, actor: Actor, values: Values) -> Change:
    return services.lifecycle.edit(
        idea.id,
        actor,
        problem=_text(values, Field.PROBLEM) or "",
        idea_text=_text(values, Field.IDEA),
        benefit=_text(values, Field.BENEFIT),
        category=_selected(values, Field.CATEGORY),
    )


def redact(services: Services, idea: Idea, actor: Actor, values: Values) -> Change:
    return services.lifecycle.redact(idea.id, actor, _text(values, LifecycleField.NOTE))


@dataclass(frozen=True)
class Form:
    submit: Callable[[Services, Idea, Actor, Values], Change]
    shown_on: str  # the input a refusal or a problem is shown on
    redacts: bool = False  # once the form has closed, thread replies that quoted the idea are redacted too


FORMS: dict[str, Form] = {
    NOT_NOW_CALLBACK: Form(not_now, LifecycleField.REASON),
    DONE_CALLBACK: Form(done, LifecycleField.RESULT),
    EDIT_CALLBACK: Form(edit, Field.PROBLEM),
    REDACT_CALLBACK: Form(redact, LifecycleField.NOTE, redacts=True),
}
CALLBACKS: tuple[str, ...] = tuple(FORMS)


def register(app: App, services: Services) -> None:
    for callback_id, form in FORMS.items():
        app.view(callback_id)(listener(services, form))


def listener(services: Services, form: Form) -> Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext], None]:
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        handle_submission(services, form, ack, body, view, workspace_of(services, context, None))

    return on_submit


def handle_submission(
    services: Services, form: Form, ack: Ack, body: dict[str, Any], view: dict[str, Any], workspace_id: str
) -> None:
    user_id = body["user"]["id"]
    context = IdeaModalContext.decode(view.get("private_metadata"))
    values: Values = (view.get("state") or {}).get("values") or {}
    try:
        if context.idea_id is None:
            raise NotAllowed("This form has lost track of its idea. Please close it and press the button again.")
        idea = services.lifecycle.load_in(workspace_id, context.idea_id)
        actor = Actor(user_id, is_leader=services.leaders.is_leader(workspace_id, idea.team, user_id))
        change = form.submit(services, idea, actor, values)
    except (NotAllowed, Stale) as refusal:
        ack(response_action="errors", errors={form.shown_on: str(refusal)})
        return
    except Exception:
        log.exception("Could not apply a %s form from %s", view.get("callback_id"), user_id)
        ack(response_action="errors", errors={form.shown_on: SORRY})
        return
    ack()  # the change is committed: now the form may close
    services.deliver(change)
    if form.redacts and services.outbox.redact_posts(idea.id):
        text = REDACT_INCOMPLETE.format(number=idea.number)
        tell_privately(services, workspace_id, context.channel_id, user_id, text)


def tell_privately(services: Services, workspace_id: str, channel_id: str | None, user_id: str, text: str) -> None:
    if channel_id is None:
        return
    try:
        services.web(workspace_id).chat_postEphemeral(channel=channel_id, user=user_id, text=text)
    except SlackApiError:
        log.warning("Could not tell %s in %s: %s", user_id, channel_id, text, exc_info=True)
