"""Messages that must reach Slack once: an idea's card, a thread reply, a note to one person.

A message is written to the outbox in the same transaction as the change it tells of, so a crash can lose
neither. A sender claims it with a lease, posts it with message metadata naming the outbox row, and records the
ts. When Slack took a post but the answer never came, the next try finds that post in the channel (or the
thread) instead of posting twice. The submit thread, the sweep and several processes may all try; one posts.

Cards are also kept up to date through here (`sync_card`, `change_card`; the work is `bot.delivery.cards`): each
change bumps the idea's card_version, and the card is re-rendered with chat.update until the synced version catches
up.

The thread that queues a message may also claim it in the same transaction (`claim_on_insert`) and post it right
after the commit (`send_claimed`): an idea's card is posted after the submission's ack with no transaction of its
own to claim it, and without reading back the idea that transaction just wrote.

Slack's refusals are sorted by `failure`: a passing one is tried again with back-off; one that trying again cannot
change is not. When the channel itself is gone (archived, deleted, Kaizen removed) the team is paused and its
channel posts wait, untouched, until Kaizen is back (`bot.huddles.pauses.Pauses.resume`); a message Slack will
never take as it stands (too long, invalid blocks) or a post Kaizen is not allowed to make is given up at once,
loudly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery.cards import CardChange, Cards
from bot.delivery.names import Names
from bot.delivery.quoting import QuotingPosts
from bot.i18n import match_language, reading
from bot.render.words import REDACTED_TEXT
from bot.slack.gateway import Message, SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from storage import delivery, escalations, queries, spreads
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


def claim_on_insert(message: OutboxMessage, now: datetime) -> str:
    """Make a row not yet added (see `new_message`) claimed from the start by a token of its own, returned: the
    transaction that queues it also claims it (its first attempt counted), so that the thread that queued it can
    send it right after the commit with `send_claimed`, without a transaction of its own to claim it. If that
    thread dies, the sweep takes the row over once the lease (CLAIM_LEASE) has run out."""
    token = uuid.uuid4().hex
    message.claim, message.claim_until, message.attempts = token, now + CLAIM_LEASE, 1
    return token


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
        self.names = Names(clock)  # people's plain names and languages, shared with all that speaks: one cache
        self.cards = Cards(db, clock, gateway, self.names, self.team_language)
        self.quoting = QuotingPosts(db, clock, gateway, self.team_language)

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
            loaded = self._load(session, message_id)
            if loaded.paused and loaded.message.kind != OutboxKind.EPHEMERAL:
                # Its channel took no posts when last tried: it waits, untried, until the team is un-paused.
                delivery.unclaim(session, OutboxMessage, message_id, token)
                return SendResult(sent=False, idea=loaded.idea, error=loaded.paused)
        return self._post(loaded, token)

    def send_claimed(self, message: OutboxMessage, idea: Idea | None = None) -> SendResult:
        """Post a message its caller queued claimed (`claim_on_insert`) in a transaction now committed: `message`
        is the row as queued. `idea`, when given with a card, is the idea as that same transaction left it (an idea
        just raised: nobody can have backed it yet); otherwise the message's idea is read afresh. The claim is
        spent by this call (`message.claim` is cleared): a message queued unclaimed, one sent this way before, or
        one whose lease has run out (another sender may hold it now) is sent as `send` sends it. The result is
        `send`'s."""
        token, until = message.claim, message.claim_until
        if token is None or until is None:
            return self.send(message.id)
        if until - self._clock.now() < CLAIM_LEASE / 2:
            # Its lease has run since the commit (a slow permalink, a rate-limit wait): renewed, so that the sweep
            # cannot take it over while the post is in flight; taken over meanwhile, `send` sorts it out.
            with self._db.write() as session:
                renewed = delivery.renew(session, OutboxMessage, message.id, token, self._clock.now() + CLAIM_LEASE)
            if not renewed:
                return self.send(message.id)
        message.claim = None  # spent: this object is the caller's copy, never written back
        if idea is None or idea.id != message.idea_id or message.kind != OutboxKind.CARD:
            with self._db.read() as session:
                loaded = self._load(session, message.id)
        else:
            team = idea.team
            paused = (team.paused_reason or "paused") if team.paused_at is not None else None
            loaded = _Loaded(message, idea, team, paused, supporters=0, refused_card=None)
        if loaded.paused and loaded.message.kind != OutboxKind.EPHEMERAL:
            with self._db.write() as session:
                delivery.unclaim(session, OutboxMessage, message.id, token)
            return SendResult(sent=False, idea=loaded.idea, error=loaded.paused)
        return self._post(loaded, token)

    def _load(self, session: Session, message_id: int) -> _Loaded:
        """What sending a claimed message needs, read in `session`."""
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        idea = queries.idea_by_id(session, message.idea_id) if message.idea_id else None
        team = _team_of(session, message, idea)
        paused = (team.paused_reason or "paused") if team is not None and team.paused_at is not None else None
        supporters = queries.supporter_count(session, idea.id) if idea else 0
        refused_card = (
            delivery.card_refused(session, idea.id)
            if idea and message.kind == OutboxKind.THREAD and idea.card_ts is None
            else None
        )
        return _Loaded(message, idea, team, paused, supporters, refused_card)

    def _post(self, loaded: _Loaded, token: str) -> SendResult:
        """Post a message claimed with `token` (not held back by a pause, unless it is an ephemeral), and record
        what became of it."""
        message, idea, team, paused = loaded.message, loaded.idea, loaded.team, loaded.paused
        if paused or loaded.refused_card:
            # An ephemeral only makes sense now; a reply in the thread of a card Slack refused has no thread.
            reason = f"paused:{paused}" if paused else "card_refused"
            self._finish(message, token, None, error=reason)
            return SendResult(sent=False, idea=idea, error=paused or "card_refused")
        rendered_version = idea.card_version if idea else 0
        slack = self._gateway.workspace(message.workspace_id)
        try:
            ts = self._deliver(slack, message, idea, loaded.supporters)
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
            text, blocks = self.cards.draw(slack, idea, supporters, self.cards.own_tier(idea))
        elif message.kind == OutboxKind.HOP_CARD:
            assert idea is not None
            hop_card = self.cards.hop_card(idea, message.channel_id or "")
            if hop_card is None:
                raise _Deferred("no_hop")
            _hop, upper, tier = hop_card
            channel = upper.channel_id
            text, blocks = self.cards.draw(slack, idea, supporters, tier, upper)
        elif message.kind == OutboxKind.SUGGESTION:
            assert idea is not None
            offered = self.cards.suggestion_for_post(idea, message.channel_id or "")
            if offered is None:
                raise _Deferred("no_offer")
            offer, team = offered
            channel = team.channel_id
            text, blocks = self.cards.draw_suggestion(slack, idea, offer, team)
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
        card_posted = message.kind == OutboxKind.CARD and ts and message.idea_id
        up_to_date: bool | None = None
        with self._db.write() as session:
            delivery.finish(session, OutboxMessage, message.id, token, now, sent_ts=ts, error=error)
            if message.kind == OutboxKind.HOP_CARD and ts and message.idea_id:
                # The upper card shows the idea as it was when claimed; the sweep redraws it if it changed since.
                hop = escalations.hop_for_card_post(session, message.idea_id, message.channel_id or "")
                if hop is not None:
                    escalations.record_hop_card(session, hop.id, ts, rendered_version)
            if message.kind == OutboxKind.SUGGESTION and ts and message.idea_id:
                # Like an upper card: it shows the idea as it was when claimed; the sweep redraws it if it changed.
                found = spreads.for_post(session, message.idea_id, message.channel_id or "")
                if found is not None:
                    spreads.record_post(session, found[0].id, ts, rendered_version)
            if card_posted:
                assert ts is not None and message.idea_id is not None
                # The card shows the idea as it was when claimed; a change made since still needs a sync.
                up_to_date = queries.record_card_posted(session, message.idea_id, ts, rendered_version)
                assert up_to_date is not None
        if card_posted and not up_to_date:
            assert message.idea_id is not None
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

    # --- keeping cards up to date (bot.delivery.cards) ------------------------------------------------------

    def card_locks_in_use(self) -> int:
        """How many ideas' card locks exist now: those a sync holds or waits for (for tests and the bench)."""
        return self.cards.locks_in_use()

    def sync_card(self, idea_id: int) -> bool:
        """Re-render a posted card if the idea changed since; true when the card is up to date (`Cards.sync`)."""
        return self.cards.sync(idea_id)

    def change_card(self, idea: Idea, change: Callable[[], CardChange | None]) -> bool:
        """Make `change` to an idea whose card is posted and bring the card up to date (`Cards.change`)."""
        return self.cards.change(idea, change)

    # --- the sweep -----------------------------------------------------------------------------------------

    def sweep(self) -> int:
        """Send what is due and bring stale cards up to date; returns how many messages were sent."""
        now = self._clock.now()
        with self._db.read() as session:
            due = delivery.pending_outbox(session, now, SWEEP_BATCH)
            stale = queries.cards_out_of_date(session, SWEEP_BATCH)
            stale += [i for i in escalations.hop_cards_out_of_date(session, SWEEP_BATCH) if i not in stale]
            stale += [i for i in spreads.suggestions_out_of_date(session, SWEEP_BATCH) if i not in stale]
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
        author's DM and, if shared, in the thread) say REDACTED_TEXT instead (`QuotingPosts.replace`). Returns how
        many posts could not be changed (a second redaction tries them again)."""
        return self.quoting.replace(idea_id, REDACTED_TEXT).failed


@dataclass(frozen=True)
class _Loaded:
    """A claimed message and what posting it needs: its idea and team (if any), the error that paused the team
    (None when not paused), how many back the idea, and the error its card was refused with (a thread reply's)."""

    message: OutboxMessage
    idea: Idea | None
    team: Team | None
    paused: str | None
    supporters: int
    refused_card: str | None


# Messages posted in the channel they name (`OutboxMessage.channel_id`), not their idea's.
_IN_ANOTHER_CHANNEL = (OutboxKind.CHANNEL, OutboxKind.EPHEMERAL, OutboxKind.HOP_CARD, OutboxKind.SUGGESTION)


def _team_of(session: Session, message: OutboxMessage, idea: Idea | None) -> Team | None:
    """The team whose channel a message is posted in; None for a DM or a channel that is no team."""
    if message.kind in (OutboxKind.CARD, OutboxKind.THREAD):
        return idea.team if idea is not None else None
    if message.kind in _IN_ANOTHER_CHANNEL and message.channel_id:
        return queries.team_of_channel(session, message.channel_id)
    return None
