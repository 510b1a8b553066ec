"""The store at scale: 200,000 ideas over 1,000 teams in SQLite (a temp file), one team with 2,000 open ideas; the
measures also on PostgreSQL when BENCH_POSTGRES names a server (a role that may create databases, e.g.
postgresql://kaizen_ci:kaizen_ci@127.0.0.1:5432/postgres): the same seed in a database of its own, dropped after.

Measured, in this process, through the product's own functions:
- the huddle of the big team: `Huddles._compose` (the queries, the owners' names, the blocks) plus turning the
  blocks into the JSON that chat.postMessage sends; target < 50 ms;
- `/kaizen list` in the big team's channel: `workflow.team_board` + `replies.board_blocks` + the blocks' JSON (what
  the handler sends to the response_url); target < 50 ms;
- the charted series of `/kaizen stats` (`bot.measures.series.measure_series`, every series over the whole
  history (two years here), and `baselines.judge`, the XmR charts; the PNG is not drawn) of the big team (target
  < 1 s) and of the whole workspace (what `/kaizen stats` shows outside a team channel; target < 500 ms, issue 16);
- the headline figures over 52 weeks (`bot.measures.figures.headline`) of the same; target < 1 s.

Complete periods are remembered per process (`bot/measures/series.py`), so the first chart of a scope in a process
counts two years and later ones only the week in progress. The workspace series is judged both ways, each against
the issue's 500 ms, because a person waits for each: "warm" (median of warm runs) is every `/kaizen stats` once
the process has charted that scope, "cold" (median of runs in a fresh `Database`, so nothing remembered and the
connections new; the OS file cache stays warm, as on a server that restarts) is the first `/kaizen stats` of each
scope after every restart or deploy, when nothing warms the memory first. The team's series is judged warm; its
cold figure is shown.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.common import BOT_TOKEN, SIGNING_SECRET, WORKSPACE, Table, median, ms, temp_dir, verdict
from bench.seed import Plan, Seeded, seed
from bot.clock import SettableClock
from bot.composition import compose
from bot.huddles.daily import LIST_LIMIT
from bot.ideas import workflow
from bot.measures import baselines
from bot.measures.figures import denominator, headline
from bot.measures.series import measure_series
from bot.render import replies, words
from bot.settings import Settings
from doubles.slack import SlackDouble
from handlers.commands import BOARD_PER_STATUS
from storage import migrate
from storage.db import Database
from storage.measures import Scope
from storage.models import Team

NOW = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
FAR_OVER = 3
CAP = 12.0  # seconds: a query still running then is stopped
POSTGRES_ENV = "BENCH_POSTGRES"
SERIES_TARGET = 0.5  # the workspace's series, cold and warm (issue 16)
COLD_RUNS = 3
NUDGE_DAYS = 2  # the product's default


class Interrupter:
    """Stops a query that runs past a cap (sqlite3's interrupt(), psycopg's cancel()), so that one slow path
    cannot take the whole benchmark's time; the figure is then reported as "over the cap"."""

    def __init__(self, engine: Engine) -> None:
        self._connections: list[Any] = []
        event.listen(engine, "connect", lambda dbapi_connection, _record: self._connections.append(dbapi_connection))

    def _stop(self) -> None:
        for connection in list(self._connections):
            (connection.interrupt if hasattr(connection, "interrupt") else connection.cancel)()

    def run(self, fn: Callable[[], Any], cap: float) -> float | None:
        """Seconds fn took, or None when it was stopped at the cap."""
        timer = threading.Timer(cap, self._stop)
        started = time.perf_counter()
        timer.start()
        try:
            fn()
        except OperationalError as error:
            if "interrupted" not in str(error) and "canceling statement" not in str(error):
                raise
            return None
        finally:
            timer.cancel()
        return time.perf_counter() - started


def _timed(
    fn: Callable[[], Any], runs: int, target: float, stopper: Interrupter, *, cold_once: bool = False
) -> tuple[float, list[float]]:
    """(first run, the warm runs after it), in seconds; math.inf for a run stopped at the cap. A first run far
    over the target is not repeated: the verdict is clear, and the whole benchmark must fit in a few minutes;
    unless `cold_once`: the first run does once-per-process work (the measures' whole history), so the warm
    runs are what a person waits for and are measured anyway."""
    times: list[float] = []
    for _ in range(runs + 1):
        took = stopper.run(fn, CAP)
        times.append(math.inf if took is None else took)
        if times[0] > FAR_OVER * target and not (cold_once and not math.isinf(times[0])):
            break
    return times[0], times[1:] or times[:1]


def _shown(seconds: float) -> str:
    return f"> {CAP:.0f} s (stopped)" if math.isinf(seconds) else f"{ms(seconds)} ms"


def _charted(db: Database, scope: Scope) -> None:
    for series in measure_series(db, scope, ZoneInfo("UTC"), NOW, NUDGE_DAYS):
        baselines.judge(series, baselines.history(db, scope))


def _figures(db: Database, scope: Scope) -> None:
    headline(db, scope, NOW, denominator(db, scope, NOW.date(), None))


def _cold_runs(url: str, scope: Scope) -> list[float]:
    """Seconds of the charted series of `scope` with nothing remembered: each run in a `Database` of its own."""
    times: list[float] = []
    for _ in range(COLD_RUNS):
        db = Database(url)
        try:
            took = Interrupter(db.engine).run(lambda: _charted(db, scope), CAP)  # noqa: B023 - called at once
        finally:
            db.dispose()
        times.append(math.inf if took is None else took)
        if math.isinf(times[-1]):
            break
    return times


def _workspace_rows(table: Table, where: str, url: str, db: Database, stopper: Interrupter) -> None:
    """The workspace's charted series, cold and warm, and its headline figures, on the store at `url` (`db`)."""
    workspace = Scope(WORKSPACE)
    cold = _cold_runs(url, workspace)
    table.add(
        f"weekly series, workspace, cold ({where})", _shown(cold[0]), _shown(median(cold)), _shown(max(cold)),
        len(cold), f"< {ms(SERIES_TARGET)} ms", verdict(median(cold) < SERIES_TARGET),
    )  # fmt: skip
    first, warm = _timed(lambda: _charted(db, workspace), 5, SERIES_TARGET, stopper, cold_once=True)
    table.add(
        f"weekly series, workspace, warm ({where})", _shown(first), _shown(median(warm)), _shown(max(warm)),
        len(warm), f"< {ms(SERIES_TARGET)} ms", verdict(median(warm) < SERIES_TARGET),
    )  # fmt: skip
    first, runs = _timed(lambda: _figures(db, workspace), 3, 1.0, stopper)
    table.add(
        f"headline figures, workspace, 52 weeks ({where})", _shown(first), _shown(median(runs)),
        _shown(max(runs)), len(runs), "< 1000 ms", verdict(median(runs) < 1.0),
    )  # fmt: skip


def _seeded_row(table: Table, where: str, seeded: Seeded) -> None:
    table.add(f"seeding, bulk core inserts ({where})", f"{seeded.seconds:.1f} s", "-", "-", 1, "info", "-")


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped afterwards: its URL."""
    name = f"kaizen_bench_store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _postgres(table: Table, plan: Plan) -> None:
    """The same store on PostgreSQL: seeded, vacuumed and analyzed (as autovacuum leaves a settled database), then
    the workspace's series and headline; one row saying how to get them when no server is named."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        table.add(
            "weekly series, workspace (PostgreSQL)", "-", "-", "-", 0, f"< {ms(SERIES_TARGET)} ms",
            f"not measured (set {POSTGRES_ENV})",
        )  # fmt: skip
        return
    with _postgres_database(admin_url) as url:
        db = Database(url)
        try:
            migrate.upgrade(db)
            seeded = seed(db, plan)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE ideas"))
                connection.execute(text("VACUUM ANALYZE idea_events"))
            _seeded_row(table, "PostgreSQL", seeded)
            _workspace_rows(table, "PostgreSQL", url, db, Interrupter(db.engine))
        finally:
            db.dispose()


def run(quick: bool = False) -> list[Table]:
    teams, ideas, big_open = (250, 50_000, 2_000) if quick else (1_000, 200_000, 2_000)
    plan = Plan(teams=teams, ideas=ideas, now=NOW, big_team_open=big_open)
    table = Table(
        f"store: {ideas:,} ideas over {teams:,} teams, SQLite and PostgreSQL (one team with {big_open:,} open ideas)",
        ["operation", "first", "median", "max", "runs", "target", "verdict"],
    )
    with (
        temp_dir("kaizen-bench-store-") as tmp,
        SlackDouble(bot_token=BOT_TOKEN, team_id=WORKSPACE) as double,
    ):
        url = f"sqlite:///{tmp / 'store.db'}"
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        db = Database(url)
        seeded = seed(db, plan)
        db.dispose()
        size = sum(path.stat().st_size for path in tmp.glob("store.db*"))
        _seeded_row(table, "SQLite", seeded)
        table.note(
            f"seeded {seeded.ideas:,} ideas and {seeded.events:,} idea events in {seeded.seconds:.1f} s "
            f"({seeded.ideas / seeded.seconds:,.0f} ideas/s with their events); file {size / 1e6:.0f} MB; statuses "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(seeded.counts.items()))
        )
        for user in seeded.users[:20]:  # the big team's people, so the huddle can show owners' names
            double.add_user(user, user.lower())
        settings = Settings(
            _env_file=None, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,  # type: ignore[call-arg]
            slack_api_url=double.api_url, database_url=url,
        )  # fmt: skip
        kaizen = compose(settings, clock=SettableClock(NOW), upgrade_db=False)
        stopper = Interrupter(kaizen.db.engine)  # before the first connection is made
        try:
            with kaizen.db.read() as session:
                team = session.get(Team, seeded.big_team_id)
            assert team is not None
            slack = kaizen.gateway.workspace(WORKSPACE)
            huddles = kaizen.huddles
            local_date = NOW.date()

            def huddle() -> None:
                _text, blocks = huddles._compose(team, slack, NOW, local_date, 0)
                words.to_dicts(blocks)

            def board() -> None:
                board = workflow.team_board(kaizen.db, team.channel_id, None, BOARD_PER_STATUS)
                words.to_dicts(replies.board_blocks(board, team.channel_id, NOW, None))

            team_scope = Scope(WORKSPACE, team.id)
            checks = [
                (f"huddle compose (team of {big_open:,} open, {LIST_LIMIT}/list)", huddle, 20, 0.050),
                (f"/kaizen list ({BOARD_PER_STATUS} per status)", board, 20, 0.050),
                ("charted series, team, 2 years (SQLite)", lambda: _charted(kaizen.db, team_scope), 5, 1.0),
                ("headline figures, team, 52 weeks (SQLite)", lambda: _figures(kaizen.db, team_scope), 5, 1.0),
            ]  # fmt: skip
            for name, fn, runs, target in checks:
                first, warm = _timed(fn, runs, target, stopper, cold_once=name.startswith("charted"))
                typical = median(warm)
                table.add(
                    name, _shown(first), _shown(typical), _shown(max(warm)), len(warm),
                    f"< {ms(target)} ms", verdict(typical < target),
                )  # fmt: skip
            _workspace_rows(table, "SQLite", url, kaizen.db, stopper)
        finally:
            kaizen.close()
    _postgres(table, plan)
    table.note(
        "verdict on the median of the warm runs ('first' has empty caches: owners' names via users.info); the "
        f"workspace's cold series: the median of {COLD_RUNS} runs each in a new Database (nothing remembered), judged "
        f"too: the first /kaizen stats after a restart waits for it; a first run over {FAR_OVER}x its target is not "
        f"repeated and is judged alone (runs 1); a query still running after {CAP:.0f} s is stopped"
    )
    if quick:
        table.note("--quick: a smaller store than the issue's 200,000 ideas; the verdicts are indicative only")
    return [table]
