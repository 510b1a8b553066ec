"""The event inbox: every Events API delivery is committed (unique event_id) before Slack gets its 200, then
a worker applies it. A retried or duplicated delivery finds its event_id stored and changes nothing; a crash
while applying leaves the row for the sweep; only when the inbox itself cannot be written does Slack get a 503,
so that it retries.

We do not use Bolt's `process_before_response` for this: it would hold every ack until listeners finish.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot import limits
from bot.clock import Clock
from bot.delivery.outbox import backoff
from storage import delivery
from storage.db import Database
from storage.models import InboxEvent

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
SWEEP_BATCH = 100
WORKERS = 8

# An event handler gets the whole event_callback envelope (event, event_id, team_id, authorizations) and the
# workspace key of the installation that received it (bot.teams.tenancy): Slack's team_id may be a Slack Connect
# partner's, and org-level events carry none.
EventHandler = Callable[[dict[str, Any], str], None]
# Decides from the envelope alone whether an event can matter, so that noise is not even stored.
EventFilter = Callable[[dict[str, Any]], bool]


class Receipt(StrEnum):
    """What became of one delivery; only UNAVAILABLE asks Slack to deliver it again (the handler answers 503)."""

    STORED = "stored"  # committed; a worker applies it
    DUPLICATE = "duplicate"  # its event_id was stored before: nothing to do
    IGNORED = "ignored"  # an event type nobody handles, or one its filter says cannot matter
    UNAVAILABLE = "unavailable"  # the inbox could not be written: Slack should retry


class Inbox:
    """The durable event inbox: `on` registers a handler per event type, `receive` commits a delivery, workers
    (and `sweep`) apply it under a claim, at most MAX_ATTEMPTS times."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._handlers: dict[str, EventHandler] = {}
        self._filters: dict[str, EventFilter] = {}
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="kaizen-inbox")
        self._closed = threading.Event()

    def on(self, event_type: str, handler: EventHandler, *, wanted: EventFilter | None = None) -> None:
        """Apply events of `event_type` with `handler`; `wanted`, when given, decides from the envelope whether one
        is stored at all."""
        self._handlers[event_type] = handler
        if wanted is not None:
            self._filters[event_type] = wanted

    @property
    def event_types(self) -> tuple[str, ...]:
        """The event types with a handler, sorted."""
        return tuple(sorted(self._handlers))

    # --- receiving -----------------------------------------------------------------------------------------

    def receive(self, body: dict[str, Any], installed: str) -> Receipt:
        """Commit one delivery (the event_callback envelope), received by the installation whose workspace key is
        `installed`; the event is applied on a worker thread. UNAVAILABLE when the store cannot be written; an
        error raised by the event type's `wanted` filter goes up to the caller (Bolt's error handler)."""
        event = body.get("event") or {}
        event_type = str(event.get("type") or "")
        event_id = body.get("event_id")
        if event_type not in self._handlers or not isinstance(event_id, str) or not event_id:
            return Receipt.IGNORED
        wanted = self._filters.get(event_type)
        if wanted is not None and not wanted(body):
            return Receipt.IGNORED
        try:
            with self._db.write(urgent=True) as session:  # Slack waits for the 200
                row_id = delivery.add_inbox_event(session, event_id, installed, event_type, body, self._clock.now())
        except Exception:
            log.exception("Could not store event %s (%s); answering 503 so that Slack retries", event_id, event_type)
            return Receipt.UNAVAILABLE
        if row_id is None:
            log.info("Event %s already received; nothing to do", event_id)
            return Receipt.DUPLICATE
        if not self._closed.is_set():
            self._executor.submit(self.apply, row_id)
        return Receipt.STORED

    # --- applying ------------------------------------------------------------------------------------------

    def apply(self, row_id: int) -> bool:
        """Apply one stored event under a claim; true when it was applied now."""
        token = uuid.uuid4().hex
        now = self._clock.now()
        with self._db.write() as session:
            if not delivery.claim(session, InboxEvent, row_id, token, now, now + CLAIM_LEASE):
                return False
            row = session.get(InboxEvent, row_id)
            assert row is not None
            event_type, payload, attempts, event_id = row.event_type, row.payload, row.attempts, row.event_id
            installed = row.workspace_id
        try:
            self._handlers[event_type](payload, installed)
        except Exception as error:
            log.exception("Applying event %s (%s) failed, try %s", event_id, event_type, attempts)
            with self._db.write() as session:
                if attempts >= MAX_ATTEMPTS:
                    log.error("Giving up on event %s after %s tries", event_id, attempts)
                    delivery.finish(
                        session, InboxEvent, row_id, token, self._clock.now(), error=repr(error)[: limits.INBOX_ERROR]
                    )
                else:
                    retry_at = self._clock.now() + backoff(attempts) / 6  # events matter now: retry sooner
                    delivery.release(session, InboxEvent, row_id, token, retry_at, repr(error))
            return False
        with self._db.write() as session:
            delivery.finish(session, InboxEvent, row_id, token, self._clock.now())
        return True

    def sweep(self) -> int:
        """Apply stored events that are due (left by a crash, a failure, or a restart)."""
        with self._db.read() as session:
            due = delivery.pending(session, InboxEvent, self._clock.now(), SWEEP_BATCH)
        return sum(self.apply(row_id) for row_id in due)

    def close(self) -> None:
        """Stop taking work and wait for the events being applied to finish."""
        self._closed.set()
        self._executor.shutdown(wait=True, cancel_futures=False)
