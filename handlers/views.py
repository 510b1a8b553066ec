"""The raise modal's submission: read the fields, commit the idea, close the modal, then post the card."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.huddles import daily as huddles
from bot.ideas import workflow
from bot.huddles.daily import ScheduleError
from bot.ideas.raising import team_channel_problem, tell_card_failure
from bot.render import ADD_LEADERS_CALLBACK, HUDDLE_SETUP_CALLBACK, RAISE_CALLBACK, Field, RaiseContext
from bot.services import Services
from bot.settings import parse_hhmm
from bot.text import plain
from bot.ideas.workflow import InvalidIdea, NewIdea
from handlers.tenancy import workspace_of
from storage.models import Idea, Source, Team

log = logging.getLogger(__name__)

CALLBACKS = (RAISE_CALLBACK, HUDDLE_SETUP_CALLBACK, ADD_LEADERS_CALLBACK)


def register(app: App, services: Services) -> None:
    @app.view(RAISE_CALLBACK)
    def raise_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        handle_raise_submission(services, ack, body, view, context)

    @app.view(HUDDLE_SETUP_CALLBACK)
    def huddle_set_up(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        handle_huddle_setup(services, ack, body, view, context)

    @app.view(ADD_LEADERS_CALLBACK)
    def leaders_added(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        handle_add_leaders(services, ack, body, view, context)


def _state(view: dict[str, Any], field: str) -> dict[str, Any]:
    return ((view.get("state") or {}).get("values") or {}).get(field, {}).get(field) or {}


def _text(view: dict[str, Any], field: str) -> str | None:
    value = _state(view, field).get("value")
    return plain(value) if isinstance(value, str) else None


def read_new_idea(
    body: dict[str, Any], view: dict[str, Any], context: RaiseContext, workspace_id: str, channel_id: str
) -> NewIdea:
    """The raise modal's fields as Slack sends them (values are plain text: no decoding needed)."""
    category = (_state(view, Field.CATEGORY).get("selected_option") or {}).get("value")
    users = _state(view, Field.INPUT_FROM).get("selected_users") or []
    anonymous = any(
        (option or {}).get("value") == "anonymous"
        for option in _state(view, Field.ANONYMOUS).get("selected_options") or []
    )
    already_done = any(
        (option or {}).get("value") == "done"
        for option in _state(view, Field.ALREADY_DONE).get("selected_options") or []
    )
    source = Source(context.source) if context.source in set(Source) else Source.MODAL
    return NewIdea(
        workspace_id=workspace_id,
        channel_id=channel_id,
        channel_name="",
        author_id=body["user"]["id"],
        problem=_text(view, Field.PROBLEM) or "",
        idea=_text(view, Field.IDEA),
        benefit=_text(view, Field.BENEFIT),
        category=category if isinstance(category, str) else None,
        input_from=tuple(user for user in users if isinstance(user, str)),
        anonymous=anonymous,
        already_done=already_done,
        source=source,
    )


def _errors_for(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Slack shows errors only on input blocks of the view; anything else goes on the problem field."""
    present = {block.get("block_id") for block in view.get("blocks", [])}
    shown: dict[str, str] = {}
    for field, message in errors.items():
        target = field if field in present else Field.PROBLEM
        shown[target] = (shown[target] + " " + message) if target in shown else message
    return shown


def handle_raise_submission(
    services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any], bolt: BoltContext
) -> None:
    context = RaiseContext.decode(view.get("private_metadata"))
    picked = _state(view, Field.TEAM).get("selected_conversation")
    channel_id = picked if isinstance(picked, str) and picked else context.channel_id
    if not channel_id:
        ack(response_action="errors", errors=_errors_for(view, {Field.TEAM: "Please pick the team's channel."}))
        return
    new = read_new_idea(body, view, context, workspace_of(services, bolt, channel_id), channel_id)
    if picked:
        problem = team_channel_problem(services, new.workspace_id, channel_id)
        if problem:
            ack(response_action="errors", errors=_errors_for(view, {Field.TEAM: problem}))
            return
    try:
        raised = workflow.raise_idea(services.db, services.clock, new)
    except InvalidIdea as invalid:
        ack(response_action="errors", errors=_errors_for(view, invalid.errors))
        return
    except Exception:
        log.exception("Could not save an idea from %s", new.author_id)
        ack(
            response_action="errors",
            errors=_errors_for(view, {Field.PROBLEM: "Sorry, I couldn't save this just now. Please try again."}),
        )
        return
    ack()  # the idea is committed: now the modal may close
    if context.source_channel and context.source_ts:
        link_source_message(services, raised.idea, context.source_channel, context.source_ts)
    result = services.outbox.send(raised.card_message_id)
    if not result.sent and result.error is not None:
        tell_card_failure(services, result, new.author_id, context.response_url)


def link_source_message(services: Services, idea: Idea, channel_id: str, ts: str) -> None:
    """Link the card to the message the shortcut was used on (fetched after the ack: it is not worth the wait)."""
    try:
        permalink = services.web(idea.workspace_id).chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
    except Exception:
        log.warning("Could not get a permalink for %s/%s", channel_id, ts, exc_info=True)
        return
    workflow.set_source_link(services.db, idea.id, str(permalink))


def _team_of_form(services: Services, view: dict[str, Any], bolt: BoltContext) -> Team | None:
    """The team channel a welcome form was opened from (Kaizen is a member: it posted the welcome there)."""
    try:
        channel_id = json.loads(view.get("private_metadata") or "{}").get("c")
    except ValueError:
        return None
    if not isinstance(channel_id, str) or not channel_id:
        return None
    return workflow.ensure_team(services.db, services.clock, workspace_of(services, bolt, channel_id), channel_id)


def handle_huddle_setup(
    services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any], bolt: BoltContext
) -> None:
    team = _team_of_form(services, view, bolt)
    if team is None:
        ack(response_action="errors", errors={"times": "This form lost track of its channel; please start again."})
        return
    user_id = body["user"]["id"]
    if not services.leaders.is_leader(team.workspace_id, team, user_id):
        message = "Only this team's leaders can set its huddle. Add leaders first (the “Add leaders” button)."
        ack(response_action="errors", errors={"times": message})
        return
    try:
        times = [parse_hhmm(part) for part in (_text(view, "times") or "").split(",") if part.strip()]
    except ValueError:
        ack(response_action="errors", errors={"times": "Please write times as HH:MM, e.g. 08:30 or 08:30,14:00."})
        return
    options = _state(view, "days").get("selected_options") or []
    days = [int(o["value"]) for o in options if str((o or {}).get("value", "")).isdigit() and int(o["value"]) < 7]
    try:
        huddles.set_schedule(services, team, times, days, (_text(view, "zone") or "").strip(), leader_id=user_id)
    except ScheduleError as error:
        field = "zone" if "zone" in str(error) else ("days" if not days else "times")
        ack(response_action="errors", errors={field: str(error)})
        return
    ack()


def handle_add_leaders(
    services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any], bolt: BoltContext
) -> None:
    team = _team_of_form(services, view, bolt)
    if team is None:
        ack(response_action="errors", errors={"users": "This form lost track of its channel; please start again."})
        return
    user_id = body["user"]["id"]
    users = [u for u in _state(view, "users").get("selected_users") or [] if isinstance(u, str)]
    if not services.leaders.may_manage(team.workspace_id, team, user_id):
        message = "Only this team's leaders or a workspace admin can change its leaders."
        ack(response_action="errors", errors={"users": message})
        return
    ack()
    change = services.leaders.add(team, users, user_id, services.approve_emoji(team))
    for message_id in change.message_ids:
        services.outbox.send(message_id)
