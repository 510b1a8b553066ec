"""An event stored claimed by the worker it is queued for is applied once, even when it waits in the workers' queue
past its lease and the sweep applies it meanwhile (a renewed claim, or none)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

from bot.clock import SettableClock
from bot.delivery.inbox import CLAIM_LEASE, WORKERS, Inbox, Receipt
from storage.db import Database
from tests.conftest import WORKSPACE


def test_an_event_queued_past_its_lease_is_applied_once(db: Database, clock: SettableClock) -> None:
    inbox = Inbox(db, clock)
    applied: Counter[str] = Counter()
    started = threading.Semaphore(0)
    gate = threading.Event()

    def handler(payload: dict[str, Any], installed: str) -> None:
        event_id = payload["event_id"]
        if event_id.startswith("EvBUSY") and threading.current_thread().name.startswith("kaizen-inbox"):
            started.release()
            assert gate.wait(30)  # a worker busy (e.g. sleeping out a rate limit)
        applied[event_id] += 1

    inbox.on("review_event", handler)
    try:
        for n in range(WORKERS):  # every worker busy
            assert inbox.receive({"event_id": f"EvBUSY{n}", "event": {"type": "review_event"}}, WORKSPACE) == (
                Receipt.STORED
            )
        for _ in range(WORKERS):
            assert started.acquire(timeout=30)
        assert inbox.receive({"event_id": "EvQUEUED", "event": {"type": "review_event"}}, WORKSPACE) == Receipt.STORED
        clock.advance(CLAIM_LEASE + timedelta(seconds=1))  # it waited in the queue past its lease
        inbox.sweep()  # the sweep takes it over, as it should
        assert applied["EvQUEUED"] == 1
    finally:
        gate.set()
        inbox.close()
    assert applied["EvQUEUED"] == 1, "the worker it was queued for applied it again"
