"""Approving with an emoji: a leader's approve emoji on a card approves it; taking the last leader's emoji off
returns it to "new", silently; anyone else's approve emoji is answered privately, once per idea, with who can
approve; the support emoji counts support. Approvals made while the bot was down are found on the cards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.ideas import capture
from bot.ideas import workflow
from bot.ideas.lifecycle import Actor, NotAllowed, Stale
from bot.services import Services, emoji_name
from storage import queries
from storage.models import Idea, IdeaStatus, Source

log = logging.getLogger(__name__)

RECONCILE_WINDOW = timedelta(days=14)
RECONCILE_BATCH = 20  # reactions.get is Tier 3 (50+/min): a batch a run stays well inside it


@dataclass(frozen=True)
class Reaction:
    workspace_id: str
    channel_id: str
    ts: str
    user_id: str
    name: str  # without a skin tone
    added: bool
    event_id: str


def reaction_matters(services: Services, name: str) -> bool:
    return name == capture.BULB or name in services.settings.kaizen_support_emojis or name in services.approve_emojis()


def on_reaction(services: Services, reaction: Reaction) -> None:
    """Apply one reaction event. Only people's reactions count: another app's bot (users.info `is_bot`) reacting
    captures nothing, approves nothing, supports nothing and is sent nothing."""
    if reaction.name == capture.BULB:
        if reaction.added and services.members.is_person(reaction.workspace_id, reaction.user_id):
            capture.capture_reply(services, reaction.workspace_id, reaction.channel_id, reaction.ts)
        return
    idea = workflow.idea_by_card(services.db, reaction.workspace_id, reaction.channel_id, reaction.ts)
    if idea is None:
        return  # a reaction on some other message
    if not services.members.is_person(reaction.workspace_id, reaction.user_id):
        return  # looked up only here, for reactions on cards: most reactions are on other messages
    if reaction.name == services.approve_emoji(idea.team):
        if reaction.added:
            on_approve_emoji(services, idea, reaction.user_id, reaction.event_id)
        else:
            on_approve_emoji_removed(services, idea, reaction.user_id, reaction.event_id)
    elif reaction.name in services.settings.kaizen_support_emojis and services.lifecycle.support(
        idea.id, reaction.user_id, add=reaction.added
    ):
        services.outbox.sync_card(idea.id)


def on_approve_emoji(services: Services, idea: Idea, user_id: str, event_id: str) -> None:
    team = idea.team
    if services.leaders.is_leader(idea.workspace_id, team, user_id):
        try:
            change = services.lifecycle.approve(
                idea.id, Actor(user_id, is_leader=True), source=Source.EMOJI, slack_event_id=event_id
            )
        except (Stale, NotAllowed):
            return  # already decided: a second emoji changes nothing
        services.deliver(change)
    elif idea.status == IdeaStatus.NEW:
        who = services.leaders.describe(idea.workspace_id, team)
        for message_id in services.lifecycle.tell_who_approves(idea, user_id, team.channel_id, who):
            services.outbox.send(message_id)


def on_approve_emoji_removed(services: Services, idea: Idea, user_id: str, event_id: str) -> None:
    team = idea.team
    if idea.status != IdeaStatus.APPROVED or not services.leaders.is_leader(idea.workspace_id, team, user_id):
        return
    if workflow.approval_source(services.db, idea.id) not in (Source.EMOJI, Source.SWEEP):
        return  # approved with the button: emojis coming and going do not undo that
    if any(services.leaders.is_leader(idea.workspace_id, team, u) for u in approvers_on_card(services, idea)):
        return  # another leader's approval still stands
    change = services.lifecycle.withdraw_approval(idea.id, user_id, slack_event_id=event_id)
    if change is not None:
        services.outbox.sync_card(idea.id)


def approvers_on_card(services: Services, idea: Idea) -> list[str]:
    """The people (never bots or apps) who have the approve emoji (any skin tone) on the card now, per Slack."""
    assert idea.card_ts is not None
    try:
        response = services.web(idea.workspace_id).reactions_get(
            channel=idea.team.channel_id, timestamp=idea.card_ts, full=True
        )
    except SlackApiError as error:
        if error.response.get("error") in ("message_not_found", "channel_not_found"):
            return []
        raise
    approve = services.approve_emoji(idea.team)
    users: list[str] = []
    for reaction in (response.get("message") or {}).get("reactions") or []:
        if emoji_name(str(reaction.get("name") or "")) == approve:
            users.extend(str(u) for u in reaction.get("users") or [])
    return [user for user in users if services.members.is_person(idea.workspace_id, user)]


class Reconciler:
    """Finds approvals made while the bot was down (or whose events were lost): leaders' approve emojis on the
    cards of ideas still waiting, checked a batch at a time, oldest window first, round robin."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._after_id = 0

    def run(self) -> int:
        services = self._services
        since = services.clock.now() - RECONCILE_WINDOW
        with services.db.read() as session:
            batch = queries.new_ideas_with_cards(session, since, self._after_id, RECONCILE_BATCH)
        self._after_id = batch[-1].id if len(batch) == RECONCILE_BATCH else 0
        approved = 0
        for idea in batch:
            try:
                approved += self._check(idea)
            except Exception:
                log.exception("Could not check the reactions on the card of idea %s", idea.id)
        return approved

    def _check(self, idea: Idea) -> bool:
        services = self._services
        for user_id in approvers_on_card(services, idea):
            if services.leaders.is_leader(idea.workspace_id, idea.team, user_id):
                try:
                    change = services.lifecycle.approve(idea.id, Actor(user_id, is_leader=True), source=Source.SWEEP)
                except (Stale, NotAllowed):
                    return False
                log.info("Found an approval of idea %s by %s made while we were away", idea.id, user_id)
                services.deliver(change)
                return True
        return False
