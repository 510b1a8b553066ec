"""Periodic work in every process. Each job is safe to run in several processes at once, because the database
decides who does what (claims with leases), never the scheduler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services import Services

log = logging.getLogger(__name__)

OUTBOX_SWEEP_SECONDS = 15


def start_scheduler(services: Services, *, sweep_seconds: float = OUTBOX_SWEEP_SECONDS) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        services.outbox.sweep,
        "interval",
        seconds=sweep_seconds,
        id="outbox-sweep",
        next_run_time=datetime.now(UTC),  # catch up at start with cards that failed while we were down
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    log.info("Scheduler started: outbox sweep every %ss", sweep_seconds)
    return scheduler
