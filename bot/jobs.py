"""Periodic work in every process. Each job is safe to run in several processes at once, because the database
decides who does what (claims with leases, conditional updates), never the scheduler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.delivery.inbox import Inbox
from bot.delivery.outbox import Outbox
from bot.huddles.daily import Huddles
from bot.ideas.approvals import Reconciler
from bot.personal_data.retention import Retention

log = logging.getLogger(__name__)

OUTBOX_SWEEP_SECONDS = 15
INBOX_SWEEP_SECONDS = 5
RECONCILE_SECONDS = 300
HUDDLE_TICK_SECONDS = 20
RETENTION_SECONDS = 3600  # the run is daily (claimed per UTC date): an hourly look finds a new day soon enough


def start_scheduler(
    *,
    outbox: Outbox,
    inbox: Inbox,
    reconciler: Reconciler,
    huddles: Huddles,
    retention: Retention,
    sweep_seconds: float = OUTBOX_SWEEP_SECONDS,
    inbox_seconds: float = INBOX_SWEEP_SECONDS,
    reconcile_seconds: float = RECONCILE_SECONDS,
    huddle_seconds: float = HUDDLE_TICK_SECONDS,
    retention_seconds: float = RETENTION_SECONDS,
) -> BackgroundScheduler:
    """Start APScheduler's background thread with the five jobs, each every so many seconds and once at once."""
    scheduler = BackgroundScheduler(timezone=UTC)
    now = datetime.now(UTC)  # every job also runs once at start: catching up on what happened while we were down
    jobs = (
        ("outbox-sweep", outbox.sweep, sweep_seconds),
        ("inbox-sweep", inbox.sweep, inbox_seconds),
        ("reconcile-approvals", reconciler.run, reconcile_seconds),
        # Reads from the database which slots are due, so a schedule changed in any process applies at once.
        ("huddle-tick", huddles.tick, huddle_seconds),
        ("retention", retention.tick, retention_seconds),
    )
    for job_id, function, seconds in jobs:
        scheduler.add_job(
            function, "interval", seconds=seconds, id=job_id, next_run_time=now, max_instances=1, coalesce=True
        )
    scheduler.start()
    log.info("Scheduler started: %s", ", ".join(f"{job_id} every {seconds}s" for job_id, _f, seconds in jobs))
    return scheduler
