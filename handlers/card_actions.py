"""Buttons on an idea's card, and the "share this reason" button on a not-now note.

A card shows its primary actions as buttons and the rest in an overflow menu (`CardAction.MORE`, whose option's
value is "<action id>:<idea id>": the same as pressing that button). Every button shows to everyone; who may press
which is decided in `bot.ideas.lifecycle`, per press. Approve, Start, Reopen and Share change the idea at once;
Not now…, Done…, Edit and Redact check first, then open their form (submitted in `handlers.card_views`). A refusal
is told to the presser only, and nothing changes: under the message they pressed, or, for a press on the App Home
(which has no message to answer under), at the top of their Home, published again so it shows where things stand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot import limits
from bot.i18n import N_, _
from bot.ideas.delivery import Delivery
from bot.ideas.escalation import Escalations
from bot.ideas.home import Home
from bot.ideas.lifecycle import Actor, Lifecycle, NotAllowed, Stale
from bot.ideas.rules import check_press, stale
from bot.render import escalation_forms, lifecycle_forms
from bot.render import spread as spread_forms
from bot.render.card import MORE_SEPARATOR
from bot.render.ids import ActionId, CardAction
from bot.slack.gateway import SlackGateway
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from handlers import forms
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of
from storage.models import Idea, IdeaStatus, Source

log = logging.getLogger(__name__)

UNKNOWN_ENTRY = N_("That menu entry doesn't point to anything I know, so nothing was changed.")
ID_DIGITS = 18  # an idea id is a database integer: anything longer (or not a number) is not one of ours

ACTIONS: tuple[str, ...] = (
    CardAction.APPROVE,
    CardAction.NOT_NOW,
    CardAction.START,
    CardAction.DONE,
    CardAction.REOPEN,
    CardAction.EDIT,
    CardAction.REDACT,
    CardAction.ESCALATE,
    CardAction.SEND_BACK,
    CardAction.TAKE_BACK,
    CardAction.TRY_IN_TEAM,
    ActionId.SHARE_REASON,
)


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
    chosen: str | None = None  # the action id of the overflow menu's entry chosen, for CardAction.MORE


def _chosen(action: dict[str, Any]) -> tuple[str | None, str | None]:
    """An overflow menu's chosen option as (action id, idea id text), from "<action id>:<idea id>"."""
    option = action.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    if not isinstance(value, str) or MORE_SEPARATOR not in value:
        return None, None
    chosen, _, idea_id = value.rpartition(MORE_SEPARATOR)
    return chosen, idea_id


def idea_id_of(value: Any) -> int | None:
    """The idea id a button's value names (digits only, at most ID_DIGITS), or None."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None


def tell(respond: Respond, text: str) -> None:
    """A private reply to the presser, under the message they clicked (which stays as it is)."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def register(
    app: App,
    *,
    tenancy: Tenancy,
    lifecycle: Lifecycle,
    permissions: Permissions,
    delivery: Delivery,
    gateway: SlackGateway,
    home: Home,
    languages: Languages,
    escalations: Escalations,
) -> None:
    """Register a listener for each button of ACTIONS."""
    buttons = CardButtons(tenancy, lifecycle, permissions, delivery, gateway, home, languages, escalations)
    for action_id, press_button in buttons.by_action().items():
        app.action(action_id)(buttons.listener(press_button))
    app.action(CardAction.MORE)(buttons.listener(buttons.more))


class CardButtons:
    """What each button does: a method per button takes the Press and returns words for the presser, if any;
    a refusal (`NotAllowed`, `Stale`) is told to them instead."""

    def __init__(
        self,
        tenancy: Tenancy,
        lifecycle: Lifecycle,
        permissions: Permissions,
        delivery: Delivery,
        gateway: SlackGateway,
        home: Home,
        languages: Languages,
        escalations: Escalations,
    ) -> None:
        self._escalations = escalations
        self._languages = languages
        self._home = home
        self._tenancy = tenancy
        self._lifecycle = lifecycle
        self._permissions = permissions
        self._delivery = delivery
        self._gateway = gateway

    def by_action(self) -> dict[str, Callable[[Press], str | None]]:
        """Each of ACTIONS with what it does."""
        return {
            CardAction.APPROVE: self.approve,
            CardAction.NOT_NOW: self.not_now,
            CardAction.START: self.start,
            CardAction.DONE: self.done,
            CardAction.REOPEN: self.reopen,
            CardAction.EDIT: self.edit,
            CardAction.REDACT: self.redact,
            CardAction.ESCALATE: self.escalate,
            CardAction.SEND_BACK: self.send_back,
            CardAction.TAKE_BACK: self.take_back,
            CardAction.TRY_IN_TEAM: self.try_in_team,
            ActionId.SHARE_REASON: self.share_reason,
        }

    def listener(
        self, press_button: Callable[[Press], str | None]
    ) -> Callable[[Ack, dict[str, Any], dict[str, Any], BoltContext, Respond], None]:
        """Bolt's listener for one button: ack, read the press, do it, tell the presser what there is to tell."""

        def on_press(
            ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
        ) -> None:
            ack()
            # A press may open a form (its trigger is ticking): the presser's language as far as it is known.
            with person_reading(self._languages, self._tenancy, context, body, wait=False):
                try:
                    words = press_button(self.read_press(body, action, context))
                except (NotAllowed, Stale) as refusal:
                    words = str(refusal)
                if words:
                    self._tell(body, context, respond, words)

        return on_press

    def _tell(self, body: dict[str, Any], context: BoltContext, respond: Respond, words: str) -> None:
        """Words for the presser: under the message pressed; on the App Home, atop their Home published again;
        from anywhere else (a button in a modal), the way `forms.tell_privately` finds."""
        if body.get("response_url"):
            tell(respond, words)
            return
        channel_id = channel_of(context, body)
        workspace_id = workspace_of(self._tenancy, context, channel_id)
        if (body.get("view") or {}).get("type") == "home":
            self._home.publish(workspace_id, user_of(context), notice=words)
            return
        forms.tell_privately(
            self._gateway, workspace_id, user_id=user_of(context), channel_id=channel_id, response_url=None,
            text=words,
        )  # fmt: skip

    def read_press(self, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> Press:
        """The press, with its idea loaded from the workspace it is filed under; raises NotAllowed when the
        button (or the overflow option chosen, `chosen`) names no idea of that workspace, and Stale when the idea's
        card no longer offers what was pressed (`bot.ideas.rules.check_press`)."""
        channel_id = channel_of(context, body)
        workspace_id = workspace_of(self._tenancy, context, channel_id)
        user_id = user_of(context)
        chosen = None
        value = action.get("value")
        if action.get("action_id") == CardAction.MORE:
            chosen, value = _chosen(action)
        idea_id = idea_id_of(value)
        if idea_id is None:
            raise NotAllowed(_("That button doesn't point to an idea I know, so nothing was changed."))
        if action.get("action_id") == CardAction.MORE and (chosen not in ACTIONS or chosen == ActionId.SHARE_REASON):
            raise NotAllowed(_(UNKNOWN_ENTRY))
        idea = self._lifecycle.load_in(workspace_id, idea_id)
        actor = self._permissions.actor(workspace_id, idea, user_id)
        check_press(actor, chosen or str(action.get("action_id") or ""), idea, in_menu=chosen is not None)
        return Press(
            workspace_id=workspace_id,
            user_id=user_id,
            channel_id=channel_id,
            trigger_id=str(body.get("trigger_id") or ""),
            idea=idea,
            actor=actor,
            response_url=body.get("response_url") or None,
            chosen=chosen,
        )

    def more(self, press: Press) -> str | None:
        """An entry of the card's overflow menu: what its button would do."""
        press_button = self.by_action().get(press.chosen or "")
        if press_button is None or press.chosen == ActionId.SHARE_REASON:
            raise NotAllowed(_(UNKNOWN_ENTRY))
        return press_button(press)

    def _open_form(self, press: Press, view: Any) -> str | None:
        """Open a card button's form; when Slack won't, the presser has been told (handlers.forms). Returns None."""
        forms.open_form(
            self._gateway, workspace_id=press.workspace_id, trigger_id=press.trigger_id, view=view,
            user_id=press.user_id, channel_id=press.channel_id, response_url=press.response_url,
            again=forms.AGAIN_BUTTON,
        )  # fmt: skip
        return None

    def approve(self, press: Press) -> str | None:
        """Approve now; the change is delivered."""
        self._delivery.deliver(self._lifecycle.approve(press.idea.id, press.actor, source=Source.BUTTON))
        return None

    def not_now(self, press: Press) -> str | None:
        """Open the Not now form, if the presser may decline the idea."""
        self._lifecycle.check_may_decline(press.idea, press.actor)
        return self._open_form(
            press, lifecycle_forms.not_now_modal(press.idea, press.channel_id, reason_max=limits.REASON_MAX)
        )

    def start(self, press: Press) -> str | None:
        """Start now; the change is delivered."""
        self._delivery.deliver(self._lifecycle.start(press.idea.id, press.actor, press.idea.team))
        return None

    def done(self, press: Press) -> str | None:
        """Open the Done form, if the presser may finish the idea."""
        self._lifecycle.check_may_finish(press.idea, press.actor)
        return self._open_form(
            press, lifecycle_forms.done_modal(press.idea, press.channel_id, text_max=limits.RESULT_MAX)
        )

    def reopen(self, press: Press) -> str | None:
        """Reopen now; the change is delivered."""
        self._delivery.deliver(self._lifecycle.reopen(press.idea.id, press.actor))
        return None

    def edit(self, press: Press) -> str | None:
        """Open the Edit form, if the presser may edit the idea."""
        self._lifecycle.check_may_edit(press.idea, press.actor)
        return self._open_form(press, lifecycle_forms.edit_modal(press.idea, press.channel_id))

    def redact(self, press: Press) -> str | None:
        """Open the Redact form, if the presser may redact the idea."""
        self._lifecycle.check_may_redact(press.idea, press.actor)
        return self._open_form(press, lifecycle_forms.redact_modal(press.idea, press.channel_id))

    def share_reason(self, press: Press) -> str | None:
        """Share the not-now reason in the idea's thread (once); the presser is thanked, or told it already is."""
        change = self._lifecycle.share_reason(press.idea.id, press.user_id)
        if not change.message_ids:
            return _("The reason for #{number} is already shared in its thread.", number=press.idea.number)
        self._delivery.deliver(change)
        return _("Thank you for sharing it: the reason is now in the thread of #{number}.", number=press.idea.number)

    def try_in_team(self, press: Press) -> str | None:
        """Open the Try it in my team form (anyone may: the idea is done, and its text is there to copy)."""
        if press.idea.status != IdeaStatus.DONE:
            raise stale(press.idea)
        if not spread_forms.can_be_tried(press.idea):
            raise NotAllowed(_("#{number}'s text was removed, so there is nothing to copy. Raise your own idea "
                               "with `/kaizen`.", number=press.idea.number))  # fmt: skip
        return self._open_form(press, spread_forms.try_in_team_modal(press.idea, press.channel_id))

    # --- tiers -----------------------------------------------------------------------------------------------

    def escalate(self, press: Press) -> str | None:
        """Open the Escalate form, if the presser may send the idea one tier up (with a warning when it would go
        from a private channel to one that is not)."""
        hop = self._escalations.check_may_escalate(press.idea, press.actor, self._permissions.deciding_team(press.idea))
        warn = self._goes_public(press.workspace_id, hop.from_team.channel_id, hop.to_team.channel_id)
        view = escalation_forms.escalate_modal(
            press.idea, press.channel_id, hop.to_team.channel_id, from_team_id=hop.from_team.id,
            reason_max=limits.REASON_MAX, public_warning=warn,
        )  # fmt: skip
        return self._open_form(press, view)

    def send_back(self, press: Press) -> str | None:
        """Open the Send back form, if the presser leads the team holding the idea."""
        hop, _holder = self._escalations.check_may_send_back(press.idea, press.actor)
        view = escalation_forms.send_back_modal(press.idea, press.channel_id, hop_id=hop.id, note_max=limits.REASON_MAX)
        return self._open_form(press, view)

    def take_back(self, press: Press) -> str | None:
        """Take the idea back from the team above; the change is delivered."""
        self._delivery.deliver(self._escalations.take_back(press.idea.id, press.actor))
        return None

    def _goes_public(self, workspace_id: str, from_channel: str, to_channel: str) -> bool:
        """Whether an idea in `from_channel` would show in `to_channel` to people who cannot see it now: the first is
        private and the second is not (or Slack did not say in time, when the first is private)."""
        slack = self._gateway.quick(workspace_id)
        try:
            if not slack.conversation(from_channel).get("is_private"):
                return False
            return not slack.conversation(to_channel).get("is_private")
        except Exception:
            log.warning("Could not tell whether %s and %s are private", from_channel, to_channel, exc_info=True)
            return True
