"""Periodic work in every process. Each job is safe to run in several processes at once, because the database
decides who does what (claims with leases, conditional updates), never the scheduler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.ideas.approvals import Reconciler
from bot.services import Services

log = logging.getLogger(__name__)

OUTBOX_SWEEP_SECONDS = 15
INBOX_SWEEP_SECONDS = 5
RECONCILE_SECONDS = 300
HUDDLE_TICK_SECONDS = 20


def start_scheduler(
    services: Services,
    *,
    sweep_seconds: float = OUTBOX_SWEEP_SECONDS,
    inbox_seconds: float = INBOX_SWEEP_SECONDS,
    reconcile_seconds: float = RECONCILE_SECONDS,
    huddle_seconds: float = HUDDLE_TICK_SECONDS,
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    now = datetime.now(UTC)  # every job also runs once at start: catching up on what happened while we were down
    jobs = (
        ("outbox-sweep", services.outbox.sweep, sweep_seconds),
        ("inbox-sweep", services.inbox.sweep, inbox_seconds),
        ("reconcile-approvals", Reconciler(services).run, reconcile_seconds),
        # Reads from the database which slots are due, so a schedule changed in any process applies at once.
        ("huddle-tick", services.huddles.tick, huddle_seconds),
    )
    for job_id, function, seconds in jobs:
        scheduler.add_job(
            function, "interval", seconds=seconds, id=job_id, next_run_time=now, max_instances=1, coalesce=True
        )
    scheduler.start()
    log.info("Scheduler started: %s", ", ".join(f"{job_id} every {seconds}s" for job_id, _f, seconds in jobs))
    return scheduler
