"""Idea cards as posted in their team channel: drawn in the team's language with people's plain names filled in
(`Cards.draw`), and kept up to date: each change bumps the idea's card_version, and the card is drawn again with
chat.update until the synced version catches up (`Cards.sync`, `Cards.change`).

A change made by a request that read the idea just before (a reaction counting support) is drawn from what that
request read when nothing else changed the idea in between (`Cards.change`): no second read of the idea."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.delivery.names import Names
from bot.domain import CardLinks, CardTier
from bot.i18n import reading
from bot.render.card import card_dicts, card_text
from bot.render.spread import Suggestion, suggestion, suggestion_text
from bot.render.words import plain_name
from bot.slack.gateway import SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from storage import escalations, queries, spreads
from storage.db import Database
from storage.models import Idea, Team
from storage.models_spread import Spread
from storage.models_tiers import Escalation

Blocks = list[dict[str, Any]]

log = logging.getLogger(__name__)


def tier_views(
    idea: Idea, found: list[Escalation], teams: dict[int, Team]
) -> tuple[CardTier | None, dict[int, CardTier]]:
    """What each card of `idea` shows of its tiers, from its hops (`found`, oldest first) and the teams they name
    (`storage.escalations.card_views`): its own card's (None when its team has no tier up and it was never
    escalated), and each hop's upper card's, by hop id."""
    own_team = teams[idea.team_id]
    holding = next((hop for hop in found if hop.ended_at is None), None)
    if holding is None:
        own = CardTier(can_escalate=True) if own_team.upper_team_id is not None else None
    else:
        own = CardTier(holder_channel=teams[holding.to_team_id].channel_id, by=holding.escalated_by,
                       at=holding.escalated_at, reason=holding.reason)  # fmt: skip
    uppers = {
        hop.id: CardTier(
            upper_card=True, came_from=teams[hop.from_team_id].channel_id, by=hop.escalated_by, at=hop.escalated_at,
            reason=hop.reason, open=hop.ended_at is None, ended_how=hop.ended_how,
            can_escalate=hop.ended_at is None and teams[hop.to_team_id].upper_team_id is not None,
        )
        for hop in found
    }  # fmt: skip
    return own, uppers


@dataclass(frozen=True)
class CardChange:
    """What a change to an idea left: its card_version and how many people back it (see `Cards.change`)."""

    version: int
    supporters: int


class Cards:
    """Draws cards (`draw`) and keeps posted ones up to date (`sync`, `change`). Syncs of one idea run one at a
    time, each idea under a lock of its own that lives only while a sync holds or waits for it (weak values): as
    many locks as syncs under way, however many ideas there are, and no idea waits behind another's Slack call
    (which may sleep out a rate limit)."""

    def __init__(
        self, db: Database, clock: Clock, gateway: SlackGateway, names: Names,
        team_language: Callable[[Team | None], str],
    ) -> None:  # fmt: skip
        """`team_language` says which language a team's channel posts are in (`Outbox.team_language`)."""
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._names = names
        self._team_language = team_language
        self._locks: weakref.WeakValueDictionary[int, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    def draw(
        self, slack: WorkspaceSlack, idea: Idea, supporters: int, tier: CardTier | None = None, team: Team | None = None
    ) -> tuple[str, list[dict[str, Any]]]:
        """The card of `idea` backed by `supporters` as posted: (notification text, blocks), in the language of the
        team whose channel it is in (`team`, default the idea's own) whoever acted, with people's plain names
        filled in (users.info on a cache miss). `tier`: what it shows of the idea's tiers (`tier_views`)."""
        links = self.links(idea)
        with reading(self._team_language(team or idea.team)):
            text = card_text(idea)
            blocks = card_dicts(idea, supporters=supporters, name=plain_name, tier=tier, links=links)
            filled: list[Any] = self._names.fill(slack, idea.workspace_id, [text, blocks])
        return filled[0], filled[1]

    def links(self, idea: Idea) -> CardLinks | None:
        """What the idea's cards say of the teams that spread it (`CardLinks`); no look-up for an idea never
        offered to another team nor tried from one."""
        if idea.spread_at is None and idea.copied_from_id is None:
            return None
        with self._db.read() as session:
            original, copies = spreads.card_links(session, idea)
        return CardLinks(original, tuple(copies))

    def copies_of(self, idea: Idea) -> list[int]:
        """The ids of the copies other teams tried of `idea` (none to read for an idea never offered)."""
        if idea.spread_at is None:
            return []
        with self._db.read() as session:
            return [o.spread.copy_id for o in spreads.offers(session, idea.id) if o.spread.copy_id is not None]

    def suggestion_for_post(self, idea: Idea, channel_id: str) -> tuple[Spread, Team] | None:
        """The idea's offer to the team of `channel_id` and that team, when a suggestion is to be posted there."""
        with self._db.read() as session:
            return spreads.for_post(session, idea.id, channel_id)

    def draw_suggestion(self, slack: WorkspaceSlack, idea: Idea, offer: Spread, team: Team) -> tuple[str, Blocks]:
        """The suggestion of `idea` offered to `team` as posted in its channel (`bot.render.spread.suggestion`), in
        that team's language, with people's plain names filled in."""
        with self._db.read() as session:
            copy = queries.idea_by_id(session, offer.copy_id) if offer.copy_id is not None else None
        view = Suggestion(
            offer.id, idea.team.channel_id, offer.offered_by, offer.offered_at, offer.answer, offer.answered_by,
            copy.number if copy is not None else None, self._link(slack, idea),
        )  # fmt: skip
        with reading(self._team_language(team)):
            text, blocks = suggestion_text(idea, view), suggestion(idea, view)
            filled: list[Any] = self._names.fill(slack, idea.workspace_id, [text, blocks])
        return filled[0], filled[1]

    @staticmethod
    def _link(slack: WorkspaceSlack, idea: Idea) -> str | None:
        """The permalink of the idea's own card; None when it is not posted or Slack gives none (logged)."""
        if idea.card_ts is None:
            return None
        try:
            return slack.permalink(idea.team.channel_id, idea.card_ts)
        except SlackError as error:
            log.warning("No link for the card of idea %s: %s", idea.id, error.code)
            return None

    def own_tier(self, idea: Idea) -> CardTier | None:
        """What the idea's own card shows of its tiers (see `tier_views`); no look-up for an idea never escalated."""
        if idea.escalated_at is None:  # no hops to read
            return tier_views(idea, [], {idea.team_id: idea.team})[0]
        with self._db.read() as session:
            found, teams = escalations.card_views(session, idea)
        return tier_views(idea, found, teams)[0]

    def hop_card(self, idea: Idea, channel_id: str) -> tuple[Escalation, Team, CardTier] | None:
        """The newest hop of the idea into `channel_id`, that channel's team and what its card shows; None when
        there is none."""
        with self._db.read() as session:
            hop = escalations.hop_for_card_post(session, idea.id, channel_id)
            found, teams = escalations.card_views(session, idea)
        if hop is None:
            return None
        return hop, teams[hop.to_team_id], tier_views(idea, found, teams)[1][hop.id]

    def _lock(self, idea_id: int) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(idea_id)
            if lock is None:
                lock = self._locks[idea_id] = threading.Lock()
            return lock  # the caller's reference keeps it (and its entry) alive while in use

    def locks_in_use(self) -> int:
        """How many ideas' card locks exist now: those a sync holds or waits for (for tests and the bench)."""
        with self._locks_guard:
            return len(self._locks)

    def sync(self, idea_id: int) -> bool:
        """Re-render a posted card if the idea changed since; true when the card is up to date."""
        with self._lock(idea_id):
            return self._sync_locked(idea_id)

    def change(self, idea: Idea, change: Callable[[], CardChange | None]) -> bool:
        """Make `change` to an idea whose card is posted and bring the card up to date; true when it changed
        something. `idea` is the idea as read before; `change` commits and says the idea's card_version and
        supporters after it, or None when it changed nothing. When nothing else changed the idea since `idea` was
        read (every change bumps card_version), the card is drawn from `idea` without reading it again. Under the
        idea's card lock, so that this process's updates of the card go out in the order its changes were made."""
        with self._lock(idea.id):
            changed = change()
            if changed is None:
                return False
            if changed.version != idea.card_version + 1:
                self._sync_locked(idea.id)  # someone else changed it meanwhile too: drawn as it is now
            else:
                self._update(idea, changed.supporters, changed.version)
            return True

    def _sync_locked(self, idea_id: int) -> bool:
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
            if idea is None:
                return False
            elsewhere = idea.escalated_at is not None or idea.spread_at is not None  # cards in other channels
            if idea.card_synced_version >= idea.card_version and not elsewhere:
                return idea.card_ts is not None and idea.team.paused_at is None
            supporters = queries.supporter_count(session, idea_id)
        if idea.card_synced_version >= idea.card_version:  # its own card is up to date: its others may not be
            if idea.escalated_at is not None:
                self._update_tiers(idea, supporters, idea.card_version, own=False)
            self._update_suggestions(idea, idea.card_version)
            return idea.card_ts is not None and idea.team.paused_at is None
        return self._update(idea, supporters, idea.card_version)

    def _update(self, idea: Idea, supporters: int, version: int) -> bool:
        """Draw the cards of `idea` (at card_version `version`, backed by `supporters`) over the posted ones (its
        own, and those in the channels of teams it was escalated to) and record that they show that version; false
        when its own is not posted, its channel takes no posts now (it is brought up to date later) or Slack did
        not take the update (logged)."""
        if idea.escalated_at is None and idea.team.upper_team_id is None:
            updated = self._update_one(idea, supporters, version, None, None)  # the usual card: no tiers to read
        else:
            updated = self._update_tiers(idea, supporters, version, own=True)
        self._update_suggestions(idea, version)
        return updated

    def _update_suggestions(self, idea: Idea, version: int) -> None:
        """Draw the idea's posted suggestions in other teams' channels over themselves where they show an older
        card_version than `version` (an edit, a redaction or an answer since); none to read for an idea never
        offered."""
        if idea.spread_at is None:
            return
        with self._db.read() as session:
            found = [offer for offer in spreads.offers(session, idea.id) if offer.spread.card_ts is not None]
        for offer in found:
            spread, team = offer.spread, offer.team
            if spread.card_synced_version >= version or team.paused_at is not None or spread.card_ts is None:
                continue
            try:
                slack = self._gateway.workspace(idea.workspace_id)
                text, blocks = self.draw_suggestion(slack, idea, spread, team)
                slack.update(team.channel_id, spread.card_ts, text, blocks)
            except SlackError as error:
                if failure(error.code) is Failure.CHANNEL_GONE:
                    self._pause(team, error.code)
                else:
                    log.warning("Could not update a suggestion of idea %s", idea.id, exc_info=True)
                continue
            except Exception:
                log.warning("Could not update a suggestion of idea %s", idea.id, exc_info=True)
                continue
            with self._db.write() as session:
                spreads.mark_synced(session, spread.id, version)

    def _update_tiers(self, idea: Idea, supporters: int, version: int, *, own: bool) -> bool:
        """Bring the idea's upper cards (and, `own`, its own card) up to `version`; whether its own card is."""
        with self._db.read() as session:
            found, teams = escalations.card_views(session, idea)
        own_tier, upper_tiers = tier_views(idea, found, teams)
        updated = self._update_one(idea, supporters, version, own_tier, None) if own else False
        for hop in found:
            if hop.card_ts is not None and hop.card_synced_version < version:
                self._update_one(idea, supporters, version, upper_tiers[hop.id], (hop, teams[hop.to_team_id]))
        return updated

    def _update_one(
        self, idea: Idea, supporters: int, version: int, tier: CardTier | None, upper: tuple[Escalation, Team] | None
    ) -> bool:
        """Draw one card over the posted one: the idea's own, or (`upper`) the one a hop posted in its upper team's
        channel; record the version it shows. False when it is not posted, its channel takes no posts or Slack did
        not take the update (logged)."""
        team = upper[1] if upper else idea.team
        ts = upper[0].card_ts if upper else idea.card_ts
        if ts is None or team.paused_at is not None:
            return False
        try:
            slack = self._gateway.workspace(idea.workspace_id)
            text, blocks = self.draw(slack, idea, supporters, tier, team)
            slack.update(team.channel_id, ts, text, blocks)
        except SlackError as error:
            if failure(error.code) is Failure.CHANNEL_GONE:
                self._pause(team, error.code)  # else every sweep would try again, for ever
            else:
                log.warning("Could not update a card of idea %s", idea.id, exc_info=True)
            return False
        except Exception:
            log.warning("Could not update a card of idea %s", idea.id, exc_info=True)
            return False
        with self._db.write() as session:
            if upper:
                escalations.mark_hop_synced(session, upper[0].id, version)
            else:
                queries.mark_card_synced(session, idea.id, version)
        return True

    def _pause(self, team: Team, code: str) -> None:
        """Slack said the team's channel takes no posts (archived, deleted, Kaizen removed) when its card was
        updated: pause the team as a refused post does (`Outbox._hold`); its cards catch up once it is back."""
        with self._db.write() as session:
            paused = queries.pause_team(session, team.id, code, self._clock.now())
        if paused:
            log.warning("Slack answered %s to a card update in %s: team %s paused (no huddles, no card posts) until "
                        "Kaizen is back in a live channel", code, team.channel_id, team.id)  # fmt: skip
