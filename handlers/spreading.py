"""Spreading what works, from Slack: Try it here and Not for us on a suggestion, and the Try it in my team form (its
button is on a done card: `handlers.card_actions`). The rules are `bot.ideas.spreading`; here requests are read,
the copy's card posted, the original's cards and suggestions redrawn, and the presser told privately."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.delivery.outbox import Outbox
from bot.i18n import N_, _
from bot.ideas.channels import TeamChannels
from bot.ideas.delivery import Delivery
from bot.ideas.lifecycle import NotAllowed
from bot.ideas.spreading import Spreading, Tried
from bot.render.ids import ActionId, CallbackId, LifecycleField
from bot.render.metadata import IdeaModalContext
from bot.render.spread import tried_text
from bot.slack.gateway import SlackGateway
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from bot.teams.tenancy import Tenancy
from handlers import forms
from handlers.card_actions import idea_id_of, tell
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of

log = logging.getLogger(__name__)

SORRY = N_("Sorry, I couldn't do that just now. Please try again.")


def register(
    app: App, *, tenancy: Tenancy, spreading: Spreading, leaders: Leaders, team_channels: TeamChannels,
    delivery: Delivery, outbox: Outbox, gateway: SlackGateway, languages: Languages,
) -> None:  # fmt: skip
    """Register Try it here, Not for us and the Try it in my team form."""
    spread = SpreadHandlers(spreading, leaders, team_channels, delivery, outbox, gateway)

    @app.action(ActionId.TRY_HERE)
    def try_here(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        channel_id = channel_of(context, body)
        with person_reading(languages, tenancy, context, body, wait=True):
            words = spread.try_here(workspace_of(tenancy, context, channel_id), user_of(context), action.get("value"))
            tell(respond, words)

    @app.action(ActionId.NOT_FOR_US)
    def not_for_us(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        channel_id = channel_of(context, body)
        with person_reading(languages, tenancy, context, body, wait=True):
            words = spread.not_for_us(workspace_of(tenancy, context, channel_id), user_of(context), action.get("value"))
            if words:
                tell(respond, words)

    @app.view(CallbackId.TRY_IN_TEAM)
    def try_in_team(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        with person_reading(languages, tenancy, context, body, wait=False):
            spread.try_in_team(ack, view, workspace_of(tenancy, context, None), user_of(context))


class SpreadHandlers:
    """What each request does (see the module's docstring); refusals come back as words for the person."""

    def __init__(
        self, spreading: Spreading, leaders: Leaders, team_channels: TeamChannels, delivery: Delivery,
        outbox: Outbox, gateway: SlackGateway,
    ) -> None:  # fmt: skip
        self._spreading = spreading
        self._leaders = leaders
        self._team_channels = team_channels
        self._delivery = delivery
        self._outbox = outbox
        self._gateway = gateway

    def try_here(self, workspace_id: str, user_id: str, value: Any) -> str:
        """Try it here on a suggestion: the copy made and posted; what the presser is told."""
        try:
            spread_id = idea_id_of(value)
            if spread_id is None:
                raise NotAllowed(_("That suggestion no longer exists."))
            _offer, original, team = self._spreading.offer_of(workspace_id, spread_id)
            tried = self._spreading.try_in(original, team, user_id)
        except NotAllowed as refusal:
            return str(refusal)
        except Exception:
            log.exception("Could not try offer %r here for %s", value, user_id)
            return _(SORRY)
        self._after(tried)
        return tried_text(tried.copy.idea, tried.original)

    def not_for_us(self, workspace_id: str, user_id: str, value: Any) -> str | None:
        """Not for us on a suggestion, by a leader of that team: recorded, the suggestion redrawn; None, or why not."""
        try:
            spread_id = idea_id_of(value)
            if spread_id is None:
                raise NotAllowed(_("That suggestion no longer exists."))
            _offer, _original, team = self._spreading.offer_of(workspace_id, spread_id)
            leads = self._leaders.is_leader(workspace_id, team, user_id)
            declined = self._spreading.not_for_us(spread_id, workspace_id, user_id, leads=leads)
        except NotAllowed as refusal:
            return str(refusal)
        except Exception:
            log.exception("Could not record not-for-us on offer %r for %s", value, user_id)
            return _(SORRY)
        self._outbox.sync_card(declined.original.id)
        return None

    def try_in_team(self, ack: Ack, view: dict[str, Any], workspace_id: str, user_id: str) -> None:
        """The Try it in my team form submitted: the copy made in the team picked and the form closed, or the reason
        shown on the form's channel picker."""
        context = IdeaModalContext.decode(view.get("private_metadata"))
        values = (view.get("state") or {}).get("values") or {}
        picked = ((values.get(LifecycleField.TRY_TEAM) or {}).get(LifecycleField.TRY_TEAM) or {}).get(
            "selected_conversation"
        )
        try:
            if context.idea_id is None:
                raise NotAllowed(_("This form has lost track of its idea. Please close it and press the button again."))
            original = self._spreading.load_in(workspace_id, context.idea_id)
            team = self._team_channels.find(picked) if isinstance(picked, str) else None
            if team is None and isinstance(picked, str):
                team = self._team_channels.set_up(workspace_id, picked)
            if team is None:
                raise NotAllowed(_("Kaizen isn't in that channel yet. Invite it there with `/invite @Kaizen`, or pick "
                                   "another channel."))  # fmt: skip
            tried = self._spreading.try_in(original, team, user_id)
        except NotAllowed as refusal:
            ack(response_action="errors", errors={LifecycleField.TRY_TEAM: str(refusal)})
            return
        except Exception:
            log.exception("Could not try idea %s in a team for %s", context.idea_id, user_id)
            ack(response_action="errors", errors={LifecycleField.TRY_TEAM: _(SORRY)})
            return
        ack()
        self._after(tried)
        forms.tell_privately(
            self._gateway, workspace_id, user_id=user_id, channel_id=context.channel_id, response_url=None,
            text=tried_text(tried.copy.idea, tried.original),
        )  # fmt: skip

    def _after(self, tried: Tried) -> None:
        """Post the copy's card (claimed by the try) and bring the original's cards and suggestions up to date."""
        self._outbox.send_claimed(tried.copy.card, tried.copy.idea)
        self._outbox.sync_card(tried.original.id)
