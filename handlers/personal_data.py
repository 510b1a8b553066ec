"""`/kaizen my data` (what Kaizen keeps about the person, as a file in a DM) and `/kaizen forget me` (the offer, and
its two buttons that file the request). The rules are in `bot.personal_data`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.i18n import _, n_
from bot.personal_data.erasure import Erasure
from bot.personal_data.subject_access import SubjectAccess
from bot.render import replies
from bot.render.ids import ActionId
from bot.render.personal_data import filed_text, forget_me_blocks
from bot.slack.gateway import SlackError, SlackUnreachable
from bot.teams.languages import Languages
from bot.teams.tenancy import Tenancy
from handlers.tenancy import channel_of, person_reading, user_of, workspace_of

log = logging.getLogger(__name__)

ACTIONS: tuple[str, ...] = (ActionId.FORGET_ME, ActionId.FORGET_ME_AND_WORDS)


def _private(respond: Respond, text: str, *, replace: bool = False) -> None:
    respond(text=text, blocks=replies.notice_blocks(text), response_type="ephemeral", replace_original=replace)


class PersonalData:
    """The two subcommands' answers, for `handlers.commands`."""

    def __init__(self, subject_access: SubjectAccess) -> None:
        self._subject_access = subject_access

    def send_my_data(self, workspace_id: str, user_id: str, respond: Respond) -> None:
        """Upload the person's file to a DM with them and say so, or say what went wrong."""
        try:
            count = self._subject_access.send(workspace_id, user_id)
        except SlackError as error:
            log.warning("Could not send someone their data: %s", error.code, exc_info=True)
            _private(respond, _("Slack didn't take the file (`{code}`). Please try again.", code=error.code))
            return
        except SlackUnreachable:
            log.warning("Could not send someone their data: Slack did not answer", exc_info=True)
            _private(respond, _("Slack didn't answer in time. Please try again in a minute."))
            return
        if count is None:
            _private(respond, _("Kaizen sent you the file a moment ago: it is in your direct messages with Kaizen."))
            return
        sent = n_(
            "Sent you what Kaizen keeps about you ({count} idea) as a file in a direct message.",
            "Sent you what Kaizen keeps about you ({count} ideas) as a file in a direct message.",
            count,
        )
        _private(respond, sent)

    def offer_forget_me(self, respond: Respond) -> None:
        """Say what being forgotten means, with the buttons that file the request."""
        blocks = forget_me_blocks()
        respond(text=_("Ask Kaizen to forget you"), blocks=blocks, response_type="ephemeral", replace_original=False)


def register(app: App, *, tenancy: Tenancy, erasure: Erasure, languages: Languages) -> None:
    """The buttons of the `/kaizen forget me` answer: file the request (and, with the second, their words too)."""

    def file_request(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext,
                     respond: Respond) -> None:  # fmt: skip
        ack()
        with person_reading(languages, tenancy, context, body, wait=True):
            workspace_id = workspace_of(tenancy, context, channel_of(context, body) or "")
            delete_text = action.get("action_id") == ActionId.FORGET_ME_AND_WORDS
            filed = erasure.file(workspace_id, user_of(context), delete_text=delete_text)
            log.info("Request to be forgotten #%s %s (workspace %s): `kaizen-bot person requests` lists it",
                     filed.number, "filed" if filed.new else "asked again", workspace_id)  # fmt: skip
            _private(respond, filed_text(filed.number, filed.new, filed.delete_text), replace=True)

    for action_id in ACTIONS:
        app.action(action_id)(file_request)
