"""Shared fixtures: a Slack Web API double on a free loopback port, the bot served over HTTP exactly as
`kaizen-bot serve` serves it (same factory, same WSGI server), a real SQLite file in a temp dir, a clock the
test sets, and a driver that sends what Slack sends, signed."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, func, select

from bot.clock import SettableClock
from bot.composition import Kaizen, build_app, compose, start_scheduler
from bot.settings import Settings
from bot.slack.server import bound_port, make_server, run_until_closed
from doubles.driver import SlackDriver
from doubles.slack import SlackDouble
from doubles.socket_mode import SocketModeDouble
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Idea, InboxEvent, OutboxMessage

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
WORKSPACE = "T0001"
TEAM_CHANNEL = "C_TEAM"
OTHER_CHANNEL = "C_OTHER"
OUTSIDE_CHANNEL = "C_OUTSIDE"  # a channel Kaizen is not a member of
ALICE, BOB, CAROL = "U_ALICE", "U_BOB", "U_CAROL"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from each test alone, never from the machine's environment."""
    for name in list(os.environ):
        if (name.startswith(("SLACK_", "KAIZEN_")) or name == "DATABASE_URL") and name != POSTGRES_ENV:
            monkeypatch.delenv(name)


@pytest.fixture
def double(clock: SettableClock) -> Iterator[SlackDouble]:
    slack = SlackDouble(bot_token=BOT_TOKEN, team_id=WORKSPACE)
    slack.clock = lambda: clock.now().timestamp()  # message ts on the same time line as the bot
    slack.start()
    slack.add_user(ALICE, "alice")
    slack.add_user(BOB, "bob")
    slack.add_user(CAROL, "carol")
    slack.add_channel(TEAM_CHANNEL, "ward-7", members=[ALICE, BOB, "UBOT"])
    slack.add_channel(OTHER_CHANNEL, "pharmacy", members=[BOB, "UBOT"])
    slack.add_channel(OUTSIDE_CHANNEL, "random", members=[ALICE, BOB, CAROL], is_member=False)
    yield slack
    slack.stop()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


# Set to a PostgreSQL URL (a role that may create databases) to run the suite on PostgreSQL: each test then
# gets a database of its own on that server. Unset, each test gets a SQLite file in its temp dir.
POSTGRES_ENV = "KAIZEN_TEST_POSTGRES"


def on_postgres() -> bool:
    return bool(os.environ.get(POSTGRES_ENV))


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database upgraded to the newest schema once per test process (each xdist worker has its own), which
    `database_url` copies: running every migration for each test took about 0.75 s on PostgreSQL and 0.12 s on
    SQLite, minutes of the suite. A SQLite file path, or a PostgreSQL database's name."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        path = tmp_path_factory.mktemp("template") / "kaizen.db"
        template = Database(f"sqlite:///{path}")
        upgrade(template)
        template.dispose()
        yield str(path)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kaizen_template_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        template = Database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
        upgrade(template)
        template.dispose()
        # A template must have no sessions while it is copied; refusing connections keeps autovacuum away too
        # (it then only prevents wraparound, which a database this young never needs).
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true'))
        yield name
    finally:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false'))
            _drop_database(admin, name)
        finally:
            admin.dispose()


def _new_database(tmp_path: Path, template: str | None) -> Iterator[str]:
    """A database of the test's own: empty, or a copy of `template` (see `_migrated_template`); dropped after."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        path = tmp_path / "kaizen.db"
        if template is not None:
            import sqlite3

            # The online backup copies a consistent database whatever is left in its write-ahead log.
            with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as target:
                source.backup(target)
        yield f"sqlite:///{path}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kaizen_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop_database(admin, name)
        finally:
            admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _migrated_template: str) -> Iterator[str]:
    """The test's own database, already at the newest schema (a bot started on it finds nothing to upgrade)."""
    yield from _new_database(tmp_path, _migrated_template)


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """The test's own database with no tables at all, for tests of migrations and of a first start."""
    yield from _new_database(tmp_path, None)


@pytest.fixture
def fresh_database(empty_database_url: str) -> Iterator[Database]:
    """The test's database as it starts: no tables until something upgrades it."""
    database = Database(empty_database_url)
    yield database
    database.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The test's database, at the newest schema."""
    database = Database(database_url)
    yield database
    database.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """Drop a test's database, even with connections left open by its bots. FORCE may not end an autovacuum
    worker's session without pg_signal_backend (CI grants it; a developer's role may not have it), so then end
    our own sessions and let a plain DROP stop autovacuum itself."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(10):
        with admin.connect() as connection:
            try:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                try:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                    return
                except DBAPIError:
                    if attempt == 9:
                        raise
        time.sleep(0.5)


def make_settings(double: SlackDouble, database_url: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": double.api_url,
        "database_url": database_url,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def socket_mode(double: SlackDouble) -> Iterator[SocketModeDouble]:
    """A Socket Mode double the Web API double hands out as the WebSocket URL (apps.connections.open)."""
    sm = SocketModeDouble(team_id=double.team_id, app_id=double.app_id).start()
    double.socket_mode_url = sm.url
    yield sm
    sm.stop()


ACK_WAIT_SECONDS = 8


@dataclass
class RunningBot:
    kaizen: Kaizen
    endpoint: str
    url: str
    scheduler: BackgroundScheduler | None


@pytest.fixture
def bot_factory(double: SlackDouble, clock: SettableClock, database_url: str) -> Iterator[object]:
    """Start the bot (several times, for restarts); everything started is stopped at the end."""
    started: list[tuple[object, RunningBot]] = []

    def start(
        *,
        scheduler: bool = False,
        sweep_seconds: float = 0.2,
        schedule: dict[str, float] | None = None,
        **extra: object,
    ) -> RunningBot:
        """`schedule` sets other job intervals (inbox_seconds, reconcile_seconds, huddle_seconds)."""
        kaizen = compose(make_settings(double, database_url, **extra), clock=clock)
        app = build_app(kaizen)
        # Slack's 3 s for an ack is a speed figure (bench/acks.py measures it); on a loaded CI machine Bolt's wait
        # for it would be a timed assert, so the tests' bots wait longer (still less than the driver's 10 s).
        for listener in app._listeners:
            listener.ack_timeout = ACK_WAIT_SECONDS
        server = make_server(app, "127.0.0.1", 0, SIGNING_SECRET, pages=kaizen.pages)
        threading.Thread(target=run_until_closed, args=(server,), daemon=True).start()
        url = f"http://127.0.0.1:{bound_port(server)}"
        sched = start_scheduler(kaizen, sweep_seconds=sweep_seconds, **(schedule or {})) if scheduler else None
        running = RunningBot(kaizen, url + "/slack/events", url, sched)
        started.append((server, running))
        return running

    yield start
    for server, running in started:
        stop_bot(server, running)


def stop_bot(server: object, running: RunningBot) -> None:
    if running.scheduler is not None and running.scheduler.running:
        running.scheduler.shutdown(wait=True)
    server.close()  # type: ignore[attr-defined]
    # waitress's close() leaves its 32 worker threads waiting for work: a test process that starts thousands of
    # bots would pile them up (about 11,000 threads a worker, until new ones could not start).
    # Told to end without waiting for them (its shutdown() polls every 0.1 s: 0.3 s a test).
    server.task_dispatcher.set_thread_count(0)  # type: ignore[attr-defined]
    running.kaizen.close()


@pytest.fixture
def bot(bot_factory: object) -> RunningBot:
    return bot_factory()  # type: ignore[operator]


@pytest.fixture
def slack(bot: RunningBot, double: SlackDouble) -> SlackDriver:
    return SlackDriver(bot.endpoint, SIGNING_SECRET, double, team_id=WORKSPACE)


@pytest.fixture(autouse=True)
def _no_unexpected_rejections(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test does, Slack must never have refused our Block Kit."""
    slack: SlackDouble | None = request.getfixturevalue("double") if "double" in request.fixturenames else None
    yield
    if slack is not None and "expect_rejections" not in request.keywords:
        assert not slack.rejections, f"Slack would have rejected: {slack.rejections}"


def settled(running: RunningBot, *, due_only: bool = False) -> bool:
    """Nothing left to do: every stored event applied, every queued message sent (with `due_only`, every one
    due by the bot's clock: one backing off waits for the clock to move), every card up to date."""
    with running.kaizen.db.read() as session:
        unsent = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.done_at.is_(None))
        if due_only:
            unsent = unsent.where(OutboxMessage.next_attempt_at <= running.kaizen.clock.now())
        counts = (
            session.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.done_at.is_(None))),
            session.scalar(unsent),
            session.scalar(
                select(func.count())
                .select_from(Idea)
                .where(Idea.card_ts.is_not(None), Idea.card_synced_version < Idea.card_version)
            ),
        )
    return counts == (0, 0, 0)


def eventually(check: Callable[[], T], *, timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll until `check` returns a truthy value (work after an ack runs on another thread)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)
