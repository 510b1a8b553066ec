"""Messages that must reach Slack once: an idea's card, a thread reply, a note to one person.

A message is written to the outbox in the same transaction as the change it tells of, so a crash can lose
neither. A sender claims it with a lease, posts it with message metadata naming the outbox row, and records the
ts. When Slack took a post but the answer never came, the next try finds that post in the channel (or the
thread) instead of posting twice. The submit thread, the sweep and several processes may all try; one posts.

Cards are also kept up to date here: each change bumps the idea's card_version, and `sync_card` re-renders the
card with chat.update until the synced version catches up.

Slack's refusals are sorted by `failure`: a passing one is tried again with back-off; one that trying again cannot
change is not. When the channel itself is gone (archived, deleted, Kaizen removed) the team is paused and its
channel posts wait, untouched, until Kaizen is back (`bot.huddles.pauses.Pauses.resume`); a message Slack will
never take as it stands (too long, invalid blocks) or a post Kaizen is not allowed to make is given up at once,
loudly.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery.names import Names
from bot.i18n import _, match_language, reading
from bot.render.card import card_blocks, card_text
from bot.render.words import REDACTED_TEXT, plain_name, to_dicts
from bot.slack.gateway import Message, SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from storage import delivery, queries
from storage.db import Database
from storage.models import Idea, OutboxKind, OutboxMessage, Team

log = logging.getLogger(__name__)

METADATA_TYPE = "kaizen_outbox"
CLAIM_LEASE = timedelta(seconds=60)
# The sweep leaves a fresh message to the thread that queued it for this long.
FIRST_SWEEP_DELAY = timedelta(seconds=30)
RETRY_BACKOFF = timedelta(seconds=30)
RETRY_BACKOFF_MAX = timedelta(minutes=15)
MAX_ATTEMPTS = 12  # with the back-off, about two hours of trying before giving up loudly
SWEEP_BATCH = 50
NO_ANSWER = "no_answer"
# Messages that quote the idea's own words, by the end of their dedupe key: the Done reply (what was learned)
# and the not-now reason (in the author's DM, and in the thread once shared).
QUOTING_REPLIES = (":done", ":reason")


@dataclass(frozen=True)
class SendResult:
    """What `Outbox.send` did: whether the message went out, its idea (if any) and, if not sent, why."""

    sent: bool
    idea: Idea | None = None
    # Slack's error code, or NO_ANSWER when Slack did not answer in time; for a post held because its team is
    # paused, the error that paused it. `failure(error)` says whether it will be tried again.
    error: str | None = None


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after `attempts` tries: RETRY_BACKOFF doubling, at most
    RETRY_BACKOFF_MAX."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(RETRY_BACKOFF * factor, RETRY_BACKOFF_MAX)


def new_message(
    *,
    kind: OutboxKind,
    dedupe_key: str,
    workspace_id: str,
    now: datetime,
    idea_id: int | None = None,
    channel_id: str | None = None,
    thread_ts: str | None = None,
    user_id: str | None = None,
    text: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> OutboxMessage:
    """A row for the outbox (not yet added): the sweep leaves it to the caller's own send for
    FIRST_SWEEP_DELAY."""
    return OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        workspace_id=workspace_id,
        idea_id=idea_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        user_id=user_id,
        text=text,
        blocks=blocks,
        created_at=now,
        next_attempt_at=now + FIRST_SWEEP_DELAY,
    )


class _Deferred(Exception):
    """The message cannot go yet (a thread reply whose card is not posted): try again later."""


class Outbox:
    """Sends queued messages once each (`send`, `sweep`), keeps posted cards up to date (`sync_card`) and takes
    a redacted idea's words out of what quoted them (`redact_posts`). Slack's answers are never raised: they are
    results, retries and log lines."""

    def __init__(self, db: Database, clock: Clock, gateway: SlackGateway, *, language: str = "en") -> None:
        """`language`: the one channel posts are written in when their team chose none (KAIZEN_LANGUAGE)."""
        self._db = db
        self._language = language
        self._clock = clock
        self._gateway = gateway
        # Card syncs of one idea run one at a time, each idea under a lock of its own that lives only while a sync
        # holds or waits for it (weak values): as many locks as syncs under way, however many ideas there are, and
        # no idea waits behind another's Slack call (which may sleep out a rate limit).
        self._card_locks: weakref.WeakValueDictionary[int, threading.Lock] = weakref.WeakValueDictionary()
        self._card_locks_guard = threading.Lock()
        self.names = Names(clock)  # people's plain names and languages, shared with all that speaks: one cache

    def team_language(self, team: Team | None) -> str:
        """The language `team`'s channel posts are written in: its own choice, else the bot's."""
        return match_language(team.language if team is not None else None, self._language)

    # --- sending -------------------------------------------------------------------------------------------

    def send(self, message_id: int) -> SendResult:
        """Post one queued message unless it is done or another sender holds it. Never raises for Slack's
        answers: the result says whether it was sent and, if not, Slack's error (see `failure`)."""
        token = uuid.uuid4().hex
        now = self._clock.now()
        with self._db.write() as session:
            if not delivery.claim(session, OutboxMessage, message_id, token, now, now + CLAIM_LEASE):
                return SendResult(sent=False)
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            idea = queries.idea_by_id(session, message.idea_id) if message.idea_id else None
            team = _team_of(session, message, idea)
            paused = (team.paused_reason or "paused") if team is not None and team.paused_at is not None else None
            if paused and message.kind != OutboxKind.EPHEMERAL:
                # Its channel took no posts when last tried: it waits, untried, until the team is un-paused.
                delivery.unclaim(session, OutboxMessage, message_id, token)
                return SendResult(sent=False, idea=idea, error=paused)
            supporters = queries.supporter_count(session, idea.id) if idea else 0
            rendered_version = idea.card_version if idea else 0
            refused_card = (
                delivery.card_refused(session, idea.id)
                if idea and message.kind == OutboxKind.THREAD and idea.card_ts is None
                else None
            )
        if paused or refused_card:
            # An ephemeral only makes sense now; a reply in the thread of a card Slack refused has no thread.
            reason = f"paused:{paused}" if paused else "card_refused"
            self._finish(message, token, None, error=reason)
            return SendResult(sent=False, idea=idea, error=paused or "card_refused")
        slack = self._gateway.workspace(message.workspace_id)
        try:
            ts = self._deliver(slack, message, idea, supporters)
        except _Deferred as deferred:
            self._release(message, token, str(deferred))
            return SendResult(sent=False, idea=idea, error=str(deferred))
        except SlackError as error:
            code = error.code
            if error.server_side:
                # Slack may have posted it anyway: keep the claim; the next try after the lease looks first.
                log.warning("Slack answered %s to outbox message %s (%s)", code, message.id, message.kind)
                return SendResult(sent=False, idea=idea, error=code)
            kind = failure(code)
            if kind is Failure.CHANNEL_GONE and team is not None:
                self._hold(message, token, team, code)
            elif kind is not Failure.TEMPORARY:
                log.error("Slack refused outbox message %s (%s, idea %s) for good: %s; not trying again", message.id,
                          message.kind, message.idea_id, code, exc_info=error)  # fmt: skip
                self._finish(message, token, None, error=f"refused:{code}")
            else:
                log.warning("Slack refused outbox message %s (%s): %s", message.id, message.kind, code)
                self._release(message, token, code)
            return SendResult(sent=False, idea=idea, error=code)
        except Exception:
            log.warning("No answer from Slack for outbox message %s (%s)", message.id, message.kind, exc_info=True)
            if message.kind == OutboxKind.EPHEMERAL:
                self._finish(message, token, None, error=NO_ANSWER)  # cannot be looked for: at most once
            return SendResult(sent=False, idea=idea, error=NO_ANSWER)
        self._finish(message, token, ts, rendered_version=rendered_version)
        return SendResult(sent=True, idea=idea)

    def _language_of(self, message: OutboxMessage, idea: Idea | None) -> str:
        """Whose words a queued message's names are filled in (only "a colleague", when Slack cannot name someone,
        is said in words): a DM's or an ephemeral's reader's, as far as known, else the idea's team's."""
        team = idea.team if idea is not None else None
        if message.kind in (OutboxKind.DM, OutboxKind.EPHEMERAL) and message.user_id:
            person = self.names.known(message.workspace_id, message.user_id)
            return match_language(person.locale if person else None, self.team_language(team))
        return self.team_language(team)

    def _deliver(self, slack: WorkspaceSlack, message: OutboxMessage, idea: Idea | None, supporters: int) -> str | None:
        with reading(self._language_of(message, idea)):
            text, blocks = self.names.fill(slack, message.workspace_id, [message.text or "", message.blocks])
        if message.kind == OutboxKind.DM:
            # A DM cannot be looked for without reading the person's DMs: a lost answer may mean a second DM.
            return slack.post(message.user_id or "", text, blocks)
        if message.kind == OutboxKind.EPHEMERAL:
            return slack.post_ephemeral(message.channel_id or "", message.user_id or "", text, blocks)
        # Messages in a channel or a card's thread: found again by their metadata after a lost answer.
        thread_ts: str | None = None
        if message.kind == OutboxKind.CARD:
            assert idea is not None
            channel = idea.team.channel_id
            with reading(self.team_language(idea.team)):  # a card speaks its team's language, whoever acted
                text, blocks = card_text(idea), to_dicts(card_blocks(idea, supporters=supporters, name=plain_name))
                text, blocks = self.names.fill(slack, idea.workspace_id, [text, blocks])
        elif message.kind == OutboxKind.THREAD:
            assert idea is not None
            if idea.card_ts is None:
                raise _Deferred("card_not_posted")
            channel, thread_ts = idea.team.channel_id, idea.card_ts
        else:
            channel, thread_ts = message.channel_id or "", message.thread_ts
        if message.attempts > 1:
            found = self._find(slack, channel, message, thread_ts=thread_ts)
            if found:
                return found
        metadata = {"event_type": METADATA_TYPE, "event_payload": {"outbox_id": message.id}}
        return slack.post(channel, text, blocks, thread_ts=thread_ts, metadata=metadata)

    def _find(
        self, slack: WorkspaceSlack, channel: str, message: OutboxMessage, *, thread_ts: str | None
    ) -> str | None:
        """The ts of the message's post if Slack has it already (its metadata names the outbox row), looked for
        from a minute before it was queued (the gateway reads a bounded number of pages: the post was made soon
        after the message was queued)."""
        oldest = f"{(message.created_at - timedelta(minutes=1)).timestamp():.6f}"

        def ours(posted: Message) -> bool:
            metadata = posted.get("metadata") or {}
            return bool(
                metadata.get("event_type") == METADATA_TYPE
                and (metadata.get("event_payload") or {}).get("outbox_id") == message.id
            )

        posted = slack.history_find(channel, ours, oldest=oldest, thread_ts=thread_ts)
        if posted is None:
            return None
        log.info("Found outbox message %s already posted (ts %s)", message.id, posted.get("ts"))
        return str(posted["ts"])

    def _finish(
        self, message: OutboxMessage, token: str, ts: str | None, *, error: str | None = None, rendered_version: int = 0
    ) -> None:
        now = self._clock.now()
        with self._db.write() as session:
            delivery.finish(session, OutboxMessage, message.id, token, now, sent_ts=ts, error=error)
            if message.kind == OutboxKind.CARD and ts and message.idea_id:
                idea = queries.idea_by_id(session, message.idea_id)
                assert idea is not None
                idea.card_ts = ts
                # The card shows the idea as it was when claimed; a change made since still needs a sync.
                idea.card_synced_version = max(idea.card_synced_version, rendered_version)
        if message.kind == OutboxKind.CARD and ts and message.idea_id:
            log.info("Posted the card of idea %s in its channel", message.idea_id)
            self.sync_card(message.idea_id)

    def _hold(self, message: OutboxMessage, token: str, team: Team, code: str) -> None:
        """Slack said the team's channel takes no posts: pause the team (once, whoever else finds it too) and keep
        the message, untried, until the team is un-paused; an ephemeral, which only makes sense now, is dropped."""
        now = self._clock.now()
        with self._db.write() as session:
            paused = queries.pause_team(session, team.id, code, now)
            if message.kind == OutboxKind.EPHEMERAL:
                delivery.finish(session, OutboxMessage, message.id, token, now, error=f"gone:{code}")
            else:
                delivery.release(session, OutboxMessage, message.id, token, now + backoff(message.attempts), code)
        if paused:
            log.warning("Slack answered %s to a post in %s: team %s paused (no huddles, no card posts) until Kaizen "
                        "is back in a live channel", code, team.channel_id, team.id)  # fmt: skip
        else:
            log.info("Outbox message %s (%s) waits: team %s is paused (%s)", message.id, message.kind, team.id, code)

    def _release(self, message: OutboxMessage, token: str, error: str) -> None:
        now = self._clock.now()
        with self._db.write() as session:
            if message.attempts >= MAX_ATTEMPTS:
                log.error("Giving up on outbox message %s (%s) after %s tries: %s", message.id, message.kind,
                          message.attempts, error)  # fmt: skip
                delivery.finish(session, OutboxMessage, message.id, token, now, error=f"gave_up:{error}")
            else:
                delivery.release(session, OutboxMessage, message.id, token, now + backoff(message.attempts), error)

    # --- keeping cards up to date --------------------------------------------------------------------------

    def _card_lock(self, idea_id: int) -> threading.Lock:
        with self._card_locks_guard:
            lock = self._card_locks.get(idea_id)
            if lock is None:
                lock = self._card_locks[idea_id] = threading.Lock()
            return lock  # the caller's reference keeps it (and its entry) alive while in use

    def card_locks_in_use(self) -> int:
        """How many ideas' card locks exist now: those a sync holds or waits for (for tests and the bench)."""
        with self._card_locks_guard:
            return len(self._card_locks)

    def sync_card(self, idea_id: int) -> bool:
        """Re-render a posted card if the idea changed since; true when the card is up to date."""
        with self._card_lock(idea_id):
            with self._db.read() as session:
                idea = queries.idea_by_id(session, idea_id)
                if idea is None or idea.card_ts is None or idea.team.paused_at is not None:
                    return False  # not posted, or its channel takes no posts now: it is brought up to date later
                if idea.card_synced_version >= idea.card_version:
                    return True
                supporters = queries.supporter_count(session, idea_id)
            try:
                slack = self._gateway.workspace(idea.workspace_id)
                with reading(self.team_language(idea.team)):  # a card speaks its team's language, whoever acted
                    card = to_dicts(card_blocks(idea, supporters=supporters, name=plain_name))
                    text, blocks = self.names.fill(slack, idea.workspace_id, [card_text(idea), card])
                slack.update(idea.team.channel_id, idea.card_ts, text, blocks)
            except Exception:
                log.warning("Could not update the card of idea %s", idea_id, exc_info=True)
                return False
            with self._db.write() as session:
                queries.mark_card_synced(session, idea_id, idea.card_version)
            return True

    # --- the sweep -----------------------------------------------------------------------------------------

    def sweep(self) -> int:
        """Send what is due and bring stale cards up to date; returns how many messages were sent."""
        now = self._clock.now()
        with self._db.read() as session:
            due = delivery.pending_outbox(session, now, SWEEP_BATCH)
            stale = queries.cards_out_of_date(session, SWEEP_BATCH)
        sent = 0
        for message_id in due:
            try:
                sent += self.send(message_id).sent
            except Exception:
                log.exception("Sweep could not send outbox message %s", message_id)
        for idea_id in stale:
            self.sync_card(idea_id)
        return sent

    # --- redaction -----------------------------------------------------------------------------------------

    def redact_posts(self, idea_id: int) -> int:
        """After a redaction: messages that quoted the idea's text (the Done reply, the not-now reason in the
        author's DM and, if shared, in the thread) say REDACTED_TEXT instead, in the outbox (so the text is kept
        nowhere, and one not sent yet never carries it) and, for thread replies, in Slack. Returns how many posts
        could not be changed (a second redaction tries them again). Said in the team's language."""
        kinds = (OutboxKind.THREAD, OutboxKind.DM)
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
            team = idea.team if idea is not None else None
        with reading(self.team_language(team)):
            redacted = _(REDACTED_TEXT)
        with self._db.write() as session:
            messages = delivery.replace_outbox_texts(session, idea_id, kinds, QUOTING_REPLIES, redacted)
        failed = 0
        for message in messages:
            # A DM was posted to a user ID and its channel not kept: only the author sees it, and it stays.
            if message.kind != OutboxKind.THREAD or not message.sent_ts:
                continue
            try:
                self._gateway.workspace(message.workspace_id).update(
                    message.channel_id or "", message.sent_ts, redacted
                )
            except Exception:
                log.warning("Could not redact outbox message %s of idea %s", message.id, idea_id, exc_info=True)
                failed += 1
        return failed


def _team_of(session: Session, message: OutboxMessage, idea: Idea | None) -> Team | None:
    """The team whose channel a message is posted in; None for a DM or a channel that is no team."""
    if message.kind in (OutboxKind.CARD, OutboxKind.THREAD):
        return idea.team if idea is not None else None
    if message.kind in (OutboxKind.CHANNEL, OutboxKind.EPHEMERAL) and message.channel_id:
        return queries.team_of_channel(session, message.channel_id)
    return None
