"""The bot's messages that quoted an idea's words (the Done reply with what was learned, the not-now reason in the
author's DM and, if shared, in the card's thread, the reasons of its hops up and down the tiers), once a redaction or
retention replaced those words: the outbox rows get the new text, so the old one is kept nowhere, and the thread
replies already in Slack are updated.

A reply Slack did not take (its channel archived, a passing fault) stays marked stale in the store
(`OutboxMessage.stale_since`) and is tried again by `update_stale` (the daily retention run calls it) until Slack
takes it; one deleted in Slack meanwhile has nothing left to replace. A DM's channel was not kept: it stays as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.i18n import reading
from bot.render.words import stored_text
from bot.slack.gateway import SlackError, SlackGateway
from storage import delivery, queries
from storage.db import Database
from storage.models import OutboxKind, OutboxMessage, Team

log = logging.getLogger(__name__)

# The dedupe keys' ends of the messages that quote an idea's words (bot.notices keys): what was learned, the not-now
# reason, and the reasons of its hops up the tiers (the author's DM) and down (the note in the thread).
QUOTING_REPLIES = (":done", ":reason", ":escalated", ":sent-back")
# chat.update's answers for a message that is no longer there (someone deleted it): nothing to update.
MESSAGE_GONE = frozenset({"message_not_found", "cant_update_message"})


@dataclass(frozen=True)
class Replaced:
    """What `QuotingPosts` did in Slack: thread replies updated, and those it could not update (left stale)."""

    updated: int
    failed: int


class QuotingPosts:
    """Puts a replacement text (REDACTED_TEXT, a retention marker) where the bot quoted an idea's words, in the
    store and in Slack (`replace`), and tries again what Slack did not take (`update_stale`). Never raises for
    Slack's answers."""

    def __init__(
        self, db: Database, clock: Clock, gateway: SlackGateway, team_language: Callable[[Team | None], str]
    ) -> None:
        """`team_language`: the language a team's channel posts are written in."""
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._team_language = team_language

    def replace(self, idea_id: int, stored: str, *, before_update: Callable[[], bool] | None = None) -> Replaced:
        """The idea's quoting messages say `stored` instead (a text as `bot.render.words.stored_text` shows it, said
        in the team's language): in the outbox (one not sent yet never carries the old words) and, for thread
        replies in a channel that takes posts, in Slack. `before_update` runs before each Slack update (it paces
        them) and skips the rest when it returns false."""
        kinds = (OutboxKind.THREAD, OutboxKind.DM)
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
            team = idea.team if idea is not None else None
        with reading(self._team_language(team)):
            said = stored_text(stored) or ""
        with self._db.write() as session:
            messages = delivery.replace_outbox_texts(session, idea_id, kinds, QUOTING_REPLIES, said, self._clock.now())
            stale = [message for message in messages if message.stale_since is not None]
        if team is not None and team.paused_at is not None:
            # The channel takes no posts (archived): the replies wait, stale, for a run once it is back.
            return Replaced(updated=0, failed=len(stale))
        return self._update(stale, before_update)

    def update_stale(self, *, before_update: Callable[[], bool] | None = None, limit: int = 200) -> Replaced:
        """Try again, in Slack, up to `limit` thread replies whose words were replaced in the store but not yet
        there (Slack refused, or their channel was archived and is back), paced by `before_update` as in
        `replace`."""
        with self._db.read() as session:
            stale = delivery.stale_replies(session, limit)
        return self._update(stale, before_update)

    def stale_count(self) -> int:
        """How many thread replies in Slack still show words the store has replaced."""
        with self._db.read() as session:
            return delivery.count_stale(session)

    def _update(self, messages: Sequence[OutboxMessage], before_update: Callable[[], bool] | None) -> Replaced:
        failed = updated = 0
        for message in messages:
            if before_update is not None and not before_update():
                failed += 1
                continue
            try:
                self._gateway.workspace(message.workspace_id).update(
                    message.channel_id or "", message.sent_ts or "", message.text or ""
                )
            except SlackError as error:
                log.warning("Could not replace the text of message %s of idea %s", message.id, message.idea_id,
                            exc_info=True)  # fmt: skip
                if error.code not in MESSAGE_GONE:
                    failed += 1
                    continue
            except Exception:  # no client for the workspace (uninstalled), a connection that failed
                log.warning("Could not replace the text of message %s of idea %s", message.id, message.idea_id,
                            exc_info=True)  # fmt: skip
                failed += 1
                continue
            else:
                updated += 1
            with self._db.write() as session:  # updated, or deleted in Slack: no old words left there either way
                delivery.mark_updated(session, message.id, message.text)
        return Replaced(updated=updated, failed=failed)
