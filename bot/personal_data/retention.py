"""Keeping text only as long as agreed (product page, Privacy).

With KAIZEN_RETENTION_DAYS set, the text of an idea done (or not-now) longer than that is replaced by "[removed
after N days]" in the store, on its card and in the bot's thread replies that quoted it, keeping its number,
status, dates, outcome and counts, so every chart stays the same. Whatever the setting, Slack's deliveries applied
more than PURGE_AFTER ago are deleted and the bodies of the bot's messages sent before then emptied.

A daily run does it once across processes (a claim on the day, with a lease renewed as it goes: another process
takes over a run whose process died). Slack updates are paced to stay under chat.update's Tier 3 limit; the cards
of a channel that takes no posts (archived, Kaizen removed) cannot be updated and are reported. A reply Slack did
not take (its channel gone, a passing fault) stays marked stale and each run tries it again: a card catches up by
itself once its team's channel is back.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.delivery.outbox import Outbox
from bot.render.words import retained_text
from bot.settings import Settings
from storage import retention
from storage.db import Database
from storage.retention import Due

log = logging.getLogger(__name__)

PURGE_AFTER = timedelta(days=7)
LEASE = timedelta(minutes=10)
BATCH = 50  # ideas read at a time
UPDATES_PER_MINUTE = 40  # chat.update is Tier 3 (50+ a minute per workspace): room left for everything else
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Plan:
    """What a run would do now: the ideas whose text would go (oldest finished first within id order), and how
    many Slack deliveries and message bodies would be purged. `days` is KAIZEN_RETENTION_DAYS (None: off)."""

    days: int | None
    ideas: list[Due]
    deliveries: int
    bodies: int


@dataclass
class Report:
    """What a run did: ideas whose text went, cards and thread replies updated in Slack (replies tried again
    included), replies still showing removed words (waiting for their channel, or for Slack), channels (by id,
    with their team's name) whose cards could not be updated, deliveries deleted and message bodies emptied; `stopped`
    when it stopped before the end (shutting down: the next run goes on)."""

    ideas: int = 0
    cards: int = 0
    replies: int = 0
    replies_waiting: int = 0
    skipped_channels: dict[str, str] = field(default_factory=dict)
    deliveries: int = 0
    bodies: int = 0
    stopped: bool = False

    def as_dict(self) -> dict[str, object]:
        """As stored with the day's run."""
        return {
            "ideas": self.ideas, "cards": self.cards, "replies": self.replies, "replies_waiting": self.replies_waiting,
            "skipped_channels": self.skipped_channels, "deliveries": self.deliveries, "bodies": self.bodies,
            "stopped": self.stopped,
        }  # fmt: skip


class Pace:
    """At most `per_minute` Slack updates in any 60 s (real time, not the settable clock: it is Slack's limit),
    waiting when the window is full; waiting ends early, false, once `stop` is set."""

    def __init__(self, per_minute: int, stop: threading.Event) -> None:
        self._per_minute = per_minute
        self._stop = stop
        self._sent: deque[float] = deque()

    def __call__(self) -> bool:
        """Wait until one more update fits; false when stopping (send nothing more)."""
        while True:
            if self._stop.is_set():
                return False
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= WINDOW_SECONDS:
                self._sent.popleft()
            if len(self._sent) < self._per_minute:
                self._sent.append(now)
                return True
            self._stop.wait(WINDOW_SECONDS - (now - self._sent[0]))


class Retention:
    """The daily retention run (`tick`), a run now (`run`) and what one would do (`plan`)."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, outbox: Outbox, *,
        updates_per_minute: int = UPDATES_PER_MINUTE,
    ) -> None:  # fmt: skip
        """`updates_per_minute`: how many cards and replies a run updates in Slack in any minute at most."""
        self._db = db
        self._clock = clock
        self._days = settings.kaizen_retention_days
        self._outbox = outbox
        self._per_minute = updates_per_minute
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop a run before its next idea, or while it waits to update Slack (the process is stopping), and start
        none; the next run, in any process, carries on."""
        self._stop.set()

    def _cutoff(self, now: datetime) -> datetime | None:
        return now - timedelta(days=self._days) if self._days is not None else None

    def plan(self) -> Plan:
        """What `run` would do now, changing nothing."""
        now = self._clock.now()
        cutoff = self._cutoff(now)
        ideas: list[Due] = []
        with self._db.read() as session:
            while cutoff is not None:
                batch = retention.due(session, cutoff, after_id=ideas[-1].idea_id if ideas else 0, limit=BATCH)
                ideas += batch
                if len(batch) < BATCH:
                    break
            deliveries, bodies = retention.purgeable(session, now - PURGE_AFTER)
        return Plan(days=self._days, ideas=ideas, deliveries=deliveries, bodies=bodies)

    def tick(self) -> Report | None:
        """Today's run (UTC), once across processes: None when it is done already or another process runs it."""
        if self._stop.is_set():
            return None  # the process is stopping: another one (or this one, started again) runs it
        now = self._clock.now()
        token = uuid.uuid4().hex
        with self._db.write() as session:
            if not retention.claim_run(session, now.date(), token, now, now + LEASE):
                return None
        report = self.run(renew=lambda: self._renew(now.date(), token))
        with self._db.write() as session:
            if not report.stopped:
                retention.finish_run(session, now.date(), token, self._clock.now(), report.as_dict())
        if (
            report.ideas
            or report.replies
            or report.replies_waiting
            or report.skipped_channels
            or report.deliveries
            or report.bodies
        ):
            log.info("Retention: %s", report.as_dict())
        for channel, name in report.skipped_channels.items():
            log.warning("Retention could not update the cards in %s (%s): the channel takes no posts", channel, name)
        return report

    def _renew(self, day: date, token: str) -> bool:
        now = self._clock.now()
        with self._db.write() as session:
            return retention.renew_run(session, day, token, now + LEASE)

    def run(self, renew: Callable[[], bool] | None = None) -> Report:
        """Remove the text that is due and purge what is a week old, now; see the module's docstring. `renew`, after
        each batch, holds the day's claim (false: another process took it over, so this run stops)."""
        report = Report()
        pace = Pace(self._per_minute, self._stop)
        now = self._clock.now()
        cutoff = self._cutoff(now)
        after = 0
        # Replies an earlier run (or a redaction) could not update in Slack: tried again first, at the same pace.
        if self._outbox.quoting.stale_count():  # counted first: most days there are none to load
            report.replies += self._outbox.quoting.update_stale(before_update=pace).updated
        while cutoff is not None and not report.stopped:
            with self._db.read() as session:
                batch = retention.due(session, cutoff, after_id=after, limit=BATCH)
            for due in batch:
                after = due.idea_id
                if not self._remove(due, cutoff, report, pace):
                    report.stopped = True
                    break
            if renew is not None and not renew():
                report.stopped = True  # another process took the run over (our lease ran out)
            if len(batch) < BATCH:
                break
        with self._db.write() as session:
            report.deliveries, report.bodies = retention.purge(session, now - PURGE_AFTER)
        report.replies_waiting = self._outbox.quoting.stale_count()
        return report

    def _paused_now(self, due: Due) -> bool:
        with self._db.read() as session:
            return retention.paused(session, due.idea_id)

    def _remove(self, due: Due, cutoff: datetime, report: Report, pace: Pace) -> bool:
        """One idea: its text out of the store (committed first), then its card and replies; false when stopping.

        A run stopping leaves an idea either untouched (the next run takes it) or done with in Slack too: once its
        text is out of the store no run lists it again, so its card and replies are updated even while stopping
        (unpaced: a few calls at most)."""
        assert self._days is not None
        marker = retained_text(self._days)
        if not due.paused and not pace():
            return False  # stopping before this idea: left as it is
        with self._db.write() as session:
            removed = retention.remove_text(session, due.idea_id, cutoff, marker, self._clock.now())
        if not removed:
            return True  # someone reopened it meanwhile, or another run got there first
        report.ideas += 1
        if due.paused:
            report.skipped_channels[due.channel_id] = due.team_name
            self._outbox.quoting.replace(due.idea_id, marker)  # the store now; Slack once the channel is back
            return True
        if self._outbox.sync_card(due.idea_id):
            report.cards += 1
        elif self._paused_now(due):  # the channel went since the batch was read: its replies are not tried either
            report.skipped_channels[due.channel_id] = due.team_name
        replaced = self._outbox.quoting.replace(due.idea_id, marker, before_update=lambda: pace() or True)
        report.replies += replaced.updated
        return not self._stop.is_set()
