"""Bounded, thread-safe caches of Slack's and the store's answers: cachetools' caches behind a lock.

Every cache has a size bound (least recently used out when full). A timed one forgets an entry `ttl` after it was
put (after the Slack or database answer it holds came back, not when it was asked for), measured on the project's
clock (`bot.clock.Clock`), so tests that move a `SettableClock` move expiry too.
cachetools' caches are not thread-safe: every read and write here holds the cache's own lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

import cachetools

from bot.clock import Clock

K = TypeVar("K")
V = TypeVar("V")


class Cached(Generic[K, V]):
    """A bounded cache of `K` → `V` that many threads may use at once. `get` answers None for a key never put,
    expired or evicted: so `V` itself should not be None (wrap such answers in a tuple)."""

    def __init__(self, cache: cachetools.Cache[K, V]) -> None:
        self._cache = cache
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value put for `key` if it is still there (not expired, not evicted), else None."""
        with self._lock:
            return self._cache.get(key)

    def put(self, key: K, value: V) -> None:
        """Remember `value` for `key` (from now, for a timed cache), evicting the least recently used if full."""
        with self._lock:
            self._cache[key] = value

    def __len__(self) -> int:
        """How many entries are held now (expired ones not counted)."""
        with self._lock:
            return len(self._cache)


def timed(clock: Clock, ttl: timedelta, maxsize: int, getsizeof: Callable[[V], int] | None = None) -> Cached[K, V]:
    """A cache whose entries last `ttl` on `clock` (valid while now < put time + ttl), at most `maxsize` of them;
    or, with `getsizeof`, entries whose sizes add up to at most `maxsize` (putting one larger than that raises
    ValueError)."""
    # The clock's aware datetimes are the timer and the timedelta the ttl: exact, no float seconds to round.
    cache: cachetools.TTLCache[K, V, datetime] = cachetools.TTLCache(
        maxsize=maxsize, ttl=ttl, timer=clock.now, getsizeof=getsizeof
    )
    return Cached(cache)


def lasting(maxsize: int) -> Cached[K, V]:
    """A cache of answers that never change, at most `maxsize` of them (least recently used out)."""
    return Cached(cachetools.LRUCache(maxsize=maxsize))
