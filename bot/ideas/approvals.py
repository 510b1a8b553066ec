"""Approving with an emoji: a leader's approve emoji on a card approves it; taking the last leader's emoji off
returns it to "new", silently; anyone else's approve emoji is answered privately, once per idea, with who can
approve; the support emoji counts support. Approvals made while the bot was down are found on the cards."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.delivery.inbox import finish_applying
from bot.delivery.outbox import Outbox, new_message
from bot.i18n import reading
from bot.ideas import workflow
from bot.ideas.capture import BULB, Capture
from bot.ideas.delivery import Delivery
from bot.ideas.lifecycle import Actor, Lifecycle, NotAllowed, Stale
from bot.render.words import held_above_text
from bot.settings import Settings
from bot.slack import refusals
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.emojis import ApproveEmojis, emoji_name
from bot.teams.leaders import Leaders
from bot.teams.members import HumanMembers
from storage import escalations, queries
from storage.db import Database
from storage.models import Idea, IdeaStatus, OutboxKind, Source, Team

log = logging.getLogger(__name__)

RECONCILE_WINDOW = timedelta(days=14)
RECONCILE_BATCH = 20  # reactions.get is Tier 3 (50+/min): a batch a run stays well inside it


@dataclass(frozen=True)
class Reaction:
    """One reaction_added / reaction_removed event on a message."""

    workspace_id: str
    channel_id: str
    ts: str
    user_id: str
    name: str  # without a skin tone
    added: bool
    event_id: str


class Approvals:
    """What people's reactions do: :bulb: captures a huddle reply (through `capture`), a leader's approve emoji
    approves a card (taking it off may withdraw that), anyone else's is answered with who approves, a support
    emoji counts support."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        lifecycle: Lifecycle,
        leaders: Leaders,
        outbox: Outbox,
        delivery: Delivery,
        members: HumanMembers,
        emojis: ApproveEmojis,
        gateway: SlackGateway,
        capture: Capture,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._lifecycle = lifecycle
        self._leaders = leaders
        self._outbox = outbox
        self._delivery = delivery
        self._members = members
        self._emojis = emojis
        self._gateway = gateway
        self._capture = capture

    def reaction_matters(self, name: str) -> bool:
        """Whether a reaction named `name` (without a skin tone) can do anything: :bulb:, a support emoji or an
        approve emoji in use."""
        return name == BULB or name in self._settings.kaizen_support_emojis or name in self._emojis.in_use()

    def on_reaction(self, reaction: Reaction) -> None:
        """Apply one reaction event. Only people's reactions count: another app's bot (users.info `is_bot`)
        reacting captures nothing, approves nothing, supports nothing and is sent nothing."""
        if reaction.name == BULB:
            if reaction.added and self._members.is_person(reaction.workspace_id, reaction.user_id):
                self._capture.capture_reply(reaction.workspace_id, reaction.channel_id, reaction.ts)
            return
        idea = workflow.idea_by_card(self._db, reaction.workspace_id, reaction.channel_id, reaction.ts)
        if idea is None:
            return  # a reaction on some other message
        if not self._members.is_person(reaction.workspace_id, reaction.user_id):
            return  # looked up only here, for reactions on cards: most reactions are on other messages
        card_team = idea.team if reaction.channel_id == idea.team.channel_id else self._team_of(reaction.channel_id)
        if card_team is not None and reaction.name == self._emojis.for_team(card_team):
            if reaction.added:
                self.on_approve_emoji(idea, reaction.user_id, reaction.event_id)
            else:
                self.on_approve_emoji_removed(idea, reaction.user_id, reaction.event_id)
        elif reaction.name in self._settings.kaizen_support_emojis:
            # The support is the event's whole effect: the event is marked applied with it (the card follows, and
            # the sweep would bring it up to date too); the card is drawn from the idea read above when the support
            # is the only change since.
            self._outbox.change_card(
                idea,
                lambda: self._lifecycle.support(idea.id, reaction.user_id, add=reaction.added, then=finish_applying),
            )

    def _team_of(self, channel_id: str) -> Team | None:
        with self._db.read() as session:
            return queries.team_of_channel(session, channel_id)

    def _deciding(self, idea: Idea) -> Team:
        """The team that decides the idea now: its own, or the one above it was escalated to."""
        if idea.escalated_at is None:
            return idea.team
        with self._db.read() as session:
            return escalations.deciding_team(session, idea)

    def on_approve_emoji(self, idea: Idea, user_id: str, event_id: str) -> None:
        """`user_id` put the approve emoji on one of its cards: a leader's of the team that decides it now approves
        it (once); a leader of its own team, while a team above holds it, is told where it is; anyone else is told,
        once per idea and only while it is new, who can approve."""
        team = self._deciding(idea)
        if self._leaders.is_leader(idea.workspace_id, team, user_id):
            try:
                change = self._lifecycle.approve(
                    idea.id, Actor(user_id, is_leader=True), source=Source.EMOJI, slack_event_id=event_id
                )
            except (Stale, NotAllowed):
                return  # already decided: a second emoji changes nothing
            self._delivery.deliver(change)
        elif (
            idea.status == IdeaStatus.NEW
            and team.id != idea.team_id
            and self._leaders.is_leader(idea.workspace_id, idea.team, user_id)
        ):
            for message_id in self.tell_held_above(idea, user_id, team.channel_id):
                self._outbox.send(message_id)
        elif idea.status == IdeaStatus.NEW:
            with reading(self._lifecycle.language_for(idea, OutboxKind.EPHEMERAL, user_id, wait=True)):
                who = self._leaders.describe(idea.workspace_id, team)
            for message_id in self._lifecycle.tell_who_approves(idea, user_id, team.channel_id, who):
                self._outbox.send(message_id)

    def on_approve_emoji_removed(self, idea: Idea, user_id: str, event_id: str) -> None:
        """A leader took the approve emoji off: an idea approved by emoji goes back to "new", silently, unless
        another leader's approve emoji is still on the card (read from Slack; SlackError propagates)."""
        team = self._deciding(idea)
        if idea.status != IdeaStatus.APPROVED or not self._leaders.is_leader(idea.workspace_id, team, user_id):
            return
        if workflow.approval_source(self._db, idea.id) not in (Source.EMOJI, Source.SWEEP):
            return  # approved with the button: emojis coming and going do not undo that
        if any(self._leaders.is_leader(idea.workspace_id, team, u) for u in self.approvers_on_card(idea)):
            return  # another leader's approval still stands
        change = self._lifecycle.withdraw_approval(idea.id, Actor(user_id, is_leader=True), slack_event_id=event_id)
        if change is not None:
            self._outbox.sync_card(idea.id)

    def tell_held_above(self, idea: Idea, user_id: str, holder_channel: str) -> list[int]:
        """Tell a leader of the idea's own team, once per team holding it, that the team of `holder_channel`
        decides it now (their approve emoji changed nothing); the id of the message queued, if newly queued."""
        with reading(self._lifecycle.language_for(idea, OutboxKind.EPHEMERAL, user_id, wait=True)):
            text = held_above_text(holder_channel)
        message = new_message(
            kind=OutboxKind.EPHEMERAL, dedupe_key=f"held-above:{idea.id}:{user_id}:{holder_channel}",
            workspace_id=idea.workspace_id, idea_id=idea.id, channel_id=idea.team.channel_id, user_id=user_id,
            text=text, now=self._clock.now(),
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        return [message_id] if message_id is not None else []

    def _deciding_card(self, idea: Idea) -> tuple[Team, str | None]:
        """The team that decides the idea now and the ts of its card in that team's channel (the idea's own card,
        or the one its open hop posted above; None while that one is not posted)."""
        if idea.escalated_at is None:
            return idea.team, idea.card_ts
        with self._db.read() as session:
            hop = escalations.open_hop(session, idea.id)
            if hop is None:
                return idea.team, idea.card_ts
            team = session.get(Team, hop.to_team_id)
            assert team is not None
            return team, hop.card_ts

    def approvers_on_card(self, idea: Idea) -> list[str]:
        """The people (never bots or apps) who have the approve emoji of the team deciding the idea (any skin tone)
        on that team's card of it now, per Slack (user ids, in Slack's order); [] when the card or its channel is
        gone, or not posted yet. Raises SlackError for any other refusal, SlackUnreachable when Slack does not
        answer."""
        team, ts = self._deciding_card(idea)
        if ts is None:
            return []
        try:
            reactions = self._gateway.workspace(idea.workspace_id).reactions(team.channel_id, ts)
        except SlackError as error:
            if error.code in refusals.MESSAGE_OR_CHANNEL_GONE:
                return []
            raise
        approve = self._emojis.for_team(team)
        users: list[str] = []
        for reaction in reactions:
            if emoji_name(str(reaction.get("name") or "")) == approve:
                users.extend(str(u) for u in reaction.get("users") or [])
        return [user for user in users if self._members.is_person(idea.workspace_id, user)]

    def catch_up(self, idea: Idea) -> bool:
        """Approve a waiting idea (source SWEEP) if a leader of the team deciding it put that team's approve emoji
        on its card there although no event said so; true when it approved it. Raises as `approvers_on_card`
        does."""
        team = self._deciding(idea)
        for user_id in self.approvers_on_card(idea):
            if self._leaders.is_leader(idea.workspace_id, team, user_id):
                try:
                    change = self._lifecycle.approve(idea.id, Actor(user_id, is_leader=True), source=Source.SWEEP)
                except (Stale, NotAllowed):
                    return False
                log.info("Found an approval of idea %s by %s made while we were away", idea.id, user_id)
                self._delivery.deliver(change)
                return True
        return False


class Reconciler:
    """Finds approvals made while the bot was down (or whose events were lost): leaders' approve emojis on the
    cards of ideas still waiting (raised within RECONCILE_WINDOW), checked RECONCILE_BATCH at a time, round
    robin."""

    def __init__(self, db: Database, clock: Clock, approvals: Approvals) -> None:
        self._db = db
        self._clock = clock
        self._approvals = approvals
        self._after_id = 0

    def run(self) -> int:
        """Check the next batch of cards; returns how many ideas it approved. A card that cannot be checked is
        logged and skipped; never raises for one."""
        since = self._clock.now() - RECONCILE_WINDOW
        with self._db.read() as session:
            batch = queries.new_ideas_with_cards(session, since, self._after_id, RECONCILE_BATCH)
        self._after_id = batch[-1].id if len(batch) == RECONCILE_BATCH else 0
        approved = 0
        for idea in batch:
            try:
                approved += self._approvals.catch_up(idea)
            except Exception:
                log.exception("Could not check the reactions on the card of idea %s", idea.id)
        return approved
