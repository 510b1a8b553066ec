"""`/kaizen form`, `form new` and `form off`: the team's walk-up form (product page, Walk-up form). The address is
answered privately and sent to the leader in a direct message, the one place it is kept: the store keeps only its
hash."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.ideas.channels import TeamChannels
from bot.render import replies
from bot.render.ids import ActionId
from bot.render.walkup_replies import (
    address_text,
    leaders_only_text,
    new_poster_blocks,
    not_a_team_text,
    off_text,
    poster_text,
    review_text,
    sent_too_text,
    status_text,
)
from bot.slack.gateway import SlackError, SlackGateway, SlackUnreachable
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.walkup.addresses import FormAddresses
from bot.walkup.poster import FormPosters
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of

log = logging.getLogger(__name__)


def _private(respond: Respond, text: str) -> None:
    respond(text=text, blocks=replies.notice_blocks(text), response_type="ephemeral", replace_original=False)


class WalkUpCommands:
    """The answers to the three subcommands, for `handlers.commands`."""

    def __init__(
        self, addresses: FormAddresses, permissions: Permissions, team_channels: TeamChannels, gateway: SlackGateway,
        posters: FormPosters,
    ) -> None:  # fmt: skip
        self._posters = posters
        self._addresses = addresses
        self._permissions = permissions
        self._team_channels = team_channels
        self._gateway = gateway

    def answer(
        self, action: str, workspace_id: str, channel_id: str, channel_name: str, user_id: str, respond: Respond
    ) -> None:
        """Answer `/kaizen form [new|off]` (`action`: show, new or off) typed by `user_id` in `channel_id`."""
        if action == "show":
            status = self._addresses.status(channel_id)
            _private(respond, status_text(status.opened_at, status.opened_by))
            return
        if action == "poster":
            status = self._addresses.status(channel_id)
            if self._addresses.has_public_url and status.opened_at is not None and status.opened_by is not None:
                # Only the address's fingerprint is kept: a poster needs a new address, which moves the old posters.
                text = poster_text(status.opened_at, status.opened_by, True)
                respond(text=text, blocks=new_poster_blocks(text), response_type="ephemeral", replace_original=False)
                return
            if not self._addresses.has_public_url:
                _private(respond, poster_text(None, None, False))
                return
            action = "new"  # no form yet: a new address, with its poster
        team = self._team_channels.set_up(workspace_id, channel_id, channel_name)
        if team is None:
            _private(respond, not_a_team_text())
            return
        if not self._permissions.may_manage_form(workspace_id, team, user_id):
            _private(respond, leaders_only_text())
            return
        if action == "off":
            _private(respond, off_text(self._addresses.off(channel_id)))
            return
        if action in ("review on", "review off"):
            review = action == "review on"
            _private(respond, review_text(review, self._addresses.set_review(channel_id, review)))
            return
        address = self._addresses.new(workspace_id, channel_id, channel_name, user_id)
        log.info("Walk-up form of team %s: a new address, by %s", team.id, user_id)
        said = address_text(address.path, address.url)
        try:
            if address.url is not None:  # with its poster (A4, its QR code the address)
                self._posters.send(workspace_id, user_id, team, address.url, said)
            else:
                self._gateway.workspace(workspace_id).post(user_id, said)
            said = f"{said}\n{sent_too_text(poster=address.url is not None)}"
        except (SlackError, SlackUnreachable):
            log.warning("Could not send the walk-up form's address by direct message", exc_info=True)
        _private(respond, said)


ACTIONS: tuple[str, ...] = (ActionId.WALKUP_NEW_POSTER,)


def register(app: App, *, commands: WalkUpCommands, tenancy: Tenancy, languages: Languages) -> None:
    """The button of `/kaizen form poster` when the form is on: a new address with its poster (confirmed first:
    the old posters then say the form has moved)."""

    def new_poster(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        with person_reading(languages, tenancy, context, body, wait=True):
            channel_id = channel_of(context, body) or ""
            workspace_id = workspace_of(tenancy, context, channel_id)
            channel_name = str((body.get("channel") or {}).get("name") or "")
            commands.answer("new", workspace_id, channel_id, channel_name, user_of(context), respond)

    app.action(ActionId.WALKUP_NEW_POSTER)(new_poster)
