"""The bounded caches (bot/cache.py): a timed entry lasts its ttl on the project's clock, not the system's, and no
cache holds more than its bound, the least recently used going first."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot import cache
from bot.clock import SettableClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(minutes=5)


def test_a_timed_entry_lasts_its_ttl_on_the_clock() -> None:
    clock = SettableClock(START)
    timed: cache.Cached[str, int] = cache.timed(clock, TTL, maxsize=10)
    timed.put("a", 1)
    clock.advance(TTL - timedelta(microseconds=1))
    assert timed.get("a") == 1
    clock.advance(timedelta(microseconds=1))
    assert timed.get("a") is None, "expired at put time + ttl exactly"
    timed.put("a", 2)
    assert timed.get("a") == 2, "put again: a new ttl from now"


def test_a_cache_holds_at_most_its_bound_least_recently_used_out() -> None:
    clock = SettableClock(START)
    for bounded in (cache.timed(clock, TTL, maxsize=3), cache.lasting(3)):
        for key in "abc":
            bounded.put(key, key.upper())
        assert bounded.get("a") == "A"  # "a" is now the most recently used
        bounded.put("d", "D")
        assert len(bounded) == 3
        assert bounded.get("b") is None
        assert [bounded.get(key) for key in "acd"] == ["A", "C", "D"]


def test_many_threads_share_one_cache() -> None:
    clock = SettableClock(START)
    shared: cache.Cached[int, int] = cache.timed(clock, TTL, maxsize=100)

    def work(offset: int) -> None:
        for n in range(2000):
            shared.put((offset + n) % 250, n)
            shared.get((offset * 7 + n) % 250)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(shared) == 100


def test_a_weighed_cache_bounds_the_sum_of_its_entries_sizes() -> None:
    # A channel's members weigh as many as it has: a thousand large channels cannot fill memory.
    clock = SettableClock(START)
    weighed: cache.Cached[str, frozenset[int]] = cache.timed(clock, TTL, maxsize=10, getsizeof=len)
    weighed.put("big", frozenset(range(6)))
    weighed.put("small", frozenset(range(3)))
    weighed.put("more", frozenset(range(4)))  # 6 + 3 + 4 > 10: the least recently used goes
    assert (weighed.get("big"), len(weighed)) == (None, 2)
    assert weighed.get("small") == frozenset(range(3)) and weighed.get("more") == frozenset(range(4))
