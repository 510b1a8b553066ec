"""The forms opened from an idea's card: Not now, Done, Edit and Redact, Escalate and Send back.

On submit the server decides again who may (a form can be open while things change). The change is committed
before the form closes, so a refusal or a problem shows in the form itself and nothing typed is lost; then the
messages it owes are sent and the card brought up to date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import limits
from bot.delivery.outbox import Outbox
from bot.i18n import N_, _, n_
from bot.ideas.channels import TeamChannels
from bot.ideas.delivery import Delivery
from bot.ideas.escalation import Escalations
from bot.ideas.lifecycle import Actor, Change, Lifecycle, NotAllowed, Stale
from bot.ideas.rules import stale
from bot.privacy.screening import PatientDetails
from bot.render.ids import CallbackId, Field, LifecycleField
from bot.render.metadata import IdeaModalContext
from bot.render.privacy import vouched
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.text import plain
from handlers.privacy import keep_form_open
from handlers.tenancy import person_reading, user_of, workspace_of
from storage.models import Idea, Team

log = logging.getLogger(__name__)


SORRY = N_("Sorry, I couldn't save this just now. Please try again.")
REDACT_INCOMPLETE = N_(
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


class OnField(NotAllowed):
    """A refusal shown on one input of the form (`field`), not the form's usual one."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field


@dataclass(frozen=True)
class Acts:
    """What the forms change ideas through: the lifecycle, escalations, who decides an idea now, and which channels
    are teams (set up on first use, where Kaizen is a member)."""

    lifecycle: Lifecycle
    escalations: Escalations
    permissions: Permissions
    team_channels: TeamChannels


def spread_teams(acts: Acts, idea: Idea, values: Values) -> list[Team]:
    """The teams the Done form's "Where else could this help?" names (the idea's own channel left out), each a
    channel of the idea's workspace where Kaizen is a member, set up as a team once all are checked (nothing is set
    up for a form refused). OnField naming the first channel that cannot take it: Kaizen is not in it, Slack could
    not say in time (the look-ups run at once, each within `Raising.bot_is_member`'s second: the ack waits), or it
    is filed under another workspace (a Slack Connect channel)."""
    chosen = [
        c for c in _entry(values, LifecycleField.SPREAD_TO).get("selected_conversations") or [] if isinstance(c, str)
    ]
    if len(chosen) > limits.SPREAD_TEAMS:
        raise OnField(
            LifecycleField.SPREAD_TO,
            n_("Please pick at most {count} channel.", "Please pick at most {count} channels.", limits.SPREAD_TEAMS),
        )
    wanted = [channel for channel in dict.fromkeys(chosen) if channel != idea.team.channel_id]
    known = {channel: acts.team_channels.find(channel) for channel in wanted}
    unknown = [channel for channel, team in known.items() if team is None]
    member: dict[str, bool | None] = {}
    if unknown:
        with ThreadPoolExecutor(max_workers=len(unknown), thread_name_prefix="spread-lookup") as pool:
            member = dict(
                zip(unknown, pool.map(lambda c: acts.team_channels.member(idea.workspace_id, c), unknown), strict=True)
            )
    for channel in wanted:
        team = known[channel]
        if team is not None and team.workspace_id != idea.workspace_id:
            raise OnField(LifecycleField.SPREAD_TO, _("<#{channel}> is filed under another workspace: an idea spreads "
                                                      "within its own.", channel=channel))  # fmt: skip
        if team is None and member.get(channel) is None:
            raise OnField(LifecycleField.SPREAD_TO, _("Slack didn't say in time whether Kaizen is in <#{channel}>. "
                                                      "Please try again.", channel=channel))  # fmt: skip
        if team is None and not member.get(channel):
            raise OnField(
                LifecycleField.SPREAD_TO,
                _(
                    "Kaizen isn't in <#{channel}> yet. Invite it there with "
                    "`/invite @Kaizen`, or leave that channel out.",
                    channel=channel,
                ),
            )
    return [known[c] or acts.team_channels.ensure(idea.workspace_id, c) for c in wanted]


def not_now(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """Not now, with the reason typed."""
    return acts.lifecycle.not_now(idea.id, actor, _text(values, LifecycleField.REASON) or "", vouched=vouched(values))


def done(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """Done, with its outcome, result, what was learned, (optionally) its effect and the teams it is offered to."""
    acts.lifecycle.check_may_finish(idea, actor)  # refused before any channel is looked up
    offer_to = spread_teams(acts, idea, values)
    return acts.lifecycle.done(
        idea.id,
        actor,
        outcome=_selected(values, LifecycleField.OUTCOME) or "",
        result=_text(values, LifecycleField.RESULT) or "",
        learned=_text(values, LifecycleField.LEARNED) or "",
        effect=_text(values, LifecycleField.EFFECT),
        vouched=vouched(values),
        offer_to=offer_to,
    )


def edit(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """The idea's text and category as edited."""
    return acts.lifecycle.edit(
        idea.id,
        actor,
        problem=_text(values, Field.PROBLEM) or "",
        idea_text=_text(values, Field.IDEA),
        benefit=_text(values, Field.BENEFIT),
        category=_selected(values, Field.CATEGORY),
        vouched=vouched(values),
    )


def redact(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """The idea redacted, with an optional note."""
    return acts.lifecycle.redact(idea.id, actor, _text(values, LifecycleField.NOTE), vouched=vouched(values))


def escalate(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """One tier up, with the reason typed (who may, and where to, decided again now)."""
    hop = acts.escalations.check_may_escalate(idea, actor, acts.permissions.deciding_team(idea))
    if context.from_team_id is not None and hop.from_team.id != context.from_team_id:
        raise stale(idea)  # sent up, back or taken back since the form opened: it would go elsewhere now
    reason = _text(values, LifecycleField.ESCALATE_REASON) or ""
    return acts.escalations.escalate(hop, actor, reason, vouched=vouched(values))


def send_back(acts: Acts, idea: Idea, actor: Actor, values: Values, context: IdeaModalContext) -> Change:
    """Back down one tier, with the note typed."""
    note = _text(values, LifecycleField.NOTE) or ""
    return acts.escalations.send_back(idea.id, actor, note, vouched=vouched(values), hop_id=context.hop_id)


@dataclass(frozen=True)
class Form:
    """A card form: what submitting it changes (made as the submitter), and where its problems show."""

    submit: Callable[[Acts, Idea, Actor, Values, IdeaModalContext], Change]
    shown_on: str  # the input a refusal or a problem is shown on
    redacts: bool = False  # once the form has closed, thread replies that quoted the idea are redacted too


FORMS: dict[str, Form] = {
    CallbackId.NOT_NOW: Form(not_now, LifecycleField.REASON),
    CallbackId.DONE: Form(done, LifecycleField.RESULT),
    CallbackId.EDIT: Form(edit, Field.PROBLEM),
    CallbackId.REDACT: Form(redact, LifecycleField.NOTE, redacts=True),
    CallbackId.ESCALATE: Form(escalate, LifecycleField.ESCALATE_REASON),
    CallbackId.SEND_BACK: Form(send_back, LifecycleField.NOTE),
}
CALLBACKS: tuple[str, ...] = tuple(FORMS)


def register(
    app: App,
    *,
    tenancy: Tenancy,
    lifecycle: Lifecycle,
    permissions: Permissions,
    delivery: Delivery,
    outbox: Outbox,
    gateway: SlackGateway,
    languages: Languages,
    escalations: Escalations,
    team_channels: TeamChannels,
) -> None:
    """Register a listener for each form of CALLBACKS."""
    acts = Acts(lifecycle, escalations, permissions, team_channels)
    submissions = CardForms(tenancy, acts, delivery, outbox, gateway, languages)
    for callback_id, form in FORMS.items():
        app.view(callback_id)(submissions.listener(form))


class CardForms:
    """A card form submitted: the change made as the submitter, or the reason it cannot be shown in the form."""

    def __init__(
        self,
        tenancy: Tenancy,
        acts: Acts,
        delivery: Delivery,
        outbox: Outbox,
        gateway: SlackGateway,
        languages: Languages,
    ) -> None:
        self._languages = languages
        self._tenancy = tenancy
        self._acts = acts
        self._lifecycle = acts.lifecycle
        self._permissions = acts.permissions
        self._delivery = delivery
        self._outbox = outbox
        self._gateway = gateway

    def listener(self, form: Form) -> Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext], None]:
        """Bolt's listener for one form's submissions."""

        def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
            # The form's errors are said before the ack: in the submitter's language as far as it is known.
            with person_reading(self._languages, self._tenancy, context, body, wait=False):
                self.handle_submission(form, ack, view, user_of(context), workspace_of(self._tenancy, context, None))

        return on_submit

    def handle_submission(self, form: Form, ack: Ack, view: dict[str, Any], user_id: str, workspace_id: str) -> None:
        """Apply the form `view` submitted by `user_id` to its idea in `workspace_id`; ack with errors on the
        form's input when it is refused or fails, else ack (the form closes) and deliver the change."""
        context = IdeaModalContext.decode(view.get("private_metadata"))
        values: Values = (view.get("state") or {}).get("values") or {}
        try:
            if context.idea_id is None:
                raise NotAllowed(_("This form has lost track of its idea. Please close it and press the button again."))
            idea = self._lifecycle.load_in(workspace_id, context.idea_id)
            actor = self._permissions.actor(workspace_id, idea, user_id)
            change = form.submit(self._acts, idea, actor, values, context)
        except (NotAllowed, Stale) as refusal:
            ack(response_action="errors", errors={getattr(refusal, "field", form.shown_on): str(refusal)})
            return
        except PatientDetails as found:
            keep_form_open(ack, view, found, form.shown_on)
            return
        except Exception:
            log.exception("Could not apply a %s form from %s", view.get("callback_id"), user_id)
            ack(response_action="errors", errors={form.shown_on: _(SORRY)})
            return
        ack()  # the change is committed: now the form may close
        self._delivery.deliver(change)
        if form.redacts and self._outbox.redact_posts(idea.id):
            text = _(REDACT_INCOMPLETE, number=idea.number)
            self.tell_privately(workspace_id, context.channel_id, user_id, text)

    def tell_privately(self, workspace_id: str, channel_id: str | None, user_id: str, text: str) -> None:
        """An ephemeral message to `user_id` in `channel_id` (none: nothing is sent); Slack's refusal is logged."""
        if channel_id is None:
            return
        try:
            self._gateway.workspace(workspace_id).post_ephemeral(channel_id, user_id, text)
        except SlackError:
            log.warning("Could not tell %s in %s: %s", user_id, channel_id, text, exc_info=True)
