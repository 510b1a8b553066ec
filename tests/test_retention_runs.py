"""The daily retention run across processes, and what it purges whatever the setting (issue 18, product page
Privacy): claimed once per UTC day by one of the bots sharing a database, taken over by another when the one running
it stopped part way (its lease ran out), never failing when two claim a new day at once; Slack's deliveries applied
more than a week ago deleted and the bodies of the bot's messages sent before then emptied; and the pace of its
Slack updates (`Pace`)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from bot.clock import SettableClock
from bot.personal_data import retention as retention_module
from bot.personal_data.retention import LEASE, Pace, Report, Retention
from doubles.slack import SlackDouble
from storage import retention as store
from storage.models import InboxEvent, OutboxMessage
from storage.models_privacy import RetentionRun
from tests.conftest import BOB, CAROL, RunningBot, eventually, on_postgres
from tests.flows import LEAD, WAIT, react, rows, shown
from tests.flows_kaizen import Kaizen, start_kaizen
from tests.test_retention import DAYS, MARKER, PEOPLE, finished, fresh, tick

# --- one run a day, across processes ---------------------------------------------------------------------------------


def two_bots(bot_factory: Any, double: SlackDouble, clock: SettableClock, **settings: Any) -> tuple[Kaizen, RunningBot]:
    """Two bots on one database, each with its own retention (no schedulers: the test ticks them)."""
    settings.setdefault("kaizen_retention_days", DAYS)
    one = start_kaizen(bot_factory, double, clock, at=None, scheduler=False, members=PEOPLE, **settings)
    other: RunningBot = bot_factory(kaizen_leaders=(LEAD,), **settings)
    return one, other


def tick_of(bot: Kaizen | RunningBot) -> Report | None:
    """The bot's daily run, if it falls to it now."""
    return (bot.running if isinstance(bot, Kaizen) else bot).kaizen.retention.tick()


def runs(k: Kaizen) -> list[tuple[object, ...]]:
    """Each day's run: its day, how many times it was claimed, whether it finished and how many ideas it took."""
    every = sorted(rows(k.running.kaizen.db, RetentionRun), key=lambda run: run.day)
    return [(run.day, run.attempts, run.finished_at is not None, (run.report or {}).get("ideas")) for run in every]


def test_the_daily_run_happens_once_a_day_whichever_bot_gets_there_first(bot_factory, double, clock):
    one, other = two_bots(bot_factory, double, clock)
    done = finished(one, "The hoist battery is flat")
    clock.advance(timedelta(days=DAYS, hours=1))
    today = clock.now().date()

    assert tick(one.running.kaizen.retention).ideas == 1
    assert tick_of(other) is None, "done today, by the other bot"
    assert tick_of(one) is None, "and by itself"

    clock.advance(timedelta(days=1))
    later = finished(one, "Call bells are too quiet")
    assert tick(other.kaizen.retention).ideas == 0, "the first idea's text went yesterday; the second is new"
    assert tick_of(one) is None

    clock.advance(timedelta(days=1))  # a process claims the third day's run and dies before it does anything
    with one.running.kaizen.db.write() as session:
        assert store.claim_run(session, clock.now().date(), "a process gone", clock.now(), clock.now() + LEASE)
    assert tick_of(one) is None and tick_of(other) is None, "its lease runs"
    clock.advance(LEASE + timedelta(seconds=1))
    assert tick(other.kaizen.retention).ideas == 0 and tick_of(one) is None

    days = [today + timedelta(days=n) for n in range(3)]
    assert runs(one) == [(days[0], 1, True, 1), (days[1], 1, True, 0), (days[2], 2, True, 0)]
    assert fresh(one, done).problem == MARKER and fresh(one, later).problem == "Call bells are too quiet"


def test_a_run_stopped_part_way_is_taken_over_by_another_bot_once_its_lease_runs_out(bot_factory, double, clock):
    one, other = two_bots(bot_factory, double, clock)
    ideas = [finished(one, problem) for problem in ("The hoist battery is flat", "Call bells are too quiet")]
    clock.advance(timedelta(days=DAYS, hours=1))
    kaizen = one.running.kaizen
    # A worker that may update 2 cards or replies a minute: the first idea's card and Done reply, then it waits.
    stopping = Retention(kaizen.db, clock, kaizen.settings, kaizen.outbox, updates_per_minute=2)
    outcome: list[Any] = []
    updates = len(double.calls("chat.update"))
    running = threading.Thread(target=lambda: outcome.append(stopping.tick()))
    running.start()
    eventually(lambda: len(double.calls("chat.update")) == updates + 2, timeout=WAIT)
    stopping.stop()  # the worker is told to stop (SIGTERM) while it waits for the next minute
    running.join(WAIT)
    assert not running.is_alive()
    [stopped] = outcome
    assert stopped is not None and (stopped.stopped, stopped.ideas) == (True, 1)
    assert tick_of(other) is None, "its claim holds until the lease runs out"

    clock.advance(LEASE + timedelta(seconds=1))
    taken_over = tick(other.kaizen.retention)

    assert (taken_over.ideas, taken_over.cards, taken_over.replies) == (1, 1, 1)
    assert runs(one) == [(clock.now().date(), 2, True, 1)]
    one.wait_settled()
    for idea in ideas:
        assert MARKER in shown(one.card(fresh(one, idea))) and one.thread(idea)[-1]["text"] == MARKER
        assert idea.problem not in shown(one.card(fresh(one, idea)))


def test_two_bots_claiming_a_new_day_at_the_same_moment_leave_it_to_one(bot_factory, double, clock):
    one, other = two_bots(bot_factory, double, clock)
    db = one.running.kaizen.db
    now = clock.now()
    answers: list[Any] = []
    with db.write() as session:  # one bot has inserted the day's row and not yet committed
        assert store.claim_run(session, now.date(), "first", now, now + LEASE)
        racing = threading.Thread(target=lambda: answers.append(other.kaizen.retention.tick()))
        racing.start()
        if on_postgres():  # the other bot's insert waits for this one's (SQLite: its whole write waits)
            eventually(lambda: waiting_for_a_lock(one), timeout=WAIT)
    racing.join(WAIT)
    assert answers == [None], "the other bot leaves the day to the first, without an error"
    assert runs(one) == [(now.date(), 1, False, None)]


def waiting_for_a_lock(k: Kaizen) -> bool:
    """Whether a session on the test's PostgreSQL database waits for a lock another one holds."""
    with k.running.kaizen.db.engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    return bool(waiting)


# --- the purge, whatever the setting ---------------------------------------------------------------------------------


def test_slacks_deliveries_and_the_bodies_of_messages_go_after_a_week_even_with_retention_off(
    bot_factory, double, clock
):
    k = start_kaizen(bot_factory, double, clock, at=None, scheduler=False, members=PEOPLE)  # no retention days
    old = k.approve(k.raise_idea("The hoist battery is flat"))  # a card, and a thank-you in its thread
    react(k.slack, k.running, old, "+1", BOB)  # a delivery from Slack
    clock.advance(timedelta(days=7, minutes=1))
    young = k.approve(k.raise_idea("Call bells are too quiet"))
    react(k.slack, k.running, young, "+1", CAROL)
    week_ago = clock.now() - timedelta(days=7)
    db = k.running.kaizen.db
    with_body = {m.dedupe_key: m.created_at < week_ago for m in rows(db, OutboxMessage) if m.text or m.blocks}
    old_bodies = sorted(key for key, older in with_body.items() if older)
    young_bodies = sorted(key for key, older in with_body.items() if not older)
    deliveries = {e.event_id: e.received_at < week_ago for e in rows(db, InboxEvent)}
    assert old_bodies and young_bodies and sorted(deliveries.values()) == [False, True]
    retention = k.running.kaizen.retention
    plan = retention.plan()
    assert (plan.days, plan.ideas, plan.deliveries, plan.bodies) == (None, [], 1, len(old_bodies))

    ran = tick(retention)

    assert (ran.ideas, ran.deliveries, ran.bodies) == (0, 1, len(old_bodies))
    assert [e.event_id for e in rows(db, InboxEvent)] == [key for key, older in deliveries.items() if not older]
    after = {m.dedupe_key: bool(m.text or m.blocks) for m in rows(db, OutboxMessage)}
    assert set(with_body) <= set(after), "the rows stay: their keys keep a message from being sent twice"
    assert sorted(key for key, body in after.items() if body) == young_bodies, "younger messages keep theirs"
    assert fresh(k, old).problem == "The hoist battery is flat", "with retention off, ideas keep their words"
    again = retention.run()
    assert (again.deliveries, again.bodies) == (0, 0), "nothing left to purge"


# --- the pace of Slack updates ---------------------------------------------------------------------------------------


class Watched(threading.Event):
    """An Event that records each wait, and is set by it: a Pace that waits says so, and stops."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.set()
        return True


def test_a_burst_within_the_limit_goes_at_once_and_the_next_update_waits_for_the_minute():
    stop = Watched()
    pace = Pace(3, stop)

    assert [pace(), pace(), pace()] == [True, True, True]
    assert stop.waits == [], "no wait within the limit"
    assert pace() is False, "the fourth waited, and stopping ended the wait"
    [waited] = stop.waits
    assert waited is not None and 59 < waited <= 60, "until the first of the minute's updates is a minute old"


def test_a_slot_frees_a_minute_after_the_update_that_took_it(monkeypatch):
    now = [1000.0]

    class Time:
        @staticmethod
        def monotonic() -> float:
            return now[0]

    monkeypatch.setattr(retention_module, "time", Time)
    stop = Watched()
    pace = Pace(2, stop)
    assert [pace(), pace()] == [True, True]
    now[0] += 30
    assert pace() is False and stop.waits == [30.0], "the window is full for 30 more seconds"
    stop.clear()
    now[0] += 30
    assert pace() is True, "a minute on, the first slot is free again"


def test_stopping_ends_a_wait_at_once_and_sends_nothing_more():
    stop = threading.Event()
    pace = Pace(1, stop)
    assert pace() is True
    answers: list[bool] = []
    waiting = threading.Thread(target=lambda: answers.append(pace()))
    waiting.start()
    stop.set()
    waiting.join(WAIT)  # well within the minute the window would make it wait
    assert not waiting.is_alive() and answers == [False]
    assert pace() is False, "once stopped, every call says stop"
