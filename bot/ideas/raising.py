"""Raising an idea through Slack: which modal to open, whether the chosen channel can hold a team, and telling
the person when the card could not be posted yet."""

from __future__ import annotations

import logging
from typing import Any

from bot.delivery.names import Names
from bot.delivery.outbox import NO_ANSWER, SendResult
from bot.i18n import _
from bot.ideas.workflow import find_team
from bot.render import refused
from bot.render.metadata import RaiseContext
from bot.render.raise_form import raise_modal
from bot.slack import refusals
from bot.slack.gateway import SlackError, SlackGateway, WorkspaceSlack, is_direct_message, is_user_id
from bot.slack.refusals import Failure, failure
from storage.db import Database

log = logging.getLogger(__name__)

MEMBERSHIP_TIMEOUT_SECONDS = 1  # the trigger_id is valid for 3 s; leave most of it for views.open


def card_failure_text(result: SendResult) -> str:
    """What the person is told when their idea's card did not go up: a passing fault is tried again; a channel
    that takes no posts waits for Kaizen to be back; anything else Slack will never take is not tried again."""
    assert result.idea is not None
    number, channel = result.idea.number, result.idea.team.channel_id
    kind = failure(result.error)
    if kind is Failure.CHANNEL_GONE:
        return refused.card_waits_text(number, channel, result.error or "")
    if kind is not Failure.TEMPORARY:
        return refused.card_refused_text(number, channel, result.error or "", kind)
    if result.error == NO_ANSWER or refusals.server_side(result.error):
        return _(
            "Your idea #{number} is saved. Slack didn't confirm its card in <#{channel}> yet; "
            "I'll make sure it's there within a minute or two.",
            number=number, channel=channel,
        )  # fmt: skip
    if result.error == refusals.RATE_LIMITED:
        return _(
            "Your idea #{number} is saved, but its card couldn't be posted in <#{channel}> just now (Slack asked us "
            "to slow down). I'll keep trying and post it there as soon as I can.",
            number=number, channel=channel,
        )  # fmt: skip
    # Translators: {error} is Slack's error name for the refusal, e.g. `internal_error`
    return _(
        "Your idea #{number} is saved, but its card couldn't be posted in <#{channel}> just now (Slack said "
        "`{error}`). I'll keep trying and post it there as soon as I can.",
        number=number, channel=channel, error=result.error,
    )  # fmt: skip


class Raising:
    """Raising an idea through Slack: the modal (`raise_modal_for`), whether a channel can take it
    (`bot_is_member`, `team_channel_problem`), the author's name learned while they type (`learn_author`), and
    word when its card is late (`tell_card_failure`)."""

    def __init__(self, db: Database, gateway: SlackGateway, names: Names) -> None:
        self._db = db
        self._gateway = gateway
        self._names = names

    def learn_author(self, workspace_id: str, user_id: str) -> None:
        """Look up the person's plain name now that their form is open, so that the card ("Raised by …") goes up
        right after they submit without a users.info call of its own. Cached (see `Names`); never raises."""
        try:
            self._names.name(self._gateway.workspace(workspace_id), workspace_id, user_id)
        except Exception:  # no client for the workspace: the card looks the name up itself, or says UNKNOWN
            log.warning("Could not learn the name of %s", user_id, exc_info=True)

    def bot_is_member(self, workspace_id: str, channel_id: str) -> bool | None:
        """Whether the bot is in the channel (and it is not archived); None when Slack could not say in time
        (MEMBERSHIP_TIMEOUT_SECONDS, no retry: a trigger_id is ticking). Never raises for Slack's answers."""
        if is_direct_message(channel_id):
            return False
        slack = self._gateway.quick(workspace_id, MEMBERSHIP_TIMEOUT_SECONDS)
        try:
            return slack.can_post(channel_id)
        except SlackError as error:
            if error.code == refusals.CHANNEL_NOT_FOUND:
                return False  # private channels the bot is not in look like this
            log.warning("conversations.info for %s failed: %s", channel_id, error.code)
            return None
        except Exception:
            log.warning("conversations.info for %s did not answer in time", channel_id, exc_info=True)
            return None

    def raise_modal_for(self, workspace_id: str, channel_id: str, prefill: str, context: RaiseContext) -> Any:
        """The raise modal (a Block Kit View, from `bot.render.raise_form.raise_modal`) for a person in
        `channel_id`: a team's channel raises there; elsewhere (or when Slack cannot say whether the bot is in it)
        the person picks the team."""
        team = find_team(self._db, channel_id)
        if team is not None:
            return raise_modal(
                prefill=prefill, context=context, pick_team=False, anonymous_allowed=team.anonymous_allowed
            )
        member = self.bot_is_member(workspace_id, channel_id)
        return raise_modal(prefill=prefill, context=context, pick_team=member is not True, anonymous_allowed=True)

    def team_channel_problem(self, workspace_id: str, channel_id: str) -> str | None:
        """Why a picked channel cannot take the idea, in words for the person; None when it can."""
        if find_team(self._db, channel_id) is not None:
            return None
        if is_direct_message(channel_id) or is_user_id(channel_id):
            return _("Please pick a team channel, not a direct message.")
        if self.bot_is_member(workspace_id, channel_id) is False:
            return _(
                "Kaizen isn't in that channel yet. Invite it there with `/invite @Kaizen`, or pick another channel."
            )
        return None

    def tell_card_failure(self, result: SendResult, user_id: str, response_url: str | None) -> None:
        """Tell the person their idea is safe although its card is not up yet (`card_failure_text`): via the
        command's response_url, else by DM. Never raises: a failure is logged."""
        text = card_failure_text(result)
        try:
            if response_url:
                try:
                    WorkspaceSlack.respond(response_url, text)
                    return
                except SlackError as error:
                    log.warning("response_url answered %s", error.status)
            self._gateway.workspace(result.idea.workspace_id if result.idea else None).post(user_id, text)
        except Exception:
            log.exception("Could not tell %s that the card of their idea is delayed", user_id)
