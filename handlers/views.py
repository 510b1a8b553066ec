"""The raise modal's submission: read the fields, commit the idea, close the modal, then post the card. And the
welcome's two forms: setting up the huddle, adding leaders."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.delivery.outbox import Outbox
from bot.huddles.setup import HuddleSetup, SetupRefused
from bot.i18n import Words, _
from bot.ideas.capture import Capture
from bot.ideas.raising import Raising
from bot.ideas.workflow import InvalidIdea, NewIdea, Workflow, for_someone_else
from bot.privacy.screening import PatientDetails
from bot.render.ids import AddLeadersField, CallbackId, Field, HuddleSetupField, OptionValue
from bot.render.metadata import RaiseContext
from bot.render.privacy import vouched
from bot.render.welcome import channel_form_channel
from bot.slack.gateway import SlackGateway
from bot.teams.appointments import Appointments
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.text import plain
from handlers.privacy import keep_form_open
from handlers.tenancy import person_reading, user_of, workspace_of
from storage.models import Idea, Source, Team

log = logging.getLogger(__name__)

CALLBACKS: tuple[str, ...] = (CallbackId.RAISE, CallbackId.HUDDLE_SETUP, CallbackId.ADD_LEADERS)
USERS = AddLeadersField.USERS  # the add-leaders form's input


def register(app: App, views: Submissions) -> None:
    """Register the submissions of CALLBACKS, answered by `views` (built by the composition root)."""

    # A form's errors are said before the ack: in the submitter's language as far as it is known (they were
    # learned when the form opened).
    @app.view(CallbackId.RAISE)
    def raise_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        with views.person(context, body):
            views.raise_idea(ack, view, context)

    @app.view(CallbackId.HUDDLE_SETUP)
    def huddle_set_up(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        with views.person(context, body):
            views.set_up_huddle(ack, view, context)

    @app.view(CallbackId.ADD_LEADERS)
    def leaders_added(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        with views.person(context, body):
            views.add_leaders(ack, view, context)


def _state(view: dict[str, Any], field: str) -> dict[str, Any]:
    return ((view.get("state") or {}).get("values") or {}).get(field, {}).get(field) or {}


def _text(view: dict[str, Any], field: str) -> str | None:
    value = _state(view, field).get("value")
    return plain(value) if isinstance(value, str) else None


def read_new_idea(
    view: dict[str, Any], context: RaiseContext, workspace_id: str, channel_id: str, author_id: str
) -> NewIdea:
    """The raise modal's fields as Slack sends them (values are plain text: no decoding needed)."""
    category = (_state(view, Field.CATEGORY).get("selected_option") or {}).get("value")
    users = _state(view, Field.INPUT_FROM).get("selected_users") or []
    anonymous = any(
        (option or {}).get("value") == OptionValue.ANONYMOUS
        for option in _state(view, Field.ANONYMOUS).get("selected_options") or []
    )
    already_done = any(
        (option or {}).get("value") == OptionValue.ALREADY_DONE
        for option in _state(view, Field.ALREADY_DONE).get("selected_options") or []
    )
    source = Source(context.source) if context.source in set(Source) else Source.MODAL
    return NewIdea(
        workspace_id=workspace_id,
        channel_id=channel_id,
        channel_name="",
        author_id=author_id,
        problem=_text(view, Field.PROBLEM) or "",
        idea=_text(view, Field.IDEA),
        benefit=_text(view, Field.BENEFIT),
        category=category if isinstance(category, str) else None,
        input_from=tuple(user for user in users if isinstance(user, str)),
        anonymous=anonymous,
        already_done=already_done,
        source=source,
        vouched=vouched((view.get("state") or {}).get("values") or {}),
        text_writer=context.source_writer,
    )


def _errors_for(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Slack shows errors only on input blocks of the view; anything else goes on the problem field."""
    present = {block.get("block_id") for block in view.get("blocks", [])}
    shown: dict[str, str] = {}
    for field, message in errors.items():
        target = field if field in present else Field.PROBLEM
        shown[target] = (shown[target] + " " + message) if target in shown else message
    return shown


class Submissions:
    """The three forms' submissions: each acks with errors on an input, or acks (the form closes) and then does
    what takes longer."""

    def __init__(
        self,
        tenancy: Tenancy,
        workflow: Workflow,
        raising: Raising,
        outbox: Outbox,
        permissions: Permissions,
        appointments: Appointments,
        huddle_setup: HuddleSetup,
        gateway: SlackGateway,
        languages: Languages,
        capture: Capture,
    ) -> None:
        self._capture = capture
        self._languages = languages
        self._tenancy = tenancy
        self._workflow = workflow
        self._raising = raising
        self._outbox = outbox
        self._permissions = permissions
        self._appointments = appointments
        self._huddle_setup = huddle_setup
        self._gateway = gateway

    def person(self, bolt: BoltContext, body: dict[str, Any]) -> AbstractContextManager[Words]:
        """What the submitter reads, in their language as far as it is known (see `person_reading`)."""
        return person_reading(self._languages, self._tenancy, bolt, body, wait=False)

    def _for_someone_else(self, view: dict[str, Any], new: NewIdea) -> NewIdea | dict[str, str]:
        """The idea as a leader raised it for someone (`workflow.for_someone_else`), unchanged when they named
        nobody; else the errors to show, by field."""
        person = _state(view, Field.FOR_PERSON).get("selected_user")
        person = person if isinstance(person, str) and person and person != new.author_id else None
        name = _text(view, Field.FOR_NAME)
        if not person and not (name or "").strip():
            return new
        team = self._workflow.find_team(new.channel_id)
        if team is None or not self._permissions.may_raise_for_others(new.workspace_id, team, new.author_id):
            field = Field.FOR_PERSON if person else Field.FOR_NAME
            return {field: _("Only this team's leaders can raise an idea for someone else.")}
        try:
            return for_someone_else(new, person, name)
        except InvalidIdea as invalid:
            return invalid.errors

    def raise_idea(self, ack: Ack, view: dict[str, Any], bolt: BoltContext) -> None:
        """The raise modal: the idea committed before the modal closes, then its card posted (the person told if
        it could not be)."""
        context = RaiseContext.decode(view.get("private_metadata"))
        picked = _state(view, Field.TEAM).get("selected_conversation")
        channel_id = picked if isinstance(picked, str) and picked else context.channel_id
        if not channel_id:
            ack(response_action="errors", errors=_errors_for(view, {Field.TEAM: _("Please pick the team's channel.")}))
            return
        workspace_id = workspace_of(self._tenancy, bolt, channel_id)
        new = read_new_idea(view, context, workspace_id, channel_id, user_of(bolt))
        refusal = self._for_someone_else(view, new)
        if isinstance(refusal, dict):
            ack(response_action="errors", errors=_errors_for(view, refusal))
            return
        new = refusal
        if picked:
            problem = self._raising.team_channel_problem(new.workspace_id, channel_id)
            if problem:
                ack(response_action="errors", errors=_errors_for(view, {Field.TEAM: problem}))
                return
        try:
            raised = self._workflow.raise_idea(new)
        except PatientDetails as found:
            keep_form_open(ack, view, found, Field.PROBLEM)
            if found.writer is not None and context.source_channel and context.source_ts:
                self._capture.ask_writer(workspace_id, context.source_channel, context.source_ts, found)
            return
        except InvalidIdea as invalid:
            ack(response_action="errors", errors=_errors_for(view, invalid.errors))
            return
        except Exception:
            log.exception("Could not save an idea from %s", new.author_id)
            ack(
                response_action="errors",
                errors=_errors_for(view, {Field.PROBLEM: _("Sorry, I couldn't save this just now. Please try again.")}),
            )
            return
        ack()  # the idea is committed: now the modal may close
        committed: Idea | None = raised.idea  # the card is drawn from the idea as committed…
        if context.source_channel and context.source_ts:
            self.link_source_message(raised.idea, context.source_channel, context.source_ts)
            committed = None  # …unless the link changed it since: then it is read afresh
        result = self._outbox.send_claimed(raised.card, committed)
        if not result.sent and result.error is not None:
            self._raising.tell_card_failure(result, new.author_id, context.response_url)

    def link_source_message(self, idea: Idea, channel_id: str, ts: str) -> None:
        """Link the card to the message the shortcut was used on (fetched after the ack: it is not worth the
        wait). A permalink Slack does not give is logged and left out."""
        try:
            permalink = self._gateway.workspace(idea.workspace_id).permalink(channel_id, ts)
        except Exception:  # no token, Slack's refusal or silence: the card does without the link
            log.warning("Could not get a permalink for %s/%s", channel_id, ts, exc_info=True)
            return
        self._workflow.set_source_link(idea.id, permalink)

    def _team_of_form(self, view: dict[str, Any], bolt: BoltContext) -> Team | None:
        """The team channel a welcome form was opened from (Kaizen is a member: it posted the welcome there)."""
        channel_id = channel_form_channel(view.get("private_metadata"))
        if channel_id is None:
            return None
        return self._workflow.ensure_team(workspace_of(self._tenancy, bolt, channel_id), channel_id)

    def set_up_huddle(self, ack: Ack, view: dict[str, Any], bolt: BoltContext) -> None:
        """The huddle set-up form: set by a leader of the team and confirmed in its channel, or an error on the
        input it concerns."""
        team = self._team_of_form(view, bolt)
        if team is None:
            ack(
                response_action="errors",
                errors={HuddleSetupField.TIMES: _("This form lost track of its channel; please start again.")},
            )
            return
        user_id = user_of(bolt)
        if not self._permissions.may_change_huddle(team.workspace_id, team, user_id):
            # Translators: “Add leaders” is the button on Kaizen's welcome message that opens the add-leaders form
            message = _("Only this team's leaders can set its huddle. Add leaders first (the “Add leaders” button).")
            ack(response_action="errors", errors={HuddleSetupField.TIMES: message})
            return
        days = [
            (option or {}).get("value", "")
            for option in _state(view, HuddleSetupField.DAYS).get("selected_options") or []
        ]
        taken = self._huddle_setup.taken_slots(team)  # before the scheduler can see the new times
        try:
            saved = self._huddle_setup.apply(
                team,
                user_id,
                times=_text(view, HuddleSetupField.TIMES),
                days=days,
                zone=_text(view, HuddleSetupField.ZONE),
            )
        except SetupRefused as refusal:
            ack(response_action="errors", errors={refusal.field: str(refusal)})
            return
        ack()
        self._huddle_setup.confirm(saved, taken)

    def add_leaders(self, ack: Ack, view: dict[str, Any], bolt: BoltContext) -> None:
        """The add-leaders form: refused unless the submitter may change the team's leaders; else the form closes
        and the leaders are added (the first ones announced in the channel)."""
        team = self._team_of_form(view, bolt)
        if team is None:
            ack(response_action="errors", errors={USERS: _("This form lost track of its channel; please start again.")})
            return
        user_id = user_of(bolt)
        users = [u for u in _state(view, USERS).get("selected_users") or [] if isinstance(u, str)]
        if not self._permissions.may_change_leaders(team.workspace_id, team, user_id):
            message = _("Only this team's leaders or a workspace admin can change its leaders.")
            ack(response_action="errors", errors={USERS: message})
            return
        ack()
        self._appointments.add(team, users, user_id)
