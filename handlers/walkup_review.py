"""The Accept and Decline buttons of the note a team's leaders get when its walk-up form's review is on. The rules
(who may, what becomes of it) are `bot.walkup.visitors` and `bot.teams.permissions`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.render import replies
from bot.render.ids import ActionId
from bot.render.walkup_review import accepted_text, declined_text, gone_text, not_yours_text
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.walkup.visitors import Decided, Visitors
from handlers.tenancy import person_reading, user_of

log = logging.getLogger(__name__)

ACTIONS: tuple[str, ...] = (ActionId.WALKUP_ACCEPT, ActionId.WALKUP_DECLINE)


def _say(respond: Respond, text: str, *, replace: bool) -> None:
    respond(text=text, blocks=replies.notice_blocks(text), response_type="ephemeral", replace_original=replace)


def register(app: App, *, tenancy: Tenancy, visitors: Visitors, permissions: Permissions, languages: Languages) -> None:
    """The two buttons: the note is replaced by what became of it; a press by someone who does not lead the team
    is answered privately and changes nothing."""

    def decide(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        user = user_of(context)
        with person_reading(languages, tenancy, context, body, wait=True):
            try:
                submission_id = int(str(action.get("value") or ""))
            except ValueError:
                log.warning("A walk-up review button without a submission id: %r", action.get("value"))
                _say(respond, gone_text(), replace=True)
                return
            team = visitors.team_of(submission_id)
            if team is None:
                _say(respond, gone_text(), replace=True)
                return
            if not permissions.may_manage_form(team.workspace_id, team, user):
                _say(respond, not_yours_text(), replace=False)
                return
            if action.get("action_id") == ActionId.WALKUP_ACCEPT:
                decision = visitors.accept(submission_id, user)
            else:
                decision = visitors.decline(submission_id)
            if decision.decided is Decided.ACCEPTED and decision.number is not None:
                _say(respond, accepted_text(decision.number, team.channel_id), replace=True)
            elif decision.decided is Decided.DECLINED:
                log.info("Walk-up idea declined in team %s", team.id)
                _say(respond, declined_text(), replace=True)
            else:
                _say(respond, gone_text(), replace=True)

    for action_id in ACTIONS:
        app.action(action_id)(decide)
