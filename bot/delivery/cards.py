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
from bot.i18n import reading
from bot.render.card import card_dicts, card_text
from bot.render.words import plain_name
from bot.slack.gateway import SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from storage import queries
from storage.db import Database
from storage.models import Idea, Team

log = logging.getLogger(__name__)


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

    def draw(self, slack: WorkspaceSlack, idea: Idea, supporters: int) -> tuple[str, list[dict[str, Any]]]:
        """The card of `idea` backed by `supporters` as posted: (notification text, blocks), in its team's
        language whoever acted, with people's plain names filled in (users.info on a cache miss)."""
        with reading(self._team_language(idea.team)):
            text, blocks = card_text(idea), card_dicts(idea, supporters=supporters, name=plain_name)
            filled: list[Any] = self._names.fill(slack, idea.workspace_id, [text, blocks])
        return filled[0], filled[1]

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
            if idea is None or idea.card_synced_version >= idea.card_version:
                return idea is not None and idea.card_ts is not None and idea.team.paused_at is None
            supporters = queries.supporter_count(session, idea_id)
        return self._update(idea, supporters, idea.card_version)

    def _update(self, idea: Idea, supporters: int, version: int) -> bool:
        """Draw the card of `idea` (at card_version `version`, backed by `supporters`) over the posted one and
        record that it shows that version; false when it is not posted, its channel takes no posts now (it is
        brought up to date later) or Slack did not take the update (logged)."""
        if idea.card_ts is None or idea.team.paused_at is not None:
            return False
        try:
            slack = self._gateway.workspace(idea.workspace_id)
            text, blocks = self.draw(slack, idea, supporters)
            slack.update(idea.team.channel_id, idea.card_ts, text, blocks)
        except SlackError as error:
            if failure(error.code) is Failure.CHANNEL_GONE:
                self._pause(idea.team, error.code)  # else every sweep would try again, for ever
            else:
                log.warning("Could not update the card of idea %s", idea.id, exc_info=True)
            return False
        except Exception:
            log.warning("Could not update the card of idea %s", idea.id, exc_info=True)
            return False
        with self._db.write() as session:
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
