"""The event inbox: every Events API delivery is committed (unique event_id) before Slack gets its 200, then
a worker applies it. A retried or duplicated delivery finds its event_id stored and changes nothing; a crash
while applying leaves the row for the sweep; only when the inbox itself cannot be written does Slack get a 503,
so that it retries.

We do not use Bolt's `process_before_response` for this: it would hold every ack until listeners finish.

An event is marked applied in a transaction of its own once its handler returns, unless the handler committed the
event's whole effect together with that mark (`finish_applying`): a support reaction is one transaction, not two.

The inbox also carries the bot's own jobs (`queue_job`): work a request asks for that is too heavy for the process
answering Slack, such as drawing `/kaizen stats` charts (matplotlib alone is about 50 MB). Stored like an event, a
job is applied at once in this process, or, once `leave_jobs_to_workers` was called (a worker process does the
background work), by a worker's sweep.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from bot import limits
from bot.clock import Clock
from bot.delivery.outbox import backoff
from storage import delivery
from storage.db import Database
from storage.models import InboxEvent

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=60)
# A job may wait its turn behind a Monday's weekly charts (one drawing thread) and Slack's upload limits: taken over
# by another worker's sweep only when it is surely not running any more (a crash), never while it runs.
JOB_LEASE = timedelta(minutes=10)
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


@dataclass(frozen=True)
class _Stored:
    """A stored event claimed with `token`: its Slack event_id and type, its envelope, the workspace key of the
    installation that received it, and how many tries its claims have counted (this one included)."""

    row_id: int
    token: str
    event_id: str
    event_type: str
    payload: dict[str, Any]
    installed: str
    attempts: int = 1
    claim_until: datetime | None = None  # when the claim's lease runs out (set for an event queued claimed)


@dataclass
class _Applying:
    """The event this thread applies: its row, its claim, and whether its handler marked it applied already."""

    row_id: int
    token: str
    clock: Clock
    finished: bool = False


_applying: ContextVar[_Applying | None] = ContextVar("kaizen_inbox_applying", default=None)


def finish_applying(session: Session) -> None:
    """Mark the event this thread is applying (if it is applying one: see `Inbox`) applied, in `session`: the
    transaction that commits the event's whole effect, so that the inbox needs no transaction of its own to mark
    it. Only for what nothing the event owes follows, but bringing a card up to date (which the outbox's sweep also
    does). Should that transaction roll back, the event is not marked: the inbox tries it again as ever."""
    applying = _applying.get()
    if applying is not None and not applying.finished:
        delivery.finish(session, InboxEvent, applying.row_id, applying.token, applying.clock.now())
        applying.finished = True  # if this transaction fails, the handler's error says so; nothing reads it then


class Inbox:
    """The durable event inbox: `on` registers a handler per event type, `receive` commits a delivery, workers
    (and `sweep`) apply it under a claim, at most MAX_ATTEMPTS times."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._handlers: dict[str, EventHandler] = {}
        self._filters: dict[str, EventFilter] = {}
        self._jobs: dict[str, EventHandler] = {}
        self._jobs_here = True
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="kaizen-inbox")
        self._closed = threading.Event()

    def on(self, event_type: str, handler: EventHandler, *, wanted: EventFilter | None = None) -> None:
        """Apply events of `event_type` with `handler`; `wanted`, when given, decides from the envelope whether one
        is stored at all."""
        self._handlers[event_type] = handler
        if wanted is not None:
            self._filters[event_type] = wanted

    def on_job(self, job_type: str, handler: EventHandler) -> None:
        """Apply jobs of `job_type` (queued with `queue_job`) with `handler`. Job types are not Slack's event types:
        a delivery from Slack never runs a job's handler."""
        self._jobs[job_type] = handler

    def leave_jobs_to_workers(self) -> None:
        """From now on, jobs this process queues are applied by a worker process's sweep, not here."""
        self._jobs_here = False

    def _lease(self, event_type: str) -> timedelta:
        """How long a claim on a stored event (CLAIM_LEASE) or job (JOB_LEASE) lasts before the sweep may take it."""
        return JOB_LEASE if event_type in self._jobs else CLAIM_LEASE

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
        return self._store(event_id, event_type, body, installed, here=True, urgent=True)  # Slack waits for the 200

    def queue_job(self, job_type: str, job_id: str, job: dict[str, Any], installed: str) -> Receipt:
        """Commit a job of `job_type` (one `on_job` registered; KeyError otherwise): `job` is what its handler gets
        as the envelope's "event", `job_id` unique per request (a second one with the same id is a DUPLICATE),
        `installed` the workspace key. Applied on a worker thread here, or by a worker process's sweep after
        `leave_jobs_to_workers`. UNAVAILABLE when the store cannot be written."""
        if job_type not in self._jobs:
            raise KeyError(f"no handler for the job type {job_type!r}")
        body = {"type": "kaizen_job", "event_id": job_id, "event": {**job, "type": job_type}}
        return self._store(job_id, job_type, body, installed, here=self._jobs_here, urgent=False)

    def _store(
        self, event_id: str, event_type: str, body: dict[str, Any], installed: str, *, here: bool, urgent: bool
    ) -> Receipt:
        """Commit one delivery or job; applied on a worker thread of this process when `here`, else by the sweep."""
        # Stored claimed by the worker it is handed to, so that applying it takes no transaction to claim it; once
        # closed, stored unclaimed for the sweep.
        now = self._clock.now()
        token = None if self._closed.is_set() or not here else uuid.uuid4().hex
        lease = self._lease(event_type)
        claim = (token, now + lease) if token else None
        try:
            with self._db.write(urgent=urgent) as session:
                row_id = delivery.add_inbox_event(session, event_id, installed, event_type, body, now, claim=claim)
        except Exception:
            log.exception("Could not store event %s (%s)", event_id, event_type)
            return Receipt.UNAVAILABLE
        if row_id is None:
            log.info("Event %s already received; nothing to do", event_id)
            return Receipt.DUPLICATE
        if token is not None:
            stored = _Stored(row_id, token, event_id, event_type, body, installed, claim_until=now + lease)
            try:
                self._executor.submit(self._apply_queued, stored)
            except RuntimeError:  # closed meanwhile: the sweep takes it over once the lease has run out
                log.info("Event %s stored while closing; the sweep applies it", event_id)
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
            if row.event_type in self._jobs:  # a job's longer lease (JOB_LEASE)
                delivery.renew(session, InboxEvent, row_id, token, now + JOB_LEASE)
            stored = _Stored(row_id, token, row.event_id, row.event_type, row.payload, row.workspace_id, row.attempts)
        return self._apply_claimed(stored)

    def _apply_queued(self, stored: _Stored) -> bool:
        """Apply an event stored claimed and queued for a worker; true when applied now. One that waited in the queue
        past half its lease first renews its claim, and is left alone when the sweep has taken it over meanwhile:
        its lease ran from when it was stored, not from when a worker got to it."""
        lease = self._lease(stored.event_type)
        if stored.claim_until is not None and stored.claim_until - self._clock.now() < lease / 2:
            with self._db.write() as session:
                held = delivery.renew(session, InboxEvent, stored.row_id, stored.token, self._clock.now() + lease)
            if not held:
                log.info("Event %s waited past its lease and was taken over; leaving it", stored.event_id)
                return False
        return self._apply_claimed(stored)

    def _apply_claimed(self, stored: _Stored) -> bool:
        """Apply an event claimed with `stored.token`; true when it was applied now."""
        row_id, token, event_id, event_type, attempts = (
            stored.row_id, stored.token, stored.event_id, stored.event_type, stored.attempts
        )  # fmt: skip
        applying = _Applying(row_id, token, self._clock)
        entered = _applying.set(applying)
        try:
            handler = self._handlers.get(event_type) or self._jobs[event_type]
            handler(stored.payload, stored.installed)
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
        finally:
            _applying.reset(entered)
        if not applying.finished:
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
