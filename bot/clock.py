"""The one clock. Production reads the system time; tests hand the app a clock they set."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time: `now()` returns an aware datetime in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The system time, timezone-aware in UTC."""
        return datetime.now(UTC)


class SettableClock:
    """A clock that stands still until told to move: for tests and what-if runs."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SettableClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The time the clock was last set to (aware, UTC)."""
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        """Set the clock to `when` (aware; kept in UTC)."""
        with self._lock:
            self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by `delta`."""
        with self._lock:
            self._now += delta
